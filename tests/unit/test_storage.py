"""The workspace file on disk: bad files, permissions, backups, atomicity, caches.

The rule under test throughout: a file worktop cannot read is never written,
and a file worktop writes is always whole, keeps its mode and group, and keeps
what this version does not understand.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.errors import BadValue, Conflict, NotFound, ReadOnlyWorkspace, WorkspaceMissing, WorkspaceUnreadable
from data.model.items import Person
from data.store.atomic import backup_path
from data.store.file_store import read_file
from data.store.layout import FORMAT_VERSION
from data.writes.ops import AddWhyNote, Archive, CreateItem, Move, Reorder, SetFields
from data.writes.people import AddPerson, SetRole
from data.writes.steps import AddStep, ToggleStep
from data.writes.workspace import Workspace

TODAY = date(2025, 1, 15)


def _newer_format(path: Path) -> bytes:
    ws = Workspace.create(path, actor="ana")
    data = orjson.loads(path.read_bytes())
    data["meta"]["1"]["format_version"] = FORMAT_VERSION + 1
    path.unlink()
    del ws
    return orjson.dumps(data)


def _damaged(path: Path, damage: Callable[[dict[str, Any]], object]) -> bytes:
    """A real workspace with one item, then damaged by hand."""
    Workspace.create(path, actor="ana", people=[Person("ana")]).apply(CreateItem("one"))
    data = orjson.loads(path.read_bytes())
    for name in (path, backup_path(path), path.with_name(f".{path.name}.lock")):
        name.unlink(missing_ok=True)
    damage(data)
    return orjson.dumps(data)


BAD_FILES: dict[str, tuple[Callable[[Path], bytes], str]] = {
    # name: (make the bytes, a phrase the message must contain)
    "not json": (lambda p: b'{"meta": {"1": {"format": "worktop"', "not valid JSON"),
    "prose": (lambda p: b"shopping list: eggs, milk\n", "not valid JSON"),
    "json list": (lambda p: b"[]", "not a worktop workspace"),
    "stock tinydb": (lambda p: b'{"_default": {}}', "not a worktop workspace"),
    "other format": (lambda p: b'{"meta": {"1": {"format": "todo.txt"}}}', "not a worktop workspace"),
    "empty": (lambda p: b"", "empty"),
    "whitespace": (lambda p: b"\n  \n", "empty"),
    "newer format": (_newer_format, "newer worktop"),
    "items not a table": (
        lambda p: b'{"meta": {"1": {"format": "worktop", "format_version": 1}}, "items": []}', "'items'"
    ),
    # Hand-edited damage inside a real workspace: a clear message, not a ValueError from deep inside.
    "revision not a number": (lambda p: _damaged(p, lambda d: d["meta"]["1"].update(revision="7")), "revision"),
    "item not an object": (lambda p: _damaged(p, lambda d: d["items"].update({"2": "call the bank"})), "'2'"),
    "item id not a number": (lambda p: _damaged(p, lambda d: d["items"].update({"two": {"title": "x"}})), "'two'"),
    "person not an object": (lambda p: _damaged(p, lambda d: d["people"].update({"9": ["dee"]})), "'9'"),
    "statuses not a list": (lambda p: _damaged(p, lambda d: d["meta"]["1"].update(statuses="todo")), "statuses"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_file_gives_a_clear_error_and_is_never_written(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "worktop.json"
    make, phrase = BAD_FILES[kind]
    content = make(path)
    path.write_bytes(content)
    before = sorted(p.name for p in tmp_path.iterdir())

    ws = Workspace(path, actor="ana", today=TODAY)
    with pytest.raises(WorkspaceUnreadable) as opened:
        ws.snapshot()
    message = str(opened.value)
    assert str(path) in message
    assert phrase in message

    for op in (CreateItem("new work"), SetFields(1, {"title": "renamed"}), AddPerson(Person("dee"))):
        with pytest.raises(WorkspaceUnreadable) as written:
            ws.apply(op)
        assert str(path) in str(written.value)
        assert "nothing was written" in str(written.value).lower() or "not a workspace" in str(written.value)
    assert path.read_bytes() == content
    # No backup taken, no temp file left; only the (empty) sidecar lock file may appear.
    after = sorted(p.name for p in tmp_path.iterdir())
    assert set(after) - set(before) <= {f".{path.name}.lock"}


def test_missing_tables_are_empty_tables(tmp_path: Path) -> None:
    """Only meta is required; a file without items, people or history opens and takes writes."""
    path = tmp_path / "worktop.json"
    path.write_bytes(b'{"meta": {"1": {"format": "worktop", "format_version": 1}}}')
    ws = Workspace(path, actor="ana")
    assert ws.snapshot().items == {}
    assert ws.apply(CreateItem("first")).item_id == 1
    assert ws.snapshot().item(1).title == "first"


def test_a_file_whose_people_line_was_removed_by_hand_takes_writes(tmp_path: Path) -> None:
    """Format 2 without its people line (a hand edit) reads as no people; a write gives it an empty people
    table again, where it once wrote ``"people":null`` and reported the write failed though it had landed,
    leaving a file no worktop could open."""
    path = tmp_path / "worktop.json"
    ws = Workspace.create(path, name="test", actor="ana")
    ws.apply(CreateItem("first"))
    lines = path.read_bytes().split(b"\n")
    assert lines[1] == b'"people":{},'
    path.write_bytes(b"\n".join(lines[:1] + lines[2:]))

    hand_edited = Workspace(path, actor="ana")
    assert hand_edited.snapshot().people == {}
    assert hand_edited.apply(CreateItem("second")).item_id == 2
    assert orjson.loads(path.read_bytes())["people"] == {}
    reopened = Workspace(path, actor="ana").snapshot()
    assert [item.title for item in reopened.items.values()] == ["first", "second"]


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    ws = Workspace(path, actor="ana")
    with pytest.raises(WorkspaceMissing) as error:
        ws.snapshot()
    message = str(error.value)
    assert str(path) in message
    assert f"worktop init {path}" in message
    with pytest.raises(WorkspaceMissing):
        ws.apply(CreateItem("new work"))
    assert not path.exists(), "a write to a missing workspace must not create one"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceUnreadable, match="is a folder"):
        Workspace(tmp_path).snapshot()


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "worktop.json"
    path.write_bytes(b"precious")
    with pytest.raises(Exception, match="already exists"):
        Workspace.create(path)
    assert path.read_bytes() == b"precious"


def test_mode_survives_writes(workspace: Workspace) -> None:
    os.chmod(workspace.path, 0o660)
    workspace.apply(CreateItem("one"))
    workspace.apply(SetFields(1, {"title": "two"}))
    assert workspace.path.stat().st_mode & 0o7777 == 0o660
    os.chmod(workspace.path, 0o604)
    workspace.apply(SetFields(1, {"title": "three"}))
    assert workspace.path.stat().st_mode & 0o7777 == 0o604


def _foreign_group() -> int | None:
    """A group this process may give its files that is not its own, or None."""
    if os.geteuid() == 0:
        return 4242  # root may use any gid, named or not
    others = [g for g in os.getgroups() if g != os.getegid()]
    return others[0] if others else None


def test_group_survives_writes(workspace: Workspace) -> None:
    gid = _foreign_group()
    if gid is None:
        pytest.skip("this user belongs to no second group to give the file")
    os.chown(workspace.path, -1, gid)
    workspace.apply(CreateItem("one"))
    workspace.apply(SetFields(1, {"title": "two"}))
    assert workspace.path.stat().st_gid == gid


def test_backup_holds_the_previous_version(workspace: Workspace) -> None:
    path = workspace.path
    first = path.read_bytes()
    workspace.apply(CreateItem("one"))
    assert backup_path(path).read_bytes() == first
    second = path.read_bytes()
    workspace.apply(SetFields(1, {"title": "two"}))
    assert backup_path(path).read_bytes() == second
    # The backup is itself a readable workspace, one revision behind.
    backup, _ = read_file(backup_path(path))
    assert backup["meta"]["1"]["revision"] == workspace.snapshot().revision - 1


def test_no_temp_files_are_left_behind(workspace: Workspace) -> None:
    for n in range(5):
        workspace.apply(CreateItem(f"item {n}"))
    names = {p.name for p in workspace.path.parent.iterdir()}
    assert names == {"worktop.json", "worktop.json.bak", ".worktop.json.lock", "worktop.json.history"}


def test_a_writer_killed_after_linking_the_backup_leaves_no_litter(workspace: Workspace) -> None:
    """Killed between hard-linking the backup and replacing the file, a writer leaves the backup and
    the file as one inode; the next write's backup link must not leave its temp link behind
    (rename() between two links of one file does nothing)."""
    path = workspace.path
    if backup_path(path).exists():
        os.unlink(backup_path(path))
    os.link(path, backup_path(path))
    workspace.apply(CreateItem("after the kill"))
    assert not list(path.parent.glob("*.tmp"))
    assert os.stat(backup_path(path)).st_ino != os.stat(path).st_ino


def test_temp_files_left_by_a_killed_writer_are_removed(workspace: Workspace) -> None:
    """A writer killed between making its temp file and the rename leaves it behind.

    Under the lock no other writer can be using one, so the next write removes
    them; files that merely look alike (not names worktop's writers make) are left alone.
    """
    folder = workspace.path.parent
    litter = [".worktop.json.0a1b2c3d4e5f.tmp", ".worktop.json.changes.0a1b2c3d4e5f.tmp", ".worktop.json.bak.4242.tmp"]
    keep = ["notes.tmp", ".other.json.0a1b2c3d4e5f.tmp", "worktop.json.tmp", ".worktop.json.mine.tmp"]
    for name in litter + keep:
        (folder / name).write_bytes(b"{" * 1000)
    workspace.apply(CreateItem("one"))
    names = {p.name for p in folder.iterdir()}
    assert not names & set(litter)
    assert set(keep) <= names


def test_a_symlinked_workspace_stays_a_symlink(tmp_path: Path) -> None:
    """``~/worktop.json -> /srv/team/worktop.json``: writes must reach the shared file.

    Replacing the link with a private copy would silently split the team: this
    terminal's changes would go to a file nobody else opens, under a lock
    nobody else takes.
    """
    shared = tmp_path / "shared"
    home = tmp_path / "home"
    shared.mkdir()
    home.mkdir()
    real = shared / "worktop.json"
    Workspace.create(real, actor="ana", people=[Person("ana")])
    link = home / "worktop.json"
    link.symlink_to(real)

    mine = Workspace(link, actor="ana")
    mine.apply(CreateItem("through the link"))
    assert link.is_symlink() and link.resolve() == real
    assert Workspace(real).snapshot().item(1).title == "through the link"
    assert not (home / ".worktop.json.lock").exists() and (shared / ".worktop.json.lock").exists()
    assert sorted(p.name for p in home.iterdir()) == ["worktop.json"]


def test_unknown_fields_and_tables_survive_writes(workspace: Workspace) -> None:
    path = workspace.path
    workspace.apply(CreateItem("known"))
    data = orjson.loads(path.read_bytes())
    data["items"]["1"]["x_estimate"] = {"points": 3, "by": ["ana"]}
    data["meta"]["1"]["x_theme"] = "dusk"
    data["plugins"] = {"1": {"name": "calendar", "enabled": True}}
    path.write_bytes(orjson.dumps(data))

    assert workspace.snapshot().item(1).extra == {"x_estimate": {"points": 3, "by": ["ana"]}}
    workspace.apply(SetFields(1, {"title": "renamed", "owner": "ben"}))
    workspace.apply(CreateItem("another"))

    after = orjson.loads(path.read_bytes())
    assert after["items"]["1"]["x_estimate"] == {"points": 3, "by": ["ana"]}
    assert after["items"]["1"]["title"] == "renamed"
    assert after["meta"]["1"]["x_theme"] == "dusk"
    assert after["plugins"] == {"1": {"name": "calendar", "enabled": True}}


def test_a_snapshot_never_changes_after_it_is_taken(workspace: Workspace) -> None:
    """Panes keep a snapshot while the same process writes; a write, or a failed one, must not alter it."""
    workspace.apply(CreateItem("first", fields={"owner": "ana", "tags": "a"}))
    before = workspace.snapshot()
    item = before.item(1)

    workspace.apply(SetFields(1, {"title": "second", "owner": "ben", "tags": "b"}))
    assert (item.title, item.owner, item.tags) == ("first", "ana", ["a"])
    assert before.item(1).title == "first"

    middle = workspace.snapshot()
    with pytest.raises(NotFound):  # the first op changes #1 in memory, the second fails: all or none
        workspace.apply_all([SetFields(1, {"title": "third", "owner": "cy"}), SetFields(99, {"title": "x"})])
    assert (middle.item(1).title, middle.item(1).owner) == ("second", "ben")
    after = workspace.snapshot()
    assert (after.item(1).title, after.item(1).owner) == ("second", "ben")
    assert after.revision == middle.revision


def test_a_snapshot_never_changes_across_any_op(workspace: Workspace) -> None:
    """Every kind of op edits copies of the stored documents, never the ones a snapshot holds."""
    workspace.apply(CreateItem("goal", kind="goal"))
    for n in range(3):
        workspace.apply(CreateItem(f"card {n}", fields={"parent": 1, "owner": "ana", "tags": "x"}))
    ops = [
        SetFields(2, {"title": "renamed", "owner": "ben", "tags": "y", "why": "because"}),
        Move(2, "doing"), Reorder(3, 1), AddWhyNote(3, "a note"), AddStep(4, "a step"), ToggleStep(4, 0),
        SetRole(4, "cy", "A"), SetRole(4, "ben", "C"), Archive(4), AddPerson(Person("dee")),
    ]
    for op in ops:
        before = workspace.snapshot()
        frozen = {i: repr(before.item(i)) for i in before.items}
        people = dict(before.people)
        workspace.apply(op)
        assert {i: repr(before.item(i)) for i in before.items} == frozen, op
        assert before.people == people, op
    assert workspace.snapshot().revision == before.revision + 1


def test_a_write_that_changes_nothing_or_fails_keeps_the_parsed_file(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """No-op and refused ops must not cost a re-parse (about 40 ms at 10k items, 200 ms at 50k)."""
    from data.store import layout

    workspace.apply(CreateItem("one", fields={"owner": "ana"}))
    workspace.apply(CreateItem("two"))
    snap = workspace.snapshot()
    reads = []
    real_parse = layout.parse
    monkeypatch.setattr(layout, "parse", lambda raw, path: reads.append(path) or real_parse(raw, path))

    assert workspace.apply(SetFields(1, {"owner": "ana"})).changed is False
    with pytest.raises(BadValue):
        workspace.apply(SetFields(1, {"owner": "nobody-here"}))
    with pytest.raises(Conflict):
        workspace.apply(SetFields(1, {"title": "uno"}, expected={"title": "eins"}))
    with pytest.raises(NotFound):
        workspace.apply_all([SetFields(1, {"title": "uno"}), SetFields(99, {"title": "x"})])
    assert workspace.snapshot() is snap
    assert reads == []
    assert workspace.snapshot().item(1).title == "one"


# -- read-only ---------------------------------------------------------------

def _as_unprivileged(work: Callable[[], object]) -> object:
    """Run ``work`` as a user that file permissions apply to; return its result or raise its error.

    Root ignores permission bits, so as root the work runs in a forked child
    that drops to ``nobody`` first (CI runs as root).
    """
    if os.geteuid() != 0:
        return work()
    # Imported before dropping to nobody: the child may not read the Python install (under /root).
    import grp  # noqa: F401
    import pwd  # noqa: F401

    import data.store.sharing  # noqa: F401

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                outcome: tuple[str, object] = ("ok", work())
            except BaseException as error:  # noqa: BLE001 - reported to the parent
                outcome = ("raised", error)
            payload = pickle.dumps(outcome)
        except BaseException as error:  # noqa: BLE001
            payload = pickle.dumps(("raised", RuntimeError(f"could not drop privileges: {error!r}")))
        os.write(write_end, payload)
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "raised":
        raise value  # type: ignore[misc]
    return value


@pytest.fixture
def shared_folder() -> Path:
    """A folder everyone may write (pytest's own temp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="worktop-test-"))
    os.chmod(folder, 0o777)
    yield folder
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


def test_read_only_file_refuses_writes(shared_folder: Path) -> None:
    path = shared_folder / "worktop.json"
    Workspace.create(path, actor="ana", people=[Person("ana")]).apply(CreateItem("one"))
    os.chmod(path, 0o444)
    content = path.read_bytes()

    def attempt() -> None:
        ws = Workspace(path, actor="ana")
        assert ws.snapshot().items[1].title == "one"  # reading still works
        assert not ws.writable
        ws.apply(SetFields(1, {"title": "two"}))

    with pytest.raises(ReadOnlyWorkspace) as error:
        _as_unprivileged(attempt)
    assert str(path) in str(error.value)
    assert path.read_bytes() == content


def test_read_only_folder_refuses_writes(shared_folder: Path) -> None:
    """The file is writable but the folder is not: no temp file can be made beside it."""
    path = shared_folder / "worktop.json"
    Workspace.create(path, actor="ana", people=[Person("ana")]).apply(CreateItem("one"))
    os.chmod(path, 0o666)
    os.chmod(shared_folder, 0o755)
    content = path.read_bytes()
    try:
        with pytest.raises(ReadOnlyWorkspace):
            _as_unprivileged(lambda: Workspace(path, actor="ana").apply(SetFields(1, {"title": "two"})))
    finally:
        os.chmod(shared_folder, 0o777)
    assert path.read_bytes() == content


# -- other processes ---------------------------------------------------------

READER = textwrap.dedent(
    """
    import sys, os, json, orjson
    from pathlib import Path
    from data.store.layout import validate
    path, stop = Path(sys.argv[1]), Path(sys.argv[2])
    reads = bad = 0
    revisions = []
    while not stop.exists():
        with open(path, "rb") as handle:
            raw = handle.read()
        reads += 1
        if reads == 60:
            stop.with_name("read-enough").touch()
        try:
            data = validate(orjson.loads(raw), path)
            revisions.append(data["meta"]["1"]["revision"])
        except Exception as error:
            bad += 1
            print("BAD", len(raw), repr(error)[:200], file=sys.stderr)
    print(json.dumps({"reads": reads, "bad": bad, "distinct": len(set(revisions)),
                      "monotonic": revisions == sorted(revisions)}))
    """
)


def test_a_reader_never_sees_a_half_written_file(big_workspace: Callable[[int], Workspace], tmp_path: Path,
                                                   python_children: Any) -> None:
    ws = big_workspace(3000)  # about 1 MB: a write is many pages, never one atomic syscall
    stop = tmp_path / "stop"
    reader = python_children.start(READER, ws.path, stop)
    enough = tmp_path / "read-enough"
    try:
        n, give_up = 0, time.monotonic() + 120  # write until the reader has read 60 times while writes went on
        while (n < 40 or not enough.exists()) and time.monotonic() < give_up:
            ws.apply(SetFields(1 + n % 3000, {"title": f"rewritten {n}", "body": "x" * (n * 997 % 5000)}))
            n += 1
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=30)
    stats = orjson.loads(out.strip().splitlines()[-1])
    assert stats["bad"] == 0, err
    assert stats["monotonic"]
    assert stats["reads"] > 40 and stats["distinct"] > 5, stats


SESSION = textwrap.dedent(
    """
    import sys
    from data.writes.ops import CreateItem
    from data.writes.workspace import Workspace
    ws = Workspace(sys.argv[1], actor="ben")
    ws.snapshot()
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "create":
            print(ws.apply(CreateItem(arg)).item_id, flush=True)
        elif command == "ids":
            print(",".join(map(str, sorted(ws.snapshot().items))), flush=True)
        elif command == "title":
            print(ws.snapshot().item(int(arg)).title, flush=True)
    """
)


def test_caches_never_serve_another_process_stale_data(workspace: Workspace, python_children: Any) -> None:
    """A long-lived Workspace in another process sees our writes, and ids never collide.

    TinyDB caches the next document id and query results per table; both go
    stale when another process writes.
    """
    other = python_children.start(SESSION, workspace.path, stdin=subprocess.PIPE)

    def ask(line: str) -> str:
        other.stdin.write(line + "\n")
        other.stdin.flush()
        return other.stdout.readline().strip()

    try:
        assert ask("ids") == ""
        assert workspace.apply(CreateItem("mine")).item_id == 1
        assert ask("ids") == "1"
        assert ask("create theirs") == "2"
        assert ask("create theirs too") == "3"
        assert sorted(workspace.snapshot().items) == [1, 2, 3]
        assert workspace.apply(CreateItem("mine again")).item_id == 4
        assert ask("create theirs last") == "5"
        workspace.apply(SetFields(5, {"title": "renamed here"}))
        assert ask("title 5") == "renamed here"
        assert ask("ids") == "1,2,3,4,5"
    finally:
        other.stdin.close()
        other.wait(timeout=10)
    snap = workspace.snapshot()
    assert [snap.items[i].created_by for i in range(1, 6)] == ["ana", "ben", "ben", "ana", "ben"]
    assert snap.revision == 7


def test_two_workspaces_in_one_process(workspace: Workspace) -> None:
    other = Workspace(workspace.path, actor="ben")
    assert workspace.apply(CreateItem("a")).item_id == 1
    assert other.apply(CreateItem("b")).item_id == 2
    assert workspace.apply(CreateItem("c")).item_id == 3
    assert sorted(other.snapshot().items) == [1, 2, 3]
    assert sorted(workspace.snapshot().items) == [1, 2, 3]


# -- the line layout a write without a whole parse relies on ------------------------------------

def _three_items(path: Path) -> bytes:
    ws = Workspace.create(path, actor="ana", people=[Person("ana")])
    for title in ("one", "two", "three"):
        ws.apply(CreateItem(title))
    return path.read_bytes()


def _add_reading_lines(path: Path, title: str) -> int:
    """An add as ``worktop add`` makes it: a new workspace object that has parsed nothing, so it reads only the
    lines it needs where the file is in the line layout (and the whole file where it is not)."""
    result = Workspace(path, actor="bo").apply(CreateItem(title))
    assert result.item_id is not None
    return result.item_id


@pytest.mark.parametrize(
    ("edit", "in_layout"),
    [
        (lambda raw: raw, True),
        (lambda raw: raw.replace(b'},\n"2":', b'},"2":'), False),  # two items on one line
        (lambda raw: raw.replace(b'"title":"two",', b'"title":"two",\n'), False),  # one item over two lines
        (lambda raw: raw.replace(b'\n"2":', b'\n  "2":'), False),  # an indented line (an editor)
        (lambda raw: raw.replace(b'\n}}', b'\n}}\n'), False),  # a line break after the end
        (lambda raw: raw.replace(b'"item_count":3', b'"item_count":4'), False),  # the settings count another item
        (lambda raw: orjson.dumps(orjson.loads(raw), option=orjson.OPT_INDENT_2), False),  # jq .
    ],
    ids=["as written", "joined", "split", "indented", "after the end", "miscounted", "jq"],
)
def test_only_a_file_exactly_in_the_line_layout_is_written_line_by_line(
        tmp_path: Path, edit: Callable[[bytes], bytes], in_layout: bool) -> None:
    """Anything else is read whole, and the next write puts it back in the layout with every item kept."""
    from data.store import layout

    path = tmp_path / "worktop.json"
    path.write_bytes(edit(_three_items(path)))
    raw = path.read_bytes()
    meta = orjson.loads(raw)["meta"]["1"]
    assert layout.in_line_layout(raw, meta) is in_layout
    if layout.header_lines(raw) is not None:
        assert layout.Lines(raw, path).in_layout(meta) is in_layout
    assert _add_reading_lines(path, "four") == 4
    after = path.read_bytes()
    assert [d["title"] for d in orjson.loads(after)["items"].values()] == ["one", "two", "three", "four"]
    assert layout.in_line_layout(after, orjson.loads(after)["meta"]["1"])


def test_a_write_never_takes_an_id_a_hand_edit_gave_an_item(tmp_path: Path) -> None:
    """A line added by hand (its count kept right, the next id not): the new item gets the next free id, and the
    one added by hand stays; no id is in the file twice."""
    from data.store import layout

    path = tmp_path / "worktop.json"
    raw = _three_items(path)
    line = layout.item_line("4", {"kind": "task", "title": "added by hand", "status": "todo"})
    raw = raw.replace(b"\n}}", b",\n" + line + b"\n}}").replace(b'"item_count":3', b'"item_count":4')
    path.write_bytes(raw)
    assert layout.in_line_layout(raw, orjson.loads(raw)["meta"]["1"])
    assert _add_reading_lines(path, "four") == 5
    after = path.read_bytes()
    assert after.count(b'\n"4":') == 1 and after.count(b'\n"5":') == 1
    assert {k: d["title"] for k, d in orjson.loads(after)["items"].items()} == {
        "1": "one", "2": "two", "3": "three", "4": "added by hand", "5": "four"}
