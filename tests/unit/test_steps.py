"""Steps (the checklist, the "how"): every change is an operation, in the history, undoable, and safe
against another terminal changing the steps meanwhile.

The ``workspace`` fixture acts as ana, with people ana, ben and cy, today pinned to Wed 2025-01-15; every
test runs on the file and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from data.errors import Conflict
from data.model.items import BadValue
from data.writes.ops import CreateItem
from data.writes.steps import AddStep, EditStep, MoveStep, RemoveStep, SetSteps, ToggleStep
from data.writes.undo import UndoHistory, UndoStep
from data.writes.workspace import Workspace
from tests.support.stores import as_user, fingerprint, stored_doc

pytestmark = pytest.mark.both_stores


def steps(ws: Workspace, item_id: int) -> list[tuple[str, bool]]:
    doc = stored_doc(ws, item_id)
    return [(step["text"], step["done"]) for step in doc.get("checklist", [])]


def do(ws: Workspace, history: UndoHistory, op) -> None:  # noqa: ANN001
    before = ws.snapshot()
    result = ws.apply(op)
    history.record(UndoStep.of_result(result, before))


@pytest.fixture
def project(workspace: Workspace) -> int:
    return workspace.apply(CreateItem("Launch", kind="project", checklist=["plan", "build", "ship"])).item_id


def test_add_edit_move_toggle_remove(workspace: Workspace, project: int) -> None:
    workspace.apply(AddStep(project, "review", at=2))
    assert steps(workspace, project) == [("plan", False), ("build", False), ("review", False), ("ship", False)]
    workspace.apply(EditStep(project, 0, "write the plan", expected_text="plan"))
    workspace.apply(MoveStep(project, 3, -1, expected_text="ship"))
    workspace.apply(ToggleStep(project, 0, expected_text="write the plan"))
    workspace.apply(RemoveStep(project, 1, expected_text="build"))
    assert steps(workspace, project) == [("write the plan", True), ("ship", False), ("review", False)]
    entry = workspace.history(project, limit=1)[0]
    assert entry["by"] == "ana" and entry["summary"] == f"removed step 2 of #{project}"
    assert [s["text"] for s in entry["changes"]["checklist"][0]] == ["write the plan", "build", "ship", "review"]


def test_refuses_empty_and_missing_steps(workspace: Workspace, project: int) -> None:
    with pytest.raises(BadValue, match="the step is empty"):
        workspace.apply(AddStep(project, "   "))
    with pytest.raises(BadValue, match="has no step 9"):
        workspace.apply(ToggleStep(project, 8))
    with pytest.raises(BadValue, match="one line"):
        workspace.apply(EditStep(project, 0, "two\nlines"))
    assert steps(workspace, project) == [("plan", False), ("build", False), ("ship", False)]


def test_a_step_moved_by_someone_else_is_still_found(workspace: Workspace, project: int) -> None:
    """Shown as step 3, moved to the top by ben meanwhile: ticking 'ship' ticks 'ship', not what is third now."""
    as_user(workspace, "ben").apply(MoveStep(project, 2, -2))
    workspace.apply(ToggleStep(project, 2, expected_text="ship"))
    assert steps(workspace, project) == [("ship", True), ("plan", False), ("build", False)]


def test_a_step_someone_else_removed_is_a_conflict(workspace: Workspace, project: int) -> None:
    as_user(workspace, "ben").apply(RemoveStep(project, 1))
    before = fingerprint(workspace)
    with pytest.raises(Conflict, match="changed or removed by ben"):
        workspace.apply(EditStep(project, 1, "build it", expected_text="build"))
    assert fingerprint(workspace) == before


def test_set_steps_expects_what_was_seen(workspace: Workspace, project: int) -> None:
    seen = [dict(step) for step in workspace.snapshot().items[project].checklist]
    as_user(workspace, "ben").apply(ToggleStep(project, 0))
    with pytest.raises(Conflict, match="changed by ben"):
        workspace.apply(SetSteps(project, [{"text": "one", "done": False}], expected=seen))
    workspace.apply(SetSteps(project, [{"text": "one", "done": True}]))
    assert steps(workspace, project) == [("one", True)]


@pytest.mark.parametrize("op", [
    AddStep(0, "review"), EditStep(0, 1, "build it", "build"), MoveStep(0, 0, 1, "plan"),
    ToggleStep(0, 2, expected_text="ship"), RemoveStep(0, 0, "plan"), SetSteps(0, []),
])
def test_every_step_change_is_undone_and_redone(workspace: Workspace, project: int, op) -> None:  # noqa: ANN001
    op.item_id = project
    history = UndoHistory()
    before = steps(workspace, project)
    do(workspace, history, op)
    after = steps(workspace, project)
    assert after != before
    outcome = history.undo(workspace)
    assert outcome.error is None and not outcome.kept, outcome.message
    assert steps(workspace, project) == before
    history.redo(workspace)
    assert steps(workspace, project) == after


def test_undo_leaves_steps_someone_changed_since(workspace: Workspace, project: int) -> None:
    history = UndoHistory()
    do(workspace, history, AddStep(project, "review"))
    as_user(workspace, "ben").apply(ToggleStep(project, 0))
    outcome = history.undo(workspace)
    assert "#1 steps: changed by ben" in outcome.message
    assert steps(workspace, project)[-1] == ("review", False)
