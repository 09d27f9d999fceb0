"""Undo and redo from the history (data/writes/undo.py), including someone else writing in between.

The ``workspace`` fixture acts as ana, with people ana, ben and cy, today pinned to Wed 2025-01-15.
"""

from __future__ import annotations

import pytest

import data.writes.undo
from data.errors import Conflict
from data.model.items import Person
from data.writes.ops import CreateItem, Move, Operation, Reorder, SetFields
from data.writes.people import AddPerson
from data.writes.triage import Accept, MarkDuplicate, Snooze
from data.writes.undo import RestoreFields, UndoHistory, UndoStep, plan_inverse
from data.writes.workspace import Workspace
from tests.support.stores import as_user, fingerprint, hand_edit, stored, stored_doc

pytestmark = pytest.mark.both_stores


def do(ws: Workspace, history: UndoHistory, *ops: Operation) -> None:
    """What the app does for each write: apply, then record the step."""
    before = ws.snapshot()
    result = ws.apply_all(list(ops))
    history.record(UndoStep.of_result(result, before))


def on_disk(ws: Workspace, item_id: int) -> dict:
    return stored_doc(ws, item_id)


def ben(ws: Workspace) -> Workspace:
    return as_user(ws, "ben")


@pytest.fixture
def request_id(workspace: Workspace) -> int:
    return workspace.apply(CreateItem("Export to CSV", kind="request", fields={"requester": "dana"})).item_id


def test_undo_then_redo_an_accept(workspace: Workspace, request_id: int) -> None:
    history = UndoHistory()
    do(workspace, history, Accept(request_id, {"owner": "cy", "due": "fri", "why": "finance asked"}))
    outcome = history.undo(workspace)
    assert outcome.error is None and outcome.done.startswith("undid: ")
    doc = on_disk(workspace, request_id)
    assert doc["status"] == "inbox" and "owner" not in doc and "due" not in doc and "why" not in doc
    outcome = history.redo(workspace)
    assert outcome.error is None and outcome.done.startswith("redid: ")
    doc = on_disk(workspace, request_id)
    assert (doc["status"], doc["owner"], doc["due"], doc["why"]) == ("todo", "cy", "2025-01-17", "finance asked")
    assert history.undo(workspace).error is None  # and undo again after the redo
    assert on_disk(workspace, request_id)["status"] == "inbox"


def test_undo_leaves_a_field_someone_changed_since_and_says_who(workspace: Workspace, request_id: int) -> None:
    history = UndoHistory()
    do(workspace, history, Accept(request_id, {"owner": "cy", "due": "fri"}))
    ben(workspace).apply(SetFields(request_id, {"due": "mon"}))
    outcome = history.undo(workspace)
    doc = on_disk(workspace, request_id)
    assert doc["status"] == "inbox" and "owner" not in doc  # still held what ana gave them: undone
    assert doc["due"] == "2025-01-20"  # ben's value stays
    assert "#1 due date: changed by ben" in outcome.message and "'2025-01-20'" in outcome.message


def test_undo_with_every_field_changed_since_writes_nothing(workspace: Workspace, request_id: int) -> None:
    history = UndoHistory()
    do(workspace, history, SetFields(request_id, {"owner": "cy"}))
    ben(workspace).apply(SetFields(request_id, {"owner": "ben"}))
    before = fingerprint(workspace)
    outcome = history.undo(workspace)
    assert outcome.done is None and "nothing undone" in outcome.message and "owner: changed by ben" in outcome.message
    assert fingerprint(workspace) == before


def test_a_write_racing_the_undo_is_a_conflict_and_the_step_stays(workspace: Workspace, request_id: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    history = UndoHistory()
    do(workspace, history, SetFields(request_id, {"owner": "cy", "due": "fri"}))
    real_plan = data.writes.undo.plan_inverse

    def plan_then_ben_writes(step, snapshot):  # noqa: ANN001, ANN202
        plan = real_plan(step, snapshot)
        ben(workspace).apply(SetFields(request_id, {"owner": "ben"}))  # after the plan, before the write
        return plan

    monkeypatch.setattr(data.writes.undo, "plan_inverse", plan_then_ben_writes)
    outcome = history.undo(workspace)
    assert outcome.done is None and "not undone" in outcome.message and "ben" in outcome.message
    doc = on_disk(workspace, request_id)
    assert doc["owner"] == "ben" and doc["due"] == "2025-01-17"  # all or nothing: due was not undone either
    monkeypatch.setattr(data.writes.undo, "plan_inverse", real_plan)
    assert len(history.done) == 1  # the step can be tried again
    outcome = history.undo(workspace)
    assert "owner: changed by ben" in outcome.message
    assert "due" not in on_disk(workspace, request_id)


def test_undo_decline_and_duplicate_restore_the_reason_link_and_note(workspace: Workspace, request_id: int) -> None:
    original = workspace.apply(CreateItem("Export invoices to CSV")).item_id
    history = UndoHistory()
    do(workspace, history, MarkDuplicate(request_id, original))
    assert "requested by dana" in on_disk(workspace, original)["why_log"][-1]["text"]
    history.undo(workspace)
    doc = on_disk(workspace, request_id)
    assert doc["status"] == "inbox" and "duplicate_of" not in doc and "decline_reason" not in doc
    assert not on_disk(workspace, original).get("why_log")  # the carried-over note is taken back
    history.redo(workspace)
    doc = on_disk(workspace, request_id)
    assert (doc["status"], doc["duplicate_of"], doc["decline_reason"]) == ("declined", original, f"duplicate of #{original}")
    assert "requested by dana" in on_disk(workspace, original)["why_log"][-1]["text"]

    other = workspace.apply(CreateItem("Dark mode", kind="request")).item_id
    do(workspace, history, Move(other, "declined", reason="not this year"))
    history.undo(workspace)
    assert on_disk(workspace, other)["status"] == "inbox" and "decline_reason" not in on_disk(workspace, other)
    history.redo(workspace)
    assert on_disk(workspace, other)["decline_reason"] == "not this year"


def test_undo_a_move_puts_the_card_back_where_it_was(workspace: Workspace) -> None:
    ids = [workspace.apply(CreateItem(f"card {n}")).item_id for n in range(3)]
    rank = on_disk(workspace, ids[0])["rank"]
    history = UndoHistory()
    do(workspace, history, Move(ids[0], "doing"))
    history.undo(workspace)
    doc = on_disk(workspace, ids[0])
    assert doc["status"] == "todo" and doc["rank"] == rank  # at the top again, not the bottom


def test_undo_reorders_and_a_chain_of_reorders(workspace: Workspace) -> None:
    ids = [workspace.apply(CreateItem(f"card {n}")).item_id for n in range(4)]
    ranks = {i: on_disk(workspace, i)["rank"] for i in ids}
    history = UndoHistory()
    do(workspace, history, *[Reorder(ids[0], 1)] * 3)  # to the bottom, in one write
    assert on_disk(workspace, ids[0])["rank"] == ranks[ids[3]]
    history.undo(workspace)
    assert {i: on_disk(workspace, i)["rank"] for i in ids} == ranks


def test_undo_a_create_archives_it_and_redo_brings_it_back(workspace: Workspace) -> None:
    history = UndoHistory()
    do(workspace, history, CreateItem("Oops"))
    item_id = max(int(k) for k in stored(workspace)["items"])
    history.undo(workspace)
    assert on_disk(workspace, item_id)["status"] == "archived"
    history.redo(workspace)
    assert on_disk(workspace, item_id)["status"] == "todo"


def test_undo_snooze_and_a_new_person_stays(workspace: Workspace, request_id: int) -> None:
    history = UndoHistory()
    do(workspace, history, Snooze(request_id, "mon"))
    history.undo(workspace)
    assert "snoozed_until" not in on_disk(workspace, request_id)
    do(workspace, history, AddPerson(Person("zoe")), Accept(request_id, {"owner": "zoe"}))
    outcome = history.undo(workspace)
    assert "zoe stays in the people list" in outcome.message
    assert on_disk(workspace, request_id)["status"] == "inbox" and "zoe" in workspace.snapshot().people


def test_a_new_write_clears_redo_and_empty_stacks_say_so(workspace: Workspace, request_id: int) -> None:
    history = UndoHistory()
    assert history.undo(workspace).message == "nothing to undo"
    do(workspace, history, SetFields(request_id, {"owner": "cy"}))
    history.undo(workspace)
    assert len(history.undone) == 1
    do(workspace, history, SetFields(request_id, {"owner": "ben"}))
    assert history.undone == [] and history.redo(workspace).message == "nothing to redo"


def test_undo_of_an_item_deleted_since(workspace: Workspace, request_id: int) -> None:
    history = UndoHistory()
    do(workspace, history, SetFields(request_id, {"owner": "cy"}))
    hand_edit(workspace, lambda data: data["items"].pop(str(request_id)))  # a hand edit removes the item
    assert "no longer in the workspace" in history.undo(workspace).message


def test_restore_fields_refuses_fields_it_does_not_own(workspace: Workspace, request_id: int) -> None:
    from data.errors import BadValue

    with pytest.raises(BadValue):
        workspace.apply(RestoreFields(request_id, {"owner": "cy"}))
    with pytest.raises(Conflict):
        workspace.apply(RestoreFields(request_id, {"rank": 5.0}, expected={"rank": 99.0}))


def test_a_write_with_several_entries_is_one_undo_step(workspace: Workspace, request_id: int) -> None:
    other = workspace.apply(CreateItem("Other", kind="request")).item_id
    result = workspace.apply_all([Accept(request_id, {"owner": "cy"}), Accept(other)])
    entries = [e for e in workspace.snapshot().history.entries(since=result.revision - 1) if e["rev"] == result.revision]
    assert [(e["op"], e["item"]) for e in entries] == [("accept", request_id), ("accept", other)]  # one each
    step = UndoStep.of_result(result)
    assert step is not None and step.summary == f"accepted #{request_id} → todo (owner) and 1 more item"
    plan = plan_inverse(step, workspace.snapshot())
    assert [type(op).__name__ for op in plan.ops] == ["Move", "SetFields", "Move"]
