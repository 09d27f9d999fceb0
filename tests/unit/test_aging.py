"""A workspace as it ages: the history lives beside the file, old files upgrade themselves, kills lose nothing.

The history used to live inside the workspace file, so every write rewrote
every change ever made and every read parsed it. Now each write appends its
entries to ``NAME.history`` and the file says how much of it it covers; these
tests check that a format-1 file upgrades on its first write with every entry
and the same log, pulse and undo; that an older worktop refuses the new format;
that writes never read the history; and that a writer killed at any step of a
write leaves the history and the file agreeing, with no acknowledged op lost.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.errors import WorkspaceUnreadable
from data.store import history_file, layout
from data.store.file_store import read_file, read_history
from data.views.pulse import compute_pulse
from data.writes.ops import CreateItem, Move, SetFields
from data.writes.undo import UndoHistory, UndoStep
from data.writes.workspace import Workspace
from tests.conftest import ROOT, subprocess_env
from tests.history_builder import TODAY, build_history_workspace
from tests.support.aging import age, to_format_1
from tests.unit.test_concurrency import assert_history_matches_file

FORMAT_1_COMMIT = "8b9b8b3"
"""The last commit whose worktop wrote format 1 (data/storage.py read and wrote it)."""


def looks(ws: Workspace) -> tuple[Any, ...]:
    """What a person reads about the workspace's past: the log, the pulse, and one item's history."""
    snap = ws.snapshot()
    pulse = compute_pulse(snap, TODAY, weeks=4)
    return ([(e["rev"], e["by"], e["summary"], e["changes"]) for e in ws.history()],
            pulse.weeks, pulse.cycle_median, pulse.on_time, pulse.with_due, [e["summary"] for e in ws.history(2)])


def test_a_format_1_workspace_upgrades_on_its_first_write_keeping_every_entry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, ids = build_history_workspace(tmp_path / "worktop.json", monkeypatch)
    before = looks(ws)
    entries = read_history(ws.path)
    old_bytes = to_format_1(ws.path)
    old = Workspace(ws.path, today=TODAY)
    assert looks(old) == before  # read as it is, history and all
    assert not history_file.history_path(ws.path).exists()

    undo = UndoHistory()
    result = old.apply(SetFields(ids["H"], {"owner": "ana"}))  # the first write upgrades the file
    undo.record(UndoStep.of_result(result))
    raw = ws.path.read_bytes()
    meta = orjson.loads(raw)["meta"]["1"]
    assert meta["format_version"] == 2 and "history" not in orjson.loads(raw)
    assert layout.in_line_layout(raw, meta)
    assert ws.path.with_name("worktop.json.v1").read_bytes() == old_bytes  # the previous version, kept beside it
    assert read_history(ws.path)[:-1] == entries and read_history(ws.path)[-1]["summary"] == f"set owner of #{ids['H']}"
    after = looks(Workspace(ws.path, today=TODAY))
    assert after[0][1:] == before[0] and after[1:] == before[1:]  # the same log (one entry more), pulse, item log
    assert "undid" in undo.undo(old).message
    assert Workspace(ws.path).snapshot().items[ids["H"]].owner is None
    assert_history_matches_file(ws.path)


def _format_1_reader() -> types.ModuleType:
    """The storage module of the last worktop that wrote format 1, taken from this repository's history."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the older worktop comes from the repository's history")
    shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{FORMAT_1_COMMIT}:data/storage.py"],
                           capture_output=True, text=True)
    if shown.returncode != 0:
        pytest.skip(f"commit {FORMAT_1_COMMIT} is not in this clone ({shown.stderr.strip()})")
    module = types.ModuleType("format_1_storage")
    exec(compile(shown.stdout, "format_1_storage.py", "exec"), module.__dict__)  # noqa: S102 - our own code
    return module


def test_an_older_worktop_refuses_the_new_format_with_a_clear_message(workspace: Workspace) -> None:
    workspace.apply(CreateItem("written by this worktop"))
    old = _format_1_reader()
    with pytest.raises(old.WorkspaceUnreadable, match="written by a newer worktop .format 2, this one reads 1."):
        old.read_file(workspace.path)


def test_a_newer_format_is_refused_by_this_worktop(workspace: Workspace) -> None:
    raw = workspace.path.read_bytes().replace(b'"format_version":2', b'"format_version":3')
    workspace.path.write_bytes(raw)
    with pytest.raises(WorkspaceUnreadable, match="newer worktop .format 3, this one reads 2"):
        Workspace(workspace.path).snapshot()


def test_writes_never_read_the_history(workspace: Workspace, monkeypatch: pytest.MonkeyPatch, run: Any) -> None:
    """However old the workspace, a write only appends: a write that read the history would fail here."""
    workspace.apply(CreateItem("first", fields={"owner": "ana"}))
    age(workspace.path, 2000)
    size = history_file.history_path(workspace.path).stat().st_size

    def no_reading(self: Any, start: int, end: int) -> bytes:
        raise AssertionError("a write read the history")

    monkeypatch.setattr(history_file.HistoryReader, "_read", no_reading)
    assert run("-w", workspace.path, "add", "new work", "--owner", "ben").code == 0
    assert run("-w", workspace.path, "set", "1", "due=fri").code == 0
    assert run("-w", workspace.path, "ls", "owner:ben").code == 0
    tui_like = Workspace(workspace.path, actor="cy", today=date(2025, 1, 15))
    tui_like.snapshot()
    tui_like.apply(Move(1, "doing"))
    grown = history_file.history_path(workspace.path).stat().st_size - size
    assert 0 < grown < 2000  # three entries appended, nothing rewritten
    assert orjson.loads(workspace.path.read_bytes())["meta"]["1"]["history_bytes"] == size + grown


def test_the_workspace_file_does_not_grow_with_its_history(workspace: Workspace) -> None:
    """Every write rewrote every change ever made when the history lived in the file."""
    for n in range(5):
        workspace.apply(CreateItem(f"task {n}"))
    young = workspace.path.stat().st_size
    age(workspace.path, 5000)
    assert workspace.path.stat().st_size - young < 200  # the revision and the history's size, nothing more
    assert len(Workspace(workspace.path).history()) == 5000 + 6


# -- a writer killed at each step of a write -----------------------------------------------------------------------

KILLED_WRITER = """
import os, signal, sys
import data.store.atomic as atomic
import data.store.history_file as history_file
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace

path, who, count, step, at = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
writes = 0

def dies_after(real):
    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        if writes == at:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapper

if step == "history":        # entries appended and fsync'd; the file not yet replaced
    history_file.append = dies_after(history_file.append)
elif step == "temp":         # the new file written and fsync'd under its temp name; not yet renamed
    atomic.os.fsync = dies_after(atomic.os.fsync)
elif step == "replace":      # the file replaced; the folder not yet fsync'd
    atomic.os.replace = dies_after(atomic.os.replace)
ws = Workspace(path, actor=who)
for n in range(count):
    writes = n
    ws.apply(CreateItem(f"{who} {n}"))
    print(f"{who} {n}", flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("step", ["history", "temp", "replace"])
def test_a_writer_killed_at_each_step_leaves_history_and_file_agreeing(workspace: Workspace, step: str) -> None:
    acknowledged: set[str] = set()
    for at in range(0, 12, 3):  # killed at its 1st, 4th, 7th and 10th write, each time in a new process
        child = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(workspace.path), f"{step}{at}", "12",
                                step, str(at)], cwd=ROOT, env=subprocess_env(), capture_output=True, text=True,
                               timeout=120)
        assert child.returncode == -signal.SIGKILL, child.stderr
        acknowledged |= set(child.stdout.split("\n")) - {""}
        data = assert_history_matches_file(workspace.path)  # never a change the file lacks, never one missing
        titles = {doc["title"] for doc in data["items"].values()}
        assert acknowledged <= titles, acknowledged - titles
    Workspace(workspace.path, actor="after").apply(CreateItem("after the kills"))
    data = assert_history_matches_file(workspace.path)
    assert history_file.history_path(workspace.path).stat().st_size == data["meta"]["1"]["history_bytes"]
    assert not [p for p in os.listdir(workspace.path.parent) if p.endswith(".tmp")]
    assert read_file(workspace.path)[0]["items"]


def test_a_live_pulse_reads_only_what_was_appended_and_notices_a_rewritten_history(workspace: Workspace) -> None:
    """The store keeps the status moves it read; the next snapshot's history adds the new lines only, and a
    history someone rewrote (its end no longer what was read) is read again from the start."""
    ids = [workspace.apply(CreateItem(f"task {n}")).item_id for n in range(3)]
    workspace.apply(Move(ids[0], "doing"))
    age(workspace.path, 3000)  # the first move is far from the end
    first = workspace.snapshot().history.status_moves()
    workspace.apply(Move(ids[1], "doing"))
    read: list[tuple[int, int]] = []
    real = history_file.HistoryReader._read

    def counting(self: Any, start: int, end: int) -> bytes:
        read.append((start, end))
        return real(self, start, end)

    history_file.HistoryReader._read = counting  # type: ignore[method-assign]
    try:
        second = workspace.snapshot().history.status_moves()
    finally:
        history_file.HistoryReader._read = real  # type: ignore[method-assign]
    assert second[:-1] == first and second[-1][0] == ids[1]
    assert all(start > 0 for start, _end in read)  # only the end of the history was read
    assert second == Workspace(workspace.path).snapshot().history.status_moves()  # as a fresh read gives

    history = history_file.history_path(workspace.path)  # a script rewrites an old line (a new file put in place)
    history.with_name("rewritten").write_bytes(history.read_bytes().replace(b'"doing"]', b'"review"]', 1))
    os.replace(history.with_name("rewritten"), history)
    workspace.apply(Move(ids[2], "doing"))
    third = workspace.snapshot().history.status_moves()
    assert third == Workspace(workspace.path).snapshot().history.status_moves()
