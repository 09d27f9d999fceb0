"""Opening a workspace writes only what is due, only after the first screen, and only once.

The recurring instances a workspace makes ahead are the one write an opening app makes
on its own account. It comes after every pane has drawn (it is not on the path to the
first frame), takes the lock only when something new is due, and a second opener — or
two at once, as real processes — leaves the files byte for byte as they were.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data.store.history_file import history_path
from data.writes.recurrence import CreateRecurring
from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, screen_text, settled, wait_for
from tests.tmux_server import ROOT, TmuxServer, worktop_command

WAIT = 30.0


def files_of(path: Path) -> dict[str, tuple[int, bytes]]:
    """The workspace's files as they are on disk: inode and bytes of each."""
    return {p.name: (os.stat(p).st_ino, p.read_bytes()) for p in (path, history_path(path))}


def instances(path: Path) -> list[tuple[int, str]]:
    snapshot = Workspace(path).snapshot()
    return [(doc["instance_of"], doc["occurrence"]) for doc in snapshot.docs.values() if doc.get("instance_of")]


async def test_the_write_on_open_comes_after_the_first_screen(team_ws):
    team_ws.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "bo"}))
    before = files_of(team_ws.path)
    app = make_app(team_ws)
    seen_at_first_screen: list[dict[str, tuple[int, bytes]]] = []
    shown = app.first_screen_shown

    def first_screen_shown() -> None:
        seen_at_first_screen.append(files_of(team_ws.path))
        shown()

    app.first_screen_shown = first_screen_shown  # type: ignore[method-assign]
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settled(app)
        await pilot.pause()
        assert seen_at_first_screen == [before]  # every pane drawn, nothing written yet
        assert len(instances(team_ws.path)) == 2  # then what was due was made
        assert await wait_for(pilot, lambda: "Made 2 recurring instances" in screen_text(app))


async def test_a_second_opener_writes_nothing_and_takes_no_lock(team_ws):
    team_ws.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "bo"}))
    first = make_app(team_ws)
    async with first.run_test(size=(160, 50)) as pilot:
        await settled(first)
        await pilot.pause()
    made = files_of(team_ws.path)
    assert len(instances(team_ws.path)) == 2
    # Another member holds the write lock while the second terminal opens: if opening took the
    # lock it would wait for it and then say the instances were not made.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from data.store.lock import exclusive_lock\n"
         f"with exclusive_lock(Path({str(team_ws.path)!r})):\n    print('held', flush=True); time.sleep(120)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = make_app(team_ws)
        async with second.run_test(size=(160, 50), notifications=True) as pilot:
            await settled(second)
            await pilot.pause()
            assert "Weekly release" in screen_text(second)
            assert "not made" not in screen_text(second)
    finally:
        holder.kill()
        holder.wait()
    assert files_of(team_ws.path) == made


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_two_worktops_opened_at_once_make_each_instance_once_and_a_third_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "worktop.json"
    ws = Workspace.create(path, actor="ana")
    ws.apply(CreateRecurring("Weekly release", "every monday"))
    ws.apply(CreateRecurring("Daily standup notes", "every weekday"))
    tmux = TmuxServer()
    try:
        for name in ("ana", "bo"):  # both at once: neither waits for the other to start
            tmux.start(name, worktop_command(path, name), (160, 50))
        for name in ("ana", "bo"):
            tmux.wait(name, lambda screen: "2 Board" in screen and "Weekly release" in screen, timeout=WAIT)
        deadline = time.monotonic() + WAIT
        while not instances(path) and time.monotonic() < deadline:
            time.sleep(0.1)
        made = instances(path)
        assert made, "no recurring instance was made"
        assert len(made) == len(set(made)), [k for k, n in collections.Counter(made).items() if n > 1]
        for name in ("ana", "bo"):
            tmux.run("send-keys", "-t", name, "C-q")
        for name in ("ana", "bo"):
            tmux.wait(name, lambda screen: "[worktop exited with 0]" in screen, timeout=WAIT)
        settled_files = files_of(path)
        assert instances(path) == made
        tmux.start("cy", worktop_command(path, "cy"), (160, 50))
        tmux.wait("cy", lambda screen: "2 Board" in screen and "Weekly release" in screen, timeout=WAIT)
        tmux.run("send-keys", "-t", "cy", "C-q")
        tmux.wait("cy", lambda screen: "[worktop exited with 0]" in screen, timeout=WAIT)
        assert files_of(path) == settled_files
    finally:
        tmux.close()

