"""Pilot tests for dependencies: ⛔ on cards, b on a card, the why pane's blocked by / blocking, the gaps view.

The team workspace (conftest.py): todo holds cards #2 SSO login, #3 On-call rota (no owner), #4 Write SAML
handler (bo), #5 Design settings page (ana); doing #6 Load test the IdP; review #7 Review token expiry.
"""

from __future__ import annotations

import orjson

from data.writes.ops import Block, Move
from data.writes.workspace import Workspace
from tests.functional.conftest import list_text, make_app, screen_text, wait_for
from tui.main_screen import MainScreen
from tui.prompts import BlockedByPrompt, OwnerPrompt
from widgets.board import Board
from widgets.gaps import GapsView
from widgets.why import WhyPane

GOAL, SSO, ROTA, SAML, DESIGN, LOAD, REVIEW = 1, 2, 3, 4, 5, 6, 7


def stored(ws: Workspace, item_id: int) -> dict:
    return orjson.loads(ws.path.read_bytes())["items"][str(item_id)]


def card_lines(app, item_id: int) -> list[str]:  # noqa: ANN001
    """The lines of the board showing the card (its title line and the line under it)."""
    board = app.screen_stack[0].query_one(Board)
    for column in board.columns:
        lines = list_text(column.list)
        for index, line in enumerate(lines):
            if f"#{item_id} " in line + " " and index > 0:
                return [lines[index - 1].strip(), line.strip()]
    return []


async def test_a_blocked_card_shows_its_open_blocker_until_it_is_done(team_ws):
    """Another terminal's write shows at once: ⛔ #3 appears, then goes when #3 is done."""
    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        other = Workspace(team_ws.path, actor="bo")
        other.apply(Block(SAML, [ROTA]))
        assert await wait_for(pilot, lambda: "⛔ #3" in " ".join(card_lines(app, SAML)))
        other.apply(Move(ROTA, "done"))
        assert await wait_for(pilot, lambda: card_lines(app, SAML) and "⛔" not in " ".join(card_lines(app, SAML)))


async def test_b_on_a_card_sets_what_it_waits_on_and_refuses_a_cycle(team_ws):
    team_ws.apply(Block(ROTA, [SSO]))
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2")  # the board; the cursor is on #2 SSO login, which #3 waits on
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BlockedByPrompt)
        await pilot.press(*"3")
        await pilot.pause()
        assert "#3 On-call rota · todo · no owner" in app.screen.query_one("#prompt-hint").render().plain
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BlockedByPrompt)  # still open, saying why
        error = app.screen.query_one("#prompt-error").render().plain
        assert "cycle: #2 → #3 → #2" in error
        assert "blocked_by" not in stored(team_ws, SSO)
        await pilot.press("backspace", *"4 5", "enter")
        assert await wait_for(pilot, lambda: stored(team_ws, SSO).get("blocked_by") == [SAML, DESIGN])
        assert isinstance(app.screen, MainScreen)
        assert await wait_for(pilot, lambda: "⛔ #4 #5" in " ".join(card_lines(app, SSO)))
        await pilot.press("shift+right")  # into doing, an in-progress column: moved, with a warning
        assert await wait_for(pilot, lambda: stored(team_ws, SSO)["status"] == "doing")
        assert await wait_for(pilot, lambda: "is blocked by #4, #5 (still open)" in screen_text(app))


async def test_the_why_pane_lists_blocked_by_and_blocking_and_goes_to_them(team_ws):
    team_ws.apply(Block(SAML, [ROTA, REVIEW]))
    team_ws.apply(Block(DESIGN, [SAML]))
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(SAML)
        await pilot.press("4")
        await pilot.pause()
        pane = app.screen.query_one(WhyPane)
        deps = pane.query_one("#why-deps").render().plain.splitlines()
        assert deps[0] == "Blocked by  (2 still open)"
        assert deps[1].startswith("  ⛔ #3 On-call rota  · todo · no owner")
        assert deps[2].startswith("  ⛔ #7 Review token expiry  · review · @cy")
        assert deps[3] == "Blocking" and deps[4].startswith("  ⛔ #5 Design settings page  · todo · @ana")
        # The chain (#4 → #2 → goal #1) comes first on the cursor, then blocked by, then blocking.
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert pane.query_one("#why-deps").render().plain.splitlines()[1].startswith("▸ ⛔ #3")
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.screen.selected_id == DESIGN
        deps = pane.query_one("#why-deps").render().plain.splitlines()
        assert deps[0] == "Blocked by  (1 still open)" and "#4 Write SAML handler" in deps[1]
        assert deps[2] == "Blocking  nothing"


async def test_an_item_without_dependencies_shows_no_dependency_section(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(SAML)
        await pilot.pause()
        assert not app.screen.query_one("#why-deps").display


async def test_the_gaps_view_lists_work_waiting_on_a_blocker_nobody_owns_and_o_fixes_the_blocker(team_ws):
    team_ws.apply(Block(SAML, [ROTA]))
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        gaps = app.screen.query_one(GapsView)
        lines = [line for line in list_text(gaps.list) if line.strip()]
        heading = next(i for i, line in enumerate(lines) if line.startswith("waits on work with no owner"))
        assert "Write SAML handler" in lines[heading + 1] and "⛔ #3 no owner" in lines[heading + 1]
        gaps.list.select_id(SAML)  # the SAML handler is only in the blocked group
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OwnerPrompt) and app.screen.item.id == ROTA
        await pilot.press(*"cy", "enter")
        assert await wait_for(pilot, lambda: stored(team_ws, ROTA).get("owner") == "cy")
        assert await wait_for(pilot, lambda: not any(
            line.startswith("waits on work") for line in list_text(gaps.list)))


async def test_the_editor_sets_blocked_by_and_shows_a_cycle_in_place_of_saving(team_ws):
    from tui.editor import ItemEditor

    team_ws.apply(Block(DESIGN, [SAML]))
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.press("2")
        app.screen.select_item(SAML)
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ItemEditor))
        field = app.screen.query_one("#f-blocked_by")
        assert field.value == ""
        field.value = "5"  # #5 already waits on #4: refused, the editor stays open
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: "cycle" in screen_text(app))
        assert "blocked_by" not in stored(team_ws, SAML)
        field.value = "3, 7"
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: stored(team_ws, SAML).get("blocked_by") == [ROTA, REVIEW])
