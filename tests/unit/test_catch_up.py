"""A reader catches up with another writer's change by comparing the file's lines, not by parsing it.

What matters is that a reader that takes the shortcut ends with exactly the data
a full read of the file gives, whatever happened in between (several writes, a
hand edit, a restored backup, a file in another layout), and that it parses the
whole file only when the lines cannot say (a file not in the line layout).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.model.items import Person
from data.store import layout
from data.store.atomic import backup_path, write_atomic
from data.store.file_store import read_file
from data.writes.ops import AddWhyNote, Archive, CreateItem, Move, SetFields
from data.writes.people import AddPerson
from data.writes.steps import AddStep
from data.writes.workspace import Workspace


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every whole-file parse in this process, by path."""
    seen: list[Path] = []
    real = layout.parse

    def counting(raw: bytes, path: Path) -> Any:
        seen.append(path)
        return real(raw, path)

    monkeypatch.setattr(layout, "parse", counting)
    return seen


def reader_of(ws: Workspace) -> Workspace:
    reader = Workspace(ws.path, actor="bo", today=ws.today)
    reader.snapshot()
    return reader


def held(reader: Workspace) -> dict[str, Any]:
    """What the reader holds, as the tables a whole read gives."""
    state = reader.store._state  # noqa: SLF001 - the point of these tests
    assert state is not None and state.docs is not None
    return {"meta": {"1": state.meta}, "people": state.people, "items": {str(k): v for k, v in state.docs.items()}}


def on_disk(path: Path) -> dict[str, Any]:
    return read_file(path)[0]


def test_a_reader_applies_another_writers_change_without_parsing_the_file(workspace: Workspace, parses) -> None:
    item = workspace.apply(CreateItem("Write SAML handler", fields={"owner": "ana"})).item_id
    reader = reader_of(workspace)
    before = reader.snapshot()
    parses.clear()
    workspace.apply(SetFields(item, {"title": "Write the SAML handler", "due": "2025-01-20"}))
    snap = reader.snapshot()
    assert parses == []
    assert snap.items[item].title == "Write the SAML handler" and snap.items[item].due == "2025-01-20"
    assert snap.revision == workspace.snapshot().revision
    assert held(reader) == on_disk(workspace.path)
    changes = snap.changes_since(before)
    assert changes is not None and set(changes) == {item} and {"title", "due"} <= changes[item]
    assert snap.last_change is not None and snap.last_change.by == "ana"


def test_a_reader_any_number_of_writes_behind_still_compares_lines(workspace: Workspace, parses) -> None:
    reader = reader_of(workspace)
    before = reader.snapshot()
    ids = [workspace.apply(CreateItem(f"task {n}")).item_id for n in range(12)]
    workspace.apply(Move(ids[0], "doing"))
    parses.clear()
    snap = reader.snapshot()
    assert parses == []
    assert [snap.items[i].title for i in ids] == [f"task {n}" for n in range(12)]
    assert snap.items[ids[0]].status == "doing"
    assert set(snap.changes_since(before)) == set(ids)
    assert held(reader) == on_disk(workspace.path)


@pytest.mark.parametrize("meddle", ["hand edit of one line", "whole file rewritten by another tool",
                                    "restored backup", "stale change note"])
def test_whatever_happened_to_the_file_the_reader_ends_with_what_it_holds(workspace: Workspace, parses,
                                                                         meddle: str) -> None:
    item = workspace.apply(CreateItem("one")).item_id
    reader = reader_of(workspace)
    workspace.apply(SetFields(item, {"title": "two"}))
    path = workspace.path
    parsed_whole = False
    if meddle == "hand edit of one line":  # an editor keeps the layout: only that line differs
        path.write_bytes(path.read_bytes().replace(b'"title":"two"', b'"title":"edited by hand"'))
        expected = "edited by hand"
    elif meddle == "whole file rewritten by another tool":  # one line, keys in another order: read whole
        data = orjson.loads(path.read_bytes())
        data["items"][str(item)]["title"] = "rewritten"
        write_atomic(path, orjson.dumps(data, option=orjson.OPT_SORT_KEYS), keep_backup=False)
        expected, parsed_whole = "rewritten", True
    elif meddle == "restored backup":
        os.replace(backup_path(path), path)
        expected = "one"
    else:  # a note an older worktop, or a member, left: nothing reads it
        path.with_name(".worktop.json.changes").write_bytes(b'{"v":1,"steps":[{"base":[1,2,3,4]}]}')
        expected = "two"
    parses.clear()
    assert reader.snapshot().items[item].title == expected
    assert parses == ([path] if parsed_whole else [])
    assert held(reader) == on_disk(path)


def test_a_reader_follows_a_long_random_sequence_of_changes_exactly(workspace: Workspace, parses) -> None:
    rng = random.Random(7)
    reader = reader_of(workspace)
    parses.clear()
    ids: list[int] = []
    looks = reader_parses = 0
    for step in range(160):
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
            workspace.apply(Archive(ids.pop(rng.randrange(len(ids)))))
        else:
            workspace.apply(AddPerson(Person(f"p{step}", f"Person {step}")))
        if rng.random() < 0.5:  # the reader looks now and then: sometimes one change behind, sometimes several
            looks += 1
            before = len(parses)
            snap = reader.snapshot()
            reader_parses += len(parses) - before
            assert held(reader) == on_disk(workspace.path), f"differs after step {step}"
            fresh = Workspace(workspace.path).snapshot()
            assert list(snap.docs.items()) == list(fresh.docs.items()), f"snapshot differs after step {step}"
            assert (snap.revision, snap.people, snap.settings) == (fresh.revision, fresh.people, fresh.settings)
    assert looks > 50 and reader_parses == 0  # every catch-up compared lines


def test_an_item_removed_by_a_write_leaves_the_readers_snapshot_too(workspace: Workspace, parses) -> None:
    """No operation deletes items today, but a transaction can, and readers must honour it."""
    keep = workspace.apply(CreateItem("stays")).item_id
    gone = workspace.apply(CreateItem("goes")).item_id
    reader = reader_of(workspace)
    store = workspace.store
    with store.transaction("ana", "2025-01-15T09:00:00Z", workspace.today) as txn:
        txn.remove_item(gone)
        txn.raw_item(keep)["title"] = "stays, renamed"
        txn.record("remove", gone, {"title": ["goes", None]}, f"removed #{gone}")
        store.commit(txn)
    parses.clear()
    snap = reader.snapshot()
    assert parses == []
    assert gone not in snap.items and snap.items[keep].title == "stays, renamed"
    assert list(snap.docs) == list(Workspace(workspace.path).snapshot().docs)


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
    """Real processes: four writers at once, the reader snapshotting as fast as it can; the reader's data
    equals a whole read of the file at that stat."""
    reader = reader_of(workspace)
    writers = [python_children.start(CHILD_WRITER, workspace.path, f"w{n}") for n in range(4)]
    checked = 0
    while any(w.poll() is None for w in writers):
        snap = reader.snapshot()
        state = reader.store._state  # noqa: SLF001
        disk, disk_key = read_file(workspace.path)
        if disk_key == state.key:  # nobody wrote in between: the two must agree exactly
            assert held(reader) == disk
            assert snap.revision == disk["meta"]["1"]["revision"]
            checked += 1
    for w in writers:
        assert w.wait() == 0, w.stderr.read()
    snap = reader.snapshot()
    assert held(reader) == on_disk(workspace.path)
    assert len(snap.items) == 4 * 30
    assert checked > 0
