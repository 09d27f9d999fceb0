"""End to end: two real worktop processes in tmux on one file, read back from the terminal.

Each worktop runs as a separate process in its own tmux session (a private
tmux server on its own socket, so no one's own sessions are touched) with
``TERM=xterm-256color`` and no ``COLORTERM``, as over SSH. Keys go in with
``tmux send-keys``; what each person sees comes back with ``capture-pane``.
Skipped, with the reason, where tmux is not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from data.presence import presence_dir
from data.workspace import Workspace
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.slow,
]


class Tmux:
    """A private tmux server; one session per worktop."""

    def __init__(self) -> None:
        # Our own socket in our own folder: tmux leaves the socket file behind when its server ends.
        self.folder = tempfile.mkdtemp(prefix="worktop-tmux-")
        self.socket = os.path.join(self.folder, "socket")

    def run(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=20)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {done.stderr}")
        return done.stdout

    def start(self, name: str, path: Path, user: str, size: tuple[int, int]) -> None:
        # Not exec'd: if worktop ever exits, the pane stays with what it printed (and a failing
        # wait shows it) instead of the session and the whole tmux server vanishing.
        command = (f"cd {ROOT} && env -u COLORTERM -u COLUMNS -u LINES TERM=xterm-256color WORKTOP_USER={user} "
                   f"PYTHONPATH={ROOT} {sys.executable} -m tui.cli -w {path}; "
                   f"echo \"[worktop exited with $?]\"; sleep 600")
        self.run("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command)

    def keys(self, name: str, *keys: str) -> None:
        for key in keys:  # one at a time, as a person types: a focus change lands before the next key
            self.run("send-keys", "-t", name, key)
            time.sleep(0.15)

    def raw(self, name: str, data: bytes) -> None:
        """Bytes straight into the terminal, as a network would deliver them."""
        self.run("send-keys", "-t", name, "-H", *(f"{b:02x}" for b in data))

    def screen(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name)

    def wait(self, name: str, predicate: Callable[[str], bool], timeout: float = 15) -> str:
        """Poll the screen until ``predicate(screen)``; fails showing the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(name)
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{name}'s screen never matched; it shows:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=20)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux()
    yield server
    server.close()


def header(screen: str) -> str:
    return screen.splitlines()[0]


def pid_of(path: Path, user: str) -> int:
    (name,) = [n for n in os.listdir(presence_dir(path)) if n.startswith(f"{user}@")]
    return int(name.removesuffix(".json").rsplit(".", 1)[1])


def test_two_worktops_see_each_other_move_cards_and_follow(team_ws: Workspace, tmux: Tmux) -> None:
    path = team_ws.path
    tmux.start("ana", path, "ana", (160, 50))
    tmux.start("bo", path, "bo", (160, 50))
    tmux.wait("ana", lambda s: "here: ◉bo" in header(s))
    tmux.wait("bo", lambda s: "here: ◉ana" in header(s))

    # ana goes to the board: bo sees her marker on the card her cursor is on.
    tmux.keys("ana", "2")
    tmux.wait("bo", lambda s: "◉ana ▣ SSO login" in s)

    # ana moves that card to doing: it moves on bo's screen too.
    tmux.keys("ana", "S-Right")
    tmux.wait("bo", lambda s: "doing  2/5" in s and "todo  3" in s)
    assert Workspace(path).snapshot().items[2].status == "doing"

    # bo follows ana (the only other person here): both are told.
    tmux.keys("bo", "f")
    tmux.wait("bo", lambda s: "Following ◉ana · Board · #2 SSO login" in s)
    tmux.wait("ana", lambda s: "◉bo follows you" in s)
    tmux.keys("ana", "4")  # ana moves to the why pane; bo's focus goes with her
    tmux.wait("bo", lambda s: "Following ◉ana · Why · #2 SSO login" in s)
    tmux.keys("ana", "1")
    tmux.wait("bo", lambda s: "Following ◉ana · Inbox · #8 Export to CSV please" in s)

    # bo presses a key that moves him: follow ends on both screens.
    tmux.keys("bo", "j")
    tmux.wait("bo", lambda s: "Following" not in s)
    tmux.wait("ana", lambda s: "follows you" not in s)

    # ana's worktop is killed outright: she vanishes from bo's screen within 10 s.
    os.kill(pid_of(path, "ana"), signal.SIGKILL)
    killed = time.monotonic()
    tmux.wait("bo", lambda s: "here:" not in header(s), timeout=10)
    assert time.monotonic() - killed < 10


def test_pairing_on_80x24_with_a_slow_link_splitting_an_escape_sequence(team_ws: Workspace, tmux: Tmux) -> None:
    path = team_ws.path
    tmux.start("ana", path, "ana", (80, 24))
    tmux.start("bo", path, "bo", (80, 24))
    tmux.wait("ana", lambda s: "here: ◉bo" in header(s))
    tmux.wait("bo", lambda s: "here: ◉ana" in header(s))
    tmux.keys("bo", "f")
    tmux.wait("bo", lambda s: "Following ◉ana" in s)
    tmux.keys("ana", "2")  # one pane at a time on 80 columns: bo's screen switches to the board
    tmux.wait("bo", lambda s: "Following ◉ana · Board" in s and "todo" in s and "Export to CSV" not in s)
    tmux.keys("bo", "Escape")
    tmux.wait("bo", lambda s: "Following" not in s)

    # bo edits a title; the link splits his down-arrow (ESC [ B) across two packets 300 ms apart.
    tmux.keys("bo", "Enter")
    tmux.wait("bo", lambda s: "Edit #2" in s)
    tmux.keys("bo", "End", " (SSO)")
    tmux.raw("bo", b"\x1b")
    time.sleep(0.3)  # longer than the app's escape delay: the ESC arrives as the escape key
    tmux.raw("bo", b"[B")
    screen = tmux.wait("bo", lambda s: "esc again discards" in s)
    assert "Edit #2" in screen and "SSO login (SSO)" in screen, screen  # the editor stayed open, the edit is there
    before = path.read_bytes()
    tmux.keys("bo", "Escape", "Escape")  # a real double escape does discard
    tmux.wait("bo", lambda s: "Edit #2" not in s)
    assert path.read_bytes() == before
    assert Workspace(path).snapshot().items[2].title == "SSO login"
