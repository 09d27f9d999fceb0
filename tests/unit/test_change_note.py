"""Change notes: a reader catches up with another writer's change without parsing the whole file.

What matters is that a reader that takes the shortcut ends with exactly the data
a full read of the file gives, and that anything else (a hand edit, a file
restored from backup, a broken or stale note, a writer that wrote no note)
falls back to a full read.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

import data.store.storage as storage
from data.model.items import Person
from data.store.storage import backup_path, changes_path, read_file, write_atomic
from data.writes.ops import AddPerson, AddStep, AddWhyNote, Archive, CreateItem, Move, SetFields
from data.writes.workspace import Workspace


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every whole-file parse in this process, by path (following a note reads the bytes, but parses none)."""
    seen: list[Path] = []
    real = storage.parse

    def counting(raw: bytes, path: Path) -> Any:
        seen.append(path)
        return real(raw, path)

    monkeypatch.setattr(storage, "parse", counting)
    return seen


def reader_of(ws: Workspace) -> Workspace:
    reader = Workspace(ws.path, actor="bo", today=ws.today)
    reader.snapshot()
    return reader


def on_disk(path: Path) -> dict[str, Any]:
    return read_file(path)[0]


def test_a_reader_applies_another_writers_change_without_reading_the_file(workspace: Workspace, parses) -> None:
    item = workspace.apply(CreateItem("Write SAML handler", fields={"owner": "ana"})).item_id
    reader = reader_of(workspace)
    parses.clear()
    workspace.apply(SetFields(item, {"title": "Write the SAML handler", "due": "2025-01-20"}))
    snap = reader.snapshot()
    assert parses == []
    assert snap.items[item].title == "Write the SAML handler" and snap.items[item].due == "2025-01-20"
    assert snap.revision == workspace.snapshot().revision
    assert reader.storage.load() == on_disk(workspace.path)
    assert snap.changes_since(reader_of(workspace).snapshot()) is None  # same revision: nothing to say
    assert snap.last_change is not None and snap.last_change.by == "ana"


def test_a_reader_a_few_writes_behind_catches_up_through_the_chain(workspace: Workspace, parses) -> None:
    reader = reader_of(workspace)
    before = reader.snapshot()
    ids = [workspace.apply(CreateItem(f"task {n}")).item_id for n in range(3)]
    workspace.apply(Move(ids[0], "doing"))
    parses.clear()
    snap = reader.snapshot()
    assert parses == []
    assert [snap.items[i].title for i in ids] == ["task 0", "task 1", "task 2"]
    assert snap.items[ids[0]].status == "doing"
    assert set(snap.changes_since(before)) == set(ids)  # the history came along too
    assert reader.storage.load() == on_disk(workspace.path)


def test_a_reader_too_far_behind_reads_the_whole_file(workspace: Workspace, parses) -> None:
    reader = reader_of(workspace)
    for n in range(storage.CHANGE_NOTE_STEPS + 2):
        workspace.apply(CreateItem(f"task {n}"))
    parses.clear()
    snap = reader.snapshot()
    assert parses == [workspace.path]
    assert len(snap.items) == storage.CHANGE_NOTE_STEPS + 2


@pytest.mark.parametrize("meddle", ["hand edit", "restored backup", "broken note", "note removed", "foreign note"])
def test_anything_but_a_matching_note_means_a_whole_read(workspace: Workspace, parses, meddle: str) -> None:
    item = workspace.apply(CreateItem("one")).item_id
    reader = reader_of(workspace)
    workspace.apply(SetFields(item, {"title": "two"}))
    path = workspace.path
    if meddle == "hand edit":  # someone edits the file with no worktop: no note describes it
        data = orjson.loads(path.read_bytes())
        data["items"][str(item)]["title"] = "edited by hand"
        write_atomic(path, orjson.dumps(data), keep_backup=False)
        expected = "edited by hand"
    elif meddle == "restored backup":
        os.replace(backup_path(path), path)
        expected = "one"
    elif meddle == "broken note":
        changes_path(path).write_bytes(b'{"v":1,"steps":[{"base":')
        expected = "two"
    elif meddle == "note removed":
        changes_path(path).unlink()
        expected = "two"
    else:  # a note whose steps do not fit this file's tables
        note = orjson.loads(changes_path(path).read_bytes())
        note["steps"][-1]["tables"] = {"items": "not a table"}
        changes_path(path).write_bytes(orjson.dumps(note))
        expected = "two"
    parses.clear()
    assert reader.snapshot().items[item].title == expected
    assert parses == [path]
    assert reader.storage.load() == on_disk(path)


def test_a_reader_follows_a_long_random_sequence_of_changes_exactly(workspace: Workspace, parses) -> None:
    rng = random.Random(7)
    reader = reader_of(workspace)
    ids: list[int] = []
    reader_reads = 0
    for step in range(120):
        roll = rng.random()
        if roll < 0.3 or not ids:
            ids.append(workspace.apply(CreateItem(f"item {step}", fields={"owner": rng.choice(["ana", "ben"])})).item_id)
        elif roll < 0.5:
            workspace.apply(SetFields(rng.choice(ids), {"title": f"renamed {step}", "tags": "a,b"}))
        elif roll < 0.65:
            workspace.apply(Move(rng.choice(ids), rng.choice(["todo", "doing", "review", "done"])))
        elif roll < 0.75:
            workspace.apply(AddWhyNote(rng.choice(ids), f"decided at {step}"))
        elif roll < 0.85:
            workspace.apply(AddStep(rng.choice(ids), f"step {step}"))
        elif roll < 0.95:
            victim = ids.pop(rng.randrange(len(ids)))
            workspace.apply(Archive(victim))
        else:
            workspace.apply(AddPerson(Person(f"p{step}", f"Person {step}")))
        if rng.random() < 0.5:  # the reader looks now and then: sometimes one change behind, sometimes several
            before = len(parses)
            snap = reader.snapshot()
            reader_reads += len(parses) - before
            disk = on_disk(workspace.path)
            assert reader.storage.load() == disk, f"differs after step {step}"
            # the snapshot (patched from the one before, when the note was followed) is what a fresh one is
            fresh = Workspace(workspace.path).snapshot()
            assert list(snap.docs.items()) == list(fresh.docs.items()), f"snapshot differs after step {step}"
            assert (snap.revision, snap.people, snap.settings) == (fresh.revision, fresh.people, fresh.settings)
    assert reader_reads <= 5  # the odd long gap; almost every catch-up used the note


def test_the_note_has_the_workspace_files_mode_and_group(workspace: Workspace) -> None:
    os.chmod(workspace.path, 0o640)
    workspace.apply(CreateItem("one"))
    note = os.stat(changes_path(workspace.path))
    assert note.st_mode & 0o777 == 0o640
    assert note.st_gid == os.stat(workspace.path).st_gid


def test_a_huge_change_leaves_an_empty_note_and_readers_read_the_file(workspace: Workspace, parses,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    reader = reader_of(workspace)
    monkeypatch.setattr(storage, "CHANGE_NOTE_MAX_BYTES", 200)
    workspace.apply(CreateItem("a title long enough to push this note past two hundred bytes " * 2))
    assert orjson.loads(changes_path(workspace.path).read_bytes()) == {"v": 1, "steps": []}
    parses.clear()
    assert len(reader.snapshot().items) == 1
    assert parses == [workspace.path]


CHILD_WRITER = """
import sys
from data.writes.ops import CreateItem, SetFields
from data.writes.workspace import Workspace
ws = Workspace(sys.argv[1], actor=sys.argv[2])
mine = []
for n in range(40):
    if n % 4 == 3:
        ws.apply(SetFields(mine[-1], {"body": f"{sys.argv[2]} {n}"}))
    else:
        mine.append(ws.apply(CreateItem(f"{sys.argv[2]} {n}")).item_id)
"""


@pytest.mark.slow
def test_a_reader_beside_four_writer_processes_always_holds_what_the_file_held(workspace: Workspace,
                                                                                 python_children) -> None:
    """Real processes: four writers at once, the reader snapshotting as fast as it can; whatever
    path each catch-up took, the reader's data equals a whole read of the file at that stat."""
    reader = reader_of(workspace)
    writers = [python_children.start(CHILD_WRITER, workspace.path, f"w{n}") for n in range(4)]
    checked = 0
    while any(w.poll() is None for w in writers):
        snap = reader.snapshot()
        key, data = reader.storage._cache  # noqa: SLF001 - what the reader holds, and for which file
        disk, disk_key = read_file(workspace.path)
        if disk_key == key:  # nobody wrote in between: the two must agree exactly
            assert data == disk
            assert snap.revision == disk["meta"]["1"]["revision"]
            checked += 1
    for w in writers:
        assert w.wait() == 0, w.stderr.read()
    snap = reader.snapshot()
    assert reader.storage.load() == on_disk(workspace.path)
    assert len(snap.items) == 4 * 30
    assert checked > 0


def test_a_document_removed_by_a_write_leaves_the_readers_snapshot_too(workspace: Workspace, parses) -> None:
    """No operation deletes items today, but the note carries removals and readers must honour them."""
    keep = workspace.apply(CreateItem("stays")).item_id
    gone = workspace.apply(CreateItem("goes")).item_id
    reader = reader_of(workspace)
    storage_ = workspace.storage
    with storage.exclusive_lock(workspace.path):
        data = storage_.begin()
        del data["items"][str(gone)]
        data["items"][str(keep)] = dict(data["items"][str(keep)], title="stays, renamed")
        storage_.write(data)
        storage_.commit()
    parses.clear()
    snap = reader.snapshot()
    assert parses == []
    assert gone not in snap.items and snap.items[keep].title == "stays, renamed"
    assert list(snap.docs) == list(Workspace(workspace.path).snapshot().docs)
