"""What a member of a shared workspace can leave in its folder, and why it reaches no one.

Every file beside the workspace (the lock, the change note, the backup, the
presence folder, temp names) can be replaced by anyone in the group. Each test
here plants what a careless or hostile member could — a link, a FIFO, a folder,
``/dev/zero``, a huge sparse file, a forged note, a damaged document — and checks
what the person who opens the workspace next sees and what lands on disk. The
tests with several real Unix users are in ``test_member_attacks_users.py``.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.errors import WorkspaceUnreadable
from data.store.atomic import backup_path
from data.store.file_store import read_file
from data.store.history_file import history_path
from data.store.lock import lock_path
from data.store.presence import PresenceFolder, presence_dir
from data.writes.ops import CreateItem, SetFields
from data.writes.workspace import Workspace
from tests.conftest import ROOT, subprocess_env
from tests.support.aging import to_format_1
from tests.unit.test_concurrency import assert_history_matches_file

WAIT = 60.0
"""Seconds before a command that should return at once counts as hung (generous: the machine is shared)."""


def worktop(*argv: object, memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """``worktop ARGS`` as a separate process, as a person runs it; a hang fails the test after :data:`WAIT`."""

    def limit() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        return subprocess.run([sys.executable, "-m", "tui.cli", *map(str, argv)], cwd=ROOT, capture_output=True,
                              text=True, timeout=WAIT, env=subprocess_env(WORKTOP_USER="ana"), preexec_fn=limit)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"worktop {' '.join(map(str, argv))} hung for {WAIT:.0f} s") from error


def in_thread(work: Any) -> Any:
    """Run ``work()`` in a thread; fail if it does not return within :data:`WAIT` (it blocked)."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive(), f"{work} blocked for {WAIT:.0f} s"
    if "error" in result:
        raise result["error"]
    return result.get("value")


def add(workspace: Workspace, title: str) -> int:
    result = workspace.apply(CreateItem(title))
    assert result.item_id is not None
    return result.item_id


# -- FIFOs, devices and huge files never block or exhaust anyone --------------------------------------------------

def test_a_fifo_as_the_history_does_not_hang_a_writer(workspace: Workspace) -> None:
    add(workspace, "first")
    history = history_path(workspace.path)
    history.unlink()
    os.mkfifo(history)
    done = worktop("-w", workspace.path, "add", "second")
    assert done.returncode == 3, done.stderr
    assert "FIFO" in done.stderr and str(history) in done.stderr and "Traceback" not in done.stderr
    assert {d["title"] for d in read_file(workspace.path)[0]["items"].values()} == {"first"}  # nothing half-written


def test_a_fifo_as_the_history_does_not_hang_a_reader(workspace: Workspace) -> None:
    add(workspace, "first")
    history = history_path(workspace.path)
    history.unlink()
    os.mkfifo(history)
    done = worktop("-w", workspace.path, "log")
    assert done.returncode == 0, done.stderr  # the items are fine; only the history cannot be read
    assert in_thread(lambda: Workspace(workspace.path).snapshot().history.entries()) == []


def test_a_fifo_as_the_workspace_is_an_error_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "worktop.json"
    os.mkfifo(path)
    done = worktop("-w", path, "ls")
    assert done.returncode == 3
    assert "FIFO" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "sparse"])
def test_a_history_that_never_ends_is_not_read_to_the_end(workspace: Workspace, target: str) -> None:
    add(workspace, "first")
    history = history_path(workspace.path)
    if target == "sparse":
        with open(history, "r+b") as handle:
            handle.truncate(2 * 1024**3)  # 2 GB that cost no disk, past what the workspace says it holds
    else:
        history.unlink()
        history.symlink_to(target)
    log = worktop("-w", workspace.path, "log", memory=1024**3)  # 1 GB of address space is plenty
    assert log.returncode == 0, log.stderr
    done = worktop("-w", workspace.path, "add", "second", memory=1024**3)
    if target == "sparse":  # what lies past the history's end was never written by worktop: cut off
        assert done.returncode == 0, done.stderr
        assert history.stat().st_size < 1024**2
        assert [e["summary"] for e in Workspace(workspace.path).history()][:2] == ["created #2 second",
                                                                                 "created #1 first"]
    else:  # a link is not followed, not written through, not removed: the person is told what to do
        assert done.returncode == 3 and "symbolic link" in done.stderr, done.stderr
        assert history.is_symlink()


def test_the_workspace_as_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "worktop.json"
    path.symlink_to("/dev/zero")
    done = worktop("-w", path, "ls", memory=1024**3)
    assert done.returncode == 3
    assert "device" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("version", [2, 1])
def test_a_fifo_as_the_lock_file_does_not_hang_a_writer(workspace: Workspace, version: int) -> None:
    """Format 2 is locked through the workspace file itself: the lock file is not even opened. Format 1 (locked
    through it, as the worktops that wrote it do) skips a FIFO there, and says so."""
    if version == 1:
        to_format_1(workspace.path)
    lock = lock_path(workspace.path)
    lock.unlink(missing_ok=True)
    os.mkfifo(lock)
    done = worktop("-w", workspace.path, "add", "through the fifo")
    assert done.returncode == 0, done.stderr
    assert [d["title"] for d in read_file(workspace.path)[0]["items"].values()] == ["through the fifo"]
    if version == 1:
        assert "FIFO" in done.stderr and "ignored" in done.stderr  # not taken for the lock; the person is told


def test_a_dangling_lock_link_does_not_create_its_target(workspace: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "created-by-worktop"
    target.parent.mkdir()
    lock = lock_path(workspace.path)
    lock.unlink(missing_ok=True)
    lock.symlink_to(target)
    done = worktop("-w", workspace.path, "add", "hello")
    assert done.returncode == 0, done.stderr
    assert not target.exists()
    assert lock.is_symlink()  # left as it was: not worktop's to delete


def test_the_lock_replaced_by_a_folder_still_lets_a_write_through_and_says_so(workspace: Workspace) -> None:
    to_format_1(workspace.path)  # only format 1 is locked through the lock file
    lock = lock_path(workspace.path)
    lock.unlink(missing_ok=True)
    lock.mkdir()
    result = Workspace(workspace.path).apply(CreateItem("still works"))
    assert result.changed
    assert any("folder" in warning and str(lock) in warning for warning in result.notices), result.notices
    assert Workspace(workspace.path).apply(CreateItem("and again")).changed  # upgraded: the lock file is left alone


def test_a_presence_fifo_does_not_block_the_reader(workspace: Workspace) -> None:
    folder = PresenceFolder(workspace.path)
    folder.ensure()
    os.mkfifo(presence_dir(workspace.path) / f"ben@{folder.host}.{os.getpid()}.json")
    assert in_thread(folder.read) == []


# -- the backup -----------------------------------------------------------------------------------------------

def test_a_folder_where_the_backup_goes_does_not_block_writes(workspace: Workspace) -> None:
    add(workspace, "first")
    bak = backup_path(workspace.path)
    bak.unlink()
    bak.mkdir()
    result = workspace.apply(CreateItem("second"))
    assert result.changed
    assert any("backup" in w and "folder" in w for w in result.notices), result.notices
    assert bak.is_dir()


def test_when_the_backup_cannot_be_linked_the_writer_is_told(workspace: Workspace,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    add(workspace, "first")

    def no_links(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")  # out of inodes

    monkeypatch.setattr(os, "link", no_links)
    result = workspace.apply(CreateItem("second"))
    assert result.changed
    assert any("backup" in w and "not kept" in w for w in result.notices), result.notices


# -- a lock file someone deletes ------------------------------------------------------------------------------

WRITER = """
import sys
from data.errors import WorkspaceError
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
path, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
ws = Workspace(path, actor=who)
for n in range(count):
    for attempt in range(20):  # as a person would: a failed save is tried again; only a success counts
        try:
            ws.apply(CreateItem(f"{who} {n}"))
        except WorkspaceError as error:
            print(error, file=sys.stderr, flush=True)
            continue
        print(f"{who} {n}", flush=True)
        break
"""

DELETER = """
import os, sys, time
lock = sys.argv[1]
while True:
    try:
        os.unlink(lock)
    except FileNotFoundError:
        pass
    time.sleep(0.0005)
"""


@pytest.mark.slow
def test_a_lock_file_deleted_while_writers_run_loses_nothing(workspace: Workspace, python_children: Any) -> None:
    deleter = python_children.start(DELETER, lock_path(workspace.path))
    writers = [python_children.start(WRITER, workspace.path, f"w{n}", 40) for n in range(6)]
    acknowledged: set[str] = set()
    for proc in writers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        acknowledged |= set(out.split("\n")) - {""}
    deleter.kill()
    assert len(acknowledged) == 240
    titles = {doc["title"] for doc in read_file(workspace.path)[0]["items"].values()}
    assert acknowledged - titles == set(), f"{len(acknowledged - titles)} acknowledged ops lost"
    assert_history_matches_file(workspace.path)


# -- a change note that lies ----------------------------------------------------------------------------------

def test_a_forged_change_note_is_not_believed_nor_written_back(workspace: Workspace) -> None:
    """Worktops before the line layout left ``.NAME.changes`` notes; a member can still write one. Nothing reads it:
    a reader compares the file's own lines."""
    for title in ("one", "two", "three"):
        add(workspace, title)
    victim = Workspace(workspace.path, actor="ben")
    victim.snapshot()  # the victim's view: the file as it is now
    Workspace(workspace.path, actor="cy").apply(SetFields(2, {"body": "a real edit"}))
    doc = dict(read_file(workspace.path)[0]["items"]["1"], title="FORGED by a member")
    forged = {"v": 1, "steps": [{"base": [0, 0, 0, 0], "tables": {"items": {"set": {"1": doc}, "del": []}},
                                 "target": list(os.stat(workspace.path))[1:5]}]}
    workspace.path.with_name(".worktop.json.changes").write_bytes(orjson.dumps(forged))

    snapshot = victim.snapshot()
    assert snapshot.items[1].title == "one"
    assert snapshot.items[2].body == "a real edit"
    victim.apply(SetFields(3, {"why": "an unrelated save"}))
    data = assert_history_matches_file(workspace.path)
    assert data["items"]["1"]["title"] == "one"


# -- damaged documents: a clear error naming them, never a traceback ------------------------------------------

def _damage(path: Path, item: str, **fields: Any) -> None:
    data = orjson.loads(path.read_bytes())
    data["items"][item].update(fields)
    path.write_text(json.dumps(data))  # the stdlib writes any depth (orjson stops at 254), as a hand edit might


def test_an_item_whose_title_is_not_text_is_named_in_a_clear_error(workspace: Workspace) -> None:
    add(workspace, "fine")
    add(workspace, "to be damaged")
    _damage(workspace.path, "2", title={})
    done = worktop("-w", workspace.path, "ls")
    assert done.returncode == 3, done.stderr
    assert "#2" in done.stderr and "title" in done.stderr and "unexpected" not in done.stderr
    with pytest.raises(WorkspaceUnreadable, match="#2"):
        Workspace(workspace.path).snapshot()


@pytest.mark.parametrize("field,value", [("status", 5), ("tags", "not-a-list"), ("rank", "high"),
                                         ("checklist", [{"text": 3}]), ("parent", "1"), ("roles", []),
                                         ("why_log", [1, 2]), ("due", 20250101), ("owner", ["ana"])])
def test_other_damaged_fields_are_named_too(workspace: Workspace, field: str, value: Any) -> None:
    add(workspace, "to be damaged")
    _damage(workspace.path, "1", **{field: value})
    with pytest.raises(WorkspaceUnreadable, match=f"#1.*{field}"):
        Workspace(workspace.path).snapshot()


def test_an_unknown_field_nested_too_deep_to_write_is_refused_on_read(workspace: Workspace) -> None:
    add(workspace, "deep")
    deep: Any = "bottom"
    for _ in range(300):
        deep = [deep]
    _damage(workspace.path, "1", custom=deep)
    before = workspace.path.read_bytes()
    done = worktop("-w", workspace.path, "add", "another")
    assert done.returncode == 3, done.stderr
    assert "#1" in done.stderr and "custom" in done.stderr and "deep" in done.stderr
    assert workspace.path.read_bytes() == before


def test_an_argument_that_is_not_utf8_is_a_clear_error(workspace: Workspace) -> None:
    done = subprocess.run([sys.executable, "-m", "tui.cli", "-w", str(workspace.path), "add", b"caf\xe9".decode(
        "utf-8", "surrogateescape")], cwd=ROOT, capture_output=True, timeout=WAIT, env=subprocess_env())
    assert done.returncode == 2, done.stderr
    assert b"UTF-8" in done.stderr and b"unexpected" not in done.stderr and b"Traceback" not in done.stderr
    assert read_file(workspace.path)[0]["items"] == {}
