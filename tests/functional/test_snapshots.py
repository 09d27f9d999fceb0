"""Snapshot tests: the screens a user sees, pinned (clock, theme, size, no watcher).

Update after an intended change with ``pytest tests/functional/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

import orjson

from tests.functional.conftest import make_app


def _select(title: str):
    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        snap = pilot.app.workspace.snapshot()
        item = next(i for i in snap.items.values() if i.title == title)
        pilot.app.screen.select_item(item.id)
        await pilot.pause()

    return run_before


def test_inbox_focused_wide(team_ws, snap_compare):
    """160×50, all four panes. Inbox focused (accent border) with three requests oldest first,
    each with its age, requester and '? who when why'; the third title shows its [red] markup
    and ␛ ␇ symbols literally. Board: todo/doing 1/5/review 1/3/done columns. Matrix: ana,
    bo, cy with load bars; 'On-call rota' flagged ⚠ no owner. Why: the first request, with
    'No why anywhere'."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50))


def test_board_focused_after_moving_a_card(team_ws, snap_compare):
    """Board focused; the first todo card moved to doing with shift+right, so doing shows
    2/5 and the moved card has the cursor; the footer lists the board's move keys."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["2", "shift+right"])


def test_matrix_focused(team_ws, snap_compare):
    """Ownership matrix focused with the cell cursor; why pane shows the highlighted project."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["3", "right", "right"])


def test_why_pane_three_level_chain(team_ws, snap_compare):
    """Why pane focused (accent border) for 'Write SAML handler': no why of its own, so it shows
    the project's why ('renewal is in January'); the chain task → └ SSO login → └ Keep enterprise
    customers, each with its why, the cursor ▸ (reversed) on SSO login; an empty why log with its
    keys; the footer offers Go to link, Edit why, Add note, Link goal."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=_select("Write SAML handler"),
                        press=["4", "down"])


def test_why_pane_for_a_goal(team_ws, snap_compare):
    """Why pane for the goal 'Keep enterprise customers': its why, then 'Serves: 5 open items
    serve it: 0 without an owner, 1 without a due date'; the chain is the goal alone; its why log."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=_select("Keep enterprise customers"))


def test_matrix_with_flags(team_ws, snap_compare):
    """Ownership pane focused. Rows ana, bo, cy with load bars; bo at 3/2 is marked 'over' (bold
    reverse) and has 2 due within 7 days; the border title says '⚠ 1 over · ⚠ 2 flagged'.
    Columns flagged first: '⚠ On-call rota' (no owner) and '⚠ SSO login' (ana and cy both A:
    '2 owners'); the flags row at the bottom names each. The footer lists enter Items in cell,
    a Owner, r Responsible, c Consulted, i Informed, x No role, t People/teams."""
    from data.store.atomic import write_atomic
    from data.store.file_store import read_file
    from data.store.lock import exclusive_lock
    from data.writes.ops import CreateItem

    team_ws.apply(CreateItem("One more for bo", fields={"owner": "bo", "due": "2026-11-30"}))
    with exclusive_lock(team_ws.path):
        data, _ = read_file(team_ws.path)
        data["items"]["2"]["roles"] = {"cy": "A"}
        write_atomic(team_ws.path, orjson.dumps(data), keep_backup=False)
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["3"])


def test_gaps_view(team_ws, snap_compare):
    """The ownership pane shows the gaps view (border title '3 Gaps …', subtitle with its keys):
    '4 open items miss an answer (1 who · 2 when · 1 why) · 3 in the inbox to triage', then the
    groups 'no owner (who) · 1' (On-call rota), 'no due date (when) · 2' (On-call rota, Load test
    the IdP), 'no why, here or above (why) · 1' (On-call rota), each heading with the key that fixes
    it; the cursor on On-call rota, which the why pane shows with 'No why anywhere'."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["exclamation_mark"])


def test_owner_prompt_over_the_gaps_view(team_ws, snap_compare):
    """The owner prompt for #3 On-call rota over the gaps view: 'now: nobody', 'c' typed with the
    suggestion 'cy' greyed in, the matching people under it with their load ('cy 1/3'), and
    'enter saves · esc cancels'."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["exclamation_mark", "o", "c"])


def test_narrow_layout_80x24(team_ws, snap_compare):
    """80×24: a tab bar (1 Inbox, 2 Board, 3 Ownership, 4 Why, 5 Pulse) and only the board pane,
    after pressing 2; columns are narrow but each shows its count."""
    assert snap_compare(make_app(team_ws), terminal_size=(80, 24), press=["2"])


def test_help_screen(team_ws, snap_compare):
    """The help screen over the workspace: every key grouped by pane."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["question_mark"])
