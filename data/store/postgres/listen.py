"""The app's one listening connection: NOTIFY wakes it, the changes table says what changed.

A notification carries nothing worth trusting (a revision number, a presence
key): it only says "look". Whatever wakes the listener, the caller catches up
from ``worktop.changes`` by revision, so a notification lost — sent while the
listener was reconnecting, or dropped with a connection — costs nothing but a
moment: on every (re)connect the listener asks the caller to catch up once, and
the app's two-second check asks again in any case.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from data.store.postgres.store import PgStore

WAIT = 0.5
"""Seconds the listener waits for a notification before looking at the stop flag."""

RETRY_FIRST, RETRY_MOST = 0.2, 2.0
"""Seconds between reconnect attempts: doubling from the first to the most."""


def listen(store: PgStore, on_change: Callable[[], None], on_presence: Callable[[], None],
           stop: threading.Event) -> None:
    """Until ``stop``: LISTEN for the workspace's commits and presence, calling back in this thread.

    ``on_change`` is called once per burst of commits (and once after every
    connect, to catch up); ``on_presence`` once per burst of presence changes.
    Connection losses are retried with a growing pause; ``on_change`` is called
    then too, so the caller notices the store is unreachable and shows it.
    """
    delay = RETRY_FIRST
    while not stop.is_set():
        conn: psycopg.Connection[Any] | None = None
        try:
            conn = store.open_connection()
            if store.workspace_id is None:
                with store._mutex:
                    store._connection()
            ws = store.workspace_id
            conn.execute(f'LISTEN "worktop_{ws}"; LISTEN "worktop_presence_{ws}"')
            delay = RETRY_FIRST
            on_change()  # whatever was committed while nobody listened
            on_presence()
            changes, presence = f"worktop_{ws}", f"worktop_presence_{ws}"
            while not stop.is_set():
                got = list(conn.notifies(timeout=WAIT, stop_after=1))
                if not got:
                    continue
                got += list(conn.notifies(timeout=0.001))  # the rest of the burst, already here
                if any(n.channel == changes for n in got):
                    on_change()
                if any(n.channel == presence for n in got):
                    on_presence()
        except Exception:  # noqa: BLE001 - a lost server, a bad location: the caller's snapshot says which
            on_change()
            stop.wait(delay)
            delay = min(delay * 2, RETRY_MOST)
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()


__all__ = ["listen"]
