"""One workspace and the only way to change it: ``Workspace.apply(op)``.

``apply`` opens a transaction on the workspace's store (the lock taken, the
freshest state read), applies the operation to that state, and commits it: the
revision bumped, the history appended and the change written atomically, or
nothing at all. Reads (:meth:`Workspace.snapshot`) never lock. Which store
holds the workspace (a file, PostgreSQL) is chosen from its location; nothing
here or above knows more than :class:`data.store.interface.Store`.
"""

# Annotations are evaluated here, not postponed (no `from __future__ import annotations`): typing.NamedTuple
# compiles each one that is a string, and every write (worktop add's too) defines this module's NamedTuples.
import os
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from data.errors import WorkspaceError
from data.model.items import Person, Settings
from data.store.interface import Store
from data.store.lock import LockLost
from data.store.transaction import StoreTransaction as Transaction

if TYPE_CHECKING:
    from data.model.snapshot import Snapshot
    from data.store.postgres.store import PgStore
    from data.writes.ops import Operation

DEFAULT_FILENAME = "worktop.json"

LOCK_RETRIES = 5
"""Times a write is tried again when the file was replaced by hand while it was being written."""


def current_actor() -> str:
    """Who is making changes: ``WORKTOP_USER``, else the login name."""
    name = os.environ.get("WORKTOP_USER", "").strip()
    if name:
        return name
    import getpass

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


def resolve_workspace_path(explicit: str | None) -> Path | str:
    """``-w`` first, then ``WORKTOP_WORKSPACE``, then the nearest ``worktop.json`` upward.

    A ``postgresql://`` URL is returned as it is (a path would fold its ``//``);
    a ``worktop.json`` found upward may be a pointer file naming one, which the
    store chooser reads. When none is found the path in the current folder is
    returned, so the error that follows names the place a person would create it.
    """
    from data.store.postgres.location import is_postgres

    if explicit:
        return explicit if is_postgres(explicit) else Path(explicit).expanduser()
    env = os.environ.get("WORKTOP_WORKSPACE", "").strip()
    if env:
        return env if is_postgres(env) else Path(env).expanduser()
    return find_workspace() or Path.cwd() / DEFAULT_FILENAME


class Result(NamedTuple):
    """What ``Workspace.apply`` reports back (a NamedTuple: every write makes one, even ``worktop add``'s, whose
    path has no dataclass)."""

    revision: int
    item_id: int | None = None
    changed: bool = True
    warnings: Sequence[str] = ()
    """What the person should know about this change (a WIP limit passed, …)."""
    notices: Sequence[str] = ()
    """What is wrong beside the workspace but did not stop the write (an odd lock file, a backup not kept);
    the same every time until someone fixes it, so an app says each once."""
    entries: Sequence[dict[str, Any]] = ()
    """The history entries the write made (undo builds on them)."""


class Workspace:
    """One workspace, in whichever store holds it, shared by any number of processes.

    Args:
        path: where the workspace is: a file path, a ``postgresql://`` URL, or a pointer file naming one
            (the store is chosen from it: data/store/locate.py).
        actor: who this process claims to write as; :func:`current_actor` by default. A store whose
            server knows who is connected (PostgreSQL) records that instead.
        today: pins "today" for date words and snooze wake-ups (tests, demos).
        store: the store to use instead of the one the path names (tests).
    """

    def __init__(self, path: str | os.PathLike[str], *, actor: str | None = None,
                 today: date | None = None, store: Store | None = None) -> None:
        if store is None:
            from data.store.locate import open_store

            store = open_store(path)
        self.store: Store = store
        self.path = store.path
        self._claimed = actor or current_actor()
        self._today = today
        self.last_written_revision: int | None = None
        self.notes: list[str] = []
        """What the person should know about how the workspace was made (roles a server could not create)."""
        self._mutex = threading.RLock()

    @property
    def actor(self) -> str:
        """Who this process writes as: the claimed name on a file, the connected role on a server."""
        return self.store.actor(self._claimed)

    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def location(self) -> str:
        return self.store.location

    # -- creating -----------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str], *, name: str | None = None, actor: str | None = None,
               people: list[Person] | None = None, today: date | None = None) -> "Workspace":
        """Make a new, empty workspace (a file, or in PostgreSQL for a ``postgresql://`` URL); never touches an
        existing one."""
        from data.store.locate import postgres_location

        pg = postgres_location(path)
        if pg is None:
            target: Any = Path(os.path.realpath(Path(path).expanduser()))
            default_name = target.parent.name or "worktop"
            pg_store: PgStore | None = None
        else:
            from data.store.postgres import store as postgres
            from data.store.postgres.location import parse_location

            pg_store = postgres.PgStore(parse_location(pg[0], pointer=pg[1]))
            target = path
            default_name = pg_store.where.workspace
        store: Store | None = pg_store
        claimed = actor or current_actor()
        who = store.actor(claimed) if store is not None else claimed
        now = now_iso()
        meta = {
            "name": name or default_name,
            "revision": 1,
            "statuses": list(Settings().statuses),
            "wip": {"doing": 5, "review": 3},
            "wip_blocks": False,
            "created_at": now,
            "last_change": {"revision": 1, "by": who, "at": now, "summary": "created the workspace"},
        }
        first = {"rev": 1, "at": now, "by": who, "op": "init", "item": None, "changes": {},
                 "summary": "created the workspace"}
        table = {str(i): _person_doc(p) for i, p in enumerate(people or [], start=1)}
        workspace_notes: list[str] = []
        if pg_store is None:
            from data.store.file_store import FileStore

            FileStore.create(target, meta, table, {}, [first])
        else:
            workspace_notes = pg_store.create(meta, table, {}, [first])
        workspace = cls(target, actor=claimed, today=today, store=store)
        workspace.notes = workspace_notes
        return workspace

    # -- reading ------------------------------------------------------------
    def snapshot(self) -> "Snapshot":
        """The current state; re-read only when the workspace changed.

        Raises:
            WorkspaceMissing / WorkspaceUnreadable: with a message naming the workspace.
        """
        return self.store.snapshot()

    def changed_on_disk(self) -> bool:
        """Cheap check (one stat for a file) whether the workspace may differ from the last snapshot."""
        return self.store.changed()

    def meta(self) -> Mapping[str, Any]:
        """The settings document (the CLI reads it without every item)."""
        return self.store.meta()

    @property
    def writable(self) -> bool:
        """Whether this process can write the workspace."""
        return self.store.writable

    def history(self, item_id: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """History entries, newest first, optionally for one item."""
        return self.snapshot().history.entries(item_id=item_id, limit=limit, newest_first=True)

    # -- writing ------------------------------------------------------------
    def apply_if_changing(self, ops: "list[Operation]", snapshot: "Snapshot | None" = None) -> Result:
        """Apply the operations only if they change something, tried first on a snapshot in memory.

        For writes made on the workspace's own account (recurring instances made ahead as it is
        opened): when the rehearsal changes nothing, no lock is taken and nothing is written, so a
        second opener, or ten at once, leave the file as it is. When it would change something,
        :meth:`apply_all` decides again on the freshest state under the lock.
        """
        snapshot = snapshot or self.snapshot()
        txn = _Rehearsal(snapshot, self.actor, now_iso(), self.today)
        for op in ops:
            op.apply(txn)
        if not txn.entries:
            return Result(revision=snapshot.revision, changed=False, warnings=txn.warnings)
        return self.apply_all(ops)

    def apply(self, op: "Operation") -> Result:
        """Apply one operation under the lock to the freshest state and write it durably.

        Raises:
            Conflict: the op expected a value someone else has since changed.
            NotFound, BadValue: bad input; nothing is written.
            ReadOnlyWorkspace, WorkspaceUnreadable: nothing is written.
        """
        return self.apply_all([op])

    def apply_all(self, ops: "list[Operation]") -> Result:
        """Apply several operations as one atomic write (all or none)."""
        if not ops:
            raise ValueError("nothing to apply")
        try:
            for attempt in range(LOCK_RETRIES):
                try:
                    with self._mutex, self.store.transaction(self.actor, now_iso(), self.today) as txn:
                        item_id = None
                        for op in ops:
                            item_id = op.apply(txn)
                        if not txn.entries:
                            return Result(revision=int(txn.meta.get("revision", 0)), item_id=item_id, changed=False,
                                          warnings=txn.warnings, notices=list(getattr(txn, "notices", [])))
                        revision = self.store.commit(txn)
                    break
                except LockLost:  # the file was replaced under the write (a hand edit): apply it again on top
                    if attempt == LOCK_RETRIES - 1:
                        raise
        except OSError as error:  # anything the folder holds that no check foresaw: a message, not a crash
            raise WorkspaceError(f"could not write {self.location}: {error.strerror or error}; "
                                 "nothing was changed") from None
        self.last_written_revision = revision
        return Result(revision=revision, item_id=item_id, warnings=txn.warnings,
                      notices=list(getattr(txn, "notices", [])), entries=txn.entries)


class _Rehearsal(Transaction):
    """A transaction over a snapshot, never committed: what operations would do (see ``apply_if_changing``)."""

    def __init__(self, snapshot: "Snapshot", actor: str, now: str, today: date) -> None:
        super().__init__(actor, now, today)
        self._snapshot = snapshot

    def _load_meta(self) -> dict[str, Any]:
        return dict(self._snapshot.meta)

    def _load_people(self) -> list[dict[str, Any]]:
        return [_person_doc(person) for person in self._snapshot.people.values()]

    def _load_doc(self, item_id: int) -> dict[str, Any] | None:
        return self._snapshot.docs.get(item_id)

    def _all_docs(self) -> Mapping[int, dict[str, Any]]:
        return self._snapshot.docs

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        return self._snapshot.history.last_change_of(item_id, field_name)


def _person_doc(person: Person) -> dict[str, Any]:
    return {"handle": person.handle, "name": person.name, "team": person.team, "capacity": person.capacity}


__all__ = [
    "DEFAULT_FILENAME",
    "Result",
    "Transaction",
    "Workspace",
    "current_actor",
    "find_workspace",
    "now_iso",
    "resolve_workspace_path",
]
