"""Duplicate suggestions and the owner picker's matching (data/views/similar.py)."""

from __future__ import annotations

from data.model.items import Person
from data.views.similar import match_people, search_items, similar_items
from data.writes.ops import CreateItem, Move
from data.writes.triage import MarkDuplicate
from data.writes.workspace import Workspace


def _add(ws: Workspace, title: str, **kw) -> int:  # noqa: ANN003
    return ws.apply(CreateItem(title, **kw)).item_id


def test_the_near_duplicate_comes_first_and_unrelated_titles_are_left_out(workspace: Workspace) -> None:
    original = _add(workspace, "Export invoices to CSV")
    _add(workspace, "VPN drops every hour")
    _add(workspace, "Old invoices missing the VAT number")
    request = _add(workspace, "Export invoices as a CSV file", kind="request")
    matches = similar_items(workspace.snapshot(), request)
    assert matches[0].item_id == original and matches[0].score > 85
    titles = {workspace.snapshot().items[m.item_id].title for m in matches}
    assert "VPN drops every hour" not in titles
    assert request not in {m.item_id for m in matches}  # never itself


def test_closed_items_and_duplicates_are_not_offered(workspace: Workspace) -> None:
    done = _add(workspace, "Dark mode for the dashboard")
    workspace.apply(Move(done, "done"))
    first = _add(workspace, "Add dark mode to the dashboard", kind="request")
    second = _add(workspace, "Dark mode dashboard", kind="request")
    workspace.apply(MarkDuplicate(second, first))
    request = _add(workspace, "Dark mode for the dashboard please", kind="request")
    offered = [m.item_id for m in similar_items(workspace.snapshot(), request)]
    assert offered == [first]


def test_search_by_id_or_words(workspace: Workspace) -> None:
    target = _add(workspace, "Password reset email never arrives")
    other = _add(workspace, "Something else")
    snap = workspace.snapshot()
    assert [m.item_id for m in search_items(snap, f"#{target}")] == [target]
    assert [m.item_id for m in search_items(snap, str(other))] == [other]
    assert search_items(snap, "#999") == []
    assert [m.item_id for m in search_items(snap, "password reset")][0] == target
    assert search_items(snap, "   ") == []


PEOPLE = {p.handle: p for p in (Person("ana", "Ana Lima"), Person("bo", "Bo Chen"), Person("cy", "Cy Park"),
                                Person("dana", "Dana Scully"))}


def test_me_comes_first_when_nothing_is_typed() -> None:
    handles = [m.handle for m in match_people(PEOPLE, "", me="cy")]
    assert handles == ["cy", "ana", "bo", "dana"]
    assert match_people(PEOPLE, "me", me="cy")[0].is_me


def test_prefix_then_typo_then_an_offer_to_add() -> None:
    assert match_people(PEOPLE, "da", me="ana")[0].handle == "dana"
    assert match_people(PEOPLE, "scully", me="ana")[0].handle == "dana"  # the name counts too
    assert match_people(PEOPLE, "dnaa", me="ana")[0].handle == "dana"  # a typo still finds her
    zoe = match_people(PEOPLE, "zoe", me="ana")
    assert zoe[-1].handle == "zoe" and zoe[-1].is_new
    assert not any(m.is_new for m in match_people(PEOPLE, "bo", me="ana"))


def test_an_actor_who_is_not_a_person_is_offered_last_as_new() -> None:
    """Enter on the first line must not add the user as a person by accident (README's accept recipe)."""
    matches = match_people(PEOPLE, "", me="root")
    assert [m.handle for m in matches] == ["ana", "bo", "cy", "dana", "root"]
    assert matches[-1].is_me and matches[-1].is_new and not any(m.is_new for m in matches[:-1])


def test_nothing_typed_lists_everyone_however_many() -> None:
    """Bug: with eight people and a user who is not one, the picker dropped the last person (hana)."""
    people = {h: Person(h) for h in ("ana", "bo", "chen", "dara", "eli", "fay", "gus", "hana")}
    assert [m.handle for m in match_people(people, "", me="root")][:8] == sorted(people)
    assert [m.handle for m in match_people(people, "", me="hana")] == ["hana", *sorted(set(people) - {"hana"})]


def test_words_that_mean_nobody_or_me_are_never_offered_as_people() -> None:
    for word in ("none", "nobody", "no", "-"):
        assert not any(m.is_new for m in match_people(PEOPLE, word, me="ana")), word


def test_not_a_handle_is_not_offered_to_add() -> None:
    assert not any(m.is_new for m in match_people(PEOPLE, "two words", me="ana"))


def test_no_offer_to_add_while_the_text_starts_a_known_name() -> None:
    assert not any(m.is_new for m in match_people(PEOPLE, "b", me="ana"))
    bob = match_people(PEOPLE, "bob", me="ana")
    assert bob[0].handle == "bo" and bob[-1].handle == "bob" and bob[-1].is_new  # a typo, or someone new


def test_a_handle_prefix_beats_a_name_prefix() -> None:
    assert [m.handle for m in match_people(PEOPLE, "c", me="ana")][:2] == ["cy", "bo"]  # cy, then Bo Chen
