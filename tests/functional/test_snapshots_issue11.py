"""Snapshots of what issue 11 added: the zoomed board, swimlanes lined up, a light theme, steps in the
why pane. Each docstring says what you should see; clock, theme, size and watcher are pinned."""

from __future__ import annotations

from tests.functional.conftest import make_app


def test_zoomed_board(team_ws, snap_compare):
    """160×50, the board zoomed (z): the header on top, then only the board, the whole width: four
    columns of ~40, titles whole ('Design settings page', 'Review token expiry'); SSO login's card
    shows '☑ 0/2' (its steps); the done column 'no cards'; the footer starts '? Help ^q Quit'."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["2", "z"])


def test_swimlanes_lined_up_across_columns(team_ws, snap_compare):
    """Board zoomed with swimlanes (L): one band per owner through all four columns, starting on the
    same row in each: '── @ana · 2' in todo (SSO login, Design settings page) and '── @ana · 0' in
    the others; then '@bo · 1' (Write SAML handler) with '@bo · 1' in doing (Load test the IdP);
    then '@cy' (Review token expiry in review); then 'no owner · 1' (On-call rota). Shorter
    columns have blank rows so every band lines up. Above the columns the lane bar names the lane
    at the top: '── @ana  2 todo · 0 doing · 0 review · 0 done ──'."""
    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), press=["2", "z", "L"])


def test_light_theme(team_ws, snap_compare):
    """textual-light, all four panes: item ids (#8, #2 …) in dark grey, readable; the '? who when why'
    gap marks in a dark amber; the late date '5d late' in a dark red; nothing drawn in white on the
    light grey background."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=run_before, press=["2"])


def test_steps_in_the_why_pane(team_ws, snap_compare):
    """Why pane focused on #2 SSO login: under its why, 'Steps  1/2 done (space ticks · a adds …)',
    '☑ SAML flow' (ticked with space, dimmed) and '▸ ☐ Admin settings page' under the cursor
    (reversed); then the chain and the why log. On the board SSO login's card says '☑ 1/2'."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        pilot.app.screen.select_item(2)
        await pilot.pause()

    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=run_before,
                        press=["4", "space", "down"])
