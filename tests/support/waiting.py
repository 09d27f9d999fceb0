"""Waiting for something a real process does: a condition polled until it holds, with a generous timeout.

Never a threshold on how long it took (a loaded 2-core machine may take many times longer than a
quiet one): the timeout only stops a test that would otherwise hang, and says what never happened.
Speed belongs in bench/.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PATIENCE = 60.0
"""Seconds before a condition that never comes fails the test."""


def wait_until(condition: Callable[[], object], what: str, *, timeout: float = PATIENCE, poll: float = 0.05) -> None:
    """Poll ``condition()`` until it is true; fail with ``what`` never happened after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)
