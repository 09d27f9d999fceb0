"""One workspace file and the operations that change it.

:class:`Workspace` is the only writer: ``Workspace.apply(op)`` takes the
sidecar lock, re-reads the file if another process moved it on, applies the
operation to that fresh state, bumps the revision, appends history and writes
the file atomically, then releases the lock. Reads (:meth:`Workspace.snapshot`)
never lock: the atomic replace means they see a whole file.
"""

from __future__ import annotations

import getpass
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB

from data.model.items import Item, Person, Settings
from data.store.storage import (
    FORMAT,
    FORMAT_VERSION,
    ReadOnlyWorkspace,
    WorkspaceError,
    WorkspaceStorage,
    WorkspaceUnreadable,
    exclusive_lock,
    gc_paused,
    stat_key,
    write_atomic,
)

if TYPE_CHECKING:
    from data.writes.ops import Operation

DEFAULT_FILENAME = "worktop.json"


def current_actor() -> str:
    """Who is making changes: ``WORKTOP_USER``, else the login name."""
    name = os.environ.get("WORKTOP_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return f"uid{os.getuid()}"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def find_workspace(start: Path | None = None) -> Path | None:
    """The nearest ``worktop.json`` in ``start`` or a folder above it, as git finds ``.git``."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / DEFAULT_FILENAME
        if path.is_file():
            return path
    return None


def resolve_workspace_path(explicit: str | None) -> Path:
    """``-w`` first, then ``WORKTOP_WORKSPACE``, then the nearest ``worktop.json`` upward.

    When none is found the path in the current folder is returned, so the error
    that follows names the place a person would create it.
    """
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("WORKTOP_WORKSPACE", "").strip()
    if env:
        return Path(env).expanduser()
    return find_workspace() or Path.cwd() / DEFAULT_FILENAME


class Conflict(WorkspaceError):
    """Someone else changed what this operation expected to find."""

    def __init__(self, message: str, *, item_id: int | None = None, field: str | None = None,
                 by: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.item_id = item_id
        self.field = field
        self.by = by
        self.value = value


class NotFound(WorkspaceError):
    """An item id that is not in the workspace."""


@dataclass(slots=True)
class LastChange:
    """Who wrote the workspace last, shown in the TUI header."""

    revision: int
    by: str
    at: str
    summary: str


class ItemMap(Mapping[int, Item]):
    """Items by id, made on demand from the stored documents.

    Building 50k ``Item`` objects up front cost more than parsing the file;
    views are created when asked for, which is cheap (two slots).
    """

    __slots__ = ("_docs",)

    def __init__(self, docs: dict[int, dict[str, Any]]) -> None:
        self._docs = docs

    def __getitem__(self, item_id: int) -> Item:
        return Item(item_id, self._docs[item_id])

    def get(self, item_id: int, default: Any = None) -> Any:  # noqa: D102 - Mapping.get, faster
        doc = self._docs.get(item_id)
        return default if doc is None else Item(item_id, doc)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._docs

    def __iter__(self) -> Iterator[int]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)

    def values(self) -> Iterator[Item]:  # type: ignore[override]
        return (Item(k, v) for k, v in self._docs.items())

    def items(self) -> Iterator[tuple[int, Item]]:  # type: ignore[override]
        return ((k, Item(k, v)) for k, v in self._docs.items())


@dataclass(slots=True)
class Snapshot:
    """An immutable, in-memory view of the workspace at one revision."""

    revision: int
    settings: Settings
    items: ItemMap
    """Items by id (views made on demand)."""
    people: dict[str, Person]
    last_change: LastChange | None
    docs: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    """The stored documents by id, for hot loops over every item (do not mutate)."""
    history: dict[str, dict[str, Any]] | None = field(default=None, repr=False)
    """The raw history table (entries are only ever appended)."""
    _children: dict[int, list[int]] | None = field(default=None, repr=False)
    _blocking: dict[int, list[int]] | None = field(default=None, repr=False)

    def item(self, item_id: int) -> Item:
        try:
            return self.items[item_id]
        except KeyError:
            raise NotFound(f"no item #{item_id} in this workspace") from None

    def changes_since(self, older: Snapshot | None) -> dict[int | None, set[str]] | None:
        """Which fields of which items changed between ``older`` and this snapshot.

        Read from the history (every worktop write appends its changes there in
        the same atomic write), so panes can skip recomputing what a change
        cannot affect. None when it cannot be known for sure — a hand edit, a
        file restored from backup, a gap in the history — and callers then
        redraw everything. Key None holds changes not about one item (people).
        """
        if older is None or self.history is None or self.revision <= older.revision:
            return None
        history = self.history
        changes: dict[int | None, set[str]] = {}
        seen: set[int] = set()
        key = len(history)
        while key >= 1:
            entry = history.get(str(key))
            if not isinstance(entry, dict) or not isinstance(entry.get("rev"), int):
                return None
            if entry["rev"] <= older.revision:
                break
            seen.add(entry["rev"])
            changes.setdefault(entry.get("item"), set()).update((entry.get("changes") or {}).keys())
            key -= 1
        if seen != set(range(older.revision + 1, self.revision + 1)):
            return None
        return changes

    def children(self, item_id: int) -> list[int]:
        if self._children is None:
            index: dict[int, list[int]] = {}
            for item in self.items.values():
                if item.parent is not None:
                    index.setdefault(item.parent, []).append(item.id)
            self._children = index
        return self._children.get(item_id, [])

    def blocking(self, item_id: int) -> list[int]:
        """The items that list ``item_id`` in their ``blocked_by`` (done or not), in id order."""
        if self._blocking is None:
            from data.model.dependencies import blocking_index

            self._blocking = blocking_index(self.docs)
        return self._blocking.get(item_id, [])


def snapshot_from_data(data: dict[str, Any],
                       previous: tuple[Snapshot, list[tuple[list[str], list[str]]]] | None = None) -> Snapshot:
    """A snapshot of parsed data.

    ``previous``: a snapshot of data this one came from by change-note steps,
    and the item keys each step set and removed; its documents are patched
    (replaying the steps, so the order is a fresh snapshot's) instead of rebuilt.
    """
    meta = data["meta"]["1"]
    table = data.get("items", {})
    with gc_paused():
        if previous is not None:
            docs = dict(previous[0].docs)
            for set_keys, del_keys in previous[1]:  # a later step's removal pops what an earlier one set
                for key in set_keys:
                    docs[int(key)] = table.get(key)
                for key in del_keys:
                    docs.pop(int(key), None)
        else:
            docs = {int(k): v for k, v in table.items()}
        items = ItemMap(docs)
    people = {}
    for doc in data.get("people", {}).values():
        person = Person.from_doc(doc)
        if person.handle:
            people[person.handle] = person
    last = meta.get("last_change")
    return Snapshot(
        revision=int(meta.get("revision", 0)),
        settings=Settings.from_doc(meta),
        items=items,
        people=people,
        docs=docs,
        history=data.get("history") if isinstance(data.get("history"), dict) else None,
        last_change=LastChange(**last) if isinstance(last, dict) and set(last) == {"revision", "by", "at", "summary"} else None,
    )


@dataclass(slots=True)
class Result:
    """What ``Workspace.apply`` reports back."""

    revision: int
    item_id: int | None = None
    changed: bool = True
    warnings: list[str] = field(default_factory=list)
    """What the person should know about this change (a WIP limit passed, …)."""
    notices: list[str] = field(default_factory=list)
    """What is wrong beside the workspace but did not stop the write (an odd lock file, a backup not kept);
    the same every time until someone fixes it, so an app says each once."""


class Transaction:
    """What an operation sees while the lock is held: the fresh tables and a history log."""

    def __init__(self, db: TinyDB, actor: str, now: str, today: date) -> None:
        self.db = db
        self.items = db.table("items")
        self.people = db.table("people")
        self.history = db.table("history")
        self.meta_table = db.table("meta")
        self.actor = actor
        self.now = now
        self.today = today
        self.entries: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self._copied: set[str] = set()
        self._next_item_id: int | None = None
        for table in (self.items, self.people, self.history, self.meta_table):
            # TinyDB caches query results and the next id per Table object; both
            # are stale once another process has written the file.
            table.clear_cache()
            table._next_id = None  # noqa: SLF001 - TinyDB has no public reset

    @property
    def meta(self) -> dict[str, Any]:
        return self.db.storage.read()["meta"]["1"]

    @property
    def settings(self) -> Settings:
        return Settings.from_doc(self.meta)

    def raw_item(self, item_id: int) -> dict[str, Any]:
        """The stored document of an item, safe to edit in place.

        Snapshots share documents with the storage cache, so the first time an
        operation asks for a document it is replaced by a shallow copy (copy on
        write): a snapshot taken earlier, or a transaction that fails halfway,
        never sees a change. Operations replace nested lists and dicts rather
        than mutating them, so a shallow copy is enough.
        """
        table = self.db.storage.read().setdefault("items", {})
        key = str(item_id)
        doc = table.get(key)
        if doc is None:
            raise NotFound(f"no item #{item_id} in this workspace")
        if key not in self._copied:
            doc = table[key] = dict(doc)
            self._copied.add(key)
        return doc

    def item(self, item_id: int) -> Item:
        return Item.from_doc(item_id, self.raw_item(item_id))

    def has_item(self, item_id: int) -> bool:
        return str(item_id) in self.db.storage.read().get("items", {})

    def insert_item(self, doc: dict[str, Any]) -> int:
        """Store a new item's document under the next free id (TinyDB's rule: one more than the largest).

        For operations that make many items in one write (an import): the next id
        is remembered, so each insert costs the same however many came before.
        """
        table = self.db.storage.read().setdefault("items", {})
        if self._next_item_id is None or str(self._next_item_id) in table:  # another op inserted meanwhile
            self._next_item_id = max(map(int, table), default=0) + 1
        item_id = self._next_item_id
        table[str(item_id)] = doc
        self._copied.add(str(item_id))
        self._next_item_id += 1
        return item_id

    def item_docs(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every item's stored document as it stands in this transaction, to read.

        For scans (who is blocked by an item, what a column holds); to change a
        document ask :meth:`raw_item` for it, which copies it first.
        """
        return ((int(key), doc) for key, doc in self.db.storage.read().get("items", {}).items())

    def has_person(self, handle: str) -> bool:
        return any(doc.get("handle") == handle for doc in self.db.storage.read().get("people", {}).values())

    def record(self, op: str, item_id: int | None, changes: dict[str, list[Any]], summary: str) -> None:
        """Queue a history entry; written in the same atomic write as the change."""
        self.entries.append(
            {"at": self.now, "by": self.actor, "op": op, "item": item_id, "changes": changes, "summary": summary}
        )

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        """The newest history entry that changed ``field_name`` of the item."""
        history = self.db.storage.read().get("history", {})
        for key in sorted(history, key=int, reverse=True):
            entry = history[key]
            if entry.get("item") == item_id and field_name in (entry.get("changes") or {}):
                return entry
        return None


class Workspace:
    """A workspace file shared by any number of processes.

    Args:
        path: the workspace file.
        actor: who this process writes as; :func:`current_actor` by default.
        today: pins "today" for date words and snooze wake-ups (tests, demos).
    """

    def __init__(self, path: str | os.PathLike[str], *, actor: str | None = None,
                 today: date | None = None) -> None:
        # Symlinks are resolved: the atomic replace must land on the shared file, and the
        # lock must sit beside it, not beside a link to it in someone's home folder.
        self.path = Path(os.path.realpath(Path(path).expanduser()))
        self.actor = actor or current_actor()
        self._today = today
        self.storage = WorkspaceStorage(self.path)
        self.db = TinyDB(storage=lambda: self.storage)  # type: ignore[arg-type]
        self._snapshot: Snapshot | None = None
        self._snapshot_data: dict[str, Any] | None = None
        self.last_written_revision: int | None = None
        # The TUI reads from its watcher thread while the UI thread writes.
        self._mutex = threading.RLock()

    @property
    def today(self) -> date:
        return self._today or date.today()

    # -- creating -----------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], *, name: str | None = None, actor: str | None = None,
               people: list[Person] | None = None, today: date | None = None) -> Workspace:
        """Make a new, empty workspace file; refuses to touch an existing file."""
        target = Path(os.path.realpath(Path(path).expanduser()))
        if target.exists():
            raise WorkspaceError(f"{target} already exists; nothing was written")
        if not target.parent.is_dir():
            raise WorkspaceError(f"folder {target.parent} does not exist")
        who = actor or current_actor()
        now = now_iso()
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": name or target.parent.name or "worktop",
            "revision": 1,
            "statuses": list(Settings().statuses),
            "wip": {"doing": 5, "review": 3},
            "wip_blocks": False,
            "created_at": now,
            "last_change": {"revision": 1, "by": who, "at": now, "summary": "created the workspace"},
        }
        data = {
            "meta": {"1": meta},
            "items": {},
            "people": {str(i): _person_doc(p) for i, p in enumerate(people or [], start=1)},
            "history": {"1": {"at": now, "by": who, "op": "init", "item": None, "changes": {}, "summary": "created the workspace", "rev": 1}},
        }
        import orjson

        with exclusive_lock(target):
            if target.exists():
                raise WorkspaceError(f"{target} already exists; nothing was written")
            write_atomic(target, orjson.dumps(data), keep_backup=False)
        return cls(target, actor=who, today=today)

    # -- reading ------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current state; re-parses only when the file changed on disk.

        Raises:
            WorkspaceMissing / WorkspaceUnreadable: with a message naming the file.
        """
        with self._mutex:
            return self._snapshot_locked()

    def _snapshot_locked(self) -> Snapshot:
        data = self.storage.load()
        snap = self._snapshot
        if snap is not None and self._snapshot_data is data:  # same parsed file: same snapshot
            return snap
        patch, self.storage.last_patch = self.storage.last_patch, None  # it holds the old data: let it go
        if snap is not None and patch is not None and patch[0] is self._snapshot_data and patch[1] is data:
            snap = snapshot_from_data(data, previous=(snap, patch[2]))
        else:
            snap = snapshot_from_data(data)
        self._snapshot, self._snapshot_data = snap, data
        return snap


    def changed_on_disk(self) -> bool:
        """Cheap check (one stat) whether the file may differ from the last snapshot."""
        return self.storage._cache is None or self.storage._cache[0] != stat_key(self.path)  # noqa: SLF001

    @property
    def writable(self) -> bool:
        """Whether this process can write the file and create files beside it."""
        return os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)

    def history(self, item_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """History entries, newest first, optionally for one item."""
        raw = self.storage.load().get("history", {})
        entries = []
        for key in sorted(raw, key=int, reverse=True):
            entry = raw[key]
            if item_id is None or entry.get("item") == item_id:
                entries.append(dict(entry, rev=entry.get("rev", int(key))))
                if limit is not None and len(entries) >= limit:
                    break
        return entries

    # -- writing ------------------------------------------------------------
    def apply(self, op: Operation) -> Result:
        """Apply one operation under the lock to the freshest state and write it durably.

        Raises:
            Conflict: the op expected a value someone else has since changed.
            NotFound, BadValue: bad input; nothing is written.
            ReadOnlyWorkspace, WorkspaceUnreadable: nothing is written.
        """
        return self.apply_all([op])

    def apply_all(self, ops: list[Operation]) -> Result:
        """Apply several operations as one atomic write (all or none)."""
        if not ops:
            raise ValueError("nothing to apply")
        if self.path.exists() and not os.access(self.path, os.W_OK):
            from data.store.sharing import access_problem

            reason = access_problem(self.path)
            raise ReadOnlyWorkspace(f"{self.path} is read-only for you; nothing was changed"
                                    + (f" ({reason})" if reason else ""))
        try:
            with self._mutex, exclusive_lock(self.path) as lock:
                data = self.storage.begin()
                try:
                    txn = Transaction(self.db, self.actor, now_iso(), self.today)
                    item_id = None
                    for op in ops:
                        item_id = op.apply(txn)
                    if not txn.entries:
                        self.storage.abort()
                        return Result(revision=int(data["meta"]["1"].get("revision", 0)), item_id=item_id,
                                      changed=False, warnings=txn.warnings, notices=lock.warnings)
                    meta = txn.meta
                    revision = int(meta.get("revision", 0)) + 1
                    history = data.setdefault("history", {})
                    next_key = len(history) + 1
                    if str(next_key) in history:  # ids not dense (hand-edited file): fall back to a scan
                        next_key = max(int(k) for k in history) + 1
                    for offset, entry in enumerate(txn.entries):
                        entry["rev"] = revision
                        history[str(next_key + offset)] = entry
                    summary = txn.entries[0]["summary"]
                    if len(txn.entries) > 1:
                        summary += f" and {len(txn.entries) - 1} more"
                    meta["revision"] = revision
                    meta["last_change"] = {"revision": revision, "by": self.actor, "at": txn.now, "summary": summary}
                    self.storage.write(data)
                    self.storage.commit()
                except BaseException:
                    self.storage.abort()
                    raise
        except OSError as error:  # anything the folder holds that no check above foresaw: a message, not a crash
            raise WorkspaceError(f"could not write {self.path}: {error.strerror or error}; nothing was changed") from None
        self.last_written_revision = revision
        return Result(revision=revision, item_id=item_id, warnings=txn.warnings,
                      notices=lock.warnings + self.storage.warnings)


def _person_doc(person: Person) -> dict[str, Any]:
    return {"handle": person.handle, "name": person.name, "team": person.team, "capacity": person.capacity}


__all__ = [
    "Conflict",
    "NotFound",
    "ReadOnlyWorkspace",
    "Result",
    "Snapshot",
    "Workspace",
    "WorkspaceError",
    "WorkspaceUnreadable",
]
