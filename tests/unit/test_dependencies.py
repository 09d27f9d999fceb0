"""Dependencies: ``blocked_by`` set by ops and the CLI, refused cycles, cleared closes, and what the views count.

The ``workspace`` fixture (tests/conftest.py) has people ana, ben and cy, acts as
ana, today pinned to Wednesday 2025-01-15.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from data.errors import BadValue, NotFound
from data.model.dependencies import cycle_through
from data.model.query import parse_query
from data.views.gaps import find_gaps
from data.views.pulse import compute_pulse
from data.views.report import build_report
from data.writes.ops import Block, CreateItem, Move, SetFields, Unblock
from data.writes.triage import MarkDuplicate
from data.writes.undo import UndoStep, plan_inverse
from data.writes.workspace import Workspace
from tests.conftest import TODAY
from tests.support.stores import fingerprint, stored_doc

pytestmark = pytest.mark.both_stores


def doc(workspace: Workspace, item_id: int) -> dict[str, Any]:
    return stored_doc(workspace, item_id)


def add(workspace: Workspace, title: str, **fields: Any) -> int:
    status = fields.pop("status", None)
    return workspace.apply(CreateItem(title, status=status, fields=fields)).item_id


@pytest.fixture
def three(workspace: Workspace) -> tuple[int, int, int]:
    """#1 Deploy (owner ana), #2 Migrate (owner ben), #3 Review (no owner)."""
    return add(workspace, "Deploy", owner="ana"), add(workspace, "Migrate", owner="ben"), add(workspace, "Review")


def test_block_stores_the_blockers_with_history(workspace: Workspace, three: tuple[int, int, int]) -> None:
    deploy, migrate, review = three
    result = workspace.apply(Block(deploy, [migrate, review, migrate]))
    assert doc(workspace, deploy)["blocked_by"] == [migrate, review]
    entry = workspace.history(limit=1)[0]
    assert entry["rev"] == result.revision and entry["changes"] == {"blocked_by": [None, [migrate, review]]}
    assert entry["summary"] == f"#{deploy} blocked by #{migrate}, #{review}"
    assert not workspace.apply(Block(deploy, [migrate])).changed  # already so: nothing written


def test_a_cycle_is_refused_naming_it_and_nothing_is_written(workspace: Workspace,
                                                             three: tuple[int, int, int]) -> None:
    deploy, migrate, review = three
    workspace.apply(Block(deploy, [migrate]))
    workspace.apply(Block(migrate, [review]))
    before = fingerprint(workspace)
    with pytest.raises(BadValue, match=r"cycle, #3 → #1 → #2 → #3"):
        workspace.apply(Block(review, [deploy]))
    with pytest.raises(BadValue, match="by itself"):
        workspace.apply(Block(review, [review]))
    with pytest.raises(BadValue, match="cycle"):
        workspace.apply(SetFields(review, {"blocked_by": f"{deploy}"}))
    assert fingerprint(workspace) == before


def test_cycle_through_finds_the_path_each_waits_on() -> None:
    links = {2: [3], 3: [4, 5], 5: [1]}
    assert cycle_through(1, [2], lambda i: links.get(i, [])) == [1, 2, 3, 5, 1]
    assert cycle_through(1, [4], lambda i: links.get(i, [])) is None


def test_unknown_and_closed_blockers_are_refused(workspace: Workspace, three: tuple[int, int, int]) -> None:
    deploy, migrate, _ = three
    with pytest.raises(NotFound, match="blocker #42"):
        workspace.apply(Block(deploy, [42]))
    workspace.apply(Move(migrate, "archived"))
    with pytest.raises(BadValue, match="archived"):
        workspace.apply(Block(deploy, [migrate]))


def test_unblock_takes_some_or_all(workspace: Workspace, three: tuple[int, int, int]) -> None:
    deploy, migrate, review = three
    workspace.apply(Block(deploy, [migrate, review]))
    workspace.apply(Unblock(deploy, [review]))
    assert doc(workspace, deploy)["blocked_by"] == [migrate]
    workspace.apply(Unblock(deploy))
    assert "blocked_by" not in doc(workspace, deploy)
    assert not workspace.apply(Unblock(deploy)).changed


def test_archiving_a_blocker_clears_it_in_the_same_write(workspace: Workspace, three: tuple[int, int, int]) -> None:
    deploy, migrate, review = three
    workspace.apply(Block(deploy, [migrate, review]))
    workspace.apply(Block(review, [migrate]))
    result = workspace.apply(Move(migrate, "archived"))
    assert doc(workspace, deploy)["blocked_by"] == [review] and "blocked_by" not in doc(workspace, review)
    same_write = [e for e in workspace.history() if e["rev"] == result.revision]
    assert {e["item"] for e in same_write} == {deploy, migrate, review}
    # Undoing the archive puts the blocker back where it was, in one write.
    step = UndoStep.of_result(result)
    assert step is not None
    workspace.apply_all(plan_inverse(step, workspace.snapshot()).ops)
    assert doc(workspace, migrate)["status"] == "todo"
    assert doc(workspace, deploy)["blocked_by"] == [migrate, review] and doc(workspace, review)["blocked_by"] == [migrate]


def test_a_duplicate_blocker_hands_its_dependents_to_the_original(workspace: Workspace,
                                                                  three: tuple[int, int, int]) -> None:
    deploy, migrate, review = three
    workspace.apply(Block(deploy, [migrate]))
    workspace.apply(MarkDuplicate(migrate, review))
    assert doc(workspace, deploy)["blocked_by"] == [review]
    assert doc(workspace, migrate)["duplicate_of"] == review and doc(workspace, migrate)["status"] == "declined"


def test_done_blockers_stay_listed_but_stop_blocking(workspace: Workspace, three: tuple[int, int, int]) -> None:
    deploy, migrate, _ = three
    workspace.apply(Block(deploy, [migrate]))
    snapshot = workspace.snapshot()
    blocked = parse_query("blocked", me="ana", today=TODAY)
    assert [i.id for i in blocked.filter(list(snapshot.items.values()), snapshot)] == [deploy]
    workspace.apply(Move(migrate, "done"))
    snapshot = workspace.snapshot()
    assert doc(workspace, deploy)["blocked_by"] == [migrate]
    assert blocked.filter(list(snapshot.items.values()), snapshot) == []


def test_moving_a_blocked_card_into_progress_warns_and_moves(workspace: Workspace,
                                                             three: tuple[int, int, int]) -> None:
    deploy, migrate, _ = three
    workspace.apply(Block(deploy, [migrate]))
    result = workspace.apply(Move(deploy, "doing"))
    assert doc(workspace, deploy)["status"] == "doing"
    assert result.warnings == [f"#{deploy} is blocked by #{migrate} (still open); moved to doing anyway"]
    assert workspace.apply(Move(deploy, "todo")).warnings == []  # not an in-progress column
    workspace.apply(Move(migrate, "done"))
    assert workspace.apply(Move(deploy, "review")).warnings == []


@pytest.mark.parametrize(("text", "expected"), [
    ("blocked", ["Deploy"]), ("-blocked", ["Migrate", "Review"]), ("blocking", ["Migrate", "Review"]),
    ("blocked_by:2", ["Deploy"]), ("blocked_by:#3,9", ["Deploy"]), ("blocked_by:none", ["Migrate", "Review"]),
])
def test_query_terms(workspace: Workspace, three: tuple[int, int, int], text: str, expected: list[str]) -> None:
    deploy, migrate, review = three
    workspace.apply(Block(deploy, [migrate, review]))
    snapshot = workspace.snapshot()
    query = parse_query(text, me="ana", today=TODAY)
    assert [i.title for i in query.filter(list(snapshot.items.values()), snapshot)] == expected


def test_a_blocker_that_is_done_is_not_blocking(workspace: Workspace, three: tuple[int, int, int]) -> None:
    deploy, migrate, _ = three
    workspace.apply(Block(deploy, [migrate]))
    workspace.apply(Move(deploy, "done"))
    snapshot = workspace.snapshot()
    assert parse_query("blocking", me="ana", today=TODAY).filter(list(snapshot.items.values()), snapshot) == []


def test_gaps_list_work_whose_blocker_has_no_owner_or_is_late(workspace: Workspace,
                                                              three: tuple[int, int, int]) -> None:
    deploy, migrate, review = three
    workspace.apply(SetFields(migrate, {"due": "2025-01-10"}))
    workspace.apply(Block(deploy, [migrate, review]))
    gaps = find_gaps(workspace.snapshot(), today=TODAY)
    assert gaps.waiting == {deploy: [(migrate, "5 days late"), (review, "no owner")]}
    workspace.apply(SetFields(review, {"owner": "cy"}))
    workspace.apply(SetFields(migrate, {"due": "2025-01-20"}))
    assert find_gaps(workspace.snapshot(), today=TODAY).waiting == {}


def test_pulse_and_report_count_blocked_work(workspace: Workspace, three: tuple[int, int, int]) -> None:
    deploy, migrate, _ = three
    workspace.apply(Block(deploy, [migrate]))
    pulse = compute_pulse(workspace.snapshot(), TODAY)
    assert pulse.blocked == [deploy] and pulse.as_json()["blocked"] == {"count": 1, "items": [deploy]}
    report = build_report(workspace.snapshot(), TODAY, TODAY)
    assert f"#{deploy} Deploy · todo, blocked by #{migrate}" in report
    assert "1 overdue or blocked" in report


# -- the CLI ----------------------------------------------------------------------------------

def test_cli_block_show_and_unblock(run: Any, ws: Path) -> None:
    for title in ("Deploy", "Migrate", "Review"):
        run("add", title)
    result = run("block", "1", "--by", "2", "--by", "3")
    assert result.code == 0 and result.out.splitlines() == [
        "#1 blocked by #2 (todo, no owner), #3 (todo, no owner)", "#1 waits on 2 open items: #2 #3"]
    shown = run("show", "1").out
    assert "  waits on  #2 Migrate (todo, no owner)\n            #3 Review (todo, no owner)\n" in shown
    assert "  blocking  #1 Deploy (todo, no owner)" in run("show", "2").out
    assert json_of(run("show", "2", "--json").out)["blocking"] == [1]
    assert run("ls", "blocked").out.splitlines()[1].startswith("#1")
    cycle = run("block", "3", "--by", "1")
    assert cycle.code == 1 and "cycle, #3 → #1 → #3" in cycle.err
    moved = run("move", "1", "doing")
    assert moved.code == 0 and "warning: #1 is blocked by #2, #3 (still open)" in moved.err
    assert run("unblock", "1", "--by", "3").out.splitlines() == ["#1 no longer blocked by #3", "#1 still waits on #2"]
    assert run("unblock", "1", "--by", "3").out.splitlines() == ["#1 was not blocked by #3", "#1 still waits on #2"]
    assert run("unblock", "1").out.splitlines() == ["#1 no longer blocked by #2", "#1 waits on nothing"]
    assert run("set", "1", "blocked_by=2,3").code == 0
    assert stored_doc(Workspace(ws), 1)["blocked_by"] == [2, 3]


def test_cli_gaps_names_the_stuck_blocker(run: Any, ws: Path) -> None:
    run("add", "Deploy", "--owner", "ana", "--due", "fri")
    run("add", "Migrate")
    run("block", "1", "--by", "2")
    out = run("gaps").out
    assert "waits on work with no owner or past its due date (blocked): 1" in out
    assert "#1  todo    task  ana" in out and "⛔ #2 no owner" in out
    assert json_of(run("gaps", "--json").out)["blocked"][0]["waits_on"] == [{"id": 2, "problem": "no owner"}]


def test_cli_block_needs_by_and_known_ids(run: Any, ws: Path) -> None:
    run("add", "Deploy")
    assert run("block", "1").code == 2
    missing = run("block", "1", "--by", "9")
    assert missing.code == 1 and "blocker #9 is not in this workspace" in missing.err


def json_of(text: str) -> Any:
    return orjson.loads(text)
