"""The workspace file on disk: a TinyDB ``Storage`` that is safe to share.

Every write goes to a temp file in the same folder, is fsync'd, takes the old
file's mode and group, and replaces the old file atomically, so a reader never
sees half a file and a killed writer leaves the previous version whole. The
version being replaced is kept as ``NAME.bak`` (a hard link, so no copying).

Reads are fresh: the file's (inode, size, mtime) is checked on every read and
the JSON is parsed again whenever it changed. Within a transaction (taken under
the sidecar lock by :class:`data.writes.workspace.Workspace`) the parsed data is held
in memory so TinyDB's many read/write calls for one operation cost one parse
and one durable write.

Each worktop write also leaves a small *change note* beside the file
(``.NAME.changes``): the documents the write changed, keyed by the file's
stat before and after. A reader whose parsed data is the "before" file applies
the note instead of parsing the whole new file again (at 10k items: about 2 ms
instead of 30-60). The note is only ever a shortcut: it is used when both stat
keys match exactly, and a missing, stale or unreadable note means a full read.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from data.model.documents import ITEM_FIELD_TYPES, PERSON_FIELD_TYPES, first_damaged
from data.store.safe_open import (
    TooLarge,
    Untrusted,
    describe,
    open_folder,
    open_regular,
    read_regular,
    unlink_if_regular,
)

FORMAT = "worktop"
"""Value of ``meta.format`` that marks a file as a worktop workspace."""

FORMAT_VERSION = 1


class WorkspaceError(Exception):
    """Base for errors a person should read; ``str()`` is the whole message."""


class WorkspaceMissing(WorkspaceError):
    """No file at the workspace path."""


class WorkspaceUnreadable(WorkspaceError):
    """The file exists but is not JSON, not a worktop workspace, or cannot be read."""


class ReadOnlyWorkspace(WorkspaceError):
    """This process may read the workspace but not write it."""


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.bak")


def changes_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.changes")


CHANGE_NOTE_STEPS = 4
"""How many recent writes a change note covers (a reader that missed a few still catches up)."""

NOTE_GRACE = 0.003
"""Seconds a reader waits for a change note that has not landed yet before reading the whole file."""

CHANGE_NOTE_MAX_BYTES = 512 * 1024
"""A write that changed more than this (an import, a bulk edit of thousands) leaves no note."""


WORKSPACE_MAX_BYTES = 256 * 1024 * 1024
"""The largest workspace file worktop reads (about 600k items): a bigger one is refused, not read into memory."""

CHANGE_NOTE_READ_LIMIT = CHANGE_NOTE_STEPS * CHANGE_NOTE_MAX_BYTES + 64 * 1024
"""The most of a change note worktop reads; a bigger one is not a note worktop wrote."""

LOCK_WAIT = 10.0
"""Seconds a writer waits for the lock before giving up with a message naming who holds it."""

FILE_MODE_MASK = 0o666
"""Permission bits a data file may carry over from the file it replaces: never execute, setuid or sticky."""

StatKey = tuple[int, int, int, int]


def key_of(st: os.stat_result) -> StatKey:
    """What changes whenever the file's content may have: inode, size, mtime, ctime."""
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def stat_key(path: Path) -> StatKey | None:
    try:
        return key_of(os.stat(path))
    except (FileNotFoundError, PermissionError):  # unknown; reading it says what is wrong
        return None


def validate(data: Any, path: Path) -> dict[str, Any]:
    """Check that parsed JSON is a worktop workspace; raise a clear error if not."""
    if not isinstance(data, dict):
        raise WorkspaceUnreadable(
            f"{path} is not a worktop workspace (it holds a JSON {type(data).__name__}, "
            "not an object); nothing was written"
        )
    meta = data.get("meta")
    doc = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise WorkspaceUnreadable(
            f"{path} is JSON but not a worktop workspace (no meta.format = \"worktop\"); "
            "nothing was written"
        )
    version = doc.get("format_version", 1)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise WorkspaceUnreadable(
            f"{path} was written by a newer worktop (format {version}, this one reads "
            f"{FORMAT_VERSION}); upgrade worktop. Nothing was written"
        )
    # Enough structure that the rest of worktop can trust it: a hand-edited file that
    # breaks it gets this message naming the file, not a ValueError from deep inside.
    if not isinstance(doc.get("revision", 0), int):
        raise WorkspaceUnreadable(f"{path}: meta revision {doc['revision']!r} is not a number; nothing was written")
    statuses = doc.get("statuses")
    if statuses is not None and not (isinstance(statuses, list) and all(isinstance(s, str) and s for s in statuses)):
        raise WorkspaceUnreadable(f"{path}: meta statuses {statuses!r} is not a list of names; nothing was written")
    wip = doc.get("wip")
    if wip is not None and not (isinstance(wip, dict) and all(isinstance(n, int) for n in wip.values())):
        raise WorkspaceUnreadable(f"{path}: meta wip {wip!r} is not a map of status to number; nothing was written")
    for table in ("items", "people", "history"):
        docs = data.setdefault(table, {})  # a missing table is an empty one
        if not isinstance(docs, dict):
            raise WorkspaceUnreadable(f"{path}: table {table!r} is not an object; nothing was written")
        # C-speed checks (about 0.5 ms at 10k items, 7 ms at 50k); the slow loop only names the culprit.
        if not (all(map(str.isdigit, docs)) and set(map(type, docs.values())) <= {dict}):
            key = next(k for k, v in docs.items() if type(v) is not dict or not k.isdigit())
            raise WorkspaceUnreadable(
                f"{path}: {table} entry {key!r} is not a document with a numeric id; nothing was written"
            )
    for table, types, name in (("items", ITEM_FIELD_TYPES, "item #{}"), ("people", PERSON_FIELD_TYPES, "person {}")):
        damaged = first_damaged(data[table], types)
        if damaged is not None:
            key, problem = damaged
            raise WorkspaceUnreadable(f"{path}: {name.format(key)}: {problem}; nothing was written "
                                      "(fix or remove that document, or restore the backup)")
    last = doc.get("last_change")
    if last is not None and not (isinstance(last, dict) and all(type(v) in (str, int) for v in last.values())):
        raise WorkspaceUnreadable(f"{path}: meta last_change {last!r:.60} is not a change summary; nothing was written")
    if not isinstance(doc.get("name", ""), str):
        raise WorkspaceUnreadable(f"{path}: meta name {doc['name']!r:.60} is not text; nothing was written")
    return data


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Parsing a 50k-item file allocates millions of dicts and lists; each
    allocation burst triggers collections that rescan everything already parsed,
    which made a parse 3-5x slower. JSON data has no cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse(raw: bytes, path: Path) -> dict[str, Any]:
    """Parse and validate file bytes."""
    if not raw.strip():
        raise WorkspaceUnreadable(f"{path} is empty; it is not a worktop workspace. Nothing was written")
    try:
        with gc_paused():
            data = orjson.loads(raw)
            # Move the new, acyclic data out of the collector's young generation
            # before it is switched back on, or the first allocation after this
            # triggers a collection that walks every object just parsed.
            gc.freeze()
    except orjson.JSONDecodeError as error:
        raise WorkspaceUnreadable(f"{path} is not valid JSON ({error}); nothing was written") from None
    return validate(data, path)


def read_file(path: Path) -> tuple[dict[str, Any], StatKey]:
    """Read and parse the file; the stat key is taken from the open descriptor."""
    raw, st = read_bytes(path)
    return parse(raw, path), key_of(st)


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
        from data.store.sharing import read_problem

        reason = read_problem(path)
        raise WorkspaceUnreadable(f"{path} cannot be read (permission denied{f': {reason}' if reason else ''})") from None
    except OSError as error:
        raise WorkspaceUnreadable(f"{path} cannot be read ({error.strerror or error}); nothing was written") from None


def write_atomic(path: Path, payload: bytes, *, keep_backup: bool = True,
                 on_replaced: Callable[[], None] | None = None) -> list[str]:
    """Replace ``path`` with ``payload`` so readers see the old or new file, never a mix.

    The temp file gets the old file's read/write bits and group (so a group-shared
    workspace stays group-writable whoever writes last); the old version becomes
    ``NAME.bak``; the folder is fsync'd so the rename itself is durable.
    Call it with the workspace's lock held (:func:`exclusive_lock`): temp files
    of other writers are then leftovers of a killed one, and are removed.

    Returns:
        Warnings for the person (the backup could not be kept, and why); the
        write itself succeeded.
    """
    folder = path.parent
    warnings: list[str] = []
    _remove_stale_temps(path)
    try:
        old: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise WorkspaceUnreadable(f"{path} is {describe(old.st_mode)}, not a workspace file; nothing was written")
    fd, tmp_name = _make_temp(path)
    try:
        if old is not None:
            os.fchmod(fd, old.st_mode & FILE_MODE_MASK)
            if old.st_gid != os.getegid():
                with contextlib.suppress(PermissionError):
                    os.fchown(fd, -1, old.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    os.close(fd)
    try:
        if old is not None and keep_backup:
            problem = _keep_backup(path)
            if problem:
                warnings.append(problem)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    if on_replaced is not None:
        on_replaced()  # before the folder fsync: readers woken by the rename find what it leaves
    _fsync_folder(folder)
    return warnings


def _make_temp(path: Path) -> tuple[int, str]:
    """Create ``.NAME.<random>.tmp`` beside ``path``, private until written (as ``tempfile.mkstemp``).

    Not ``tempfile`` itself: importing it (with shutil, random, bz2, lzma) costs
    about 3 ms of every CLI command's 80 ms budget.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temp file name", str(path.parent))


def _temp_names(path: Path) -> re.Pattern[str]:
    """The names worktop's own writers give their temp files beside ``path`` (and nothing else)."""
    name = re.escape(path.name)
    return re.compile(rf"\.{name}\.(?:changes\.)?[0-9a-f]{{12}}\.tmp|\.{name}\.bak\.[0-9]+\.tmp")


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files a writer killed mid-write left (each a whole copy of the file).

    Only names worktop's writers make, only regular files or links (a link is
    removed, never what it points to), by name inside the folder's descriptor.
    """
    pattern = _temp_names(path)
    with contextlib.suppress(OSError):
        folder = open_folder(path.parent)
        try:
            for name in os.listdir(folder):
                if pattern.fullmatch(name):
                    unlink_if_regular(name, folder)
        finally:
            os.close(folder)


def _keep_backup(path: Path) -> str | None:
    """Hard-link the current file as ``NAME.bak`` (atomically replacing the old backup).

    Returns what went wrong, in words, when no backup could be kept: the write
    goes ahead (the atomic replace protects the file), but the person should
    know the backup now lags behind.
    """
    bak = backup_path(path)
    tmp = bak.with_name(f".{bak.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        os.link(path, tmp, follow_symlinks=False)
    except OSError as error:
        return f"the backup {bak} was not kept ({error.strerror or error}); it holds an older version"
    try:
        os.replace(tmp, bak)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        what = "a folder" if error.errno in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST) else error.strerror
        return f"the backup was not kept: {bak} is {what}; the workspace itself was saved"
    # rename() between two links of one file does nothing and leaves tmp: the case when a writer
    # was killed after linking the backup but before replacing the file.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    return None


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class LockHeld(WorkspaceError):
    """Another process has held the workspace lock for longer than a write ever takes."""


@dataclass
class Lock:
    """A held workspace lock, and what the person should hear about it."""

    warnings: list[str] = field(default_factory=list)


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[Lock]:
    """Hold the workspace's exclusive lock: an ``flock`` on its folder, and on the sidecar lock file.

    The folder's lock is the one that counts: nobody in the group can delete or
    replace the folder the way they can any file in it (a ``git clean`` or a
    cleanup job that removes ``.NAME.lock`` while writers run would otherwise
    let two of them in at once). The lock file is kept for worktops before this
    one, which lock only it; it must be a regular file (a link, FIFO or folder
    there is ignored, with a warning) and is checked, once locked, to still be
    the file at its path.

    Waits up to ``wait`` seconds, then raises :class:`LockHeld` naming the
    process that holds it (a member can hold a lock forever; nobody's save may
    freeze for good).
    """
    held = Lock()
    deadline = time.monotonic() + wait
    folder = _open_lock_folder(path)
    try:
        if folder is not None:
            _flock(folder, deadline, path, wait)
        lock_fd = _lock_file(path, deadline, wait, held, folder)
        try:
            yield held
        finally:
            if lock_fd is not None:
                os.close(lock_fd)  # closing releases the flock
    finally:
        if folder is not None:
            os.close(folder)


def _open_lock_folder(path: Path) -> int | None:
    """The workspace folder's descriptor to ``flock``, or None where folders cannot be locked (then the file alone)."""
    try:
        return open_folder(path.parent)
    except Untrusted as error:
        raise WorkspaceError(f"{error}; nothing was written") from None
    except FileNotFoundError:
        raise WorkspaceMissing(f"folder {path.parent} does not exist") from None
    except PermissionError:
        return None  # a folder one may enter but not list: the lock file still works


def _flock(fd: int, deadline: float, path: Path, wait: float) -> None:
    """``flock(LOCK_EX)`` on ``fd``, waiting until ``deadline`` (polling: a blocking flock cannot time out)."""
    pause = 0.0005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as error:
            if error.errno in (errno.ENOLCK, errno.EBADF, errno.EINVAL, errno.EOPNOTSUPP):
                return  # no locks on this filesystem (some network ones): nothing better to do
            raise
        if time.monotonic() > deadline:
            raise LockHeld(f"{path} has been locked by {_lock_holder(fd)} for over {wait:.0f} s; "
                           "nothing was written (try again, or ask them to close it)")
        time.sleep(pause)
        pause = min(pause * 2, 0.005)


def _lock_file(path: Path, deadline: float, wait: float, held: Lock, folder: int | None) -> int | None:
    """Open and lock the sidecar lock file; None when it is not a regular file (ignored, with a warning)."""
    lock = lock_path(path)
    for _ in range(100):
        try:
            fd = open_regular(lock.name if folder is not None else lock, os.O_RDWR | os.O_CREAT, 0o666, dir_fd=folder)
        except Untrusted as error:
            error = Untrusted(lock, error.found)
            if folder is None:
                raise WorkspaceError(f"{error}; nothing was written (remove it: worktop makes a new one)") from None
            held.warnings.append(f"{error}: ignored (the workspace is locked through its folder); "
                                 "remove it and worktop makes a new one")
            return None
        except PermissionError:
            try:
                fd = open_regular(lock, os.O_RDONLY)  # flock works on any descriptor
            except OSError:
                if folder is not None:
                    return None  # the folder's lock holds; this user cannot make the file
                raise ReadOnlyWorkspace(f"cannot take the lock {lock}; the workspace is read-only for you") from None
        try:
            _flock(fd, deadline, path, wait)
            try:
                same = os.path.samestat(os.fstat(fd), os.lstat(lock))
            except FileNotFoundError:
                same = False
            if same:
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # removed or replaced while we waited: lock the file that is there now
    raise WorkspaceError(f"{lock} keeps being replaced; nothing was written")


def _lock_holder(fd: int) -> str:
    """Who holds the flock on ``fd``, from /proc/locks: 'process 123 (ana)', or 'another process'."""
    st = os.fstat(fd)
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    with contextlib.suppress(OSError, ValueError):
        raw, _ = read_regular("/proc/locks", 1 << 20)
        for line in raw.decode("ascii", "replace").splitlines():
            fields = line.split()
            if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == wanted and fields[4].isdigit():
                pid = int(fields[4])
                return f"process {pid}{_owner_of(pid)}"
    return "another process"


def _owner_of(pid: int) -> str:
    with contextlib.suppress(OSError, KeyError, ImportError):
        import pwd

        return f" ({pwd.getpwuid(os.stat(f'/proc/{pid}').st_uid).pw_name})"
    return ""


class WorkspaceStorage(Storage):
    """TinyDB storage over one workspace file: fresh reads, atomic writes, transactions.

    Outside a transaction the storage is read-only for TinyDB; all writes happen
    between :meth:`begin` and :meth:`commit`, which the workspace calls with the
    sidecar lock held.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._cache: tuple[StatKey, dict[str, Any]] | None = None
        self._txn: dict[str, Any] | None = None
        self._dirty = False
        self._base: tuple[StatKey, dict[str, Any]] | None = None
        """The cache entry the transaction started from (for the change note)."""
        self.warnings: list[str] = []
        """What the last commit could not do beside the write itself (keep the backup), for the person."""
        self.last_patch: tuple[dict[str, Any], dict[str, Any], list[tuple[list[str], list[str]]]] | None = None
        """(old data, new data, the item keys each step set and removed) of the last change note
        followed, so a snapshot of the new data can be patched from one of the old, not rebuilt."""

    # -- TinyDB's interface -------------------------------------------------
    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._txn is not None:
            return self._txn
        return self.load()

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self._txn is None:
            raise RuntimeError("workspace writes go through Workspace.apply()")
        self._txn = data
        self._dirty = True

    def close(self) -> None:
        self._cache = None

    # -- worktop's interface ------------------------------------------------
    def load(self) -> dict[str, Any]:
        """The current file's data, parsed again only if the file changed.

        When this process holds the file a change note starts from, the note is
        applied instead of parsing the new file — but only once the result is
        proven to be the file: serialised, it must equal the file's bytes (a
        note is written by whoever wrote last, who may be anyone in the group).
        Serialising and comparing costs a fraction of a parse.

        The returned dict is shared with the cache: callers must not mutate it.
        """
        key = stat_key(self.path)
        if self._cache is not None and key is not None and self._cache[0] == key:
            return self._cache[1]
        raw, st = read_bytes(self.path)
        key = key_of(st)
        if self._cache is not None:
            if self._cache[0] == key:
                return self._cache[1]
            data = self._follow_change_note(key, raw)
            if data is None:
                # The writer puts its note down just after the rename that may have woken us:
                # a moment's wait is far cheaper than parsing the whole file.
                time.sleep(NOTE_GRACE)
                data = self._follow_change_note(key, raw)
            if data is not None:
                self._cache = (key, data)
                return data
        data = parse(raw, self.path)
        self._cache = (key, data)
        return data

    def _follow_change_note(self, key: StatKey, raw: bytes) -> dict[str, Any] | None:
        """The data of the file at ``key`` (whose bytes are ``raw``), from the cache and the change note.

        None if the note does not lead there, or leads to anything but exactly ``raw``.
        """
        if self._cache is None:
            return None
        steps = read_change_note(self.path)
        current, data = self._cache
        base = data
        items: list[tuple[list[str], list[str]]] = []
        for step in steps:
            if tuple(step["base"]) != current:
                continue
            try:
                data = apply_change(data, step["tables"], self.path)
            except (WorkspaceUnreadable, TypeError, ValueError, AttributeError):  # not a note this code wrote
                return None
            change = step["tables"].get("items") or {}
            items.append((list(change.get("set") or ()), list(change.get("del") or ())))
            current = tuple(step["target"])
        if current != key:
            return None
        try:
            if orjson.dumps(data) != raw:
                return None  # a note that says something the file does not: not believed
        except orjson.JSONEncodeError:
            return None
        self.last_patch = (base, data, items)
        return data

    def begin(self) -> dict[str, Any]:
        """Start a transaction on the freshest data (call with the lock held).

        The transaction gets its own top-level dict, its own table dicts and
        its own meta and people documents (a few thousand pointers copied, well
        under a millisecond at 10k items); item documents stay shared until
        ``Transaction.raw_item`` copies the ones an operation changes. So the
        cached data, and every snapshot made from it, never changes, and a
        transaction that changes nothing or fails keeps the cache instead of
        costing a re-parse of the file.
        """
        data = self.load()
        self._base = self._cache
        txn = {name: dict(table) if isinstance(table, dict) else table for name, table in data.items()}
        for name in ("meta", "people"):
            table = txn.get(name)
            if isinstance(table, dict):
                txn[name] = {key: dict(doc) if isinstance(doc, dict) else doc for key, doc in table.items()}
        self._txn = txn
        self._dirty = False
        return txn

    def commit(self) -> bool:
        """Write the transaction's data durably; returns whether anything was written."""
        data, dirty = self._txn, self._dirty
        self._txn, self._dirty = None, False
        if data is None or not dirty:
            return False
        try:
            payload = orjson.dumps(data)
        except orjson.JSONEncodeError as error:
            raise WorkspaceError(f"could not write {self.path}: {error}; nothing was changed") from None
        base, self._base = self._base, None
        make_note = prepare_change_note(self.path, base, data)

        def note() -> None:
            with contextlib.suppress(OSError):  # only a shortcut: no note, and readers read the file
                st = os.stat(self.path)
                write_change_note(self.path, make_note(key_of(st)), st)

        try:
            self.warnings = write_atomic(self.path, payload, on_replaced=note)
        except WorkspaceError:
            raise
        except PermissionError:
            raise ReadOnlyWorkspace(f"cannot write {self.path} (permission denied); nothing was changed") from None
        except OSError as error:
            if error.errno in (errno.EROFS, errno.EACCES):
                raise ReadOnlyWorkspace(f"cannot write {self.path} ({error.strerror}); nothing was changed") from None
            raise WorkspaceError(f"could not write {self.path}: {error.strerror}; nothing was changed") from None
        key = stat_key(self.path)
        if key is not None:
            self._cache = (key, data)
        return True

    def abort(self) -> None:
        """Drop the transaction; the cache still holds the file as it is on disk."""
        self._txn, self._dirty, self._base = None, False, None


# -- change notes ----------------------------------------------------------------------------
def diff_tables(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """Per table, the documents ``new`` set (by identity: copy-on-write keeps the rest shared) and removed.

    None when the change is not one of documents in tables (a table added or dropped).
    """
    if old.keys() != new.keys():
        return None
    tables: dict[str, dict[str, Any]] = {}
    for name, table in new.items():
        before = old[name]
        if table is before:
            continue
        if not isinstance(table, dict) or not isinstance(before, dict):
            return None
        # Identity test over every key in C loops (~1.5 ms at 10k items, bound by memory, not Python).
        changed = {key: table[key] for key in compress(table, map(is_not, table.values(), map(before.get, table)))}
        added = sum(1 for key in changed if key not in before)
        removed = list(before.keys() - table.keys()) if len(before) + added != len(table) else []
        if changed or removed:
            tables[name] = {"set": changed, "del": removed}
    return tables


def apply_change(data: dict[str, Any], tables: dict[str, Any], path: Path) -> dict[str, Any]:
    """A new data dict: ``data`` with a change note's table changes applied (``data`` is not touched)."""
    if not isinstance(tables, dict):
        raise WorkspaceUnreadable(f"{changes_path(path)}: not a change note")
    result = dict(data)
    for name, change in tables.items():
        table = result.get(name)
        if not isinstance(table, dict) or not isinstance(change, dict):
            raise WorkspaceUnreadable(f"{changes_path(path)}: not a change note")
        table = dict(table)
        table.update(change.get("set") or {})
        for key in change.get("del") or ():
            table.pop(key, None)
        result[name] = table
    # The unchanged documents passed validation when they were read: check the meta and the new ones.
    validate({"meta": result.get("meta"), **{name: (change.get("set") or {}) for name, change in tables.items()
                                              if name in ("items", "people", "history")}}, path)
    for name in ("items", "people", "history"):
        result.setdefault(name, {})
    return result


def read_change_note(path: Path) -> list[dict[str, Any]]:
    """The change note's steps, oldest first; [] when there is none or it cannot be read.

    Read as any file another member may have replaced: no link followed, no
    blocking on a FIFO, at most :data:`CHANGE_NOTE_READ_LIMIT` bytes.
    """
    try:
        raw, _ = read_regular(changes_path(path), CHANGE_NOTE_READ_LIMIT)
        note = orjson.loads(raw)
    except (OSError, orjson.JSONDecodeError):
        return []
    steps = note.get("steps") if isinstance(note, dict) and note.get("v") == 1 else None
    if not isinstance(steps, list):
        return []
    return [step for step in steps if isinstance(step, dict) and isinstance(step.get("base"), list)
            and isinstance(step.get("target"), list) and isinstance(step.get("tables"), dict)]


def prepare_change_note(path: Path, base: tuple[StatKey, dict[str, Any]] | None,
                        data: dict[str, Any]) -> Callable[[StatKey], bytes]:
    """Everything of the change note but the new file's stat, done before the file is replaced.

    Returns a function of that stat giving the note's bytes, so that between the
    replace (which wakes readers) and the note landing only a small write happens.
    """
    tables = diff_tables(base[1], data) if base is not None else None
    if tables is None:
        return lambda _target: b'{"v":1,"steps":[]}'
    body = orjson.dumps(tables)
    if len(body) > CHANGE_NOTE_MAX_BYTES:
        return lambda _target: b'{"v":1,"steps":[]}'
    # Keep the previous steps that lead here, so a reader a few writes behind still catches up.
    steps = read_change_note(path)
    steps = steps[-(CHANGE_NOTE_STEPS - 1):] if steps and tuple(steps[-1]["target"]) == base[0] else []
    head = b'{"v":1,"steps":[' + b"".join(orjson.dumps(step) + b"," for step in steps)
    head += b'{"base":' + orjson.dumps(base[0]) + b',"tables":' + body + b',"target":'
    return lambda target: head + orjson.dumps(target) + b"}]}"


def write_change_note(path: Path, payload: bytes, like: os.stat_result) -> None:
    """Put the change note beside the workspace file (best effort: it is only a shortcut).

    Written just after the workspace file is replaced (before the folder's fsync),
    under the same lock, with the workspace file's mode and group (``like``). Not fsync'd:
    after a crash a stale note simply matches nothing.
    """
    note = changes_path(path)
    tmp = note.with_name(f".{path.name}.changes.{os.urandom(6).hex()}.tmp")  # swept like other temps
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return
    try:
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, like.st_mode & FILE_MODE_MASK)
                if like.st_gid != os.getegid():
                    os.fchown(fd, -1, like.st_gid)
            os.write(fd, payload)
        finally:
            os.close(fd)
        os.replace(tmp, note)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
