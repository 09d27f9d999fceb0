"""This worktop's presence: announce where you are, hear where everyone else is.

Two thread workers, so nothing here runs on the UI thread but :meth:`announce`,
which only swaps a frozen value and sets an event (a cursor key stays within
its frame budget however slow the disk):

* the announcer rewrites this process's presence file when the pane or the
  selection changes (at most every :data:`MIN_GAP` seconds, so holding a key
  down writes a few files, not hundreds) and every :data:`HEARTBEAT` seconds;
* the listener watches the presence folder and posts :class:`PeersChanged`
  when the set of other people, or where they are, changes.
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

from data.presence import HEARTBEAT, Presence, PresenceFolder, watch_presence

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
        app: runs the two thread workers.
        workspace_path: the workspace (presence files sit beside it).
        user: the name to announce (the workspace actor).
        deliver: called from the listener thread with the peers whenever they
            change; it must be thread-safe (``post_message`` is).
        folder: the presence folder (tests pass one with a pinned clock).
    """

    def __init__(self, app: App, workspace_path: Path, user: str,
                 deliver: Callable[[tuple[Presence, ...]], None], *, folder: PresenceFolder | None = None) -> None:
        self.app = app
        self.folder = folder or PresenceFolder(workspace_path)
        self.deliver = deliver
        self.me = self.folder.me(user)
        self.announced = False
        """Whether this process's file could be written (False: others cannot see you)."""
        self.peers: tuple[Presence, ...] = ()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._write_lock = threading.Lock()

    @property
    def key(self) -> str:
        return self.me.key

    def start(self) -> None:
        self.app.run_worker(self._announce_loop, name="presence announcer", group="presence-announce",
                            thread=True, exclusive=True, exit_on_error=False)
        self.app.run_worker(self._listen_loop, name="presence listener", group="presence-listen",
                            thread=True, exclusive=True, exit_on_error=False)

    def announce(self, *, pane: str | None, selected: int | None, following: str | None) -> None:
        """Say where this worktop is now (UI thread; returns at once, the file is written by a worker)."""
        new = replace(self.me, pane=pane, selected=selected, following=following)
        if new != self.me:
            self.me = new
            self._wake.set()

    def stop(self) -> None:
        """Stop both workers and remove this process's file (a clean exit leaves nothing behind)."""
        self._stop.set()
        self._wake.set()
        with self._write_lock:
            self.folder.remove(self.me)

    # -- the workers (threads) ------------------------------------------------
    def _announce_loop(self) -> None:
        with contextlib.suppress(OSError):
            self.folder.ensure()
        last = 0.0
        while not self._stop.is_set():
            gap = last + MIN_GAP - time.monotonic()
            if gap > 0 and self._stop.wait(gap):
                break
            self._wake.clear()
            with self._write_lock:
                if self._stop.is_set():
                    break
                self._write()
            last = time.monotonic()
            self._wake.wait(HEARTBEAT)

    def _write(self) -> None:
        try:
            self.folder.write(self.me)
        except OSError:
            if self.announced:
                # The folder vanished or turned read-only: try to make it again next time.
                with contextlib.suppress(OSError):
                    self.folder.ensure()
            self.announced = False
        else:
            self.announced = True

    def _listen_loop(self) -> None:
        watch_presence(self.folder, self._check, self._stop, ignore=self.me.file_name)

    def _check(self) -> None:
        peers = tuple(self.folder.read(exclude=self.key))
        if peers != self.peers:
            self.peers = peers
            self.deliver(peers)


__all__ = ["MIN_GAP", "PeersChanged", "PresenceService"]
