"""The filter bar (/) over every pane, and undo/redo (u/U) — also with two apps on one file.

Team workspace: bo owns #4 Write SAML handler (todo) and #6 Load test the IdP (doing);
the inbox's three requests have no owner.
"""

from __future__ import annotations

from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, screen_text, wait_for
from tests.functional.test_live import other_process
from tui.main_screen import MainScreen
from widgets.board import Board
from widgets.filter_bar import FilterBar
from widgets.header import WorkspaceHeader
from widgets.inbox import InboxPane
from widgets.matrix import OwnershipMatrix


def fresh(ws: Workspace):
    return Workspace(ws.path).snapshot()


def cards(app) -> list[int]:  # noqa: ANN001
    return [row for column in app.screen_stack[0].query_one(Board).columns for row in column.list.rows if row >= 0]


def header(app) -> str:  # noqa: ANN001
    return app.screen_stack[0].query_one(WorkspaceHeader).render().plain


async def test_filter_applies_to_every_pane_and_shows_in_the_header(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "slash")
        await pilot.pause()
        bar = app.screen.query_one(FilterBar)
        assert bar.input.has_focus
        await pilot.press(*"owner:bo", "enter")  # o and n are keys elsewhere; here they are text
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and len(fresh(team_ws).items) == 10
        assert sorted(cards(app)) == [4, 6]
        todo = app.screen.query_one(Board).columns[0].query_one(".column-header").render().plain
        assert todo == "todo  1 of  4"  # shown, of every card in the column
        inbox = app.screen.query_one(InboxPane)
        assert inbox.list.rows == [] and "0 left (3 hidden by the filter)" in inbox.border_title
        assert "filter: owner:bo" in header(app)
        assert "0 in the inbox pane · 2 on the board" in screen_text(app)
        matrix = app.screen.query_one(OwnershipMatrix)
        assert "(filtered)" in matrix.border_title
        assert app.screen.query_one(Board).columns[0].list.has_focus  # back in the pane


async def test_a_bad_query_shows_the_error_and_keeps_the_previous_filter(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"#ops", "enter")
        await pilot.pause()
        assert cards(app) == [3]
        await pilot.press("slash", *" status:bogus", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "unknown status 'bogus'" in text and "the previous filter stays" in text
        assert cards(app) == [3] and "filter: #ops" in header(app)
        assert app.screen.query_one(FilterBar).input.has_focus  # still open on what was typed
        await pilot.press("escape")  # escape in the bar clears the filter
        await pilot.pause()
        assert len(cards(app)) == 6 and "filter" not in header(app)
        assert not app.screen.query_one(FilterBar).display


async def test_escape_in_a_pane_clears_the_filter(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"kind:request", "enter")
        await pilot.pause()
        assert cards(app) == [] and len(app.screen.query_one(InboxPane).list.rows) == 3
        await pilot.press("escape")
        await pilot.pause()
        assert len(cards(app)) == 6


async def test_undo_and_redo_an_accept(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("a", "enter", *"fri", "enter", *"quarter close", "enter")
        await pilot.pause()
        assert fresh(team_ws).items[8].status == "todo"
        await pilot.press("u")
        await pilot.pause()
        item = fresh(team_ws).items[8]
        assert (item.status, item.owner, item.due, item.why) == ("inbox", None, None, "")
        assert 8 in app.screen.query_one(InboxPane).list.rows
        assert "Undid:" in screen_text(app)
        await pilot.press("U")
        await pilot.pause()
        item = fresh(team_ws).items[8]
        assert (item.status, item.owner, item.due, item.why) == ("todo", "ana", "2026-11-27", "quarter close")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert fresh(team_ws).items[8].status == "inbox"


async def test_undo_across_two_apps_leaves_what_the_other_person_changed(team_ws):
    ana = make_app(team_ws, watch=True)
    bo = make_app(Workspace(team_ws.path, actor="bo", today=team_ws.today), watch=True)
    async with ana.run_test(size=(160, 50), notifications=True) as ana_pilot, \
            bo.run_test(size=(160, 50), notifications=True) as bo_pilot:
        await ana_pilot.pause()
        await bo_pilot.pause()
        # ana accepts #8: hers, due Friday, with a why.
        await ana_pilot.press("a", "enter", *"fri", "enter", *"quarter close", "enter")
        await ana_pilot.pause()
        # bo sees it arrive on his board and gives it to cy.
        bo_board = bo.screen.query_one(Board)
        assert await wait_for(bo_pilot, lambda: 8 in bo_board.columns[0].list.rows)
        bo.screen.select_item(8)
        bo.screen.focus_pane("board")
        bo_board.select_id(8, focus=True)
        await bo_pilot.press("o", "c", "enter")
        await bo_pilot.pause()
        assert fresh(team_ws).items[8].owner == "cy"
        # ana undoes her accept: the status, due and why go back; bo's owner stays, and she is told.
        await ana_pilot.press("u")
        await ana_pilot.pause()
        item = fresh(team_ws).items[8]
        assert (item.status, item.due, item.why, item.owner) == ("inbox", None, "", "cy")
        assert "changed by bo" in screen_text(ana)
        # bo's app follows, and bo can still undo his own change.
        bo_inbox = bo.screen.query_one(InboxPane)
        assert await wait_for(bo_pilot, lambda: 8 in bo_inbox.list.rows)
        await bo_pilot.press("u")
        await bo_pilot.pause()
        assert fresh(team_ws).items[8].owner == "ana"


async def test_undo_after_another_process_changed_everything_writes_nothing(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("o", "enter")  # ana takes #8
        await pilot.pause()
        assert fresh(team_ws).items[8].owner == "ana"
        other_process(team_ws.path, 'ws.apply(SetFields(8, {"owner": "cy"}))', actor="bo")
        before = team_ws.path.read_bytes()
        await pilot.press("u")
        await pilot.pause()
        assert team_ws.path.read_bytes() == before
        text = screen_text(app)
        assert "Nothing undone" in text and "changed by bo" in text
        assert fresh(team_ws).items[8].owner == "cy"
