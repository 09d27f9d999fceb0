"""A private tmux server for driving real worktop processes, as the pairing tests and bench do.

Its own socket in its own temp folder, so nobody's own tmux sessions are touched,
and both are removed on :meth:`TmuxServer.close` (tmux leaves the socket file
behind when its server ends).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worktop_command(path: Path, user: str, *, keep_pane: bool = True) -> str:
    """The shell command that runs worktop on ``path`` as ``user``, as over SSH (no COLORTERM).

    With ``keep_pane`` worktop is not exec'd: if it ever exits, the pane stays with what it
    printed and its exit code (so a failing wait shows it) instead of the session, and with
    the last one the whole tmux server, vanishing.
    """
    worktop = (f"env -u COLORTERM -u COLUMNS -u LINES TERM=xterm-256color WORKTOP_USER={user} "
               f"PYTHONPATH={ROOT} {sys.executable} -m tui.cli -w {path}")
    if keep_pane:
        return f'cd {ROOT} && {worktop}; echo "[worktop exited with $?]"; sleep 600'
    return f"cd {ROOT} && exec {worktop}"


class TmuxServer:
    """One session per program; keys in with ``send-keys``, screens out with ``capture-pane``."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="worktop-tmux-")
        self.socket = os.path.join(self.folder, "socket")

    def run(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {done.stderr}")
        return done.stdout

    def start(self, name: str, command: str, size: tuple[int, int] = (160, 50)) -> None:
        self.run("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command)

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def wait(self, name: str, predicate: Callable[[str], bool], timeout: float = 15, poll: float = 0.1) -> str:
        """Poll the screen until ``predicate(screen)``; fails showing the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(name)
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{name}'s screen never matched; it shows:\n{screen}")
            time.sleep(poll)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)
