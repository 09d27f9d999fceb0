"""Who else has a PostgreSQL workspace open, and where they are looking: ``worktop.presence``.

The same :class:`~data.store.presence.Presence` values as the presence folder
of a file workspace, so the TUI's presence service and follow mode work
unchanged. One row per running worktop, keyed by the role the server stamps
(each role writes only its own rows: row-level security) and the worktop's
key. Times are the server's: a row is live while the server last saw it
within :data:`~data.store.presence.STALE_AFTER` seconds, whatever the clocks
of the machines say. A heartbeat that changes nothing but the time wakes
nobody (the table's trigger sends no NOTIFY for it).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson

from data.errors import WorkspaceError
from data.store.presence import READ_LIMIT, STALE_AFTER, Presence, pid_alive, this_host

if TYPE_CHECKING:
    from data.store.postgres.store import PgStore

CLEAN_EVERY = 30.0
"""Seconds between sweeps of rows gone stale (a worktop killed without a word)."""


class PgPresence:
    """The presence rows of one workspace: write your own, read everyone else's (the PresenceFolder API)."""

    def __init__(self, store: PgStore, *, host: str | None = None, clock: Callable[[], float] = time.time,
                 alive: Callable[[int], bool] = pid_alive) -> None:
        self.store = store
        self.host = host or this_host()
        self.clock = clock
        self.alive = alive
        self._cleaned = 0.0

    def me(self, user: str, **fields: Any) -> Presence:
        now = self.clock()
        return Presence(user=self.store.actor(user), host=self.host, pid=os.getpid(), started=now, at=now, **fields)

    def ensure(self) -> None:
        """Nothing to make: the table is part of the schema."""

    def _run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self.store.query(statement, params)
        except WorkspaceError as error:
            raise OSError(str(error)) from None

    def write(self, presence: Presence) -> Presence:
        """Replace this worktop's row (OSError when the server cannot be reached)."""
        presence = replace(presence, at=self.clock())
        self._run("INSERT INTO worktop.presence (workspace, key, doc) VALUES (%s, %s, %s::json)"
                  " ON CONFLICT (workspace, role, key) DO UPDATE SET doc = EXCLUDED.doc RETURNING 1",
                  (self.store.workspace_id, presence.key, presence.to_json().decode()))
        return presence

    def remove(self, presence: Presence) -> None:
        with contextlib.suppress(OSError):
            self._run("DELETE FROM worktop.presence WHERE workspace = %s AND key = %s AND role = session_user"
                      " RETURNING 1", (self.store.workspace_id, presence.key))

    def read(self, *, exclude: str | None = None, clean: bool = True) -> list[Presence]:
        """Every live presence but ``exclude`` (a key), oldest session first; [] when the server is away."""
        now = self.clock()
        try:
            if clean and now - self._cleaned > CLEAN_EVERY:
                self._cleaned = now
                self._run("DELETE FROM worktop.presence WHERE workspace = %s AND at < now() - interval '30 seconds'"
                          " RETURNING 1", (self.store.workspace_id,))
            rows = self._run("SELECT role, doc::text, extract(epoch FROM now() - at)::float8 FROM worktop.presence"
                             " WHERE workspace = %s AND at > now() - make_interval(secs => %s)"
                             " ORDER BY at DESC LIMIT %s", (self.store.workspace_id, STALE_AFTER, READ_LIMIT))
        except OSError:
            return []
        newest: dict[str, Presence] = {}
        for role, text, age in rows:
            try:
                presence = Presence.from_doc(orjson.loads(text))
            except orjson.JSONDecodeError:
                continue
            if presence is None or presence.key == exclude:
                continue
            if presence.host == self.host and not self.alive(presence.pid):
                continue
            presence = replace(presence, at=now - max(float(age or 0.0), 0.0), owner=str(role))
            if presence.key not in newest or presence.at > newest[presence.key].at:
                newest[presence.key] = presence
        return sorted(newest.values(), key=lambda p: (p.started, p.key))

    def watch(self, on_change: Callable[[], None], stop: threading.Event, *, me: Presence | None = None,
              check_every: float = 1.0) -> None:
        """Call ``on_change()`` when the app's listener hears of a presence change, and every ``check_every`` s."""
        wake = threading.Event()
        self.store._presence_wakers.add(wake)
        try:
            while not stop.is_set():
                wake.wait(check_every)
                wake.clear()
                if not stop.is_set():
                    on_change()
        finally:
            self.store._presence_wakers.discard(wake)


__all__ = ["PgPresence"]
