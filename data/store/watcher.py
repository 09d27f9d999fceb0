"""Tell when files in a folder change, from any process: the workspace file, the presence files.

One function, :func:`watch_folder`, serves both. The folder is watched, not
the file: an atomic replace gives the file a new inode, and a watch on the old
inode would go quiet after the first write.

On Linux the kernel says when something changed (inotify, through
inotify_simple) and the watching thread sleeps in between, so an idle worktop
wakes a couple of times a second, not hundreds (watchfiles' loop wakes every
``step`` milliseconds to look for news). Where inotify is missing, the folder
cannot be watched, or ``WORKTOP_POLL=1`` (network filesystems, where file events
do not arrive), watchfiles polls instead.

Callers re-read and compare, so a spurious wake-up costs one ``stat``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

POLL_ENV = "WORKTOP_POLL"

QUIET = 0.002
"""Seconds without a new event that end a burst (a write is one rename: nothing to wait out)."""

BURST = 0.040
"""Longest a burst of events is gathered before the caller hears of it."""

IDLE = 0.5
"""Seconds between checks of the stop flag while nothing happens."""


def polling_forced() -> bool:
    return os.environ.get(POLL_ENV, "") not in ("", "0")


def watch_folder(folder: Path, keep: Callable[[str], bool], on_change: Callable[[], None], stop: threading.Event,
                 *, every: float | None = None) -> None:
    """Call ``on_change()`` (in this thread) after each burst of changes to names in ``folder`` that ``keep``.

    Also every ``every`` seconds when given (presence files go stale without
    any event). Blocks until ``stop`` is set. A folder that is missing, replaced
    or not a real folder (a link) is waited for and watched again when it is back.
    """
    while not stop.is_set():
        if not polling_forced() and _watch_with_inotify(folder, keep, on_change, stop, every):
            continue
        _watch_by_polling(folder, keep, on_change, stop, every)


def _watch_with_inotify(folder: Path, keep: Callable[[str], bool], on_change: Callable[[], None],
                        stop: threading.Event, every: float | None) -> bool:
    """Watch with inotify until the folder goes away; False when inotify cannot watch it (then poll)."""
    try:
        from inotify_simple import INotify, flags  # imported here: the CLI never needs it
    except (ImportError, OSError):
        return False
    mask = (flags.CLOSE_WRITE | flags.MOVED_TO | flags.MOVED_FROM | flags.CREATE | flags.DELETE | flags.ATTRIB
            | flags.DELETE_SELF | flags.MOVE_SELF | flags.DONT_FOLLOW | flags.ONLYDIR)
    gone = flags.DELETE_SELF | flags.MOVE_SELF | flags.IGNORED | flags.UNMOUNT
    try:
        inotify = INotify()
    except OSError:
        return False
    try:
        try:
            inotify.add_watch(folder, mask)
        except OSError:
            # Missing, a link (DONT_FOLLOW + ONLYDIR refuse it) or out of watches: tell the caller, wait, retry.
            on_change()
            if not folder.is_dir():
                stop.wait(every or IDLE)
                return True
            return False
        wait = min(every, IDLE) if every else IDLE
        next_tick = time.monotonic() + every if every else None
        while not stop.is_set():
            events = inotify.read(timeout=int(wait * 1000))
            now = time.monotonic()
            if events:
                deadline = now + BURST
                while time.monotonic() < deadline:  # gather the rest of a burst, briefly
                    more = inotify.read(timeout=int(QUIET * 1000))
                    if not more:
                        break
                    events.extend(more)
                if any(event.mask & flags.Q_OVERFLOW or (event.name and keep(event.name)) for event in events):
                    on_change()
                    next_tick = time.monotonic() + every if every else None
                if any(event.mask & gone for event in events):
                    on_change()
                    return True  # the folder was removed or replaced: watch whatever is there now
            elif next_tick is not None and now >= next_tick:
                on_change()
                next_tick = now + every  # type: ignore[operator]
        return True
    finally:
        inotify.close()


def _watch_by_polling(folder: Path, keep: Callable[[str], bool], on_change: Callable[[], None],
                      stop: threading.Event, every: float | None) -> None:
    """watchfiles, polling the folder: for network filesystems and wherever inotify is missing."""
    from watchfiles import watch

    def keep_change(_change: object, changed: str) -> bool:
        return keep(os.path.basename(changed))

    if not folder.is_dir():
        on_change()
        stop.wait(every or IDLE)
        return
    try:
        for _changes in watch(folder, watch_filter=keep_change, stop_event=stop, debounce=40, step=50,
                              rust_timeout=int((every or IDLE) * 1000), yield_on_timeout=every is not None,
                              force_polling=True, poll_delay_ms=100, recursive=False,
                              ignore_permission_denied=True):
            on_change()
    except (OSError, RuntimeError):
        on_change()
        stop.wait(every or IDLE)


def watch_workspace(path: Path, on_change: Callable[[], None], stop: threading.Event) -> None:
    """Call ``on_change()`` (in this thread) after each burst of changes to the workspace file ``path``."""
    name = path.name
    watch_folder(path.parent, lambda changed: changed == name, on_change, stop)


__all__ = ["POLL_ENV", "polling_forced", "watch_folder", "watch_workspace"]
