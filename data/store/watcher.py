"""Tell when the workspace file changes, from any process.

The folder is watched, not the file: an atomic replace gives the file a new
inode, and a watch on the old inode would go quiet after the first write.
Where file events are unavailable (network filesystems, or ``WORKTOP_POLL=1``),
watchfiles polls instead. Callers re-read the file and compare revisions, so
the echo of their own writes costs one ``stat``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

POLL_ENV = "WORKTOP_POLL"


def _interesting(path: Path) -> Callable[[object, str], bool]:
    names = {path.name}

    def keep(_change: object, changed: str) -> bool:
        return os.path.basename(changed) in names

    return keep


def watch_workspace(path: Path, on_change: Callable[[], None], stop: threading.Event) -> None:
    """Call ``on_change()`` (in this thread) after each burst of changes to ``path``.

    Blocks until ``stop`` is set. Changes within a few milliseconds of each other
    are reported once. Falls back to polling when the folder cannot be watched.
    """
    from watchfiles import watch  # imported here: the CLI never needs it

    force_polling = os.environ.get(POLL_ENV, "") not in ("", "0")
    folder = path.parent
    while not stop.is_set():
        try:
            for _changes in watch(
                folder,
                watch_filter=_interesting(path),
                stop_event=stop,
                debounce=40,
                step=2,  # the file name changes once per write (the rename): no burst to wait out
                rust_timeout=500,
                yield_on_timeout=False,
                force_polling=force_polling,
                poll_delay_ms=100,
                recursive=False,
                ignore_permission_denied=True,
            ):
                on_change()
        except (FileNotFoundError, OSError, RuntimeError):
            # The folder itself vanished or cannot be watched: poll until it is back.
            on_change()
            if stop.wait(0.5):
                return
            force_polling = True
