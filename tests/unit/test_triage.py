"""Triage and bulk actions as operations (data/writes/triage.py): what lands on disk, and what is refused.

The ``workspace`` fixture acts as ana, with people ana, ben and cy, today pinned to Wed 2025-01-15.
"""

from __future__ import annotations

import pytest

from data.errors import BadValue, Conflict
from data.writes.ops import Archive, CreateItem, SetFields
from data.writes.triage import (
    accept_ops,
    decline_ops,
    duplicate_ops,
    move_ops,
    parse_due,
    parse_reason,
    parse_snooze,
    parse_tag_edit,
    set_field_ops,
    snooze_ops,
    tag_ops,
)
from data.writes.workspace import Workspace
from tests.conftest import TODAY
from tests.support.stores import as_user, fingerprint

pytestmark = pytest.mark.both_stores


def _requests(ws: Workspace, *titles: str) -> list[int]:
    return [ws.apply(CreateItem(t, kind="request", fields={"requester": "dana"})).item_id for t in titles]


def _items(ws: Workspace, ids: list[int]):  # noqa: ANN202
    snap = ws.snapshot()
    return [snap.items[i] for i in ids]


def _other(ws: Workspace, actor: str = "ben") -> Workspace:
    return as_user(ws, actor)


def test_accept_with_a_new_person_adds_them_in_the_same_write(workspace: Workspace) -> None:
    (rid,) = _requests(workspace, "Export to CSV")
    ops = accept_ops(_items(workspace, [rid]), owner="zoe", due="2025-01-17", why="finance asked",
                     people=workspace.snapshot().people)
    result = workspace.apply_all(ops)
    snap = workspace.snapshot()
    item = snap.items[rid]
    assert (item.status, item.owner, item.due, item.why) == ("todo", "zoe", "2025-01-17", "finance asked")
    assert "zoe" in snap.people
    assert len({e["rev"] for e in workspace.history(limit=2)}) == 1 and result.changed  # person + accept


def test_two_items_accepted_at_once_or_neither(workspace: Workspace) -> None:
    first, second = _requests(workspace, "one", "two")
    items = _items(workspace, [first, second])
    _other(workspace).apply(Archive(second))
    before = fingerprint(workspace)
    with pytest.raises(Conflict, match="ben"):
        workspace.apply_all(accept_ops(items, owner="ana"))
    assert fingerprint(workspace) == before


def test_setting_a_field_on_an_item_someone_archived_is_a_conflict(workspace: Workspace) -> None:
    (rid,) = _requests(workspace, "Export to CSV")
    items = _items(workspace, [rid])
    _other(workspace).apply(Archive(rid))
    with pytest.raises(Conflict) as raised:
        workspace.apply_all(set_field_ops(items, "owner", "cy"))
    assert raised.value.field == "status" and raised.value.value == "archived" and raised.value.by == "ben"
    assert workspace.snapshot().items[rid].owner is None


@pytest.mark.parametrize("name, typed, stored", [
    ("owner", "cy", "cy"), ("due", "fri", "2025-01-17"), ("why", "because", "because"), ("priority", "p1", 1),
])
def test_set_field(workspace: Workspace, name: str, typed: str, stored: object) -> None:
    (rid,) = _requests(workspace, "x")
    workspace.apply_all(set_field_ops(_items(workspace, [rid]), name, typed))
    assert workspace.snapshot().items[rid].doc[name] == stored


def test_tags_are_added_and_removed_keeping_the_rest(workspace: Workspace) -> None:
    first, second = _requests(workspace, "one", "two")
    workspace.apply(SetFields(first, {"tags": "later,api"}))
    add, remove = parse_tag_edit("ops #infra -later")
    assert (add, remove) == (["ops", "infra"], ["later"])
    workspace.apply_all(tag_ops(_items(workspace, [first, second]), add, remove))
    snap = workspace.snapshot()
    assert snap.items[first].tags == ["api", "ops", "infra"]
    assert snap.items[second].tags == ["ops", "infra"]


def test_bad_tag_edits_are_refused() -> None:
    with pytest.raises(BadValue):
        parse_tag_edit("   ")
    with pytest.raises(BadValue, match="letters"):
        parse_tag_edit("a/b")


def test_decline_needs_a_reason_and_records_it(workspace: Workspace) -> None:
    (rid,) = _requests(workspace, "x")
    with pytest.raises(BadValue, match="needs a reason"):
        decline_ops(_items(workspace, [rid]), "  ")
    with pytest.raises(BadValue, match="needs a reason"):
        parse_reason("")
    workspace.apply_all(decline_ops(_items(workspace, [rid]), "out of scope"))
    item = workspace.snapshot().items[rid]
    assert (item.status, item.decline_reason) == ("declined", "out of scope")


def test_duplicate_carries_the_requester_over(workspace: Workspace) -> None:
    original = workspace.apply(CreateItem("Export invoices to CSV")).item_id
    (rid,) = _requests(workspace, "Export invoices as CSV")
    workspace.apply_all(duplicate_ops(_items(workspace, [rid]), original))
    snap = workspace.snapshot()
    assert snap.items[rid].duplicate_of == original and snap.items[rid].status == "declined"
    assert "requested by dana" in snap.items[original].why_log[-1]["text"]


def test_duplicate_of_an_item_someone_archived_changes_nothing(workspace: Workspace) -> None:
    original = workspace.apply(CreateItem("Export invoices to CSV")).item_id
    (rid,) = _requests(workspace, "Export invoices as CSV")
    items = _items(workspace, [rid])
    _other(workspace).apply(Archive(rid))
    before = fingerprint(workspace)
    with pytest.raises(Conflict):
        workspace.apply_all(duplicate_ops(items, original))
    assert fingerprint(workspace) == before


def test_snooze_dates(workspace: Workspace) -> None:
    assert parse_snooze("mon", TODAY) == "2025-01-20"
    with pytest.raises(BadValue, match="not after today"):
        parse_snooze("today", TODAY)
    with pytest.raises(BadValue, match="not a date"):
        parse_snooze("someday", TODAY)
    assert parse_due("", TODAY) is None and parse_due("+3d", TODAY) == "2025-01-18"
    (rid,) = _requests(workspace, "x")
    workspace.apply_all(snooze_ops(_items(workspace, [rid]), "mon"))
    assert workspace.snapshot().items[rid].snoozed_until == "2025-01-20"


def test_move_skips_items_already_there(workspace: Workspace) -> None:
    first = workspace.apply(CreateItem("a")).item_id
    second = workspace.apply(CreateItem("b", status="doing")).item_id
    ops = move_ops(_items(workspace, [first, second]), "doing")
    assert len(ops) == 1
    workspace.apply_all(ops)
    assert workspace.snapshot().items[first].status == "doing"


def test_a_card_snoozed_from_the_board_waits_in_the_inbox(workspace: Workspace) -> None:
    card = workspace.apply(CreateItem("Later", status="doing")).item_id
    workspace.apply_all(snooze_ops(_items(workspace, [card]), "mon"))
    item = workspace.snapshot().items[card]
    assert (item.status, item.snoozed_until) == ("inbox", "2025-01-20")


def test_open_load_counts_open_work_per_owner(workspace: Workspace) -> None:
    from data.views.figures import open_load
    from data.writes.ops import Move

    for title in ("a", "b"):
        workspace.apply(CreateItem(title, fields={"owner": "cy"}))
    done = workspace.apply(CreateItem("c", fields={"owner": "cy"})).item_id
    workspace.apply(Move(done, "done"))
    workspace.apply(CreateItem("d", fields={"owner": "ben"}))
    workspace.apply(CreateItem("an outcome", kind="goal", fields={"owner": "ben"}))  # goals are not load
    assert open_load(workspace.snapshot()) == {"cy": 2, "ben": 1}
