"""The model: typed values to stored values, the five answers, why chains, unknown fields."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.errors import BadValue
from data.model.documents import ITEM_FIELD_TYPES
from data.model.items import (
    EDITABLE_FIELDS,
    ITEM_FIELDS,
    TITLE_LIMIT,
    Item,
    Settings,
    chain,
    coerce_field,
    display_width_safe,
    inherited_why,
    missing_answers,
    parse_item_id,
)
from data.store.atomic import write_atomic
from data.store.file_store import read_file
from data.store.lock import exclusive_lock
from data.writes.ops import CreateItem, SetFields
from data.writes.workspace import Workspace

WEDNESDAY = date(2025, 1, 15)


def item(item_id: int, **doc: Any) -> Item:
    return Item.from_doc(item_id, doc)


# -- coerce_field -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "typed", "stored"),
    [
        ("title", "  Fix the login page  ", "Fix the login page"),
        ("title", "[red]markup[/red] kept", "[red]markup[/red] kept"),
        ("body", "line one\nline two\n\n", "line one\nline two"),
        ("why", "", ""),
        ("kind", "Project", "project"),
        ("owner", "@ana", "ana"),
        ("owner", "none", None),
        ("owner", "", None),
        ("owner", "-", None),
        ("requester", "sales.kim", "sales.kim"),
        ("due", "fri", "2025-01-17"),
        ("due", "+1w", "2025-01-22"),
        ("due", "2026-12-01", "2026-12-01"),
        ("due", "none", None),
        ("snoozed_until", "mon", "2025-01-20"),
        ("parent", "#12", 12),
        ("parent", "12", 12),
        ("goal", "", None),
        ("tags", "ops, api,#ops ui", ["ops", "api", "ui"]),
        ("tags", ["a", "#b"], ["a", "b"]),
        ("tags", "", []),
        ("priority", "p1", 1),
        ("priority", "4", 4),
        ("priority", "none", None),
    ],
)
def test_coerce_field_stores(name: str, typed: Any, stored: Any) -> None:
    assert coerce_field(name, typed, today=WEDNESDAY) == stored


@pytest.mark.parametrize(
    ("name", "typed", "says"),
    [
        ("colour", "red", "unknown field 'colour'"),
        ("status", "done", "unknown field 'status'"),
        ("title", "", "title cannot be empty"),
        ("title", "   ", "title cannot be empty"),
        ("title", "x" * (TITLE_LIMIT + 1), f"the limit is {TITLE_LIMIT}"),
        ("title", "two\nlines", "one line"),
        ("kind", "epic", "unknown kind 'epic'"),
        ("owner", "ana smith", "not a handle"),
        ("due", "someday", "not a date"),
        ("parent", "abc", "not an item id"),
        ("tags", "ok, no/slash", "tag 'no/slash'"),
        ("priority", "5", "1 (highest) to 4"),
    ],
)
def test_coerce_field_refuses_with_a_reason(name: str, typed: str, says: str) -> None:
    with pytest.raises(BadValue) as error:
        coerce_field(name, typed, today=WEDNESDAY)
    assert says in str(error.value)


def test_unknown_field_message_lists_the_fields() -> None:
    with pytest.raises(BadValue) as error:
        coerce_field("colour", "red")
    assert all(name in str(error.value) for name in EDITABLE_FIELDS)


@pytest.mark.parametrize(("typed", "expected"), [("42", 42), ("#42", 42), (" 7 ", 7), (9, 9)])
def test_parse_item_id(typed: str | int, expected: int) -> None:
    assert parse_item_id(typed) == expected


@pytest.mark.parametrize("typed", ["", "#", "abc", "4 2", "-1"])
def test_parse_item_id_refuses(typed: str) -> None:
    with pytest.raises(BadValue):
        parse_item_id(typed)


# -- the five answers ---------------------------------------------------------------

SETTINGS = Settings()


def test_a_bare_task_misses_who_when_and_why() -> None:
    task = item(1, kind="task", title="t", status="todo")
    assert missing_answers(task, {1: task}, SETTINGS) == ["who", "when", "why"]


def test_a_fully_answered_task_misses_nothing() -> None:
    task = item(1, kind="task", title="t", status="todo", owner="ana", due="2025-01-17", why="because")
    assert missing_answers(task, {1: task}, SETTINGS) == []


def test_when_is_only_missing_on_open_work() -> None:
    done = item(1, kind="task", title="t", status="done", owner="ana", why="w")
    declined = item(2, kind="task", title="t", status="declined", owner="ana", why="w")
    items = {1: done, 2: declined}
    assert missing_answers(done, items, SETTINGS) == []
    assert missing_answers(declined, items, SETTINGS) == []


def test_goals_operations_and_recurring_need_no_due_date() -> None:
    for kind in ("goal", "operation", "recurring"):
        thing = item(1, kind=kind, title="t", status="doing", owner="ana", why="w")
        assert "when" not in missing_answers(thing, {1: thing}, SETTINGS), kind


def test_goals_need_no_owner_and_projects_need_steps() -> None:
    goal = item(1, kind="goal", title="g", status="doing", why="w")
    project = item(2, kind="project", title="p", status="doing", owner="ana", due="2025-02-01", parent=1)
    workstream = item(3, kind="workstream", title="w", status="doing", owner="ana", parent=1,
                      checklist=[{"text": "step", "done": False}])
    items = {1: goal, 2: project, 3: workstream}
    assert missing_answers(goal, items, SETTINGS) == []
    assert missing_answers(project, items, SETTINGS) == ["how"]
    assert "how" not in missing_answers(workstream, items, SETTINGS)


def test_why_is_answered_by_a_parent_or_a_goal() -> None:
    goal = item(1, kind="goal", title="g", why="the reason")
    project = item(2, kind="project", title="p", parent=1)
    task = item(3, kind="task", title="t", parent=2, owner="ana", due="2025-01-20", status="todo")
    orphan = item(4, kind="task", title="o", goal=1, owner="ana", due="2025-01-20", status="todo")
    lonely = item(5, kind="task", title="l", owner="ana", due="2025-01-20", status="todo")
    items = {1: goal, 2: project, 3: task, 4: orphan, 5: lonely}
    assert inherited_why(task, items) == "the reason"
    assert inherited_why(orphan, items) == "the reason"
    assert inherited_why(lonely, items) == ""
    assert missing_answers(task, items, SETTINGS) == []
    assert missing_answers(lonely, items, SETTINGS) == ["why"]


def test_the_nearest_why_wins() -> None:
    goal = item(1, kind="goal", title="g", why="far")
    project = item(2, kind="project", title="p", parent=1, why="near")
    task = item(3, kind="task", title="t", parent=2)
    assert inherited_why(task, {1: goal, 2: project, 3: task}) == "near"


def test_chain_runs_up_to_the_goal() -> None:
    goal = item(1, kind="goal", title="g")
    project = item(2, kind="project", title="p", parent=1)
    task = item(3, kind="task", title="t", parent=2)
    assert [link.id for link in chain(task, {1: goal, 2: project, 3: task})] == [3, 2, 1]


def test_chain_adds_a_goal_served_directly() -> None:
    goal = item(1, kind="goal", title="g")
    task = item(2, kind="task", title="t", goal=1)
    assert [link.id for link in chain(task, {1: goal, 2: task})] == [2, 1]


def test_cycles_are_cut() -> None:
    """A hand-edited file can make a loop; walking it must end."""
    a = item(1, kind="task", title="a", parent=2)
    b = item(2, kind="task", title="b", parent=1)
    items = {1: a, 2: b}
    assert [link.id for link in chain(a, items)] == [1, 2]
    assert inherited_why(a, items) == ""
    assert missing_answers(a, items, SETTINGS)[-1] == "why"


# -- showing text safely ------------------------------------------------------------

def test_control_characters_become_visible_symbols() -> None:
    assert display_width_safe("a\x1b[31mred\x07") == "a␛[31mred␇"
    assert display_width_safe("tab\there") == "tab here"
    assert display_width_safe("zero\u200bwidth") == "zero�width"


def test_markup_and_ordinary_text_are_untouched() -> None:
    for text in ("[red]not red[/red]", "ünïcödé ✓ 漢字", ""):
        assert display_width_safe(text) == text


# -- unknown fields survive -----------------------------------------------------------

def _edit_file(path: Path, change: Any) -> None:
    with exclusive_lock(path):
        data, _ = read_file(path)
        change(data)
        write_atomic(path, orjson.dumps(data), keep_backup=False)


def test_unknown_fields_survive_a_set_fields_round_trip(workspace: Workspace) -> None:
    """A field written by a newer worktop is kept, untouched, when this one edits the item."""
    item_id = workspace.apply(CreateItem("Plan the offsite", fields={"owner": "ana"})).item_id
    future = {"estimate": {"points": 3, "unit": "days"}, "links": ["https://example.com/x"]}

    def add_future_fields(data: dict[str, Any]) -> None:
        data["items"][str(item_id)].update(future)
        data["meta"]["1"]["future_setting"] = True

    _edit_file(workspace.path, add_future_fields)
    workspace.apply(SetFields(item_id, {"due": "fri", "title": "Plan the spring offsite"}))

    on_disk = orjson.loads(workspace.path.read_bytes())
    doc = on_disk["items"][str(item_id)]
    assert doc["estimate"] == future["estimate"]
    assert doc["links"] == future["links"]
    assert doc["title"] == "Plan the spring offsite"
    assert doc["due"] == "2025-01-17"
    assert on_disk["meta"]["1"]["future_setting"] is True
    snap_item = workspace.snapshot().item(item_id)
    assert snap_item.extra == future


# -- Item's declared fields --------------------------------------------------------------

FIELD_DEFAULTS = {
    "kind": "task", "title": "", "body": "", "status": "inbox", "owner": None, "roles": {}, "due": None,
    "snoozed_until": None, "checklist": [], "parent": None, "goal": None, "why": "", "why_log": [], "tags": [],
    "priority": None, "requester": None, "duplicate_of": None, "decline_reason": "", "rank": 0.0,
    "created_at": "", "created_by": "", "updated_at": "", "updated_by": "", "status_since": "", "blocked_by": [],
}


def test_every_item_field_is_a_declared_property_with_its_default() -> None:
    """A field missing from the document, or null in it, reads as its default; a stored value as itself."""
    assert set(FIELD_DEFAULTS) == ITEM_FIELDS
    assert ITEM_FIELDS.issubset(ITEM_FIELD_TYPES)
    for name, default in FIELD_DEFAULTS.items():
        assert isinstance(vars(Item)[name], property), name
        assert getattr(item(1), name) == default, name
        assert getattr(item(1, **{name: None}), name) == default, name
    stored = item(1, owner="ana", tags=["ops"], rank=3, checklist=[{"text": "a", "done": True}])
    assert (stored.owner, stored.tags, stored.rank, stored.checklist) == ("ana", ["ops"], 3, [{"text": "a", "done": True}])


def test_a_missing_list_field_is_a_fresh_list_each_time() -> None:
    """Appending to one item's empty default cannot leak into another item."""
    first, second = item(1), item(2)
    first.tags.append("x")
    assert second.tags == [] and first.tags == []
