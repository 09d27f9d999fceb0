"""This worktop's presence: announce where you are, hear where everyone else is.

Nothing here blocks the UI thread: :meth:`PresenceService.announce` only swaps
a frozen value and, unless a write is already pending, starts a short thread
worker that writes the presence file (at most every :data:`MIN_GAP` seconds,
so holding a cursor key down writes a few files, not hundreds). A timer
rewrites it every :data:`HEARTBEAT` seconds. One long-lived thread worker
watches the presence folder and posts :class:`PeersChanged` when the other
people, or where they are, change.

Writes are short-lived workers rather than a second loop waiting forever
because thread workers share the event loop's default executor (a handful of
threads on a small machine): each long-lived loop holds one of them for good.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from textual.app import App
from textual.message import Message
from textual.timer import Timer

from data.store.interface import PresenceBoard
from data.store.presence import HEARTBEAT, Presence, PresenceFolder

MIN_GAP = 0.03
"""Seconds between two writes of the presence file while the cursor moves."""


class PeersChanged(Message):
    """Other worktops on this workspace came, went, or moved (``peers``: all of them, oldest first)."""

    def __init__(self, peers: tuple[Presence, ...]) -> None:
        super().__init__()
        self.peers = peers

    def can_replace(self, message: Message) -> bool:
        # Only the newest reading matters.
        return isinstance(message, PeersChanged)


class PresenceService:
    """Owns this process's presence file and listens to everyone else's.

    Args:
        app: runs the thread workers and the heartbeat timer.
        workspace_path: the workspace (presence files sit beside it, unless ``folder`` is given).
        user: the name to announce (the workspace actor).
        deliver: called from the listener thread with the peers whenever they
            change; it must be thread-safe (``post_message`` is).
        folder: where presence lives: the store's (``Store.presence()``: a folder, a table), or one
            tests pass with a pinned clock.
    """

    def __init__(self, app: App, workspace_path: Path, user: str,
                 deliver: Callable[[tuple[Presence, ...]], object], *, folder: PresenceBoard | None = None) -> None:
        self.app = app
        self.folder: PresenceBoard = folder or PresenceFolder(workspace_path)
        self.deliver = deliver
        self.me = self.folder.me(user)
        self.announced = False
        """Whether this process's file could be written (False: others cannot see you)."""
        self.peers: tuple[Presence, ...] = ()
        self._stop = threading.Event()
        self._write_lock = threading.Lock()
        self._pending = False
        self._last_write = 0.0
        self._made_folder = False
        self._timer: Timer | None = None

    @property
    def key(self) -> str:
        return self.me.key

    def start(self) -> None:
        self._timer = self.app.set_interval(HEARTBEAT, self._flush, name="presence heartbeat")
        self._flush()
        self.app.run_worker(self._listen_loop, name="presence listener", group="presence-listen",
                            thread=True, exclusive=True, exit_on_error=False)

    def announce(self, *, pane: str | None, selected: int | None, following: str | None) -> None:
        """Say where this worktop is now (UI thread; returns at once, a worker writes the file)."""
        new = replace(self.me, pane=pane, selected=selected, following=following)
        if new != self.me:
            self.me = new
            self._flush()

    def stop(self) -> None:
        """Stop writing and listening, and remove this process's file (a clean exit leaves nothing behind)."""
        self._stop.set()
        if self._timer is not None:
            self._timer.stop()
        with self._write_lock:
            self.folder.remove(self.me)

    def _flush(self) -> None:
        """Have the newest state written soon, by a thread worker (UI thread)."""
        if self._pending or self._stop.is_set():
            return
        self._pending = True
        self.app.run_worker(self._write_soon, name="presence write", group="presence-write", thread=True,
                            exit_on_error=False)

    # -- threads ----------------------------------------------------------------
    def _write_soon(self) -> None:
        with self._write_lock:  # one writer at a time, so the newest state always lands last
            gap = self._last_write + MIN_GAP - time.monotonic()
            if gap > 0:
                time.sleep(gap)
            self._pending = False  # an announce from now on starts another write, which reads the newer state
            if self._stop.is_set():
                return
            if not self._made_folder:
                self._made_folder = True
                with contextlib.suppress(OSError):
                    self.folder.ensure()
            try:
                self.folder.write(self.me)
            except OSError:
                self.announced = False
                self._made_folder = False  # the folder vanished or turned read-only: try again next time
            else:
                self.announced = True
            self._last_write = time.monotonic()

    def _listen_loop(self) -> None:
        self.folder.watch(self._check, self._stop, me=self.me)

    def _check(self) -> None:
        peers = tuple(self.folder.read(exclude=self.key))
        if peers != self.peers:
            self.peers = peers
            self.deliver(peers)


__all__ = ["MIN_GAP", "PeersChanged", "PresenceService"]
