"""Two real worktop TUIs in tmux on one PostgreSQL workspace, through a server stop and a ``pg_ctl restart``.

Each worktop opens the workspace through a pointer file (as a project folder
would hold), logged in as its own role; the presence of each shows in the
other's header through the presence table, and a card one moves appears on
the other's screen through LISTEN/NOTIFY and the changes table. When the server
goes away both show the banner and keep their last state, an edit is refused
with a message, and when it is back both reconnect by themselves and converge
on what a worktop started afresh shows.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from data.store.copy import copy_workspace
from data.store.postgres.location import pointer_text
from data.writes.workspace import Workspace
from tests.support.stores import with_role
from tests.tmux_server import TmuxServer, worktop_command

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.slow,
]


@pytest.fixture
def tmux() -> Iterator[TmuxServer]:
    server = TmuxServer()
    yield server
    server.close()


def columns(screen: str) -> tuple[str, ...]:
    """The board's column headers with their counts (``todo  3``, ``doing  2/5``), as a person reads them."""
    return tuple(re.findall(r"\b(todo|doing|review|done)  (\d+(?:/\d+)?)", screen))


def pointer(folder: Path, url: str) -> Path:
    folder.mkdir()
    path = folder / "worktop.json"
    path.write_bytes(pointer_text(url))
    return path


def test_two_tuis_on_postgres_move_cards_and_ride_out_the_server_going_away(
        team_ws: Workspace, tmux: TmuxServer, pg_server: Any, tmp_path: Path) -> None:
    url = pg_server.url(pg_server.fresh_name(), role="ana")
    copy_workspace(team_ws.path, url)
    if not pg_server.sql("SELECT 1 FROM pg_roles WHERE rolname = 'bo'"):
        pg_server.make_role("bo", grant="worktop_writer")
    ana, bo = pointer(tmp_path / "ana", url), pointer(tmp_path / "bo", with_role(url, "bo"))
    tmux.start("ana", worktop_command(ana, "ana"))
    tmux.start("bo", worktop_command(bo, "bo"))
    tmux.wait("ana", lambda s: "here: ◉bo" in s.splitlines()[0], timeout=30)
    tmux.wait("bo", lambda s: "here: ◉ana" in s.splitlines()[0], timeout=30)

    tmux.run("send-keys", "-t", "ana", "2")
    tmux.wait("bo", lambda s: "◉ana ▣ SSO login" in s)
    tmux.run("send-keys", "-t", "ana", "S-Right")  # ana moves her card to doing: it moves on bo's screen
    tmux.wait("bo", lambda s: ("doing", "2/5") in columns(s) and ("todo", "3") in columns(s))
    assert Workspace(url).snapshot().items[2].status == "doing"

    # The server stops: both keep their screens, show the banner, and an edit is refused with a message.
    pg_server.pg_ctl("-m", "fast", "-w", "stop")
    try:
        for name in ("ana", "bo"):
            tmux.wait(name, lambda s: "Showing the last state read" in s, timeout=30)
            assert ("doing", "2/5") in columns(tmux.screen(name))
        tmux.run("send-keys", "-t", "bo", "2")
        tmux.run("send-keys", "-t", "bo", "S-Right")
        tmux.wait("bo", lambda s: "cannot be reached right now" in s)
    finally:
        pg_server.start()
    for name in ("ana", "bo"):
        tmux.wait(name, lambda s: "Showing the last state read" not in s, timeout=30)

    # A pg_ctl restart while both run: each reconnects by itself and sees the other's next move.
    pg_server.restart()
    # Right after the restart the listener may still be reconnecting, and an edit then is refused (as a
    # person would, bo tries again until it goes through).
    def moved(screen: str) -> bool:
        if ("doing", "3/5") in columns(screen):
            return True
        tmux.run("send-keys", "-t", "bo", "S-Right")
        return False

    tmux.wait("bo", moved, timeout=30, poll=1.0)
    tmux.wait("ana", lambda s: ("doing", "3/5") in columns(s), timeout=30)

    # Both converge on what a worktop started afresh shows.
    fresh = pointer(tmp_path / "fresh", url)
    tmux.start("fresh", worktop_command(fresh, "ana"))
    tmux.run("send-keys", "-t", "fresh", "2")
    expected = columns(tmux.wait("fresh", lambda s: ("doing", "3/5") in columns(s), timeout=30))
    for name in ("ana", "bo"):
        assert columns(tmux.screen(name)) == expected
