"""What every dialog with a text field needs: nothing typed is lost, however the keys arrive.

Two ways typed text used to be lost:

- A *priority* binding (enter or ctrl+s to save, ctrl+j for a new line) runs as
  soon as the app reads the key, while the characters typed just before it
  still wait in the text field's own queue. When they arrive in one burst (a
  paste, a laggy SSH link) the save read the field before they were in it.
  :func:`after_typed_keys` runs the save behind them, in the field's queue.
- One escape closed a dialog holding typed text. :class:`DiscardGuard` asks
  for a second escape within a few seconds first (an escape can also be the
  first byte of an arrow key split up by a slow link).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.screen import Screen

DISCARD_SECONDS = 3.0
"""How long a first escape over typed text waits for the second that closes the dialog."""


def after_typed_keys(screen: Screen, callback: Callable[[], object]) -> None:
    """Call ``callback`` once the focused field has handled every key already sent to it."""
    focused = screen.focused
    if focused is None or not focused.call_later(callback):
        callback()


class DiscardGuard:
    """Closing over typed text takes a second escape within :data:`DISCARD_SECONDS`."""

    _discard_until = 0.0

    def may_discard(self, dirty: bool, warn: Callable[[str], None],
                    message: str = "You typed something: esc again discards it, enter saves it.") -> bool:
        """True when the dialog may close now; else warns (via ``warn``) and waits for a second escape."""
        if not dirty or time.monotonic() <= self._discard_until:
            return True
        self._discard_until = time.monotonic() + DISCARD_SECONDS
        warn(message)
        return False


__all__ = ["DISCARD_SECONDS", "DiscardGuard", "after_typed_keys"]
