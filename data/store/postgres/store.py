"""The PostgreSQL store: :class:`PgStore` behind ``Workspace.apply``, as the file store is.

Reading: a process keeps the last version it read (:class:`PgState`: settings,
people and, once a snapshot was asked for, every item). Each snapshot opens a
``REPEATABLE READ`` read-only transaction, reads the workspace's revision and,
when it moved, catches up from ``worktop.changes``: the rows after its own
revision list the items each write touched, and only those are fetched. So a
change on another screen costs what the change touched, at 1k items or 100k.

Writing: a transaction locks the workspace's row (``SELECT … FOR UPDATE``):
every writer of one workspace takes turns, exactly as under the file store's
lock, and ``READ COMMITTED`` means each reads what the one before it
committed. Documents are read one by one as operations ask for them (from the
cache, when it is at the locked revision); the commit writes the changed
documents, the history entries, one changes row and the new revision in one
pipelined round trip, and the changes row's trigger sends the NOTIFY.

Faults: any lost connection is a :class:`StoreUnavailable` naming the server;
the next call connects again. A commit whose answer was lost is checked after
reconnecting (each commit carries a random token in its changes row), so the
caller hears whether it was saved rather than a guess.

This module imports psycopg; :mod:`data.store.locate` loads it only for a
``postgresql://`` location.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import psycopg
from psycopg import errors as pg_errors

from data.errors import (
    LockHeld,
    ReadOnlyWorkspace,
    StoreUnavailable,
    WorkspaceError,
    WorkspaceMissing,
    WorkspaceUnreadable,
)
from data.model.documents import ITEM_FIELD_TYPES, PERSON_FIELD_TYPES, document_problem, first_damaged
from data.model.snapshot import Changes, Snapshot, build_snapshot, changed_fields
from data.store.layout import check_meta
from data.store.postgres import schema
from data.store.postgres.location import PgLocation
from data.store.transaction import StoreTransaction, track_ids_and_ranks

CONNECT_TIMEOUT = 5
"""Seconds a connection attempt may take (libpq's ``connect_timeout``, unless the location sets one)."""

LOCK_TIMEOUT = "10s"
"""Longest a write waits for another client's write to the same workspace (then: :class:`LockHeld`)."""

IDLE_IN_TRANSACTION = "60s"
"""A client that stops answering inside a write (a laptop lid closed mid-save) loses it after this, so it
cannot hold every other writer up."""

TCP_DEFAULTS = {"keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "3", "keepalives_count": "3",
                "tcp_user_timeout": "15000"}
"""Over TCP a dropped network is noticed in seconds, not the kernel's two hours (unless the location says)."""

VERIFY_EVERY = 2.0
"""Seconds after which :meth:`PgStore.changed` says "look": the safety net for a notification that was lost."""

SETTINGS_FIELDS = frozenset({"statuses", "wip", "wip_blocks", "name", "recurring_horizon_days"})
"""Settings whose change can alter every pane (a full redraw, not a patch)."""

STORAGE_KEYS = ("format", "format_version", "history_bytes", "item_count")
"""Settings keys that describe a file's storage, not the workspace: not kept in PostgreSQL."""

ENTRY_COLUMNS = "rev, by, entry::text"

HEAD_COLUMNS = ("w.revision, w.meta::text, c.by, (" + schema.WRITE_RIGHTS + "), pg_is_in_recovery(),"
                " current_setting('default_transaction_read_only') = 'on'")
"""The revision, the settings, who made that revision (as the server stamped it) and the connected role's rights."""

INTRODUCE = ("SELECT session_user, set_config('lock_timeout', %s, false),"
             " set_config('idle_in_transaction_session_timeout', %s, false),"
             " (SELECT version FROM worktop.schema_info), w.id, " + HEAD_COLUMNS + ","
             " (SELECT json_agg(json_build_array(p.id, p.doc::text) ORDER BY p.id) FROM worktop.people p"
             " WHERE p.workspace = w.id)::text"
             " FROM (SELECT) AS one LEFT JOIN worktop.workspaces w ON w.name = %s"
             " LEFT JOIN worktop.changes c ON c.workspace = w.id AND c.rev = w.revision")
"""A new connection's one statement: who we are, its settings, the schema's version, the workspace's id — and
its head and people, which answer the first :meth:`PgStore.meta` without another round trip."""

HEAD = ("SELECT " + HEAD_COLUMNS + " FROM worktop.workspaces w"
        " LEFT JOIN worktop.changes c ON c.workspace = w.id AND c.rev = w.revision WHERE w.id = %s")
"""The :data:`HEAD_COLUMNS` of the workspace."""

PEOPLE = "SELECT id, doc::text FROM worktop.people WHERE workspace = %s ORDER BY id"
ALL_ITEMS = "SELECT id, doc::text FROM worktop.items WHERE workspace = %s"
CHANGES_SINCE = "SELECT rev, items, people FROM worktop.changes WHERE workspace = %s AND rev > %s ORDER BY rev"
PEOPLE_SINCE = ("SELECT id, doc::text FROM worktop.people WHERE workspace = %s AND EXISTS (SELECT FROM worktop.changes"
                " c WHERE c.workspace = %s AND c.rev > %s AND c.people) ORDER BY id")
"""Every person, when a change after the revision changed people (else no rows)."""
STATUS_COUNT = "SELECT count(*) FROM worktop.items WHERE workspace = %s AND worktop.field(doc, 'status') = %s"
"""Items in one column (served by the index ``items_status``: the same expression)."""
WITH_BLOCKERS = ("SELECT id, doc::text FROM worktop.items WHERE workspace = %s"
                 " AND worktop.field(doc, 'blocked_by') IS NOT NULL")
"""The items that may wait on others (served by the partial index ``items_waiting``: the same condition)."""
ITEMS_SINCE = ("SELECT id, doc::text FROM worktop.items WHERE workspace = %s AND id IN (SELECT unnest(c.items)"
               " FROM worktop.changes c WHERE c.workspace = %s AND c.rev > %s)")
"""The items the changes after the revision wrote (one removed since has no row)."""


@dataclass
class _Rows:
    """What one pipelined read fetched (see :meth:`PgStore._read_rows`)."""

    head: tuple[Any, ...] | None
    changes: list[tuple[Any, ...]] | None
    people: list[tuple[Any, ...]]
    items: list[tuple[Any, ...]] | None


def _entry(rev: int, by: str, text: str) -> dict[str, Any] | None:
    """A history entry from its row (its ``rev`` and ``by`` are columns; the rest is the stored document)."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("changes"), dict) \
            or not all(isinstance(doc.get(k, ""), str) for k in ("at", "op", "summary")) \
            or not (doc.get("item") is None or type(doc.get("item")) is int):
        return None
    entry = {"rev": rev, "at": doc.get("at", ""), "by": by}
    entry.update(doc)
    entry["rev"], entry["by"] = rev, by
    return entry


def entry_row(workspace: int, seq: int, entry: dict[str, Any], *, copied: bool = False) -> tuple[Any, ...]:
    """The ``worktop.history`` row of one entry."""
    changes = entry.get("changes") or {}
    status = changes.get("status") if isinstance(changes, dict) else None
    status_to = status[1] if isinstance(status, list) and len(status) == 2 and isinstance(status[1], str) else None
    doc = {k: v for k, v in entry.items() if k not in ("rev", "by")}
    item = entry.get("item")
    return (workspace, int(entry["rev"]), seq, item if type(item) is int else None, str(entry.get("by") or ""),
            list(changes) if isinstance(changes, dict) else [], status_to, "via" in entry,
            orjson.dumps(doc).decode(), copied)


HISTORY_INSERT = ("INSERT INTO worktop.history (workspace, rev, seq, item, by, fields, status_to, via, entry, copied) "
                  "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::json, %s)")


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


@dataclass
class PgState:
    """One revision of the workspace as this process read (or wrote) it."""

    revision: int
    meta: dict[str, Any]
    people: dict[int, dict[str, Any]]
    docs: dict[int, dict[str, Any]] | None
    """Every item by id, once a snapshot or a write that looks at every item read them (None: not yet)."""
    snapshot: Snapshot | None = field(default=None, repr=False)


class PgStore:
    """A workspace in PostgreSQL (see the module docstring).

    Args:
        location: the parsed ``postgresql://`` location.
    """

    def __init__(self, location: PgLocation) -> None:
        self.where = location
        self.path = location.pointer or Path(location.display)
        self._conn: psycopg.Connection[Any] | None = None
        self._mutex = threading.RLock()
        """One connection, used by the UI thread's writes and the watcher's reads in turn."""
        self._state: PgState | None = None
        self.workspace_id: int | None = None
        self.session_user: str | None = None
        self._writable = True
        self._read_only_reason: str | None = None
        self._notified = threading.Event()
        self._verified_at = 0.0
        self._presence_wakers: set[threading.Event] = set()
        self._presence: Any = None
        self._introduced: tuple[tuple[Any, ...], str | None] | None = None
        """The head row and people (as JSON) the connection's introduction read, until the connection is used again."""

    # -- connecting ------------------------------------------------------------------------------------------
    @property
    def location(self) -> str:
        return self.where.display

    def connect_args(self) -> dict[str, Any]:
        """Connection parameters worktop adds unless the location (or libpq's environment) already gives them."""
        from psycopg.conninfo import conninfo_to_dict

        try:
            given = conninfo_to_dict(self.where.conninfo)
        except psycopg.ProgrammingError as error:
            raise WorkspaceError(f"{self.location} is not a valid postgresql:// location ({_describe(error)})") from None
        extra: dict[str, Any] = {}
        if "connect_timeout" not in given and not os.environ.get("PGCONNECT_TIMEOUT"):
            extra["connect_timeout"] = CONNECT_TIMEOUT
        if "application_name" not in given and not os.environ.get("PGAPPNAME"):
            extra["application_name"] = "worktop"
        extra.update({k: v for k, v in TCP_DEFAULTS.items() if k not in given})
        return extra

    def open_connection(self) -> psycopg.Connection[Any]:
        """A new autocommit connection to the server (StoreUnavailable when it cannot be reached)."""
        try:
            return psycopg.connect(self.where.conninfo, autocommit=True, **self.connect_args())
        except psycopg.OperationalError as error:
            raise StoreUnavailable(f"cannot reach the PostgreSQL server for {self.location}: {_describe(error)}") \
                from None

    def _connection(self) -> psycopg.Connection[Any]:
        """The store's connection, made (and the workspace looked up) on first use or after it was lost."""
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            self._introduced = None  # only the call that connected may take it: it is as fresh as a read now
            return conn
        self._conn = None
        conn = self.open_connection()
        try:
            self._introduce(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _introduce(self, conn: psycopg.Connection[Any]) -> None:
        """Session settings, who we are, the schema's version and the workspace's id: one round trip.

        A missing schema or a role that may not read it makes that one statement fail; only then do
        further queries find out which it was, for the message.
        """
        try:
            try:
                row = conn.execute(INTRODUCE, (LOCK_TIMEOUT, IDLE_IN_TRANSACTION, self.where.workspace)).fetchone()
            except (pg_errors.UndefinedTable, pg_errors.InvalidSchemaName, pg_errors.InsufficientPrivilege) as error:
                self._why_not_introduced(conn, error)
                raise
            assert row is not None
            self.session_user = str(row[0])
            check_version(row[3], self.location)
        except pg_errors.InsufficientPrivilege as error:
            raise WorkspaceUnreadable(f"{self.location} cannot be read by role {self.session_user} "
                                      f"({_describe(error)}); ask its owner: GRANT worktop_reader TO "
                                      f"{self.session_user}") from None
        except psycopg.OperationalError as error:
            raise StoreUnavailable(f"lost the PostgreSQL server for {self.location}: {_describe(error)}") from None
        found = row[4]
        if found is None:
            raise WorkspaceMissing(f"no workspace {self.where.workspace!r} in the database of {self.location}; "
                                   f"create it with `worktop init {self.location}`")
        if self.workspace_id is not None and self.workspace_id != found:
            self._state = None  # the workspace was made again under the same name: nothing cached is about it
        self.workspace_id = int(found)
        self._introduced = (tuple(row[5:11]), row[11])

    def _why_not_introduced(self, conn: psycopg.Connection[Any], error: psycopg.Error) -> None:
        """After :data:`INTRODUCE` failed: raise what is wrong (no schema, a newer one, one that is incomplete)."""
        row = conn.execute("SELECT session_user, to_regclass('worktop.schema_info') IS NOT NULL").fetchone()
        assert row is not None
        self.session_user = str(row[0])
        if not row[1]:
            raise WorkspaceMissing(f"no worktop workspace at {self.location}: the database has no worktop "
                                   f"schema; create it with `worktop init {self.location}`")
        version = conn.execute("SELECT version FROM worktop.schema_info").fetchone()  # a refusal: raised as is
        check_version(version[0] if version else None, self.location)
        if not isinstance(error, pg_errors.InsufficientPrivilege):
            raise WorkspaceUnreadable(f"{self.location}: the worktop schema is incomplete ({_describe(error)}); "
                                      "nothing was written")

    def _lost(self, error: BaseException, doing: str = "reading") -> StoreUnavailable:
        """Forget a broken connection; the error to raise."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None
        return StoreUnavailable(f"lost the PostgreSQL server for {self.location} while {doing} "
                                f"({_describe(error)}); worktop reconnects by itself")

    @contextlib.contextmanager
    def _connected(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection, under the mutex; a lost server, a refusal and a broken read become worktop's errors."""
        with self._mutex:
            conn = self._connection()
            try:
                yield conn
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                raise self._lost(error) from None
            except WorkspaceError:
                _rollback(conn)
                raise
            except psycopg.Error as error:
                _rollback(conn)
                raise WorkspaceUnreadable(f"{self.location} cannot be read: {_describe(error)}") from None
            except BaseException:
                _rollback(conn)
                raise

    @contextlib.contextmanager
    def _reading(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection inside a consistent read-only transaction (one snapshot of the database)."""
        with self._connected() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn
            conn.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------------------------
    def _head_of(self, row: tuple[Any, ...] | None) -> tuple[int, dict[str, Any]]:
        """(revision, settings) from a :data:`HEAD` row — and the rights, refreshed."""
        if row is None:
            raise WorkspaceMissing(f"the workspace {self.where.workspace!r} was removed from {self.location}")
        revision, meta_text, by, rights, standby, default_ro = row
        self._set_rights(bool(rights), bool(standby), bool(default_ro))
        meta = self._meta_of(meta_text, revision)
        if by is not None and isinstance(meta.get("last_change"), dict):
            meta["last_change"] = dict(meta["last_change"], by=by)  # who, as the server knows it
        return int(revision), meta

    def _set_rights(self, rights: bool, standby: bool, default_read_only: bool) -> None:
        if standby:
            self._writable, self._read_only_reason = False, "the server is a read-only standby"
        elif default_read_only:
            self._writable, self._read_only_reason = False, "the server only allows reading (default_transaction_read_only)"
        elif not rights:
            role = self.session_user
            self._writable = False
            self._read_only_reason = (f"your role {role} may only read it; its owner can let you write with "
                                      f"GRANT worktop_writer TO {role}")
        else:
            self._writable, self._read_only_reason = True, None

    def _meta_of(self, text: str, revision: int) -> dict[str, Any]:
        try:
            meta = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise WorkspaceUnreadable(f"{self.location}: the settings are not valid JSON ({error}); nothing was written") \
                from None
        if not isinstance(meta, dict):
            raise WorkspaceUnreadable(f"{self.location}: the settings are not a document; nothing was written")
        meta["revision"] = int(revision)
        check_meta(meta, Path(self.location))
        return meta

    def _people(self, conn: psycopg.Connection[Any]) -> dict[int, dict[str, Any]]:
        return self._people_of(conn.execute(PEOPLE, (self.workspace_id,)).fetchall())

    def _people_of(self, rows: list[tuple[Any, ...]]) -> dict[int, dict[str, Any]]:
        return {int(k): self._doc(text, f"person {k}", PERSON_FIELD_TYPES) for k, text in rows}

    def _doc(self, text: str, what: str, types: dict[str, tuple[type, ...]]) -> dict[str, Any]:
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise WorkspaceUnreadable(f"{self.location}: {what} is not valid JSON ({error}); nothing was written") \
                from None
        problem = document_problem(doc, types) if isinstance(doc, dict) else "it is not a document"
        if problem is not None:
            raise WorkspaceUnreadable(f"{self.location}: {what}: {problem}; nothing was written (fix or remove that "
                                      "document)")
        checked: dict[str, Any] = doc
        return checked

    def _all_items(self, conn: psycopg.Connection[Any]) -> dict[int, dict[str, Any]]:
        """Every item of the workspace, in one round trip (see :meth:`_all_items_of`)."""
        from data.store.safe_open import gc_paused

        with gc_paused():
            return self._all_items_of(conn.execute(ALL_ITEMS, (self.workspace_id,)).fetchall())

    def _all_items_of(self, rows: list[tuple[Any, ...]]) -> dict[int, dict[str, Any]]:
        """Every item from :data:`ALL_ITEMS` rows: a row per item, each parsed on its own.

        At 100k items this takes half the time of one ``json_object_agg`` parsed whole (~0.3 s against
        ~0.65 s: the server's aggregate alone is ~0.14 s, and one 40 MB string costs more to build and
        parse than 100k small ones); bench/bench_postgres.py measures it. Call it with the GC paused.
        """
        loads = orjson.loads
        try:
            table = {int(k): loads(text) for k, text in rows}
        except orjson.JSONDecodeError as error:
            for k, text in rows:  # which one: the message names it
                self._doc(text, f"item #{k}", ITEM_FIELD_TYPES)
            raise WorkspaceUnreadable(f"{self.location}: an item is not valid JSON ({error}); nothing was "
                                      "written") from None
        damaged = first_damaged(table, ITEM_FIELD_TYPES)
        if damaged is not None:
            raise WorkspaceUnreadable(f"{self.location}: item #{damaged[0]}: {damaged[1]}; nothing was written "
                                      "(fix or remove that document)")
        return table

    def _items(self, conn: psycopg.Connection[Any], ids: list[int]) -> dict[int, dict[str, Any]]:
        rows = conn.execute("SELECT id, doc::text FROM worktop.items WHERE workspace = %s AND id = ANY(%s)",
                            (self.workspace_id, ids)).fetchall()
        return {int(k): self._doc(text, f"item #{k}", ITEM_FIELD_TYPES) for k, text in rows}

    def _fresh(self, conn: psycopg.Connection[Any], *, whole: bool, head: tuple[int, dict[str, Any]] | None = None
               ) -> PgState:
        """The workspace at the revision the database shows (cached, caught up, or read whole).

        ``head`` None: in a read-only transaction of its own, begun, read and committed in one pipelined
        round trip. Given (a write's locked revision and settings): inside that write's transaction.
        Caught up from the changes since the cached revision when there is one — the same round trip
        fetches the changes rows and the items they name — and read whole when that will not do.
        """
        old = self._state
        if head is not None and old is not None and old.revision == head[0] and (old.docs is not None or not whole):
            return old
        introduced, self._introduced = self._introduced, None
        if introduced is not None and head is None and not whole and (old is None or old.docs is None):
            revision, meta = self._head_of(introduced[0])
            pairs = orjson.loads(introduced[1]) if introduced[1] else []
            known = self._state = PgState(revision, meta, self._people_of([(k, text) for k, text in pairs]), None)
            return known
        since = None if old is None or (whole and old.docs is None) else old.revision
        while True:
            items = whole if since is None or old is None else old.docs is not None
            rows = self._read_rows(conn, since, items=items, begin=head is None)
            revision, meta = head or self._head_of(rows.head)
            state = self._state_from(old, since, revision, meta, rows)
            if state is not None:
                self._state = state
                return state
            since = None  # a revision without its changes row (written by something other than worktop): read whole

    def _read_rows(self, conn: psycopg.Connection[Any], since: int | None, *, items: bool, begin: bool) -> _Rows:
        """The rows of one state, queued in a pipeline and fetched together: one round trip.

        ``since`` None: the settings, every person and (``items``) every item. A revision: the changes rows
        after it, the items they name (``items``), and every person if any of them changed people.
        """
        from data.store.safe_open import gc_paused

        ws = self.workspace_id
        with gc_paused():
            with conn.pipeline():  # leaving it sends one Sync and takes every result: fetching inside costs a trip
                if begin:
                    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                head = conn.execute(HEAD, (ws,)) if begin else None
                if since is None:
                    changes = None
                    people = conn.execute(PEOPLE, (ws,))
                    found = conn.execute(ALL_ITEMS, (ws,)) if items else None
                else:
                    changes = conn.execute(CHANGES_SINCE, (ws, since))
                    people = conn.execute(PEOPLE_SINCE, (ws, ws, since))
                    found = conn.execute(ITEMS_SINCE, (ws, ws, since)) if items else None
                if begin:
                    conn.execute("COMMIT")
            return _Rows(head.fetchone() if head is not None else None,
                         changes.fetchall() if changes is not None else None, people.fetchall(),
                         found.fetchall() if found is not None else None)

    def _state_from(self, old: PgState | None, since: int | None, revision: int, meta: dict[str, Any], rows: _Rows
                    ) -> PgState | None:
        """The state :meth:`_read_rows` read; None when the changes rows cannot carry ``old`` to ``revision``."""
        if since is None or old is None:
            if rows.items is None:
                return PgState(revision, meta, self._people_of(rows.people), None)
            from data.store.safe_open import gc_paused

            with gc_paused():
                return PgState(revision, meta, self._people_of(rows.people), self._all_items_of(rows.items))
        changed = rows.changes or []
        if revision == old.revision and not changed:
            return old
        if revision < old.revision or len(changed) != revision - old.revision:
            return None
        ids: set[int] = set()
        people_changed = False
        for _rev, touched, people in changed:
            ids.update(int(i) for i in touched or ())
            people_changed = people_changed or bool(people)
        people_now = self._people_of(rows.people) if people_changed else old.people
        if old.docs is None:
            return PgState(revision, meta, people_now, None)
        fetched = {int(k): self._doc(text, f"item #{k}", ITEM_FIELD_TYPES) for k, text in rows.items or ()}
        docs = dict(old.docs)
        for item_id in ids:
            doc = fetched.get(item_id)
            if doc is None:
                docs.pop(item_id, None)
            else:
                docs[item_id] = doc
        fields = changed_fields(old.docs, docs, ids)
        if people_changed:
            fields[None] = {"people"}
        changes = None if any(old.meta.get(name) != meta.get(name) for name in SETTINGS_FIELDS) else fields
        state = PgState(revision, meta, people_now, docs)
        state.snapshot = self._snapshot_of(state, base=old, changes=changes)
        return state

    def _snapshot_of(self, state: PgState, *, base: PgState | None = None, changes: Changes | None = None) -> Snapshot:
        assert state.docs is not None
        people = [state.people[k] for k in sorted(state.people)]
        return build_snapshot(state.meta, people, state.docs, history=PgHistory(self, state.revision),
                              base_revision=base.revision if base is not None and changes is not None else None,
                              changes=changes)

    def snapshot(self) -> Snapshot:
        """The workspace now, in one round trip: the revision when nothing changed; what changed, when something did."""
        self._notified.clear()
        with self._connected() as conn:
            state = self._fresh(conn, whole=True)
        self._verified_at = time.monotonic()
        if state.snapshot is None:
            state.snapshot = self._snapshot_of(state)
        return state.snapshot

    def changed(self) -> bool:
        """Whether a snapshot may be new: a notification came, or it is time to look anyway (no query here)."""
        return (self._state is None or self._notified.is_set()
                or time.monotonic() - self._verified_at >= VERIFY_EVERY)

    def meta(self) -> Mapping[str, Any]:
        """The settings now (and the people), in one round trip; no item is read unless some are cached."""
        with self._connected() as conn:
            return self._fresh(conn, whole=False).meta

    # -- rights ------------------------------------------------------------------------------------------------
    @property
    def writable(self) -> bool:
        """Whether the connected role may change the workspace (as last checked: no query here)."""
        return self._writable

    def access_problem(self) -> str | None:
        return self._read_only_reason

    def actor(self, claimed: str) -> str:
        """Who writes are recorded as: the role the server knows, whatever name the client would claim."""
        if self.session_user is None:
            with contextlib.suppress(WorkspaceError), self._mutex:
                self._connection()
        return self.session_user or claimed

    # -- writing -----------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, actor: str, now: str, today: date) -> Iterator[PgTransaction]:
        """The workspace's row locked and its freshest state read; :meth:`commit` writes and commits."""
        with self._mutex:
            conn = self._connection()
            if not self._writable:
                raise ReadOnlyWorkspace(f"{self.location} is read-only for you; nothing was changed"
                                        + (f" ({self._read_only_reason})" if self._read_only_reason else ""))
            txn: PgTransaction | None = None
            try:
                try:
                    row, largest = self._lock_row(conn)
                except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                    # The connection died while idle (a server restart, a dropped link): nothing was sent for
                    # this write yet, so connect again and start it afresh, once.
                    self._lost(error)
                    conn = self._connection()
                    row, largest = self._lock_row(conn)
                if row is None:
                    raise WorkspaceMissing(f"the workspace {self.where.workspace!r} was removed from {self.location}")
                meta = self._meta_of(row[1], row[0])
                txn = PgTransaction(self, conn, meta, self.session_user or actor, now, today, largest)
                yield txn
            except pg_errors.LockNotAvailable:
                _rollback(conn)
                raise LockHeld(f"another client has held {self.location} for more than {LOCK_TIMEOUT} while "
                               "writing; nothing was changed (try again)") from None
            except pg_errors.InsufficientPrivilege as error:
                _rollback(conn)
                raise ReadOnlyWorkspace(f"{self.location}: your role {self.session_user} may not change this "
                                        f"workspace ({_describe(error)}); nothing was changed") from None
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                raise self._lost(error, "writing") from None
            except psycopg.Error as error:
                _rollback(conn)
                raise WorkspaceError(f"{self.location}: the change was refused ({_describe(error)}); "
                                     "nothing was changed") from None
            except BaseException:
                _rollback(conn)
                raise
            else:
                if txn is not None and not txn.committed:
                    _rollback(conn)

    def _lock_row(self, conn: psycopg.Connection[Any]) -> tuple[tuple[Any, ...] | None, int]:
        """Begin a write and lock the workspace's row: every writer of one workspace takes turns here.

        One round trip: ``BEGIN``, the locked row, and then (a statement of its own, so it sees every write
        committed before the lock was granted) the largest item id there — what a create's new id must pass.
        """
        with conn.pipeline():  # the results are taken when it is left (see _read_rows)
            conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            row = conn.execute("SELECT revision, meta::text FROM worktop.workspaces WHERE id = %s FOR UPDATE",
                               (self.workspace_id,))
            largest = conn.execute("SELECT coalesce(max(id), 0) FROM worktop.items WHERE workspace = %s",
                                   (self.workspace_id,))
        top = largest.fetchone()
        return row.fetchone(), int(top[0]) if top else 0

    def commit(self, txn: StoreTransaction) -> int:
        """Write what the transaction changed, its history and its changes row, and commit; the new revision."""
        if not isinstance(txn, PgTransaction) or txn.store is not self:
            raise TypeError("PgStore.commit takes a transaction this store began")
        old_meta = txn.base_meta
        revision, entries = txn.finish()
        meta = {k: v for k, v in txn.meta.items() if k not in STORAGE_KEYS}
        changed = {str(k): d for k, d in txn.changed.items()}
        track_ids_and_ranks(meta, changed)
        ws = self.workspace_id
        token = os.urandom(8).hex()
        conn = txn.conn
        upserts = [(ws, k, orjson.dumps(d).decode()) for k, d in txn.changed.items() if d is not None]
        removed = [k for k, d in txn.changed.items() if d is None]
        people = txn.people_table() if txn.people_changed else None
        try:
            with conn.pipeline(), conn.cursor() as cur:
                if upserts:
                    cur.executemany("INSERT INTO worktop.items (workspace, id, doc) VALUES (%s, %s, %s::json)"
                                    " ON CONFLICT (workspace, id) DO UPDATE SET doc = EXCLUDED.doc", upserts)
                if removed:
                    cur.execute("DELETE FROM worktop.items WHERE workspace = %s AND id = ANY(%s)", (ws, removed))
                if people is not None:
                    cur.execute("DELETE FROM worktop.people WHERE workspace = %s", (ws,))
                    cur.executemany("INSERT INTO worktop.people (workspace, id, doc) VALUES (%s, %s, %s::json)",
                                    [(ws, k, orjson.dumps(d).decode()) for k, d in people.items()])
                cur.executemany(HISTORY_INSERT, [entry_row(ws, i, e) for i, e in enumerate(entries)])  # type: ignore[arg-type]
                cur.execute("INSERT INTO worktop.changes (workspace, rev, items, people, token)"
                            " VALUES (%s, %s, %s, %s, %s)", (ws, revision, sorted(txn.changed), people is not None,
                                                             token))
                cur.execute("UPDATE worktop.workspaces SET revision = %s, meta = %s::json WHERE id = %s",
                            (revision, orjson.dumps(meta).decode(), ws))
                cur.execute("COMMIT")  # in the same round trip as the writes
        except pg_errors.InsufficientPrivilege as error:
            _rollback(conn)
            txn.committed = True  # rolled back: nothing for the context to undo
            raise ReadOnlyWorkspace(f"{self.location}: your role {self.session_user} may not change this workspace "
                                    f"({_describe(error)}); nothing was changed") from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            txn.committed = True
            self._lost(error, "saving")
            if self._saved(revision, token):
                pass  # the commit went through; only its answer was lost
            else:
                raise StoreUnavailable(f"lost the PostgreSQL server for {self.location} while saving "
                                       f"({_describe(error)}); the change was not saved") from None
        except psycopg.Error as error:
            _rollback(conn)
            txn.committed = True
            raise WorkspaceError(f"{self.location}: the change was refused ({_describe(error)}); nothing was "
                                 "changed") from None
        txn.committed = True
        meta["revision"] = revision
        self._after_commit(txn, revision, meta, old_meta, people)
        return revision

    def _saved(self, revision: int, token: str) -> bool:
        """After a lost answer to COMMIT: whether that commit is in the database (StoreUnavailable if unknown)."""
        try:
            conn = self._connection()
            row = conn.execute("SELECT 1 FROM worktop.changes WHERE workspace = %s AND rev = %s AND token = %s",
                               (self.workspace_id, revision, token)).fetchone()
        except (StoreUnavailable, psycopg.Error):
            self._conn = None
            raise StoreUnavailable(f"lost the PostgreSQL server for {self.location} while saving; whether the "
                                   "change was saved shows once it is back (worktop reconnects by itself)") from None
        return row is not None

    def _after_commit(self, txn: PgTransaction, revision: int, meta: dict[str, Any], old_meta: dict[str, Any],
                      people: dict[int, dict[str, Any]] | None) -> None:
        """Keep the cache at the revision just written, with what it changed (this process's own write)."""
        state = self._state
        base = state if state is not None and state.revision == txn.base_revision else None
        people_now = people if people is not None else (base.people if base is not None else txn.people_table())
        if base is None or base.docs is None:
            self._state = PgState(revision, meta, dict(people_now), None)
            return
        docs = dict(base.docs)
        for item_id, doc in txn.changed.items():
            if doc is None:
                docs.pop(item_id, None)
            else:
                docs[item_id] = doc
        new = PgState(revision, meta, dict(people_now), docs)
        fields = changed_fields(base.docs, docs, set(txn.changed))
        if people is not None:
            fields[None] = {"people"}
        changes = None if any(old_meta.get(name) != meta.get(name) for name in SETTINGS_FIELDS) else fields
        new.snapshot = self._snapshot_of(new, base=base, changes=changes)
        self._state = new

    # -- creating ----------------------------------------------------------------------------------------------
    def create(self, meta: dict[str, Any], people: Mapping[str, dict[str, Any]], items: Mapping[str, dict[str, Any]],
               history: list[dict[str, Any]], *, copied: bool = False) -> list[str]:
        """Make this workspace in the database (the schema too, where missing); never overwrites one.

        ``copied``: the history comes from another workspace (``worktop copy``) and keeps its authors.
        Returns notes for the person (roles that could not be made).
        """
        with self._mutex:
            conn = self.open_connection()
            try:
                notes = install_schema(conn, self.location)
                with conn.transaction():
                    if conn.execute("SELECT 1 FROM worktop.workspaces WHERE name = %s",
                                    (self.where.workspace,)).fetchone():
                        raise WorkspaceError(f"{self.location}: the workspace {self.where.workspace!r} already "
                                             "exists; nothing was written")
                    stored = {k: v for k, v in meta.items() if k not in STORAGE_KEYS}
                    track_ids_and_ranks(stored, items)
                    stored.setdefault("next_id", 1)
                    stored.setdefault("rank_max", 0.0)
                    revision = int(stored.get("revision", 0))
                    row = conn.execute("INSERT INTO worktop.workspaces (name, revision, meta) VALUES (%s, %s, %s::json)"
                                       " RETURNING id", (self.where.workspace, revision,
                                                         orjson.dumps(stored).decode())).fetchone()
                    assert row is not None
                    ws = int(row[0])
                    with conn.cursor() as cur:
                        with cur.copy("COPY worktop.items (workspace, id, doc) FROM STDIN") as copy:
                            for key, doc in items.items():
                                copy.write_row((ws, int(key), orjson.dumps(doc).decode()))
                        with cur.copy("COPY worktop.people (workspace, id, doc) FROM STDIN") as copy:
                            for key, doc in people.items():
                                copy.write_row((ws, int(key), orjson.dumps(doc).decode()))
                        seqs: dict[int, int] = {}
                        with cur.copy("COPY worktop.history (workspace, rev, seq, item, by, fields, status_to, via,"
                                      " entry, copied) FROM STDIN") as copy:
                            for entry in history:
                                rev = int(entry["rev"])
                                seq = seqs[rev] = seqs.get(rev, -1) + 1
                                copy.write_row(entry_row(ws, seq, entry, copied=copied))
            except pg_errors.InsufficientPrivilege as error:
                raise ReadOnlyWorkspace(f"{self.location}: your role may not create workspaces here "
                                        f"({_describe(error)}); nothing was written") from None
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                raise StoreUnavailable(f"lost the PostgreSQL server for {self.location} while creating it "
                                       f"({_describe(error)}); nothing was written") from None
            except psycopg.Error as error:
                raise WorkspaceError(f"{self.location}: could not create the workspace ({_describe(error)}); "
                                     "nothing was written") from None
            finally:
                conn.close()
        return notes

    def dump(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, dict[str, Any]],
                            list[dict[str, Any]]]:
        """Everything the workspace stores, as stored, from one snapshot of the database (``worktop copy``)."""
        with self._reading() as conn:
            row = conn.execute("SELECT revision, meta::text FROM worktop.workspaces WHERE id = %s",
                               (self.workspace_id,)).fetchone()
            assert row is not None
            meta = self._meta_of(row[1], row[0])
            people = {str(k): d for k, d in self._people(conn).items()}
            items = {str(k): d for k, d in self._all_items(conn).items()}
            rows = conn.execute(f"SELECT {ENTRY_COLUMNS} FROM worktop.history WHERE workspace = %s"
                                " ORDER BY rev, seq", (self.workspace_id,)).fetchall()
        history = [e for e in (_entry(*r) for r in rows) if e is not None]
        return meta, people, items, history

    # -- history, watching and presence -------------------------------------------------------------------------
    def query(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement (the history's queries), on the store's connection."""
        with self._mutex:
            conn = self._connection()
            try:
                return conn.execute(statement, params).fetchall()
            except (psycopg.OperationalError, psycopg.InterfaceError) as error:
                raise self._lost(error) from None
            except psycopg.Error as error:
                raise WorkspaceUnreadable(f"{self.location}: the history cannot be read ({_describe(error)})") from None

    def watch(self, on_change: Callable[[], None], stop: threading.Event) -> None:
        """Listen for other clients' commits (and presence), calling ``on_change()`` in this thread until ``stop``."""
        from data.store.postgres.listen import listen

        def changed() -> None:
            self._notified.set()
            on_change()

        def presence_moved() -> None:
            for waker in list(self._presence_wakers):
                waker.set()

        listen(self, changed, presence_moved, stop)

    def presence(self) -> Any:
        """Who else has this workspace open (:class:`data.store.postgres.presence.PgPresence`)."""
        if self._presence is None:
            from data.store.postgres.presence import PgPresence

            self._presence = PgPresence(self)
        return self._presence

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.close()
                self._conn = None


def _rollback(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")


def check_version(version: int | None, location: str) -> None:
    """Refuse a schema this worktop does not know (newer), clearly."""
    if not isinstance(version, int):
        raise WorkspaceUnreadable(f"{location}: the worktop schema has no version; nothing was written")
    if version > schema.SCHEMA_VERSION:
        raise WorkspaceUnreadable(f"{location} was set up by a newer worktop (schema {version}, this one reads "
                                  f"{schema.SCHEMA_VERSION}); upgrade worktop. Nothing was written")


def install_schema(conn: psycopg.Connection[Any], location: str) -> list[str]:
    """Create the worktop schema in the connected database where it is missing; notes for the person."""
    notes: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('worktop schema'))")  # two inits at once: one makes it
        exists = conn.execute("SELECT to_regclass('worktop.schema_info') IS NOT NULL").fetchone()
        if exists and exists[0]:
            version = conn.execute("SELECT version FROM worktop.schema_info").fetchone()
            check_version(version[0] if version else None, location)
            _add_indexes(conn)
            return notes
        conn.execute(schema.CREATE)
        conn.execute(schema.INDEXES)
        conn.execute("INSERT INTO worktop.schema_info (version) VALUES (%s)", (schema.SCHEMA_VERSION,))
        try:
            with conn.transaction():
                conn.execute(schema.ROLES)
        except pg_errors.InsufficientPrivilege:
            notes.append("could not make the roles worktop_reader and worktop_writer (your role may not create "
                         "roles): only you can use this workspace until an administrator runs the GRANTs in the "
                         "README's 'PostgreSQL' section")
            return notes
        conn.execute(schema.GRANTS)
        notes.append("made roles worktop_reader and worktop_writer: let people in with "
                     "GRANT worktop_writer TO ROLE (or worktop_reader to let them only read)")
    return notes


def _add_indexes(conn: psycopg.Connection[Any]) -> None:
    """:data:`schema.INDEXES` on a schema made before them, where the role may (else it goes on without)."""
    missing = conn.execute("SELECT to_regclass('worktop.items_status') IS NULL"
                           " OR to_regclass('worktop.items_waiting') IS NULL"
                           " OR to_regprocedure('worktop.field(json, text)') IS NULL").fetchone()
    if missing and missing[0]:
        with contextlib.suppress(pg_errors.InsufficientPrivilege), conn.transaction():
            conn.execute(schema.INDEXES)


class PgTransaction(StoreTransaction):
    """A write on the PostgreSQL store: the workspace row locked, documents read as operations ask."""

    def __init__(self, store: PgStore, conn: psycopg.Connection[Any], meta: dict[str, Any], actor: str, now: str,
                 today: date, largest: int) -> None:
        super().__init__(actor, now, today)
        self.largest = largest
        """The largest item id stored when the row was locked: no stored item has a larger one."""
        self.store = store
        self.conn = conn
        self.base_meta = meta
        self.base_revision = int(meta.get("revision", 0))
        self.committed = False
        self.notices: list[str] = []
        self._lazy: dict[int, dict[str, Any] | None] = {}
        self._people_table: dict[int, dict[str, Any]] | None = None

    def _cache(self) -> PgState | None:
        state = self.store._state
        return state if state is not None and state.revision == self.base_revision else None

    def _load_meta(self) -> dict[str, Any]:
        return self.base_meta

    def people_table(self) -> dict[int, dict[str, Any]]:
        if self._people_table is None:
            cached = self._cache()
            source = cached.people if cached is not None else self.store._people(self.conn)
            self._people_table = {k: dict(d) for k, d in source.items()}
        return self._people_table

    def _load_people(self) -> list[dict[str, Any]]:
        table = self.people_table()
        return [table[k] for k in sorted(table)]

    def people(self) -> list[dict[str, Any]]:
        return list(self.people_table().values())

    def add_person(self, doc: dict[str, Any]) -> None:
        table = self.people_table()
        table[max(table, default=0) + 1] = doc
        self.people_changed = True

    def _load_doc(self, item_id: int) -> dict[str, Any] | None:
        cached = self._cache()
        if cached is not None and cached.docs is not None:
            return cached.docs.get(item_id)
        if item_id not in self._lazy:
            stored = 0 < item_id <= self.largest  # above the largest there is nothing to ask the server for
            self._lazy[item_id] = self.store._items(self.conn, [item_id]).get(item_id) if stored else None
        return self._lazy[item_id]

    def _all_docs(self) -> Mapping[int, dict[str, Any]]:
        state = self.store._fresh(self.conn, whole=True, head=(self.base_revision, dict(self.base_meta)))
        assert state.docs is not None
        return state.docs

    def next_id(self) -> int:
        """One more than the largest id there (another tool may have added one), known since the row was locked."""
        stored = self.meta.get("next_id")
        if not isinstance(stored, int) or isinstance(stored, bool) or stored <= self.largest:
            self.meta["next_id"] = self.largest + 1
        return super().next_id()

    def docs_with_blockers(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The items that wait on others, found through the ``items_waiting`` index (not by reading every item)."""
        cached = self._cache()
        if cached is not None and cached.docs is not None:
            yield from super().docs_with_blockers()
            return
        rows = self.conn.execute(WITH_BLOCKERS, (self.store.workspace_id,)).fetchall()
        stored = {int(k): self.store._doc(text, f"item #{k}", ITEM_FIELD_TYPES) for k, text in rows}
        self._lazy.update(stored)
        for item_id, doc in stored.items():
            current = self.changed.get(item_id, doc)
            if current is not None and current.get("blocked_by"):
                yield item_id, current
        for item_id, new_doc in list(self.changed.items()):
            if item_id not in stored and new_doc is not None and new_doc.get("blocked_by"):
                yield item_id, new_doc

    def count_with_status(self, status: str) -> int:
        """Items in a column (its WIP count), through the ``items_status`` index, as this write has them."""
        cached = self._cache()
        if cached is not None and cached.docs is not None:
            return super().count_with_status(status)
        row = self.conn.execute(STATUS_COUNT, (self.store.workspace_id, status)).fetchone()
        count = int(row[0]) if row else 0
        for item_id, doc in self.changed.items():
            stored = self._load_doc(item_id) if item_id not in self.added else None
            count -= stored is not None and stored.get("status") == status
            count += doc is not None and doc.get("status") == status
        return count

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT {ENTRY_COLUMNS} FROM worktop.history WHERE workspace = %s AND item = %s"
                                " AND %s = ANY(fields) ORDER BY rev DESC, seq DESC LIMIT 1",
                                (self.store.workspace_id, item_id, field_name)).fetchone()
        return _entry(*row) if row else None


class PgHistory:
    """The history of one snapshot: the entries up to its revision, queried when a view asks.

    Implements :class:`data.model.snapshot.History`.
    """

    def __init__(self, store: PgStore, upto: int) -> None:
        self.store = store
        self.upto = upto
        self.problem: str | None = None

    def entries(self, *, item_id: int | None = None, since: int = 0, limit: int | None = None,
                newest_first: bool = False) -> list[dict[str, Any]]:
        where = "workspace = %s AND rev > %s AND rev <= %s"
        params: list[Any] = [self.store.workspace_id, since, self.upto]
        if item_id is not None:
            where += " AND item = %s"
            params.append(item_id)
        statement = f"SELECT {ENTRY_COLUMNS} FROM worktop.history WHERE {where} ORDER BY rev DESC, seq DESC"
        if limit is not None:
            statement += " LIMIT %s"
            params.append(limit)
        rows = self.store.query(statement, tuple(params))
        found = [e for e in (_entry(*row) for row in rows) if e is not None]
        return found if newest_first else found[::-1]

    def status_moves(self) -> list[tuple[int, str, str]]:
        rows = self.store.query("SELECT item, entry->>'at', status_to FROM worktop.history WHERE workspace = %s"
                                " AND rev <= %s AND status_to IS NOT NULL AND item IS NOT NULL AND NOT via"
                                " ORDER BY rev, seq", (self.store.workspace_id, self.upto))
        return [(int(item), at, status) for item, at, status in rows if isinstance(at, str)]

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        rows = self.store.query(f"SELECT {ENTRY_COLUMNS} FROM worktop.history WHERE workspace = %s AND item = %s"
                                " AND rev <= %s AND %s = ANY(fields) ORDER BY rev DESC, seq DESC LIMIT 1",
                                (self.store.workspace_id, item_id, self.upto, field_name))
        return _entry(*rows[0]) if rows else None


__all__ = ["PgHistory", "PgState", "PgStore", "PgTransaction", "check_version", "entry_row", "install_schema"]
