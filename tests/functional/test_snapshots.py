"""Snapshot tests: the screens a user sees, pinned (clock, theme, size, no watcher).

Update after an intended change with ``pytest tests/functional/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

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
    """Why pane for 'Write SAML handler': no why of its own, so it shows the project's why
    ('renewal is in January'); the chain task → SSO login → Keep enterprise customers with
    each level's why; an empty why log."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=_select("Write SAML handler"))


def test_narrow_layout_80x24(team_ws, snap_compare):
    """80×24: a tab bar (1 Inbox, 2 Board, 3 Ownership, 4 Why, 5 Pulse) and only the board pane,
    after pressing 2; columns are narrow but each shows its count."""
    assert snap_compare(make_app(team_ws), terminal_size=(80, 24), press=["2"])


def test_help_screen(team_ws, snap_compare):
    """The help screen over the workspace: every key grouped by pane."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["question_mark"])
