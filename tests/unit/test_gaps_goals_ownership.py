"""The numbers behind the gaps view, the goals and the ownership matrix, computed without a terminal.

The ``workspace`` fixture (tests/conftest.py) has people ana and ben (team
platform, capacity 5 and 3) and cy (ops, 4); today is Wednesday 2025-01-15.
"""

from __future__ import annotations

from datetime import date

import pytest

from data.demo import make_demo
from data.model.items import chain, missing_answers
from data.views.gaps import FIXABLE_ANSWERS, GAP_ANSWERS, WhyIndex, find_gaps, refresh_gaps
from data.views.goals import GoalStatsCache, goal_stats, goals_above
from data.views.ownership import build_matrix, cell_items
from data.writes.ops import CreateItem, Move, SetFields
from data.writes.workspace import Workspace
from tests.support.stores import hand_edit

pytestmark = pytest.mark.both_stores

TODAY = date(2025, 1, 15)


def add(ws: Workspace, title: str, **fields: object) -> int:
    kind = str(fields.pop("kind", "task"))
    status = fields.pop("status", None)
    steps = list(fields.pop("steps", []))  # type: ignore[arg-type]
    return ws.apply(CreateItem(title, kind=kind, status=status, fields=fields, checklist=steps)).item_id


def plan(ws: Workspace) -> dict[str, int]:
    """A goal with a why; a project under it; tasks under the project; a loose task; one linked to the goal."""
    ids = {}
    ids["goal"] = add(ws, "Keep customers", kind="goal", why="revenue")
    ids["project"] = add(ws, "SSO", kind="project", owner="ana", parent=ids["goal"], due="2025-02-01",
                         steps=["saml"])
    ids["task"] = add(ws, "SAML handler", owner="ben", parent=ids["project"], due="2025-01-17")
    ids["no_owner"] = add(ws, "Load test", parent=ids["project"], due="2025-01-30")
    ids["loose"] = add(ws, "Loose end")  # no owner, no due, no why
    ids["linked"] = add(ws, "Linked to the goal", owner="cy", goal=ids["goal"])  # no due
    ids["done"] = add(ws, "Finished thing")
    ws.apply(Move(ids["done"], "done"))
    ids["request"] = add(ws, "A request", kind="request")  # in the inbox
    ids["stream"] = add(ws, "On-call", kind="workstream")  # no owner, no steps, no why, no due
    return ids


# -- gaps ------------------------------------------------------------------------------------

def test_gaps_group_open_board_work_by_what_it_misses(workspace: Workspace) -> None:
    ids = plan(workspace)
    gaps = find_gaps(workspace.snapshot())
    assert gaps.groups == {
        "who": [ids["no_owner"], ids["loose"], ids["stream"]],
        "when": [ids["loose"], ids["linked"], ids["stream"]],
        "how": [ids["stream"]],
        "why": [ids["loose"], ids["stream"]],
    }
    assert gaps.untriaged == 1  # the request is triaged in the inbox, not listed here
    assert gaps.item_count == 4
    assert gaps.missing[ids["stream"]] == ["who", "when", "how", "why"]


def test_the_tui_fixes_every_answer_a_gap_can_be_about(workspace: Workspace) -> None:
    plan(workspace)
    gaps = find_gaps(workspace.snapshot(), FIXABLE_ANSWERS)
    assert list(gaps.groups) == ["who", "when", "how", "why"] == list(GAP_ANSWERS)


def test_gaps_agree_with_missing_answers_on_a_large_demo(tmp_path) -> None:  # noqa: ANN001
    """The fast pass over stored documents must say exactly what each item's own check says."""
    path = make_demo(tmp_path / "demo.json", items=2000, seed=3, today=TODAY)
    snapshot = Workspace(path, today=TODAY).snapshot()
    gaps = find_gaps(snapshot, GAP_ANSWERS)
    settings = snapshot.settings
    checked = 0
    for item in snapshot.items.values():
        if not settings.is_open(item.status) or item.status == settings.inbox or item.kind in ("goal", "recurring"):
            assert item.id not in gaps.missing  # board work only: goals and templates are not cards
            continue
        assert gaps.missing.get(item.id, []) == missing_answers(item, snapshot.items, settings), item.id
        checked += 1
    assert checked > 800 and all(gaps.groups.values())


def test_refreshing_only_the_items_an_owner_or_due_change_touched_equals_a_full_pass(workspace: Workspace) -> None:
    ids = plan(workspace)
    before = find_gaps(workspace.snapshot(), FIXABLE_ANSWERS)
    workspace.apply(SetFields(ids["loose"], {"owner": "cy"}))  # leaves who
    workspace.apply(SetFields(ids["linked"], {"due": "fri"}))  # leaves when
    workspace.apply(SetFields(ids["task"], {"owner": ""}))  # joins who
    snapshot = workspace.snapshot()
    quick = refresh_gaps(before, snapshot, {ids["loose"], ids["linked"], ids["task"]})
    full = find_gaps(snapshot, FIXABLE_ANSWERS)
    assert quick.groups == full.groups and quick.missing == full.missing
    assert quick.groups["who"] == [ids["task"], ids["no_owner"], ids["stream"]]


def test_why_index_follows_goal_links_and_survives_cycles() -> None:
    docs = {
        1: {"kind": "goal", "why": "because"},
        2: {"kind": "task", "goal": 1},  # why from its goal link
        3: {"kind": "task", "parent": 2},  # from its parent's goal link
        4: {"kind": "task", "parent": 5},  # 4 and 5 are each other's parent: nobody says why
        5: {"kind": "task", "parent": 4},
        6: {"kind": "task", "parent": 99},  # a parent that is not there
    }
    has_why = WhyIndex(docs)
    assert [has_why(i) for i in (3, 2, 1, 4, 5, 6)] == [True, True, True, False, False, False]


# -- goals -----------------------------------------------------------------------------------

def test_goal_stats_count_open_work_under_and_linked_to_a_goal(workspace: Workspace) -> None:
    ids = plan(workspace)
    stats = goal_stats(workspace.snapshot())
    goal = stats[ids["goal"]]
    # project, task, no_owner (through the parent chain) and linked (goal link); done and loose do not count.
    assert (goal.open_items, goal.no_owner, goal.no_due) == (4, 1, 1)
    assert goal.summary() == "4 open items serve it: 1 without an owner, 1 without a due date"


def test_a_goal_under_a_goal_counts_for_both(workspace: Workspace) -> None:
    top = add(workspace, "Company goal", kind="goal")
    sub = add(workspace, "Team goal", kind="goal", parent=top)
    task = add(workspace, "Work", parent=sub, owner="ana")
    snapshot = workspace.snapshot()
    assert goals_above(snapshot.docs, task) == {top, sub}
    stats = goal_stats(snapshot)
    assert stats[top].open_items == stats[sub].open_items == 1  # the sub-goal itself is not work
    assert stats[top].no_due == 1 and stats[top].no_owner == 0
    assert goal_stats(snapshot)[sub].summary().startswith("1 open item serves it")


def test_a_goal_with_nothing_under_it_says_so(workspace: Workspace) -> None:
    goal = add(workspace, "Lonely goal", kind="goal")
    assert goal_stats(workspace.snapshot())[goal].summary() == "no open work serves it yet"


def test_goal_stats_cache_recomputes_only_for_a_new_snapshot(workspace: Workspace) -> None:
    ids = plan(workspace)
    cache = GoalStatsCache()
    first = workspace.snapshot()
    assert cache.get(first, ids["goal"]).open_items == 4
    workspace.apply(SetFields(ids["loose"], {"goal": ids["goal"]}))
    assert cache.get(first, ids["goal"]).open_items == 4
    assert cache.get(workspace.snapshot(), ids["goal"]).open_items == 5


def test_chain_lists_parents_then_goal_links_at_any_level(workspace: Workspace) -> None:
    ids = plan(workspace)
    other = add(workspace, "Other goal", kind="goal", why="other")
    workspace.apply(SetFields(ids["project"], {"goal": other}))
    snapshot = workspace.snapshot()
    links = chain(snapshot.items[ids["task"]], snapshot.items)
    assert [link.id for link in links] == [ids["task"], ids["project"], ids["goal"], other]


# -- ownership -------------------------------------------------------------------------------

def test_matrix_rows_count_open_work_due_soon_and_load(workspace: Workspace) -> None:
    ids = plan(workspace)
    add(workspace, "Ana again", owner="ana", due="2025-01-22")  # exactly 7 days ahead: due soon
    add(workspace, "Ana later", owner="ana", due="2025-01-23")  # 8 days: not soon
    add(workspace, "Ana late", owner="ana", due="2025-01-01")  # overdue: soon
    add(workspace, "Ana's goal", kind="goal", owner="ana")  # goals are not load
    matrix = build_matrix(workspace.snapshot(), TODAY)
    rows = {row.handle: row for row in matrix.rows}
    assert (rows["ana"].open_items, rows["ana"].due_soon, rows["ana"].capacity) == (4, 2, 5)
    assert (rows["ben"].open_items, rows["ben"].due_soon) == (1, 1)
    assert not rows["ana"].over_capacity
    flags = {column.item.id: column.flag for column in matrix.columns}
    assert flags == {ids["project"]: "", ids["stream"]: "no owner"}


def test_two_accountable_people_flag_the_column(workspace: Workspace) -> None:
    ids = plan(workspace)
    hand_edit(workspace, lambda data: data["items"][str(ids["project"])].update(roles={"cy": "A"}))
    matrix = build_matrix(Workspace(workspace.path).snapshot(), TODAY)
    column = next(c for c in matrix.columns if c.item.id == ids["project"])
    assert column.owners == ["ana", "cy"] and column.flag == "2 owners"


def test_over_capacity_and_team_rows(workspace: Workspace) -> None:
    for n in range(4):
        add(workspace, f"ben task {n}", owner="ben")
    matrix = build_matrix(workspace.snapshot(), TODAY)
    assert next(r for r in matrix.rows if r.handle == "ben").over_capacity  # 4 open against a capacity of 3
    teams = {row.handle: row for row in build_matrix(workspace.snapshot(), TODAY, by_team=True).rows}
    assert set(teams) == {"platform", "ops"}
    assert teams["platform"].is_team and sorted(teams["platform"].members) == ["ana", "ben"]
    assert (teams["platform"].open_items, teams["platform"].capacity) == (4, 8)


def test_cell_items_are_the_work_behind_each_number(workspace: Workspace) -> None:
    ids = plan(workspace)
    snapshot = workspace.snapshot()
    # ana × SSO: the project itself (she owns it); ben × SSO: the handler.
    assert cell_items(snapshot, TODAY, owners=["ana"], column=ids["project"]) == [ids["project"]]
    assert cell_items(snapshot, TODAY, owners=["ben"], column=ids["project"]) == [ids["task"]]
    # Everyone in the SSO column, soonest due first.
    assert cell_items(snapshot, TODAY, owners=None, column=ids["project"]) == [
        ids["task"], ids["no_owner"], ids["project"]]
    # A team row stands for its members; due soon only; all of one person's work.
    assert cell_items(snapshot, TODAY, owners=["ana", "ben"], column=None, due_soon=True) == [ids["task"]]
    assert cell_items(snapshot, TODAY, owners=["cy"], column=None) == [ids["linked"]]
    matrix = build_matrix(snapshot, TODAY)
    for row in matrix.rows:
        assert len(cell_items(snapshot, TODAY, owners=row.members, column=None)) == row.open_items
        assert len(cell_items(snapshot, TODAY, owners=row.members, column=None, due_soon=True)) == row.due_soon
        for column_id, (_letters, count) in row.cells.items():
            assert len(cell_items(snapshot, TODAY, owners=row.members, column=column_id)) == count






