"""Presence files: who else has the workspace open, where they look, and that the dead vanish.

The rules under test: a presence write never touches the workspace file or
its lock; a reader sees only live, well-formed presences; a worktop killed
with SIGKILL disappears from everyone's view within 10 s; the folder is
shared the way the workspace's folder is.
"""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.store.lock import lock_path
from data.store.presence import STALE_AFTER, Presence, PresenceFolder, labels, presence_dir, watch_presence
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
from tests.support.waiting import wait_until


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def folder_for(workspace: Workspace, clock: Clock | None = None, **kwargs: Any) -> PresenceFolder:
    folder = PresenceFolder(workspace.path, host="here", clock=clock or Clock(), **kwargs)
    folder.ensure()
    return folder


def peer(user: str, pid: int, **fields: Any) -> Presence:
    return Presence(user=user, host="here", pid=pid, **fields)


def test_the_folder_sits_beside_the_workspace(workspace: Workspace) -> None:
    assert presence_dir(workspace.path) == workspace.path.parent / ".worktop.json.presence"


def test_each_process_reads_the_others_oldest_session_first(workspace: Workspace) -> None:
    clock = Clock()
    folder = folder_for(workspace, clock, alive=lambda pid: True)
    folder.write(peer("bo", 20, pane="board", selected=7, started=clock.now - 50))
    folder.write(peer("ana", 10, pane="inbox", selected=3, started=clock.now - 100))
    folder.write(peer("cy", 30, pane="why", selected=None, following="ana@here.10", started=clock.now - 10))
    seen = folder.read(exclude="bo@here.20")
    assert [(p.user, p.pane, p.selected, p.following) for p in seen] == [
        ("ana", "inbox", 3, None), ("cy", "why", None, "ana@here.10")]
    assert {p.key for p in folder.read()} == {"ana@here.10", "bo@here.20", "cy@here.30"}


def test_presence_writes_never_touch_the_workspace_file_or_wait_for_its_lock(workspace: Workspace) -> None:
    workspace.apply(CreateItem("one"))
    before = workspace.path.stat()
    content = workspace.path.read_bytes()
    folder = folder_for(workspace)
    lock = os.open(lock_path(workspace.path), os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another process is in the middle of a write
    try:
        done = threading.Event()

        def announce() -> None:
            for n in range(20):
                folder.write(peer("ana", os.getpid(), pane="board", selected=n))
            done.set()

        threading.Thread(target=announce, daemon=True).start()
        assert done.wait(5), "a presence write waited for the workspace lock"
    finally:
        os.close(lock)
    after = workspace.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert workspace.path.read_bytes() == content
    assert workspace.snapshot().revision == 2


def test_stale_presences_are_ignored_and_removed(workspace: Workspace) -> None:
    clock = Clock()
    folder = folder_for(workspace, clock, alive=lambda pid: True)
    folder.write(peer("bo", 20))
    clock.now += STALE_AFTER - 1
    folder.write(peer("cy", 30))
    assert [p.user for p in folder.read()] == ["bo", "cy"]
    clock.now += 2  # bo's file is now older than STALE_AFTER; cy's is not
    assert [p.user for p in folder.read()] == ["cy"]
    assert sorted(os.listdir(folder.path)) == ["cy@here.30.json"]


def test_a_dead_process_on_this_host_vanishes_at_once(workspace: Workspace) -> None:
    folder = folder_for(workspace, alive=lambda pid: pid != 20)
    folder.write(peer("bo", 20))
    folder.write(peer("cy", 30))
    folder.write(Presence(user="dee", host="elsewhere", pid=20))  # another host: only its age counts
    assert sorted(p.key for p in folder.read()) == ["cy@here.30", "dee@elsewhere.20"]
    assert "bo@here.20.json" not in os.listdir(folder.path)


@pytest.mark.parametrize("content", [
    b"not json", b"[]", b'{"user": "", "host": "here", "pid": 5}', b'{"user": "x", "host": "here", "pid": "5"}',
    b'{"user": "x", "host": "here", "pid": -1}', b'{"user": ["x"], "host": "here", "pid": 5}',
])
def test_files_that_are_not_presences_are_skipped(workspace: Workspace, content: bytes) -> None:
    folder = folder_for(workspace, alive=lambda pid: True)
    (folder.path / "junk@here.5.json").write_bytes(content)
    folder.write(peer("bo", 20))
    assert [p.user for p in folder.read()] == ["bo"]


def test_odd_values_from_another_user_are_dropped_not_trusted(workspace: Workspace) -> None:
    folder = folder_for(workspace, alive=lambda pid: True)
    doc = {"user": "[red]eve[/]\x1b[2J" + "x" * 100, "host": "here", "pid": 44, "pane": "../../etc",
           "selected": True, "following": 12, "at": Clock()(), "started": "yesterday"}
    (folder.path / "eve@here.44.json").write_bytes(orjson.dumps(doc))
    (seen,) = folder.read()
    assert seen.pane is None and seen.selected is None and seen.following is None and seen.started == 0.0
    assert len(seen.user) == 40  # kept short; the TUI shows it through safe(), as all shared text


def test_a_clean_exit_removes_its_file(workspace: Workspace) -> None:
    folder = folder_for(workspace)
    me = folder.write(folder.me("ana", pane="inbox"))
    assert me.pid == os.getpid() and (folder.path / me.file_name).exists()
    folder.remove(me)
    assert os.listdir(folder.path) == []


def test_file_names_are_safe_whatever_the_user_name(workspace: Workspace) -> None:
    folder = folder_for(workspace, alive=lambda pid: True)
    written = folder.write(peer("../../evil name", 9))
    assert written.file_name == "_._.._evil_name@here.9.json"
    assert (folder.path / written.file_name).exists()
    assert folder.read()[0].user == "../../evil name"


def test_labels_number_a_second_session_of_one_user() -> None:
    peers = [peer("ana", 1, started=1.0), peer("bo", 2, started=2.0), peer("ana", 3, started=3.0)]
    assert labels(peers) == {"ana@here.1": "ana", "bo@here.2": "bo", "ana@here.3": "ana·2"}


def test_equal_presences_ignore_the_time_stamps() -> None:
    assert peer("ana", 1, pane="board", at=1.0) == peer("ana", 1, pane="board", at=9.0)
    assert peer("ana", 1, pane="board") != peer("ana", 1, pane="inbox")


def test_the_folder_is_shared_like_the_workspace_folder_whatever_the_umask(tmp_path: Path) -> None:
    shared = tmp_path / "team"
    shared.mkdir()
    os.chmod(shared, 0o2770)
    ws = Workspace.create(shared / "worktop.json", actor="ana")
    old = os.umask(0o077)
    try:
        folder = PresenceFolder(ws.path)
        folder.ensure()
        written = folder.write(folder.me("ana"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o2770
    assert stat.S_IMODE((folder.path / written.file_name).stat().st_mode) == 0o644


def test_a_sticky_world_writable_parent_gives_no_sticky_or_world_write(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o1777)
    ws = Workspace.create(tmp_path / "worktop.json", actor="ana")
    folder = PresenceFolder(ws.path)
    folder.ensure()
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o775
    os.chmod(tmp_path, 0o700)


def test_the_watcher_reports_a_new_presence_promptly(workspace: Workspace) -> None:
    folder = folder_for(workspace, alive=lambda pid: True)
    stop = threading.Event()
    calls: list[float] = []
    thread = threading.Thread(target=watch_presence, args=(folder, lambda: calls.append(time.monotonic()), stop),
                              kwargs={"check_every": 5.0}, daemon=True)
    thread.start()
    try:
        time.sleep(0.3)
        calls.clear()
        start = time.monotonic()
        PresenceFolder(workspace.path, host="here").write(peer("bo", 20))
        deadline = start + 3
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        assert calls, "no change reported"
        assert calls[0] - start < 1.0, "the change took longer than a second to be noticed"
    finally:
        stop.set()
        thread.join(5)


HEARTBEAT_CHILD = """
import os, sys, time
from pathlib import Path
from data.store.presence import PresenceFolder
folder = PresenceFolder(Path(sys.argv[1]))
folder.ensure()
me = folder.me("victim", pane="board", selected=1)
folder.write(me)
print(me.key, flush=True)
while True:
    time.sleep(2)
    folder.write(me)
"""


def test_a_worktop_killed_with_sigkill_vanishes(workspace: Workspace, python_children: Any) -> None:
    child = python_children.start(HEARTBEAT_CHILD, workspace.path)
    key = child.stdout.readline().strip()
    reader = PresenceFolder(workspace.path)
    assert [p.key for p in reader.read()] == [key]
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    wait_until(lambda: reader.read() == [], "a killed worktop to vanish from presence")
    assert os.listdir(reader.path) == [], "its file was not cleaned up"


def test_a_hung_or_far_away_worktop_vanishes_once_its_file_is_stale(workspace: Workspace) -> None:
    """Where the pid cannot be checked (another host sharing the folder), age alone decides."""
    clock = Clock()
    writer = folder_for(workspace, clock)
    writer.write(Presence(user="far", host="other-host", pid=os.getpid()))
    reader = PresenceFolder(workspace.path, host="here", clock=clock)
    assert [p.user for p in reader.read()] == ["far"]
    clock.now += STALE_AFTER + 0.5
    assert reader.read() == []
