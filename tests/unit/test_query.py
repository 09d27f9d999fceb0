"""The query language people type in ``worktop ls`` and the TUI's filter box."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from data.demo import make_demo
from data.model.items import inherited_why, missing_answers
from data.model.query import BadQuery, parse_query
from data.model.snapshot import Snapshot
from data.writes.ops import CreateItem, Move
from data.writes.workspace import Workspace

WEDNESDAY = date(2025, 1, 15)
"""The conftest workspace's today; ``fri`` is 2025-01-17, ``thu`` 2025-01-16."""


@pytest.fixture
def snapshot(workspace: Workspace) -> Snapshot:
    """Eight items covering every term (ids 1–8, in this order)."""
    ops = [
        CreateItem("Ship v2", kind="goal", status="doing", fields={"owner": "ana", "why": "customers leave"}),
        CreateItem("Billing portal", kind="project", fields={"owner": "ben", "parent": 1, "due": "2025-02-01",
                                                             "tags": "billing"}, checklist=["plan"]),
        CreateItem("Fix login page", fields={"owner": "ana", "parent": 2, "due": "thu", "tags": "ops,UI",
                                             "priority": 1, "body": "Users see a 500 error"}),
        CreateItem("Write runbook", status="doing", fields={"due": "2025-01-10", "tags": "ops"}),
        CreateItem("Old cleanup", fields={"owner": "cy", "due": "2025-01-05"}),
        CreateItem("Export CSV", kind="request", fields={"requester": "sales.kim", "body": "for the [red]board[/red]"}),
        CreateItem("Plan offsite", status="review", fields={"owner": "ana", "why": "team asked", "priority": 3}),
        CreateItem("Reliability", kind="workstream", fields={"parent": 1}),
    ]
    for op in ops:
        workspace.apply(op)
    workspace.apply(Move(5, "done"))
    return workspace.snapshot()


def ids(snapshot: Snapshot, text: str, me: str = "ben") -> set[int]:
    query = parse_query(text, me=me, today=WEDNESDAY, statuses=snapshot.settings.all_statuses)
    found = {item.id for item in query.filter(list(snapshot.items.values()), snapshot)}
    assert found == {item.id for item in snapshot.items.values() if query.matches(item, snapshot)}
    return found


ALL = {1, 2, 3, 4, 5, 6, 7, 8}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ALL),
        ("   ", ALL),
        ("owner:ana", {1, 3, 7}),
        ("owner:ANA", {1, 3, 7}),
        ("owner:@ana", {1, 3, 7}),
        ("owner:me", {2}),
        ("owner:none", {4, 6, 8}),
        ("owner:ana,cy", {1, 3, 5, 7}),
        ("-owner:ana", {2, 4, 5, 6, 8}),
        ("status:doing", {1, 4}),
        ("status:todo,review", {2, 3, 7, 8}),
        ("-status:done", ALL - {5}),
        ("kind:request", {6}),
        ("kind:project,workstream", {2, 8}),
        ("#ops", {3, 4}),
        ("#ui", {3}),
        ("#UI", {3}),
        ("-#ops", ALL - {3, 4}),
        ("tag:billing", {2}),
        ("due<fri", {3, 4, 5}),
        ("due<=thu", {3, 4, 5}),
        ("due<thu", {4, 5}),
        ("due>thu", {2}),
        ("due>=2025-02-01", {2}),
        ("due=thu", {3}),
        ("due:2025-01-16", {3}),
        ("due:none", {1, 6, 7, 8}),
        ("overdue", {4}),
        ("why:none", {4, 5, 6}),
        ("missing:who", {4, 6, 8}),
        ("missing:when", {6, 7, 8}),
        ("missing:how", {8}),
        ("missing:why", {4, 5, 6}),
        ("missing:who,how", {4, 6, 8}),
        ("missing:any", {4, 5, 6, 7, 8}),
        ("requester:sales.kim", {6}),
        ("requester:none", ALL - {6}),
        ("parent:2", {3}),
        ("parent:#1", {2, 8}),
        ("parent:none", {1, 4, 5, 6, 7}),
        ("priority:1", {3}),
        ("priority:p3", {7}),
        ("priority:none", ALL - {3, 7}),
        ("login", {3}),
        ("LOGIN Page", {3}),
        ('"login page"', {3}),
        ("500", {3}),
        ("-login", ALL - {3}),
        ("csv [red]board", {6}),
        ("owner:ana due<fri #ops", {3}),
        ("owner:none -#ops -status:inbox", {8}),
    ],
)
def test_terms(snapshot: Snapshot, text: str, expected: set[int]) -> None:
    assert ids(snapshot, text) == expected


def test_a_query_keeps_its_text(snapshot: Snapshot) -> None:
    query = parse_query("owner:me  #ops", me="ana", today=WEDNESDAY)
    assert query.text == "owner:me  #ops"
    assert not query.is_empty
    assert parse_query("", me="ana", today=WEDNESDAY).is_empty


def test_overdue_moves_with_today(snapshot: Snapshot) -> None:
    later = parse_query("overdue", me="ana", today=date(2025, 1, 20))
    assert {i.id for i in later.filter(list(snapshot.items.values()), snapshot)} == {3, 4}


def test_statuses_are_only_checked_when_known(snapshot: Snapshot) -> None:
    query = parse_query("status:someday", me="ana", today=WEDNESDAY)
    assert query.filter(list(snapshot.items.values()), snapshot) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("foo:bar", "unknown key 'foo' in 'foo:bar'; keys: owner, status"),
        ("Owner:ana colour:red", "unknown key 'colour'"),
        ("due<someday", "in 'due<someday': not a date: 'someday'"),
        ("due:whenever", "not a date"),
        ("due<", "empty date"),
        ("owner:", "'owner:' needs a value, e.g. owner:ana"),
        ("kind:epic", "unknown kind 'epic' in 'kind:epic'; kinds: goal, project"),
        ("status:later", "unknown status 'later' in 'status:later'; statuses: inbox, todo"),
        ("missing:what", "missing: takes who, when, how, why or any"),
        ("why:yes", "only why:none"),
        ("parent:abc", "takes an item id"),
        ("priority:9", "1 (highest) to 4"),
        ("#", "a tag needs a name"),
        ('"login page', "no closing quotation"),
    ],
)
def test_bad_queries_say_what_is_wrong(snapshot: Snapshot, text: str, says: str) -> None:
    with pytest.raises(BadQuery) as error:
        parse_query(text, me="ana", today=WEDNESDAY, statuses=snapshot.settings.all_statuses)
    assert says in str(error.value)


def test_bad_query_is_a_value_error() -> None:
    assert issubclass(BadQuery, ValueError)


# -- agreement with the model, and speed, on realistic data ------------------------------

@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path = make_demo(Path(tmp_path_factory.mktemp("demo")) / "worktop.json", items=1500, today=WEDNESDAY)
    return Workspace(path, today=WEDNESDAY).snapshot()


@pytest.mark.parametrize("answer", ["who", "when", "how", "why"])
def test_missing_agrees_with_missing_answers(demo_snapshot: Snapshot, answer: str) -> None:
    """The query's shortcuts must not change what ``missing:`` means."""
    snap = demo_snapshot
    query = parse_query(f"missing:{answer}", me="ana", today=WEDNESDAY)
    expected = {i.id for i in snap.items.values() if answer in missing_answers(i, snap.items, snap.settings)}
    assert expected, "the demo should have items missing each answer"
    assert {i.id for i in query.filter(list(snap.items.values()), snap)} == expected


def test_why_none_agrees_with_inherited_why(demo_snapshot: Snapshot) -> None:
    snap = demo_snapshot
    query = parse_query("why:none", me="ana", today=WEDNESDAY)
    expected = {i.id for i in snap.items.values() if not inherited_why(i, snap.items)}
    assert expected
    assert {i.id for i in query.filter(list(snap.items.values()), snap)} == expected


def test_filtering_grows_with_the_items_not_faster(tmp_path: Path) -> None:
    """The TUI filters on every key press: the work must grow with the items, never with their square.

    Counted in Python function calls (what the filter costs, whatever the machine is doing), at 1k and 4k
    items: four times the items may cost at most about four times the calls. How fast it is: bench/.
    """
    import sys

    counts = {}
    for size in (1_000, 4_000):
        (tmp_path / str(size)).mkdir()
        path = make_demo(tmp_path / str(size) / "worktop.json", items=size, today=WEDNESDAY)
        snap = Workspace(path, today=WEDNESDAY).snapshot()
        items = list(snap.items.values())
        queries = [parse_query(text, me="ana", today=WEDNESDAY)
                   for text in ("owner:ana due<fri #ops", "login", "-status:done missing:why", "overdue owner:none")]
        calls = 0

        def count(_frame: object, event: str, _arg: object) -> None:
            nonlocal calls
            if event in ("call", "c_call"):
                calls += 1

        sys.setprofile(count)
        try:
            for query in queries:
                query.filter(items, snap)
        finally:
            sys.setprofile(None)
        counts[size] = calls
    assert counts[4_000] < 5 * counts[1_000], counts
