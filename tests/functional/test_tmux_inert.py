"""In a real terminal: workspace text never drives it, and an idle worktop sleeps.

A member's title or why can hold terminal escape sequences: OSC 52 (put text on
the clipboard of whoever displays it), OSC 2 (set the terminal's title), CSI 2J
(blank the screen). worktop runs in a private tmux server with
``set-clipboard on``, so an OSC 52 that reached the terminal would appear in
``tmux list-buffers``, and an OSC 2 in the pane's title. Skipped where tmux is
not installed.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.model.items import Person
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
from tests.tmux_server import TmuxServer, worktop_command

pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"), pytest.mark.slow]

EVIL_TITLE = "Evil card \x1b]52;c;aGFja2Vk\x07 \x1b]2;PWNED\x07 \x1b[2J end"
EVIL_WHY = "why \x1b]52;c;d2h5\x07 \x1b]2;WHYPWN\x07 \x1b[2J"


@pytest.fixture
def tmux() -> Iterator[TmuxServer]:
    server = TmuxServer()
    yield server
    server.close()


@pytest.fixture
def evil_ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "worktop.json", name="team", actor="ana", people=[Person("ana")])
    ws.apply(CreateItem(EVIL_TITLE, fields={"owner": "ana", "why": EVIL_WHY}))
    return ws


def leaks(tmux: TmuxServer, name: str) -> tuple[str, str]:
    """(the tmux paste buffers, the pane's title): where OSC 52 and OSC 2 would land."""
    return tmux.run("list-buffers"), tmux.run("display-message", "-p", "-t", name, "#{pane_title}").strip()


def test_titles_and_whys_with_escape_sequences_reach_no_terminal(tmux: TmuxServer, evil_ws: Workspace) -> None:
    tmux.start("probe", "sleep 600")
    tmux.run("set-option", "-s", "set-clipboard", "on")
    tmux.start("ana", worktop_command(evil_ws.path, "ana"))
    tmux.wait("ana", lambda s: "Evil card" in s and "rev " in s)
    title_before = leaks(tmux, "ana")[1]
    assert "PWNED" not in title_before

    for key in ("2", "Enter"):  # the board, then the editor on the card
        tmux.run("send-keys", "-t", "ana", key)
        time.sleep(0.3)
    screen = tmux.wait("ana", lambda s: "ctrl+s" in s and "Evil card" in s)
    assert "␛]52;c;" in screen  # shown as symbols, in the title field
    buffers, title = leaks(tmux, "ana")
    assert buffers == "" and "PWNED" not in title, (buffers, title)
    assert sum(1 for line in screen.splitlines() if line.strip()) > 10, "the screen was blanked"

    tmux.run("send-keys", "-t", "ana", "Escape")
    tmux.wait("ana", lambda s: "ctrl+s" not in s)
    for key in ("4", "w"):  # the why pane, then the why prompt holding the why
        tmux.run("send-keys", "-t", "ana", key)
        time.sleep(0.3)
    screen = tmux.wait("ana", lambda s: "why ␛]52" in s and "enter" in s.lower())
    buffers, title = leaks(tmux, "ana")
    assert buffers == "" and "WHYPWN" not in title and "PWNED" not in title, (buffers, title)


def _wakeups(pid: int) -> int:
    """Context switches of every thread of ``pid`` so far (each is one time the thread woke)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/status") as handle:
            for line in handle:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    return total


def _worktop_pid(tmux: TmuxServer, name: str) -> int:
    shell = int(tmux.run("display-message", "-p", "-t", name, "#{pane_pid}").strip())
    for _ in range(50):
        for child in Path(f"/proc/{shell}/task/{shell}/children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"tui.cli" in cmdline:
                return int(child)
        time.sleep(0.1)
    raise AssertionError("worktop's process was not found")


def test_an_idle_worktop_does_not_keep_waking_up(tmux: TmuxServer, evil_ws: Workspace) -> None:
    """Two watchers polling every 2 and 5 ms woke an idle worktop ~700 times a second."""
    tmux.start("ana", worktop_command(evil_ws.path, "ana"))
    tmux.wait("ana", lambda s: "Evil card" in s and "rev " in s)
    pid = _worktop_pid(tmux, "ana")
    time.sleep(2)  # start-up work (recurring instances, presence) settles
    before, start = _wakeups(pid), time.monotonic()
    time.sleep(5)
    rate = (_wakeups(pid) - before) / (time.monotonic() - start)
    assert rate < 100, f"an idle worktop woke {rate:.0f} times a second"
