"""The demo workspace: realistic enough to try every pane, and an ordinary workspace file."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import orjson
import pytest
from rapidfuzz import fuzz

from data.demo import make_demo
from data.errors import WorkspaceError
from data.model.items import KINDS, inherited_why, missing_answers
from data.model.snapshot import Snapshot
from data.store.file_store import read_history
from data.writes.ops import CreateItem, Move, SetFields
from data.writes.recurrence import generate
from data.writes.workspace import Workspace

TODAY = date(2025, 1, 15)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(Path(tmp_path_factory.mktemp("demo")) / "worktop.json", items=400, today=TODAY)


@pytest.fixture(scope="module")
def snap(demo: Path) -> Snapshot:
    return Workspace(demo, today=TODAY).snapshot()


def test_it_makes_the_number_of_items_asked_for(snap: Snapshot) -> None:
    assert len(snap.items) == 400


def test_eight_people_in_three_teams_with_capacities(snap: Snapshot) -> None:
    assert len(snap.people) == 8
    assert len({p.team for p in snap.people.values()}) == 3
    assert all(p.capacity > 0 and p.name for p in snap.people.values())


def test_some_people_are_over_capacity_and_some_are_not(snap: Snapshot) -> None:
    load = Counter(i.owner for i in snap.items.values()
                   if i.owner and i.kind != "goal" and snap.settings.is_open(i.status))
    over = {h for h, p in snap.people.items() if load[h] > p.capacity}
    assert 0 < len(over) < len(snap.people)


def test_every_kind_and_status_is_present(snap: Snapshot) -> None:
    assert {i.kind for i in snap.items.values()} == set(KINDS)
    statuses = Counter(i.status for i in snap.items.values())
    for status in ("inbox", "todo", "doing", "review", "done", "declined"):
        assert statuses[status] > 0, status


def test_work_nests_goal_project_task(snap: Snapshot) -> None:
    items = snap.items
    tasks_under_projects = [i for i in items.values() if i.kind == "task" and i.parent is not None]
    assert tasks_under_projects
    for task in tasks_under_projects:
        project = items[task.parent]
        assert project.kind in ("project", "workstream")
        assert items[project.parent].kind == "goal"


def test_requests_have_requesters_and_some_wait_in_the_inbox(snap: Snapshot) -> None:
    requests = [i for i in snap.items.values() if i.kind == "request"]
    assert all(r.requester for r in requests)
    inbox = [r for r in requests if r.status == "inbox"]
    assert len(inbox) >= 12
    assert any(r.snoozed_until and r.snoozed_until > TODAY.isoformat() for r in inbox)


def test_the_inbox_has_near_duplicates_to_find(snap: Snapshot) -> None:
    inbox = [r.title for r in snap.items.values() if r.kind == "request" and r.status == "inbox"]
    pairs = [(a, b) for n, a in enumerate(inbox) for b in inbox[n + 1:] if fuzz.token_set_ratio(a, b) >= 75]
    assert len(pairs) >= 4


def test_a_closed_duplicate_points_at_its_original(snap: Snapshot) -> None:
    duplicates = [i for i in snap.items.values() if i.duplicate_of is not None]
    assert duplicates
    for dup in duplicates:
        assert dup.status == "declined" and snap.items[dup.duplicate_of].kind == "request"


def test_due_dates_fall_behind_and_ahead_of_today(snap: Snapshot) -> None:
    today = TODAY.isoformat()
    open_due = [i.due for i in snap.items.values() if i.due and snap.settings.is_open(i.status)]
    assert any(d < today for d in open_due) and any(d > today for d in open_due)


def test_some_work_misses_each_answer(snap: Snapshot) -> None:
    missing = Counter(a for i in snap.items.values() if snap.settings.is_open(i.status)
                      for a in missing_answers(i, snap.items, snap.settings))
    assert all(missing[answer] > 0 for answer in ("who", "when", "how", "why")), missing
    assert any(not inherited_why(i, snap.items) for i in snap.items.values() if i.kind == "task")


def test_most_projects_have_checklists_and_whys_have_logs(snap: Snapshot) -> None:
    projects = [i for i in snap.items.values() if i.kind in ("project", "workstream")]
    assert sum(bool(p.checklist) for p in projects) > len(projects) / 2
    with_why = [i for i in snap.items.values() if i.why]
    assert all(i.why_log and i.why_log[0]["text"] == i.why for i in with_why)
    assert any(e["kind"] == "note" for i in with_why for e in i.why_log)


def test_tags_and_priorities_are_used(snap: Snapshot) -> None:
    assert sum(bool(i.tags) for i in snap.items.values()) > 100
    assert {i.priority for i in snap.items.values()} >= {1, 2, 3, 4, None}


def test_history_only_claims_what_the_file_holds(demo: Path, snap: Snapshot) -> None:
    data = orjson.loads(demo.read_bytes())
    history = {str(e["rev"]): e for e in read_history(demo)}
    assert data["meta"]["1"]["revision"] == len(history)
    assert history["1"]["op"] == "demo"
    moved = [e for e in history.values() if e["op"] == "move"]
    assert moved
    for entry in moved:
        item = snap.items[entry["item"]]
        assert item.status == entry["changes"]["status"][1]
        assert item.status_since == entry["at"]
    stamps = [history[str(n)]["at"] for n in range(1, len(history) + 1)]
    assert stamps == sorted(stamps)


def test_same_seed_and_day_make_the_same_file(tmp_path: Path) -> None:
    first = make_demo(tmp_path / "a.json", items=300, seed=7, today=TODAY).read_bytes()
    second = make_demo(tmp_path / "b.json", items=300, seed=7, today=TODAY).read_bytes()
    other = make_demo(tmp_path / "c.json", items=300, seed=8, today=TODAY).read_bytes()
    # The workspace name comes from the folder, which is the same here.
    assert first == second
    assert first != other


def test_it_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "worktop.json"
    path.write_text("precious")
    with pytest.raises(WorkspaceError, match="already exists"):
        make_demo(path, items=50, today=TODAY)
    assert path.read_text() == "precious"


def test_it_is_an_ordinary_workspace_to_change(tmp_path: Path) -> None:
    path = make_demo(tmp_path / "worktop.json", items=200, today=TODAY)
    ws = Workspace(path, actor="ana", today=TODAY)
    before = ws.snapshot().revision
    new_id = ws.apply(CreateItem("A new task", fields={"owner": "bo", "due": "fri"})).item_id
    ws.apply(SetFields(new_id, {"why": "testing"}))
    ws.apply(Move(new_id, "doing"))
    snap = ws.snapshot()
    assert new_id == 201
    assert snap.revision == before + 3
    assert snap.item(new_id).status == "doing"
    assert ws.history(limit=1)[0]["summary"] == f"moved #{new_id} to doing"


def test_large_workspaces_can_be_made_and_open_without_writing(tmp_path: Path) -> None:
    """bench/ and the perf budgets need 10k item files on demand (how fast: bench/), and opening one must
    not write it: the recurring instances due are already made."""
    path = make_demo(tmp_path / "worktop.json", items=10_000, today=TODAY)
    assert len(orjson.loads(path.read_bytes())["items"]) == 10_000
    before = path.read_bytes()
    created, result = generate(Workspace(path, today=TODAY))
    assert created == [] and not result.changed and path.read_bytes() == before
