"""The file store: a workspace in one TinyDB JSON file, its history appended beside it.

:class:`FileStore` is the store behind ``Workspace`` for a path (the default;
PostgreSQL is the other). What it keeps in memory is the last version of the
file it read (:class:`FileState`); each call checks the file's stat and, when
another process has replaced it, catches up:

* holding the previous version parsed, it compares the new file's lines with
  the old ones and parses only those that differ (data/store/layout.py) — a few
  milliseconds at 10k items, with nothing to trust but the file itself;
* otherwise (a first read, a file not in the line layout) it parses the whole
  file.

A write (:meth:`FileStore.transaction`, then :meth:`FileStore.commit`) takes
the lock, starts from the freshest version, appends the history, then replaces
the file with the changed lines spliced in. A process that has not parsed the
file (a CLI command) reads only the lines it touches: ``worktop add`` costs the
same at 100 items or 100k, apart from copying bytes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from data.errors import ReadOnlyWorkspace, WorkspaceError, WorkspaceMissing, WorkspaceUnreadable
from data.store import history_file, jsonline, layout
from data.store.atomic import StatKey, key_of, stat_key, write_atomic
from data.store.layout import FORMAT, FORMAT_VERSION, Lines, Parsed
from data.store.lock import Lock, creating, exclusive_lock
from data.store.safe_open import TooLarge, Untrusted, gc_paused, read_fd, read_regular
from data.store.transaction import StoreTransaction, track_ids_and_ranks

if TYPE_CHECKING:  # snapshots are built by readers: a CLI write (`worktop add`) does without the module
    from data.model.snapshot import Changes, History, Snapshot

WORKSPACE_MAX_BYTES = 256 * 1024 * 1024
"""The largest workspace file worktop reads (about 600k items): a bigger one is refused, not read into memory."""

SETTINGS_FIELDS = frozenset({"statuses", "wip", "wip_blocks", "name", "recurring_horizon_days"})
"""Settings whose change can alter every pane (a full redraw, not a patch)."""


def read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The workspace file's bytes and stat, read as a file another person may have replaced.

    A link, FIFO, folder or device at the path, or a file over
    :data:`WORKSPACE_MAX_BYTES`, is refused with a message saying what is there.
    """
    try:
        return read_regular(path, WORKSPACE_MAX_BYTES)
    except FileNotFoundError:
        raise WorkspaceMissing(
            f"no workspace at {path}; create one with `worktop init {path}` "
            f"(or `worktop demo {path}` for one with sample work)"
        ) from None
    except Untrusted as error:
        raise WorkspaceUnreadable(f"{path} is {error.found}, not a workspace file; nothing was written") from None
    except TooLarge as error:
        raise WorkspaceUnreadable(f"{error}; it is not read, and nothing was written") from None
    except PermissionError:
        from data.store.permissions import read_problem

        reason = read_problem(path)
        raise WorkspaceUnreadable(f"{path} cannot be read (permission denied{f': {reason}' if reason else ''})") from None
    except OSError as error:
        raise WorkspaceUnreadable(f"{path} cannot be read ({error.strerror or error}); nothing was written") from None


def _head_revision(fd: int) -> int | None:
    """The revision the settings line of the open file says (None: not readable that way, e.g. format 1)."""
    head = os.pread(fd, 1 << 16, 0)
    end = head.find(b"\n")
    if end < 0 or not head.startswith(b'{"meta":{"1":'):
        return None
    try:
        meta = jsonline.loads(head[len(b'{"meta":{"1":'):end - 2])
    except jsonline.JSONDecodeError:
        return None
    revision = meta.get("revision") if isinstance(meta, dict) else None
    return revision if type(revision) is int else None


def read_file(path: Path) -> tuple[dict[str, Any], StatKey]:
    """The whole file as TinyDB tables (``meta``, ``people``, ``items``; a format-1 file's ``history`` too)."""
    raw, st = read_bytes(path)
    parsed = layout.parse(raw, path)
    data: dict[str, Any] = {"meta": {"1": parsed.meta}, "people": parsed.people, "items": parsed.items}
    if parsed.history is not None:
        data["history"] = parsed.history
    return data, key_of(st)


def read_history(path: Path) -> list[dict[str, Any]]:
    """Every history entry the workspace file covers, oldest first (format 1: from inside the file)."""
    raw, _st = read_bytes(path)
    parsed = layout.parse(raw, path)
    if parsed.history is not None:
        return V1History(parsed.history).entries()
    return history_file.HistoryReader(path, int(parsed.meta.get("history_bytes", 0))).entries()


class FileState:
    """One version of the workspace file, as read (or written) by this process.

    A plain class rather than a dataclass: every write builds one, and importing dataclasses would cost
    ``worktop add`` ~10 ms of its 80 (nothing else on its path needs it).
    """

    __slots__ = ("key", "raw", "meta", "people", "docs", "lines", "version", "v1_history", "other_tables", "line_set",
                 "snapshot")

    def __init__(self, *, key: StatKey, raw: bytes, meta: dict[str, Any], people: dict[str, dict[str, Any]],
                 docs: dict[int, dict[str, Any]] | None, lines: Lines | None, version: int,
                 v1_history: dict[str, dict[str, Any]] | None = None, other_tables: list[bytes] | None = None,
                 line_set: set[bytes] | None = None, snapshot: Snapshot | None = None) -> None:
        self.key = key
        self.raw = raw
        self.meta = meta
        self.people = people
        self.docs = docs
        """Every item by id, when the whole file was parsed (None: only lines were read)."""
        self.lines = lines
        """The line view, when the file is in the line layout."""
        self.version = version
        self.v1_history = v1_history
        self.other_tables = other_tables if other_tables is not None else []
        """Lines of tables worktop does not know (read whole files only: a line view keeps them in its bytes)."""
        self.line_set = line_set
        """The item lines of this version, kept to compare the next version with (made when first needed)."""
        self.snapshot = snapshot

    def __repr__(self) -> str:
        return f"FileState(key={self.key!r}, revision={self.revision}, version={self.version})"

    @property
    def revision(self) -> int:
        return int(self.meta.get("revision", 0))

    def all_docs(self, path: Path) -> dict[int, dict[str, Any]]:
        """Every item (parsing the whole file the first time, for a state that read only lines)."""
        if self.docs is None:
            parsed = layout.parse(self.raw, path)
            self.docs = dict(zip(map(int, parsed.items), parsed.items.values(), strict=True))
        return self.docs


def _state_from(parsed: Parsed, raw: bytes, key: StatKey, path: Path) -> FileState:
    with gc_paused():
        docs = dict(zip(map(int, parsed.items), parsed.items.values(), strict=True))  # C loops
    in_layout = parsed.version >= 2 and layout.in_line_layout(raw, parsed.meta)
    return FileState(key=key, raw=raw, meta=parsed.meta, people=parsed.people, docs=docs,
                     lines=Lines(raw, path) if in_layout else None, version=parsed.version,
                     v1_history=parsed.history, other_tables=parsed.other_tables)


class V1History:
    """The history of a format-1 file, held in the file itself (read-only workspaces not yet upgraded)."""

    def __init__(self, table: dict[str, Any]) -> None:
        self._entries = [dict(e, rev=e.get("rev", int(k))) for k, e in sorted(table.items(), key=lambda kv: int(kv[0]))
                         if isinstance(e, dict)]

    def entries(self, *, item_id: int | None = None, since: int = 0, limit: int | None = None,
                newest_first: bool = False) -> list[dict[str, Any]]:
        found = [e for e in reversed(self._entries) if (item_id is None or e.get("item") == item_id)
                 and isinstance(e.get("rev"), int) and e["rev"] > since]
        if limit is not None:
            found = found[:limit]
        return found if newest_first else found[::-1]

    def status_moves(self) -> list[tuple[int, str, str]]:
        moves = []
        for entry in self._entries:
            change = (entry.get("changes") or {}).get("status")
            if isinstance(entry.get("item"), int) and isinstance(change, list) and len(change) == 2 \
                    and entry.get("via") != "import":
                moves.append((entry["item"], str(entry.get("at", "")), str(change[1])))
        return moves

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        for entry in self.entries(item_id=item_id, newest_first=True):
            if field_name in (entry.get("changes") or {}):
                return entry
        return None


class FileStore:
    """A workspace in one file (see the module docstring).

    Args:
        path: the workspace file (symlinks already resolved by the caller).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._state: FileState | None = None
        self._moves = history_file.MovesCache()
        self._mutex = threading.RLock()
        """The TUI reads from its watcher thread while the UI thread writes."""

    @property
    def location(self) -> str:
        return str(self.path)

    # -- reading ---------------------------------------------------------------------------------------------
    def _fresh(self, *, whole: bool, locked: int | None = None) -> FileState:
        """The file as it is now: the cached version if unchanged, else caught up or read again.

        ``whole``: every document parsed (a snapshot); else a line view will do (a write in a CLI process).
        ``locked``: the descriptor the write lock is held on — the state is read from it, and the cached
        version is used only if its revision is also the file's (a stat key can repeat: an inode number
        reused within one tick of the file system's clock, at the same size).
        """
        state = self._state
        if locked is None:
            key = stat_key(self.path)
            if state is not None and key is not None and state.key == key and self._same_revision(state):
                if whole:
                    state.all_docs(self.path)
                return state
            raw, st = read_bytes(self.path)
        else:
            st = os.fstat(locked)
            if state is not None and state.key == key_of(st) and state.revision == _head_revision(locked):
                return state
            try:
                raw = read_fd(locked, WORKSPACE_MAX_BYTES, self.path, at_start=True)
            except TooLarge as error:
                raise WorkspaceUnreadable(f"{error}; it is not read, and nothing was written") from None
        key = key_of(st)
        if state is not None and (state.key == key or state.raw == raw) and locked is None:
            state.key = key  # touched, not changed (any member may touch the file): nothing to read again
            return state
        new = self._catch_up(state, raw, key) if state is not None else None
        if new is None:
            new = self._read(raw, key, whole=whole)
        self._state = new
        return new

    def _same_revision(self, state: FileState) -> bool:
        """Whether the file's settings line still gives the cached revision (a stat key alone can repeat)."""
        if state.lines is None:
            return True  # not in the line layout: nothing cheap to compare, the stat key decides
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return True  # reading it says what is wrong
        try:
            return _head_revision(fd) == state.revision
        except OSError:
            return True
        finally:
            os.close(fd)

    def _read(self, raw: bytes, key: StatKey, *, whole: bool) -> FileState:
        if not whole and raw.startswith(b'{"meta":{"1":'):
            lines = self._lazy(raw, key)
            if lines is not None:
                return lines
        parsed = layout.parse(raw, self.path)
        return _state_from(parsed, raw, key, self.path)

    def _lazy(self, raw: bytes, key: StatKey) -> FileState | None:
        """A state that parses only the settings and people lines (None: the file is not in the line layout)."""
        first = raw.find(b"\n")
        if first < 0:
            return None
        try:
            lines = Lines(raw, self.path)
            meta = lines.meta()
        except (ValueError, WorkspaceUnreadable):
            return None
        if meta.get("format_version", 1) < 2 or not lines.in_layout(meta):
            return None
        return FileState(key=key, raw=raw, meta=meta, people=lines.people(), docs=None, lines=lines,
                         version=int(meta["format_version"]))

    def _catch_up(self, old: FileState, raw: bytes, key: StatKey) -> FileState | None:
        """The new version from the old one by comparing lines; None when only a whole read will do."""
        if old.lines is None or old.docs is None or not raw.startswith(b'{"meta":{"1":'):
            return None
        try:
            lines = Lines(raw, self.path)
            meta = lines.meta()
            if meta.get("format_version", 1) < 2 or not layout.in_line_layout(raw, meta):
                return None
            if old.line_set is None:
                old.line_set = set(old.lines.item_lines())
            new_lines = lines.item_lines()
            diff = layout.changed_lines(old.line_set, new_lines, self.path)
            people = old.people if lines.table_line("people") == old.lines.table_line("people") else lines.people()
        except (ValueError, WorkspaceUnreadable):
            return None
        docs = dict(old.docs)
        for key_text, doc in diff.set.items():
            docs[int(key_text)] = doc
        for key_text in diff.removed:
            docs.pop(int(key_text), None)
        if len(docs) != len(new_lines):
            return None  # an id twice, or lines that do not add up: read it whole
        state = FileState(key=key, raw=raw, meta=meta, people=people, docs=docs, lines=lines, version=2,
                          line_set=set(new_lines))
        from data.model.snapshot import changed_fields

        fields = changed_fields(old.docs, docs, {int(k) for k in (*diff.set, *diff.removed)})
        if people is not old.people:
            fields[None] = {"people"}
        changes = None if any(old.meta.get(name) != meta.get(name) for name in SETTINGS_FIELDS) else fields
        state.snapshot = self._snapshot_of(state, base=old, changes=changes)
        return state

    def history_of(self, state: FileState) -> History:
        if state.v1_history is not None:
            return V1History(state.v1_history)
        return history_file.HistoryReader(self.path, int(state.meta.get("history_bytes", 0)), self._moves)

    def _snapshot_of(self, state: FileState, *, base: FileState | None = None, changes: Changes | None = None
                     ) -> Snapshot:
        from data.model.snapshot import build_snapshot

        docs = state.all_docs(self.path)
        people = [state.people[k] for k in sorted(state.people, key=int)]
        return build_snapshot(state.meta, people, docs, history=self.history_of(state),
                              base_revision=base.revision if base is not None and changes is not None else None,
                              changes=changes)

    def snapshot(self) -> Snapshot:
        """The workspace now (cheap when nothing changed: one stat)."""
        with self._mutex:
            state = self._fresh(whole=True)
            if state.snapshot is None:
                state.snapshot = self._snapshot_of(state)
            return state.snapshot

    def changed(self) -> bool:
        """Cheap check (one stat) whether the file may differ from the last version read."""
        return self._state is None or self._state.key != stat_key(self.path)

    def meta(self) -> Mapping[str, Any]:
        """The settings document now (a CLI reads it without parsing the items)."""
        with self._mutex:
            return self._fresh(whole=False).meta

    # -- writing ---------------------------------------------------------------------------------------------
    @property
    def writable(self) -> bool:
        """Whether this process can write the file and create files beside it."""
        return os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)

    def access_problem(self) -> str | None:
        from data.store.permissions import access_problem

        return access_problem(self.path)

    @contextlib.contextmanager
    def transaction(self, actor: str, now: str, today: date) -> Iterator[FileTransaction]:
        """The lock held and the freshest state read; changes are written by :meth:`commit`."""
        if self.path.exists() and not os.access(self.path, os.W_OK):
            reason = self.access_problem()
            raise ReadOnlyWorkspace(f"{self.path} is read-only for you; nothing was changed"
                                    + (f" ({reason})" if reason else ""))
        with self._mutex, exclusive_lock(self.path) as lock:
            state = self._fresh(whole=False, locked=lock.fd)
            txn = FileTransaction(self, state, actor, now, today)
            txn.lock = lock
            txn.notices.extend(lock.warnings)
            yield txn

    def commit(self, txn: StoreTransaction) -> int:
        """Write the transaction: history first, then the file; returns the new revision (call inside the transaction)."""
        if not isinstance(txn, FileTransaction) or txn.store is not self:
            raise TypeError("FileStore.commit takes a transaction this store began")
        state = txn.state
        revision, entries = txn.finish()
        meta = txn.meta
        try:
            like: os.stat_result | None = os.lstat(self.path)
        except FileNotFoundError:
            like = None
        if like is not None and not stat.S_ISREG(like.st_mode):
            raise WorkspaceUnreadable(f"{self.path} is not a regular file; nothing was written")
        changed = {str(item_id): doc for item_id, doc in txn.changed.items()}
        upgrading = state.version < 2
        if upgrading:
            old = sorted((dict(e, rev=e.get("rev", int(k))) for k, e in (state.v1_history or {}).items()),
                         key=lambda e: e["rev"])
            history_bytes = history_file.rewrite(self.path, [*old, *entries], like)
        else:
            history_bytes, notice = history_file.append(self.path, entries, int(meta.get("history_bytes", 0)), like)
            if notice:
                txn.notices.append(notice)
        meta.update(format=FORMAT, format_version=FORMAT_VERSION, history_bytes=history_bytes)
        people = {str(k): d for k, d in txn.people_table().items()} if txn.people_changed else None
        if state.lines is not None:
            removed = sum(1 for k, d in txn.changed.items() if d is None and k not in txn.added)
            meta["item_count"] = int(state.meta.get("item_count", 0)) + len(txn.added) - removed
            track_ids_and_ranks(meta, changed)
            payload = layout.splice(state.lines, meta, people, changed)
        else:
            docs = dict(state.all_docs(self.path))
            for key_text, doc in changed.items():
                if doc is None:
                    docs.pop(int(key_text), None)
                else:
                    docs[int(key_text)] = doc
            meta["item_count"] = len(docs)
            track_ids_and_ranks(meta, {str(k): d for k, d in docs.items()})
            people_table = people if people is not None else state.people
            payload = layout.encode(meta, people_table, layout.item_lines((str(k), d) for k, d in docs.items()),
                                    state.other_tables)
        try:
            notices = write_atomic(self.path, payload, keep_as=self.path.with_name(f"{self.path.name}.v1")
                                   if upgrading else None, before_replace=txn.lock.check if txn.lock else None)
        except (WorkspaceError, OSError) as error:
            self._state = None  # the file may or may not have been replaced: read it again
            if isinstance(error, WorkspaceError):
                raise
            if isinstance(error, PermissionError):
                raise ReadOnlyWorkspace(f"cannot write {self.path} (permission denied); nothing was changed") from None
            raise WorkspaceError(f"could not write {self.path}: {error.strerror or error}; nothing was changed") from None
        txn.notices.extend(notices)
        key = stat_key(self.path)
        if key is not None:
            docs_after = None
            if state.docs is not None:
                docs_after = dict(state.docs)
                for item_id, doc in txn.changed.items():
                    if doc is None:
                        docs_after.pop(item_id, None)
                    else:
                        docs_after[item_id] = doc
            new = FileState(key=key, raw=payload, meta=meta, people=people if people is not None else state.people,
                            docs=docs_after, lines=Lines(payload, self.path), version=FORMAT_VERSION)
            if docs_after is not None and state.docs is not None:
                from data.model.snapshot import changed_fields

                ids = set(txn.changed)
                fields = changed_fields(state.docs, docs_after, ids)
                if people is not None:
                    fields[None] = {"people"}
                changes = None if any(state.meta.get(name) != meta.get(name) for name in SETTINGS_FIELDS) else fields
                new.snapshot = self._snapshot_of(new, base=state, changes=changes)
            self._state = new
        else:
            self._state = None
        return revision

    # -- creating --------------------------------------------------------------------------------------------
    @staticmethod
    def create(path: Path, meta: dict[str, Any], people: dict[str, dict[str, Any]], items: dict[str, dict[str, Any]],
               history: list[dict[str, Any]]) -> None:
        """Write a new workspace file and its history in one go (a new or a demo workspace); never overwrites.

        ``history`` entries carry their ``rev``; the file says it holds them all.
        """
        if os.path.lexists(path):
            raise WorkspaceError(f"{path} already exists; nothing was written")
        if not path.parent.is_dir():
            raise WorkspaceError(f"folder {path.parent} does not exist")
        with creating(path):
            if os.path.lexists(path):
                raise WorkspaceError(f"{path} already exists; nothing was written")
            history_bytes = history_file.rewrite(path, history, None)
            meta = dict(meta, format=FORMAT, format_version=FORMAT_VERSION, history_bytes=history_bytes,
                        item_count=len(items))
            track_ids_and_ranks(meta, items)
            meta.setdefault("next_id", 1)
            meta.setdefault("rank_max", 0.0)
            write_atomic(path, layout.encode(meta, people, layout.item_lines(items.items())), keep_backup=False)

    # -- watching ----------------------------------------------------------------------------------------------
    def watch(self, on_change: Callable[[], None], stop: threading.Event) -> None:
        """Call ``on_change()`` (in this thread) whenever the file may have changed, until ``stop`` is set."""
        from data.store.watcher import watch_workspace

        watch_workspace(self.path, on_change, stop)

    def actor(self, claimed: str) -> str:
        """A file cannot tell who wrote it: writes are recorded under the name the process claims."""
        return claimed

    def presence(self) -> Any:
        """The presence folder beside the file (:class:`data.store.presence.PresenceFolder`)."""
        from data.store.presence import PresenceFolder

        return PresenceFolder(self.path)


class FileTransaction(StoreTransaction):
    """A transaction on the file store: reads lines lazily where the state has not parsed the file."""

    def __init__(self, store: FileStore, state: FileState, actor: str, now: str, today: date) -> None:
        super().__init__(actor, now, today)
        self.store = store
        self.state = state
        self.notices: list[str] = []
        self.lock: Lock | None = None
        self._lazy_docs: dict[int, dict[str, Any] | None] = {}
        self._people_table: dict[str, dict[str, Any]] | None = None

    def _load_meta(self) -> dict[str, Any]:
        return self.state.meta

    def _counters_trusted(self) -> bool:
        # Only a file in the line layout was written by worktop throughout; any other (a hand edit, another
        # tool, format 1) may hold ids and ranks the counters do not know.
        return self.state.lines is not None

    def _load_people(self) -> list[dict[str, Any]]:
        return [self.people_table()[k] for k in sorted(self.people_table(), key=int)]

    def people_table(self) -> dict[str, dict[str, Any]]:
        if self._people_table is None:
            self._people_table = {k: dict(d) for k, d in self.state.people.items()}
        return self._people_table

    def people(self) -> list[dict[str, Any]]:
        return list(self.people_table().values())

    def add_person(self, doc: dict[str, Any]) -> None:
        table = self.people_table()
        table[str(max(map(int, table), default=0) + 1)] = doc
        self.people_changed = True

    def _load_doc(self, item_id: int) -> dict[str, Any] | None:
        docs = self.state.docs
        if docs is not None:
            return docs.get(item_id)
        if item_id not in self._lazy_docs:
            assert self.state.lines is not None
            self._lazy_docs[item_id] = self.state.lines.doc(str(item_id))
        return self._lazy_docs[item_id]

    def _all_docs(self) -> Mapping[int, dict[str, Any]]:
        return self.state.all_docs(self.store.path)

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        return self.store.history_of(self.state).last_change_of(item_id, field_name)


__all__ = ["FileState", "FileStore", "FileTransaction", "WORKSPACE_MAX_BYTES", "read_bytes", "read_file", "read_history"]
