"""A second round of attacks by a member of a shared workspace, after the fixes of issue 10.

Each test plants what a careless or hostile member (or, once, a user outside
the group who was only given read access) can leave in the shared folder or
write into the shared file — a hand edit is always possible — and checks what
the next person to run worktop sees and what lands on disk. Every one of these
failed when it was written; see the report of the attack round for the shape
of each fix.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

import data.store.sharing  # noqa: F401 - loaded before the fork: the CLI imports it lazily
import data.writes.ops  # noqa: F401
from data.store import layout
from data.store.history_file import history_path
from data.store.presence import Presence, PresenceFolder, presence_dir
from data.writes.ops import CreateItem, SetFields
from data.writes.undo import UndoHistory, UndoStep
from data.writes.workspace import Workspace
from tests.conftest import ROOT, subprocess_env
from tests.support.users import Users, as_user, cli_as, cli_run, needs_root, start_as
from tests.unit.test_member_attacks import WAIT, add, worktop


def hand_edit(path: Path, change: Any) -> None:
    """Change the parsed file with ``change(data)`` and write it back as a member's editor would (stdlib JSON)."""
    data = orjson.loads(path.read_bytes())
    change(data)
    tmp = path.with_name("hand-edit.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def edit_last_history_entry(path: Path, change: Any) -> None:
    """Change the newest history entry with ``change(entry)``, keeping the file's length as the workspace says it."""
    history = history_path(path)
    lines = history.read_bytes().split(b"\n")
    entry = orjson.loads(lines[-2])
    change(entry)
    new = json.dumps(entry, separators=(",", ":")).encode()
    lines[-2] = new
    raw = b"\n".join(lines)
    history.write_bytes(raw)
    hand_edit(path, lambda data: data["meta"]["1"].update(history_bytes=len(raw)))


# -- ids: "digits" that are not numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("table,commands", [
    ("items", (["ls"], ["show", "1"], ["pulse"], ["add", "more"])),
    ("people", (["people"], ["person", "add", "dee"])),
])
def test_a_document_id_that_is_a_digit_but_not_a_number_is_a_clear_error(workspace: Workspace, table: str,
                                                                         commands: tuple[list[str], ...]) -> None:
    """``"¹"`` passes the ``str.isdigit`` check on read, but ``int("¹")`` raises: commands failed with "invalid
    literal for int() with base 10: '¹'" (exit 1, "bad input", naming nothing).

    In a running TUI the same edit arriving by live reload ended the app (exit 70) for everyone who had it open
    (tests/functional/test_attack_round2_tui.py).
    """
    add(workspace, "fine")
    workspace.apply(SetFields(1, {"owner": "ben"}))

    def plant(data: dict[str, Any]) -> None:
        docs = data[table]
        docs["¹"] = dict(next(iter(docs.values())))

    hand_edit(workspace.path, plant)
    for argv in commands:
        done = worktop("-w", workspace.path, *argv)
        assert "invalid literal" not in done.stderr, (argv, done.stderr)
        assert done.returncode == 0 or (done.returncode == 3 and str(workspace.path) in done.stderr), (argv, done)


# -- history entries a member hand-edited ---------------------------------------------------------------------------

MALFORMED_ENTRIES = {
    "changes is a list": {"changes": [1, 2]},
    "changes is text": {"changes": "status"},
    "item is a list": {"item": [1]},
    "item is an object": {"item": {}},
    "a status change holding a list": {"changes": {"status": ["todo", ["done"]]}},
}


@pytest.mark.parametrize("entry", MALFORMED_ENTRIES.values(), ids=MALFORMED_ENTRIES.keys())
@pytest.mark.parametrize("command", ["pulse", "report"])
def test_a_malformed_history_entry_does_not_break_pulse_or_report(workspace: Workspace, entry: dict[str, Any],
                                                                  command: str) -> None:
    """The history table is only checked to hold objects: pulse and report then died "unexpected error (…)".

    In the TUI the pulse pane (key 5) ended the app (tests/functional/test_attack_round2_tui.py).
    """
    add(workspace, "one")
    workspace.apply(data.writes.ops.Move(1, "doing"))  # pulse and report read status changes from the history
    edit_last_history_entry(workspace.path, lambda last: last.update(entry))
    done = worktop("-w", workspace.path, command)
    assert "unexpected" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0 or (done.returncode == 3 and str(workspace.path) in done.stderr), done.stderr


def test_undo_survives_a_malformed_history_entry_a_member_wrote_after_the_step(workspace: Workspace) -> None:
    """Undo looks through the newer history for who changed the field since; ``"changes": 7`` raised TypeError."""
    item = add(workspace, "shared item")
    mine = Workspace(workspace.path, actor="ana", today=workspace.today)
    undo = UndoHistory()
    before = mine.snapshot()
    result = mine.apply(SetFields(item, {"owner": "ben"}))
    undo.record(UndoStep.of_result(result, before=before))
    Workspace(workspace.path, actor="cy").apply(SetFields(item, {"owner": "cy"}))  # a teammate's change since

    edit_last_history_entry(workspace.path, lambda last: last.update(changes=7))
    outcome = undo.undo(mine)  # raised TypeError: argument of type 'int' is not iterable
    assert outcome.done is None and outcome.kept, outcome
    assert Workspace(workspace.path).snapshot().items[item].owner == "cy"


# -- a file that reads but can never be written ----------------------------------------------------------------------

def _deep(levels: int = 300) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


DEEP_PLACES = {
    "a checklist step's extra field": lambda d: d["items"]["1"].update(
        checklist=[{"text": "step", "done": False, "note": _deep()}]),
    "a why-log entry's extra field": lambda d: d["items"]["1"].update(
        why_log=[{"at": "2025-01-01T00:00:00Z", "by": "ana", "text": "t", "kind": "why", "extra": _deep()}]),
    "a why-log entry with few fields, one of them deep": lambda d: d["items"]["1"].update(
        why_log=[{"text": "t", "extra": _deep()}]),
    "a checklist step with one deep field beside its text": lambda d: d["items"]["1"].update(
        checklist=[{"text": "step", "note": _deep()}]),
    "a field of meta": lambda d: d["meta"]["1"].update(custom=_deep()),
    "a second meta document": lambda d: d["meta"].update({"2": {"custom": _deep()}}),
    "a table worktop does not know": lambda d: d.update(extra={"1": {"custom": _deep()}}),
    # The next write adds one: orjson writes no integer past 64 bits ("Integer exceeds 64-bit range").
    "a revision at the 64-bit limit": lambda d: d["meta"]["1"].update(revision=2 ** 64 - 1),
    "an item id at the 64-bit limit": lambda d: d["items"].update({str(2 ** 64 - 1): dict(d["items"]["1"])}),
}


@pytest.mark.parametrize("plant", DEEP_PLACES.values(), ids=DEEP_PLACES.keys())
def test_a_file_every_worktop_can_read_can_also_be_written(workspace: Workspace, plant: Any) -> None:
    """Round one refused an unknown *item* field nested 300 deep on read; everywhere else it still parses
    (orjson reads 1024 levels) and then every member's every write fails with "could not write …: Recursion
    limit reached". A number at the 64-bit limit does the same ("Integer exceeds 64-bit range"). Either the
    file is refused as it is read, with a message naming what is wrong, or it can be written."""
    add(workspace, "deep")
    hand_edit(workspace.path, plant)
    listed = worktop("-w", workspace.path, "ls")
    added = worktop("-w", workspace.path, "add", "another")
    refused_on_read = listed.returncode == 3 and str(workspace.path) in listed.stderr
    assert added.returncode == 0 or refused_on_read, (listed.returncode, listed.stderr, added.stderr)
    assert "could not write" not in added.stderr, added.stderr


# -- the backup's temp name ---------------------------------------------------------------------------------------

def test_a_folder_at_a_writers_backup_temp_name_does_not_block_their_saves(workspace: Workspace) -> None:
    """The backup is linked through ``.NAME.bak.<pid>.tmp``: a name anyone can predict (presence files give
    every running worktop's pid). A member who makes it a folder made every save of that process fail with
    "could not write …: Is a directory"."""
    add(workspace, "first")
    (workspace.path.parent / f".{workspace.path.name}.bak.{os.getpid()}.tmp").mkdir()  # this process is the victim
    result = workspace.apply(CreateItem("second"))
    assert result.changed
    assert [doc["title"] for doc in Workspace(workspace.path).snapshot().docs.values()] == ["first", "second"]


# -- presence files -----------------------------------------------------------------------------------------------

def test_a_presence_naming_a_pid_too_large_for_the_system_is_ignored(workspace: Workspace) -> None:
    """``os.kill(2**40, 0)`` raises OverflowError, not OSError: reading presence raised, and a TUI's presence
    listener (a worker that may fail quietly) stopped for good — nobody else showed in its header again."""
    folder = PresenceFolder(workspace.path)
    folder.ensure()
    now = time.time()
    ben = folder.write(Presence(user="ben", host=folder.host, pid=os.getpid(), started=now, at=now))
    (presence_dir(workspace.path) / f"cy@{folder.host}.1.json").write_bytes(orjson.dumps(
        {"user": "cy", "host": folder.host, "pid": 2 ** 40, "started": now, "at": now}))
    assert [peer.user for peer in folder.read()] == ["ben"]
    folder.remove(ben)


def test_junk_in_the_presence_folder_does_not_hide_the_people_who_are_there(workspace: Workspace) -> None:
    """Reading looks at the first 2048 names the folder lists — of any name, presence file or not. A member
    who fills the folder with files of other names hides everyone (and each reading still lists them all)."""
    folder = PresenceFolder(workspace.path)
    folder.ensure()
    now = time.time()
    peers = [folder.write(Presence(user=f"peer{n}", host="elsewhere", pid=100 + n, started=now, at=now))
             for n in range(5)]
    for n in range(40_000):
        os.close(os.open(folder.path / f"junk{n:05d}", os.O_CREAT | os.O_WRONLY, 0o644))
    seen = {peer.user for peer in folder.read()}
    assert seen == {peer.user for peer in peers}


def test_a_write_does_not_list_every_name_a_member_left_in_the_folder(workspace: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each write sweeps stale temp files by listing the whole workspace folder, under the lock. With 300k junk
    names a write took ~1 s (the budget is 20 ms) and every other writer queued behind it; a few million make
    every writer's 10 s lock wait run out."""
    add(workspace, "first")
    for n in range(50_000):
        os.close(os.open(workspace.path.parent / f"junk{n:05d}", os.O_CREAT | os.O_WRONLY, 0o644))
    folder = os.path.realpath(workspace.path.parent)
    looked_at = 0
    real_listdir, real_scandir = os.listdir, os.scandir

    def is_folder(target: Any) -> bool:
        try:
            return isinstance(target, int) and os.path.samestat(os.fstat(target), os.stat(folder)) or (
                not isinstance(target, int) and os.path.realpath(target) == folder)
        except (OSError, TypeError):
            return False

    def listdir(target: Any = ".") -> list[str]:
        nonlocal looked_at
        names = real_listdir(target)
        if is_folder(target):
            looked_at += len(names)
        return names

    class CountingScandir:
        def __init__(self, target: Any = ".") -> None:
            self.inner = real_scandir(target)
            self.counts = is_folder(target)

        def __iter__(self) -> CountingScandir:
            return self

        def __next__(self) -> os.DirEntry[str]:
            nonlocal looked_at
            entry = next(self.inner)
            looked_at += self.counts
            return entry

        def __enter__(self) -> CountingScandir:
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

        def close(self) -> None:
            self.inner.close()

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "scandir", CountingScandir)
    workspace.apply(CreateItem("second"))
    assert looked_at <= 10_000, f"one write looked at {looked_at} names in the workspace folder"


# -- text reaching a terminal -------------------------------------------------------------------------------------

def _on_a_terminal(*argv: object) -> bytes:
    """``worktop ARGS`` with its output on a terminal (a pty), as a person runs it; everything it printed."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", *map(str, argv)], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=secondary, stderr=secondary, env=subprocess_env(WORKTOP_USER="ana"))
    os.close(secondary)
    out = b""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=WAIT)
    os.close(primary)
    return out


def test_the_status_report_on_a_terminal_does_not_drive_it(workspace: Workspace) -> None:
    """``worktop report`` writes its Markdown with ``sys.stdout.write``, not through the CLI's inert output.

    Markdown escaping breaks ``ESC ]`` and ``ESC [`` by accident, but ``ESC k NAME ESC \\`` renamed the tmux
    window of whoever ran the report, ``ESC c`` resets their terminal, ``ESC ( 0`` turns its text to line
    drawing — from a title a member wrote.
    """
    item = add(workspace, "placeholder")
    workspace.apply(data.writes.ops.Move(item, "done"))
    hand_edit(workspace.path, lambda d: d["items"][str(item)].update(title="Fix \x1bkPWNED\x1b\\ \x1b(0 \x1bc done"))
    out = _on_a_terminal("-w", workspace.path, "report")
    assert b"Fix" in out, out
    assert b"\x1b" not in out, out


# -- a user outside the group, with read access only ----------------------------------------------------------------

@needs_root[0]
@needs_root[1]
def test_a_reader_outside_the_group_cannot_stop_every_members_writes(users: Users, base: Path) -> None:
    """``init --shared --others-read`` lets everyone read. Reading is enough to open the folder (and the lock
    file, 0664) and ``flock`` it: the outsider, who cannot write a byte, held every member's saves at the
    10 s lock wait and then refused them ("locked by process … (outsider)")."""
    code, _out, err = cli_run("init", "--shared", users.group, "--others-read", base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"
    read_end, write_end = os.pipe()

    def hold_the_lock() -> str:
        fds = [os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)]
        with_lock_file = os.open(path.with_name(f".{path.name}.lock"), os.O_RDONLY)
        fds.append(with_lock_file)
        for fd in fds:
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(write_end, b"held")
        time.sleep(30)
        return "done"

    finished = start_as(users.outsider, hold_the_lock)
    select.select([read_end], [], [], WAIT)
    assert os.read(read_end, 4) == b"held"
    try:
        assert cli_as(users.outsider, "-w", path, "add", "outsider")[0] == 3  # read-only for them, as promised
        code, _out, err = cli_as(users.ana, "-w", path, "add", "ana's work")
        assert code == 0, err
    finally:
        finished()
        os.close(read_end)
        os.close(write_end)


# -- a file touched, not changed ------------------------------------------------------------------------------------

def test_touching_the_file_does_not_make_every_reader_parse_it_again(workspace: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Any member may ``touch`` the workspace (it is group-writable). Each touch changes the stat key, matches
    no change note, and every running worktop reads and parses the whole file again: at 10k items, touching it
    20 times a second (nearly free for the member) kept each teammate's idle app at ~60% of a core."""
    for n in range(20):
        add(workspace, f"item {n}")
    reader = Workspace(workspace.path, actor="ben")
    reader.snapshot()
    parses = 0
    real_parse = layout.parse

    def counting(raw: bytes, path: Path) -> Any:
        nonlocal parses
        parses += 1
        return real_parse(raw, path)

    monkeypatch.setattr(layout, "parse", counting)
    for n in range(5):
        os.utime(workspace.path, ns=(time.time_ns() + n * 1_000_000,) * 2)
        assert len(reader.snapshot().items) == 20
    assert parses == 0, f"{parses} full parses of a file whose bytes never changed"


@needs_root[0]
@needs_root[1]
def test_a_member_cannot_open_the_workspace_to_outsiders_for_everyone_who_writes_next(users: Users,
                                                                                      base: Path) -> None:
    """Each write gives the new file the old one's permission bits masked with 0666 — others' write included.
    A member who last wrote the file (so owns it) runs ``chmod 666`` once; from then on every teammate's save
    keeps the workspace writable by every user on the host, and on a ``--others-read`` workspace (whose folder
    outsiders may enter) a user outside the group can overwrite it in place."""
    code, _out, err = cli_run("init", "--shared", users.group, "--others-read", base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"
    assert cli_as(users.bo, "-w", path, "add", "bo's item")[0] == 0  # the file is bo's now
    as_user(users.bo, lambda: os.chmod(path, 0o666))
    assert cli_as(users.ana, "-w", path, "add", "ana's item")[0] == 0  # ana's save, after bo's chmod

    def overwrite() -> str:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        except PermissionError:
            return "refused"
        os.close(fd)
        return "overwritten"

    assert as_user(users.outsider, overwrite) == "refused", "a user outside the group emptied the workspace"
    assert b"ana's item" in path.read_bytes()
