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
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.store.presence import presence_dir
from data.writes.workspace import Workspace
from tests.support.waiting import PATIENCE
from tests.tmux_server import TmuxServer, worktop_command

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.slow,
]


class Tmux(TmuxServer):
    """The private tmux server, typing as a person does."""

    def start_worktop(self, name: str, path: Path, user: str, size: tuple[int, int]) -> None:
        self.start(name, worktop_command(path, user), size)

    def keys(self, name: str, *keys: str) -> None:
        for key in keys:  # one at a time, as a person types: a focus change lands before the next key
            self.run("send-keys", "-t", name, key)
            time.sleep(0.15)

    def raw(self, name: str, data: bytes) -> None:
        """Bytes straight into the terminal, as a network would deliver them."""
        self.run("send-keys", "-t", name, "-H", *(f"{b:02x}" for b in data))


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
    tmux.start_worktop("ana", path, "ana", (160, 50))
    tmux.start_worktop("bo", path, "bo", (160, 50))
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

    # ana's worktop is killed outright: she vanishes from bo's screen (how soon is bench/'s business: a
    # loaded machine takes longer, and the rule that makes a dead worktop's presence stale is the unit tests').
    os.kill(pid_of(path, "ana"), signal.SIGKILL)
    tmux.wait("bo", lambda s: "here:" not in header(s), timeout=PATIENCE)


def test_pairing_on_80x24_with_a_slow_link_splitting_an_escape_sequence(team_ws: Workspace, tmux: Tmux) -> None:
    path = team_ws.path
    tmux.start_worktop("ana", path, "ana", (80, 24))
    tmux.start_worktop("bo", path, "bo", (80, 24))
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
