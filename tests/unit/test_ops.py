"""Operations: what each one stores and records, and what each one refuses.

The ``workspace`` fixture (tests/conftest.py) is an empty workspace with people
ana, ben and cy, acting as ana, with today pinned to Wednesday 2025-01-15.
"""

from __future__ import annotations

from typing import Any

import pytest

from data.errors import BadValue, Conflict, NotFound
from data.model.items import Person
from data.writes.ops import AddWhyNote, Archive, CreateItem, Move, Reorder, SetFields
from data.writes.people import AddPerson, SetRole
from data.writes.steps import AddStep, ToggleStep
from data.writes.triage import Accept, MarkDuplicate, Snooze
from data.writes.workspace import Workspace
from tests.support.stores import as_user, edit_meta, fingerprint, hand_edit
from tests.support.stores import stored_doc as doc

pytestmark = pytest.mark.both_stores


def history(workspace: Workspace) -> list[dict[str, Any]]:
    return workspace.history()


def refused(workspace: Workspace, op: Any, error: type[Exception], says: str) -> str:
    """Apply ``op``, expecting ``error`` mentioning ``says``, and nothing written."""
    before = fingerprint(workspace)
    with pytest.raises(error) as raised:
        workspace.apply(op)
    assert says in str(raised.value)
    assert fingerprint(workspace) == before
    return str(raised.value)


# -- CreateItem -------------------------------------------------------------------

def test_create_stores_typed_fields(workspace: Workspace) -> None:
    goal = workspace.apply(CreateItem("Ship v2", kind="goal", fields={"why": "customers"})).item_id
    result = workspace.apply(CreateItem(
        "  Fix login  ", fields={"owner": "ben", "due": "fri", "tags": "ops,api", "parent": f"#{goal}",
                                 "priority": "p2", "why": "people are locked out"},
        checklist=["reproduce", "fix"],
    ))
    stored = doc(workspace, result.item_id)
    assert stored["title"] == "Fix login"
    assert stored["kind"] == "task"
    assert stored["status"] == "todo"  # the first board column
    assert stored["owner"] == "ben"
    assert stored["due"] == "2025-01-17"
    assert stored["tags"] == ["ops", "api"]
    assert stored["parent"] == goal
    assert stored["priority"] == 2
    assert stored["checklist"] == [{"text": "reproduce", "done": False}, {"text": "fix", "done": False}]
    assert stored["why_log"][0]["text"] == "people are locked out"
    assert stored["created_by"] == "ana"
    assert history(workspace)[0]["summary"] == f"created #{result.item_id} Fix login"


def test_requests_start_in_the_inbox(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Export CSV", kind="request", fields={"requester": "sales.kim"})).item_id
    assert doc(workspace, item_id)["status"] == "inbox"


def test_ids_follow_the_largest_in_use(workspace: Workspace) -> None:
    ids = [workspace.apply(CreateItem(f"t{n}")).item_id for n in range(3)]
    assert ids == [1, 2, 3]
    def edit(data: dict[str, Any]) -> None:  # an item some other tool added with a higher id
        data["items"]["7"] = {"kind": "task", "title": "seven", "status": "todo"}

    hand_edit(workspace, edit)
    assert workspace.apply(CreateItem("next")).item_id == 8


@pytest.mark.parametrize(
    ("op", "says"),
    [
        (CreateItem("x", fields={"owner": "zed"}), "worktop person add zed"),
        (CreateItem("x", fields={"parent": "99"}), "parent #99 is not in this workspace"),
        (CreateItem("x", status="someday"), "unknown status 'someday'"),
        (CreateItem("x", kind="epic"), "unknown kind"),
        (CreateItem(""), "title cannot be empty"),
        (CreateItem("x" * 201), "the limit is 200"),
        (CreateItem("x", fields={"due": "whenever"}), "not a date"),
    ],
)
def test_create_refuses_bad_input(workspace: Workspace, op: CreateItem, says: str) -> None:
    refused(workspace, op, (BadValue, NotFound), says)  # type: ignore[arg-type]


# -- SetFields ----------------------------------------------------------------------

def test_set_fields_records_old_and_new(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs", fields={"owner": "ana"})).item_id
    workspace.apply(SetFields(item_id, {"owner": "ben", "due": "mon"}))
    entry = history(workspace)[0]
    assert entry["changes"] == {"owner": ["ana", "ben"], "due": [None, "2025-01-20"]}
    assert entry["by"] == "ana"
    stored = doc(workspace, item_id)
    assert (stored["owner"], stored["due"], stored["updated_by"]) == ("ben", "2025-01-20", "ana")


def test_setting_a_why_appends_to_the_why_log(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs", fields={"why": "first"})).item_id
    workspace.apply(SetFields(item_id, {"why": "second"}))
    assert [e["text"] for e in doc(workspace, item_id)["why_log"]] == ["first", "second"]


def test_every_why_change_is_logged_with_who_and_when_even_clearing_it(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs", fields={"why": "first"})).item_id
    as_user(workspace, "ben").apply(SetFields(item_id, {"why": "second"}))
    workspace.apply(SetFields(item_id, {"why": ""}))
    stored = doc(workspace, item_id)
    assert "why" not in stored
    log = stored["why_log"]
    assert [(e["by"], e["kind"], e["text"]) for e in log] == [("ana", "why", "first"), ("ben", "why", "second"),
                                                              ("ana", "why", "")]
    assert all(e["at"].endswith("Z") for e in log)


def test_clearing_a_field_removes_it(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs", fields={"owner": "ana", "due": "fri"})).item_id
    workspace.apply(SetFields(item_id, {"due": ""}))
    assert "due" not in doc(workspace, item_id)


def test_setting_the_same_values_writes_nothing(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs", fields={"owner": "ana"})).item_id
    before = fingerprint(workspace)
    result = workspace.apply(SetFields(item_id, {"owner": "ana"}))
    assert not result.changed
    assert fingerprint(workspace) == before


def test_conflict_names_who_changed_it(workspace: Workspace) -> None:
    """Ana edits what she saw; Ben changed it meanwhile: Ana is told, nothing is overwritten."""
    item_id = workspace.apply(CreateItem("Write docs", fields={"owner": "ana"})).item_id
    as_user(workspace, "ben").apply(SetFields(item_id, {"owner": "cy"}))
    message = refused(workspace, SetFields(item_id, {"owner": "ben"}, expected={"owner": "ana"}), Conflict,
                      "changed by ben")
    assert "'cy'" in message and "you saw 'ana'" in message and "nothing was written" in message
    assert doc(workspace, item_id)["owner"] == "cy"


def test_different_fields_edited_by_two_people_both_win(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs", fields={"owner": "ana"})).item_id
    snapshot_seen_by_both = workspace.snapshot().item(item_id)
    as_user(workspace, "ben").apply(SetFields(item_id, {"due": "fri"}, expected={"due": snapshot_seen_by_both.due}))
    workspace.apply(SetFields(item_id, {"owner": "cy"}, expected={"owner": snapshot_seen_by_both.owner}))
    stored = doc(workspace, item_id)
    assert (stored["owner"], stored["due"]) == ("cy", "2025-01-17")


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"owner": "zed"}, "unknown person 'zed'"),
        ({"parent": "1"}, "cannot be its own parent"),
        ({}, "nothing to set"),
    ],
)
def test_set_fields_refuses_bad_input(workspace: Workspace, values: dict[str, str], says: str) -> None:
    item_id = workspace.apply(CreateItem("Write docs")).item_id
    assert item_id == 1
    refused(workspace, SetFields(item_id, values), BadValue, says)


def test_a_goal_link_must_point_at_a_goal(workspace: Workspace) -> None:
    goal = workspace.apply(CreateItem("Keep customers", kind="goal")).item_id
    task = workspace.apply(CreateItem("Write docs")).item_id
    other = workspace.apply(CreateItem("Other task")).item_id
    refused(workspace, SetFields(task, {"goal": other}), BadValue, f"#{other} is a task, not a goal")
    refused(workspace, CreateItem("New", fields={"goal": task}), BadValue, "not a goal")
    workspace.apply(SetFields(task, {"goal": goal}))
    assert doc(workspace, task)["goal"] == goal


def test_a_parent_cannot_be_its_own_descendant(workspace: Workspace) -> None:
    top = workspace.apply(CreateItem("top", kind="project")).item_id
    child = workspace.apply(CreateItem("child", fields={"parent": top})).item_id
    refused(workspace, SetFields(top, {"parent": child}), BadValue, "cannot be its own descendant")


def test_unknown_item_is_not_found(workspace: Workspace) -> None:
    refused(workspace, SetFields(42, {"owner": "ana"}), NotFound, "no item #42")


# -- Move ---------------------------------------------------------------------------

def test_move_changes_status_and_records_it(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs")).item_id
    workspace.apply(Move(item_id, "doing"))
    assert doc(workspace, item_id)["status"] == "doing"
    assert history(workspace)[0]["changes"] == {"status": ["todo", "doing"]}
    workspace.apply(Move(item_id, "done"))
    assert history(workspace)[0]["summary"] == f"finished #{item_id}"


def test_move_refuses_an_unknown_status(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs")).item_id
    refused(workspace, Move(item_id, "later"), BadValue, "statuses: inbox, todo, doing, review, done, declined")


def test_decline_without_a_reason_is_refused(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs")).item_id
    refused(workspace, Move(item_id, "declined"), BadValue, "declining needs a reason")
    refused(workspace, Move(item_id, "declined", reason="   "), BadValue, "declining needs a reason")


def test_decline_keeps_the_reason(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs")).item_id
    workspace.apply(Move(item_id, "declined", reason="not this quarter"))
    stored = doc(workspace, item_id)
    assert (stored["status"], stored["decline_reason"]) == ("declined", "not this quarter")


def test_moving_past_a_wip_limit_warns(workspace: Workspace) -> None:
    """The default workspace allows 5 in doing and only warns past that."""
    ids = [workspace.apply(CreateItem(f"t{n}")).item_id for n in range(6)]
    for item_id in ids[:5]:
        assert workspace.apply(Move(item_id, "doing")).warnings == []
    result = workspace.apply(Move(ids[5], "doing"))
    assert result.warnings == ["doing is over its WIP limit: 6 cards for 5; moved anyway"]
    assert doc(workspace, ids[5])["status"] == "doing"


def test_a_blocking_wip_limit_refuses(workspace: Workspace) -> None:
    edit_meta(workspace, wip={"review": 1}, wip_blocks=True)
    first, second = (workspace.apply(CreateItem(f"t{n}")).item_id for n in range(2))
    workspace.apply(Move(first, "review"))
    refused(workspace, Move(second, "review"), BadValue, "refuses moves past it")


def test_move_with_a_stale_status_is_a_conflict(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs")).item_id
    as_user(workspace, "cy").apply(Move(item_id, "review"))
    refused(workspace, Move(item_id, "doing", expected_status="todo"), Conflict, "changed by cy")


def test_archive(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Old thing")).item_id
    workspace.apply(Archive(item_id))
    assert doc(workspace, item_id)["status"] == "archived"


# -- notes and steps ------------------------------------------------------------------

def test_a_note_goes_to_the_why_log_and_leaves_the_why(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs", fields={"why": "onboarding"})).item_id
    workspace.apply(AddWhyNote(item_id, "agreed in planning"))
    stored = doc(workspace, item_id)
    assert stored["why"] == "onboarding"
    assert [(e["kind"], e["text"]) for e in stored["why_log"]] == [("why", "onboarding"), ("note", "agreed in planning")]
    refused(workspace, AddWhyNote(item_id, "  "), BadValue, "the note is empty")


def test_steps_are_added_and_toggled(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Launch", kind="project")).item_id
    workspace.apply(AddStep(item_id, "write the plan"))
    workspace.apply(AddStep(item_id, "ship"))
    workspace.apply(ToggleStep(item_id, 1))
    assert doc(workspace, item_id)["checklist"] == [{"text": "write the plan", "done": False},
                                                    {"text": "ship", "done": True}]
    refused(workspace, ToggleStep(item_id, 5), BadValue, "has no step 6")
    refused(workspace, ToggleStep(item_id, 1, expected_done=False), Conflict, "already toggled")


# -- SetRole: exactly one owner -------------------------------------------------------

def test_making_someone_accountable_demotes_the_old_owner(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Migrate DB", fields={"owner": "ana"})).item_id
    workspace.apply(SetRole(item_id, "ben", "A"))
    stored = doc(workspace, item_id)
    assert stored["owner"] == "ben"
    assert stored["roles"] == {"ana": "R"}


def test_roles_never_hold_a_second_owner(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Migrate DB", fields={"owner": "ana"})).item_id
    workspace.apply(SetRole(item_id, "ben", "C"))
    workspace.apply(SetRole(item_id, "cy", "A"))
    workspace.apply(SetRole(item_id, "ben", "A"))
    stored = doc(workspace, item_id)
    assert stored["owner"] == "ben"
    assert "ben" not in stored.get("roles", {})
    assert set(stored["roles"].values()) <= {"R", "C", "I"}


def test_taking_the_owner_role_away_leaves_no_owner(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Migrate DB", fields={"owner": "ana"})).item_id
    workspace.apply(SetRole(item_id, "ana", "I"))
    stored = doc(workspace, item_id)
    assert "owner" not in stored
    assert stored["roles"] == {"ana": "I"}


def test_set_role_refuses_unknown_people_and_roles(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Migrate DB")).item_id
    refused(workspace, SetRole(item_id, "zed", "R"), BadValue, "unknown person 'zed'")
    refused(workspace, SetRole(item_id, "ben", "X"), BadValue, "must be A, R, C, I or none")


def test_a_second_accountable_in_a_hand_edited_file_is_demoted(workspace: Workspace) -> None:
    """Two owners (owner ana, ben marked A in roles) is flagged in the matrix; making one accountable fixes it."""
    item_id = workspace.apply(CreateItem("Migrate DB", fields={"owner": "ana"})).item_id
    def edit(data: dict[str, Any]) -> None:
        data["items"][str(item_id)]["roles"] = {"ben": "A", "cy": "C"}

    hand_edit(workspace, edit)
    workspace.apply(SetRole(item_id, "cy", "A"))
    stored = doc(workspace, item_id)
    assert stored["owner"] == "cy"
    assert stored["roles"] == {"ana": "R", "ben": "R"}
    entry = history(workspace)[0]
    assert entry["changes"]["owner"] == ["ana", "cy"] and entry["by"] == "ana"


def test_reaffirming_the_owner_also_clears_a_stray_second_owner(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Migrate DB", fields={"owner": "ana"})).item_id
    def edit(data: dict[str, Any]) -> None:
        data["items"][str(item_id)]["roles"] = {"ben": "A"}

    hand_edit(workspace, edit)
    workspace.apply(SetRole(item_id, "ana", "A"))
    stored = doc(workspace, item_id)
    assert stored["owner"] == "ana" and stored["roles"] == {"ben": "R"}


def test_setting_the_same_role_again_writes_nothing(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Migrate DB", fields={"owner": "ana"})).item_id
    workspace.apply(SetRole(item_id, "ben", "C"))
    before = fingerprint(workspace)
    assert workspace.apply(SetRole(item_id, "ben", "C")).changed is False
    assert workspace.apply(SetRole(item_id, "ana", "A")).changed is False
    assert fingerprint(workspace) == before


def test_removing_a_role(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Migrate DB", fields={"owner": "ana"})).item_id
    workspace.apply(SetRole(item_id, "ben", "C"))
    workspace.apply(SetRole(item_id, "ben", None))
    assert "roles" not in doc(workspace, item_id)
    workspace.apply(SetRole(item_id, "ana", None))
    assert "owner" not in doc(workspace, item_id)


# -- people and order ---------------------------------------------------------------

def test_add_person_and_refuse_a_second_with_the_same_handle(workspace: Workspace) -> None:
    workspace.apply(AddPerson(Person("dee", "Dee Doe", "ops", 4)))
    assert workspace.snapshot().people["dee"] == Person("dee", "Dee Doe", "ops", 4)
    refused(workspace, AddPerson(Person("dee")), BadValue, "already in this workspace")
    refused(workspace, AddPerson(Person("d e")), BadValue, "not a handle")


def test_reorder_swaps_neighbours(workspace: Workspace) -> None:
    ids = [workspace.apply(CreateItem(f"t{n}")).item_id for n in range(3)]
    workspace.apply(Reorder(ids[2], -1))
    column = sorted(ids, key=lambda i: doc(workspace, i)["rank"])
    assert column == [ids[0], ids[2], ids[1]]


# -- triage ---------------------------------------------------------------------------

def request(workspace: Workspace, title: str = "Export CSV", requester: str = "sales.kim") -> int:
    return workspace.apply(CreateItem(title, kind="request", fields={"requester": requester})).item_id


def test_accept_moves_to_the_board_and_sets_fields_in_one_write(workspace: Workspace) -> None:
    item_id = request(workspace)
    revision = workspace.snapshot().revision
    workspace.apply(Accept(item_id, {"owner": "ben", "due": "fri", "why": "sales needs it"}))
    stored = doc(workspace, item_id)
    assert (stored["status"], stored["owner"], stored["due"], stored["why"]) == (
        "todo", "ben", "2025-01-17", "sales needs it")
    assert workspace.snapshot().revision == revision + 1
    (entry,) = [e for e in history(workspace) if e["rev"] == revision + 1]  # one accept, one history entry
    assert entry["op"] == "accept" and entry["summary"] == f"accepted #{item_id} → todo (owner, due date, why)"
    assert set(entry["changes"]) >= {"owner", "due", "why", "status"}


def test_accept_with_a_bad_field_changes_nothing(workspace: Workspace) -> None:
    item_id = request(workspace)
    refused(workspace, Accept(item_id, {"owner": "ben", "due": "soonish"}), BadValue, "not a date")
    assert doc(workspace, item_id)["status"] == "inbox"


def test_accept_refuses_work_not_in_the_inbox(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Already planned")).item_id
    refused(workspace, Accept(item_id), BadValue, "not in the inbox (it is todo)")


def test_accept_after_someone_else_did_is_a_conflict(workspace: Workspace) -> None:
    item_id = request(workspace)
    as_user(workspace, "cy").apply(Accept(item_id, {"owner": "cy"}))
    refused(workspace, Accept(item_id, {"owner": "ben"}), Conflict, "already moved to todo by cy")


def test_mark_duplicate_closes_and_carries_what_it_knew(workspace: Workspace) -> None:
    original = request(workspace, "Export invoices to CSV", "cfo")
    duplicate = request(workspace, "Export invoices as a CSV file", "sales.kim")
    workspace.apply(AddWhyNote(duplicate, "needed for the Acme renewal"))
    workspace.apply(MarkDuplicate(duplicate, original))
    closed = doc(workspace, duplicate)
    assert (closed["status"], closed["duplicate_of"], closed["decline_reason"]) == (
        "declined", original, f"duplicate of #{original}")
    note = doc(workspace, original)["why_log"][-1]
    assert note["kind"] == "note"
    assert f"#{duplicate}" in note["text"]
    assert "requested by sales.kim" in note["text"]
    assert "needed for the Acme renewal" in note["text"]
    summaries = [entry["summary"] for entry in history(workspace)[:2]]
    assert f"closed #{duplicate} as a duplicate of #{original}" in summaries


def test_mark_duplicate_refuses_loops_and_chains(workspace: Workspace) -> None:
    first, second, third = (request(workspace, f"r{n}") for n in range(3))
    refused(workspace, MarkDuplicate(first, first), BadValue, "duplicate of itself")
    refused(workspace, MarkDuplicate(first, 99), NotFound, "#99 is not in this workspace")
    workspace.apply(MarkDuplicate(second, first))
    refused(workspace, MarkDuplicate(third, second), BadValue, f"mark #{third} a duplicate of #{first} instead")
    refused(workspace, MarkDuplicate(second, third), BadValue, "already marked a duplicate")


def test_snooze_until_a_later_day(workspace: Workspace) -> None:
    item_id = request(workspace)
    workspace.apply(Snooze(item_id, "mon"))
    assert doc(workspace, item_id)["snoozed_until"] == "2025-01-20"
    refused(workspace, Snooze(item_id, "today"), BadValue, "not after today")
    refused(workspace, Snooze(item_id, "none"), BadValue, "snooze needs a date")


def test_accepting_a_snoozed_request_wakes_it(workspace: Workspace) -> None:
    item_id = request(workspace)
    workspace.apply(Snooze(item_id, "+1w"))
    workspace.apply(Accept(item_id))
    assert "snoozed_until" not in doc(workspace, item_id)


@pytest.mark.parametrize("handle", ["me", "none", "None", "nobody", "no", "-"])
def test_words_that_already_mean_something_are_refused_as_people(workspace: Workspace, handle: str) -> None:
    """Bug: `person add me` / `person add none` succeeded, then --owner me / owner:none meant something else."""
    says = refused(workspace, AddPerson(Person(handle)), BadValue, "cannot be a person's handle")
    assert "pick another handle" in says


def test_a_goal_done_while_work_still_serves_it_warns(workspace: Workspace) -> None:
    """Bug: moving a goal to done while 63 open items served it said nothing."""
    goal = workspace.apply(CreateItem("Halve response time", kind="goal")).item_id
    project = workspace.apply(CreateItem("On-call tooling", kind="project", fields={"parent": goal})).item_id
    workspace.apply(CreateItem("Pager rota", fields={"parent": project}))  # under it, two levels down
    workspace.apply(CreateItem("Runbooks", fields={"goal": goal}))  # linked to it
    finished = workspace.apply(CreateItem("Old alert", fields={"goal": goal})).item_id
    workspace.apply(Move(finished, "done"))  # closed work does not count
    result = workspace.apply(Move(goal, "done"))
    assert result.warnings == [f"goal #{goal} is done, but 3 open items still serve it "
                               f"(worktop ls parent:{goal} lists the ones directly under it)"]
    assert doc(workspace, goal)["status"] == "done"  # a warning, not a refusal
    assert workspace.apply(Move(project, "done")).warnings[0].startswith(f"project #{project} is done, but 1 open item")


def test_a_bulk_move_past_a_wip_limit_warns_once_with_the_count_after_it(workspace: Workspace) -> None:
    """Bug: one toast per card ('at its limit (8/7)' when over); now one, saying over, with the final count."""
    ids = [workspace.apply(CreateItem(f"t{n}")).item_id for n in range(8)]
    result = workspace.apply_all([Move(item_id, "doing") for item_id in ids])
    assert result.warnings == ["doing is over its WIP limit: 8 cards for 5; moved anyway"]


def test_summaries_read_as_words(workspace: Workspace) -> None:
    """Bug: the header said 'and 1 more' for one accept and showed raw field names (snoozed_until)."""
    item_id = request(workspace)
    workspace.apply(Accept(item_id, {"owner": "ben", "due": "fri"}))
    assert workspace.snapshot().last_change.summary == f"accepted #{item_id} → todo (owner, due date)"
    other = request(workspace)
    workspace.apply(SetFields(other, {"snoozed_until": "+1w"}))
    assert workspace.snapshot().last_change.summary == f"set snooze date of #{other}"
    workspace.apply_all([SetFields(item_id, {"priority": 1}), SetFields(other, {"priority": 2})])
    assert workspace.snapshot().last_change.summary == f"set priority of #{item_id} and 1 more item"


def test_a_conflict_says_when_in_words_and_cuts_long_values_with_an_ellipsis(workspace: Workspace) -> None:
    item_id = workspace.apply(CreateItem("Write docs")).item_id
    long_why = "Three customers asked for single sign-on before their renewal in January, and sales says more will"
    as_user(workspace, "cy").apply(SetFields(item_id, {"why": long_why}))
    says = refused(workspace, SetFields(item_id, {"why": "mine"}, expected={"why": ""}), Conflict, "changed by cy")
    assert "T" not in says.split(" at ")[1][:12] and "Z" not in says  # 'Jan 15 09:00', not 2025-01-15T09:00:00Z
    assert "…'" in says and long_why not in says
