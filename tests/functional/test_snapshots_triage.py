"""Snapshot tests of triage and the board's filter and swimlanes (pinned clock, theme, size; no watcher).

Update after an intended change with
``pytest tests/functional/test_snapshots_triage.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from data.writes.ops import CreateItem
from tests.functional.conftest import make_app

ACCEPT_FIRST = ["a", "enter", *"fri", "enter", *"Finance closes the quarter on it", "enter"]
"""Accept #8 as ana, due Friday, with a why."""


def pressing(*keys: str):
    """Press keys; at each "_" drop the toasts: they expire on the wall clock, so they would make the
    picture flaky (and a toast under a modal screen is only refreshed once that screen closes)."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        for key in keys:
            if key == "_":
                pilot.app.clear_notifications()
            else:
                await pilot.press(key)
            await pilot.pause()

    return run_before


def test_triage_mid_session_accept_form_with_a_bad_date(team_ws, snap_compare):
    """#8 was accepted (gone from the inbox, now on the board's todo column); the inbox title says
    '2 left · 1 triaged' and the cursor is on #9 Dark mode. The accept form for #9 is open: owner
    'bo' typed with 'bo Bo Chen · core 2/2 open' highlighted below it (his open items against his
    capacity), due 'someday' with the error
    "not a date: 'someday'; use today, tomorrow, …" in red under it, why empty."""
    keys = [*ACCEPT_FIRST, "_", "a", *"bo", "enter", *"someday", "enter"]
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=pressing(*keys))


def test_triage_duplicate_suggestions(team_ws, snap_compare):
    """The cursor on the newest request, #11 'Dashboard dark mode please'; the duplicate prompt
    lists '#9 Dark mode for the dashboard · inbox' first with its similarity, as the original."""
    team_ws.apply(CreateItem("Dashboard dark mode please", kind="request", fields={"requester": "gil"}))
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["G", "D"])


def test_board_with_a_filter(team_ws, snap_compare):
    """Board focused with the filter 'owner:bo': a filter bar under the header shows the query and
    '0 in the inbox pane · 2 on the board · esc clears'; the header ends 'filter: owner:bo'. Board
    title '2 Board · 2 (filtered)': todo holds only #4 Write SAML handler ('todo 1 of 4'), doing only
    #6 Load test the IdP ('doing 1 of 1/5': the WIP count is of every card); review and done say
    'none match the filter'. The inbox says what is hidden ('0 left (3 hidden by the filter)', 'No
    match: 3 waiting are hidden by the filter (esc clears it)'), not 'Inbox zero'; the matrix counts
    only bo's work (ana 0/4)."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["2", "slash", *"owner:bo", "enter"])


def test_board_with_swimlanes(team_ws, snap_compare):
    """Board focused with swimlanes on ('lanes by owner' in the title): one band per owner through every
    column, on the same rows ('── @ana · 2 ──' in todo, '── @ana · 0' in the others, then @bo, @cy,
    'no owner'; ana, who is 'me', first), blank rows under the shorter columns; the lane bar above the
    columns names the lane at the top.
    The second card, #5 Design settings page, is marked (space: a darker bar) and the cursor moved on
    to #4 Write SAML handler, stepping over the @bo band; the board's bottom border says
    '1 marked: o assign · m move · T tag · s snooze · esc unmark'."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["2", "L", "j", "space"])
