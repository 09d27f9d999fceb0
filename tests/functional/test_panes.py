"""Pilot tests: what a user sees in each pane and what lands on disk when they act."""

from __future__ import annotations

from datetime import timedelta

from data.writes.workspace import Workspace
from tests.functional.conftest import list_text, make_app, screen_text, wait_for
from tui.conflict import ConflictScreen
from tui.main_screen import MainScreen
from widgets.board import Board
from widgets.header import WorkspaceHeader
from widgets.inbox import InboxPane
from widgets.matrix import OwnershipMatrix
from widgets.why import WhyPane


def fresh(ws: Workspace):
    """The file as another process would read it now."""
    return Workspace(ws.path).snapshot()


async def test_all_four_panes_show_at_160x50(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        for pane in ("#inbox", "#board", "#matrix", "#why"):
            widget = app.screen.query_one(pane)
            assert widget.display and widget.region.width > 30 and widget.region.height > 10, pane
        header = app.screen.query_one(WorkspaceHeader).render().plain
        assert "acme" in header and "you: ana" in header and f"rev {team_ws.snapshot().revision}" in header


async def test_narrow_terminal_shows_one_pane_with_tabs(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.has_class("-narrow")
        assert screen.query_one("#inbox").region.width > 0
        assert screen.query_one("#board").region.width == 0
        await pilot.press("2")
        assert await wait_for(pilot, lambda: screen.query_one("#board").region.width > 0)
        assert screen.query_one("#inbox").region.width == 0
        await pilot.press("tab")
        await pilot.pause()
        assert screen.current_pane == "matrix"


async def test_inbox_lists_requests_oldest_first_with_missing_answers(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        inbox = app.screen.query_one(InboxPane)
        lines = [line for line in list_text(inbox.list) if line.strip()]
        assert len(lines) == 3
        assert "Export to CSV please" in lines[0] and "@dana" in lines[0]
        assert "Dark mode" in lines[1]
        assert "? who when why" in lines[0]
        assert "1 Inbox · 3" in inbox.border_title


async def test_markup_and_control_characters_are_shown_inertly(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        inbox = app.screen.query_one(InboxPane)
        line = list_text(inbox.list)[2]
        assert "[red]Broken[/]" in line  # markup shown as typed, not interpreted
        assert "␛[2J" in line and "␇" in line  # control characters visible, not sent
        assert "\x1b" not in line and "\x07" not in line


async def test_moving_the_inbox_cursor_drives_the_why_pane(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        why = app.screen.query_one(WhyPane)
        await pilot.press("down")
        await pilot.pause()
        assert "Dark mode for the dashboard" in why.query_one("#why-body").render().plain
        assert "No why anywhere" in why.query_one("#why-body").render().plain


async def test_why_pane_shows_chain_and_log_newest_first(team_ws):
    snap = team_ws.snapshot()
    task = next(i for i in snap.items.values() if i.title == "Write SAML handler")
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(task.id)
        await pilot.pause()
        text = app.screen.query_one("#why-body").render().plain
        assert "none of its own" in text and "renewal is in January" in text
        chain_part = app.screen.query_one("#why-chain").render().plain
        assert chain_part.index("Write SAML handler") < chain_part.index("SSO login") < chain_part.index(
            "Keep enterprise customers")
        app.screen.select_item(task.parent)
        await pilot.pause()
        log = app.screen.query_one("#why-log").render().plain
        assert log.index("Decision: SAML first") < log.index("renewal is in January") < log.index(
            "Three customers asked for SSO before renewal")


async def test_board_columns_counts_and_moving_a_card_lands_on_disk(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(Board)
        assert [c.status for c in board.columns] == ["todo", "doing", "review", "done"]
        header = board.columns[1].query_one(".column-header").render().plain
        assert "doing  1/5" in header
        await pilot.press("2")
        await pilot.pause()
        todo = board.columns[0].list
        card = todo.current_id
        await pilot.press("shift+right")
        await pilot.pause()
        assert fresh(team_ws).items[card].status == "doing"
        assert board.columns[1].list.current_id == card and board.columns[1].list.has_focus
        history = team_ws.history(card, limit=1)[0]
        assert history["changes"]["status"] == ["todo", "doing"] and history["by"] == "ana"


async def test_board_left_right_moves_between_columns(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "right")
        await pilot.pause()
        board = app.screen.query_one(Board)
        assert board.columns[1].list.has_focus
        assert "Load test the IdP" in app.screen.query_one("#why-body").render().plain


async def test_matrix_shows_roles_load_and_flags_unowned_workstream(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        matrix = app.screen.query_one(OwnershipMatrix)
        table = matrix.table
        rows = {str(table.get_row_at(i)[0].plain).split()[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert set(rows) == {"ana", "bo", "cy", "flags"}
        labels = [str(c.label.plain) for c in table.columns.values()]
        assert any(label.startswith("⚠") and "On-call rota" in label for label in labels)
        sso = next(i for i, c in enumerate(table.columns.values()) if "SSO login" in c.label.plain)
        assert rows["ana"][sso].plain.startswith("A")
        assert "2/2" in rows["bo"][1].plain  # bo owns two open tasks against a capacity of 2
        assert rows["flags"][[i for i, c in enumerate(table.columns.values()) if "On-call" in c.label.plain][0]].plain == "⚠ no owner"


async def test_enter_opens_editor_and_save_lands_on_disk(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        item_id = app.screen.selected_id
        await pilot.press("enter")
        await pilot.pause()
        editor = app.screen
        editor.query_one("#f-owner").value = "cy"
        editor.query_one("#f-due").value = "fri"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        item = fresh(team_ws).items[item_id]
        assert item.owner == "cy" and item.due == "2026-11-27"


async def test_editor_bad_date_shows_error_in_place_and_writes_nothing(team_ws):
    before = team_ws.path.read_bytes()
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        editor = app.screen
        editor.query_one("#f-due").value = "someday"
        editor.query_one("#f-owner").value = "nobody"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        assert "not a date" in editor.query_one("#e-due").render().plain
        assert "unknown person" in editor.query_one("#e-owner").render().plain
    assert team_ws.path.read_bytes() == before


async def test_n_creates_an_item(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Rotate API keys")
        app.screen.query_one("#f-owner").value = "bo"
        await pilot.press("ctrl+s")
        await pilot.pause()
        created = [i for i in fresh(team_ws).items.values() if i.title == "Rotate API keys"]
        assert len(created) == 1 and created[0].owner == "bo" and created[0].status == "todo"
        assert app.screen.selected_id == created[0].id


async def test_editor_conflict_is_reported_not_overwritten(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        item_id = app.screen.selected_id
        await pilot.press("enter")
        await pilot.pause()
        editor = app.screen
        editor.query_one("#f-title").value = "Export to CSV (mine)"
        # Someone else saves a different title meanwhile.
        from data.writes.ops import SetFields

        Workspace(team_ws.path, actor="bo").apply(SetFields(item_id, {"title": "Export to Excel (theirs)"}))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConflictScreen)  # asks first: theirs beside yours
        text = screen_text(app)
        assert "bo changed" in text and "Export to Excel (theirs)" in text and "Export to CSV (mine)" in text
        assert fresh(team_ws).items[item_id].title == "Export to Excel (theirs)"
        await pilot.press("m")  # apply mine: the user's explicit choice
        await pilot.pause()
        assert fresh(team_ws).items[item_id].title == "Export to CSV (mine)"


async def test_how_long_ago_moves_on_while_nothing_else_changes(team_ws, monkeypatch):
    import tui.app
    from tests.functional.conftest import NOW
    from tui.app import WorktopApp

    monkeypatch.setattr(tui.app, "CLOCK_TICK", 0.1)
    clock = [NOW]
    app = WorktopApp(team_ws, watch=False, clock=lambda: clock[0])
    app.theme = "textual-dark"
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        header = app.screen.query_one(WorkspaceHeader)
        before_header, before_inbox = header.render().plain, list_text(app.screen.query_one(InboxPane).list)[0]
        clock[0] = NOW + timedelta(days=30)
        assert await wait_for(pilot, lambda: header.render().plain != before_header)
        assert "ago" in header.render().plain
        inbox = app.screen.query_one(InboxPane).list
        assert await wait_for(pilot, lambda: list_text(inbox)[0] != before_inbox)
        assert list_text(inbox)[0].split()[1].endswith("w")  # a month on, its age is counted in weeks


async def test_a_clock_tick_while_the_app_closes_does_nothing(team_ws):
    """The tick is the app's timer: it can fire after the main screen's panes are gone (a crash on quit, seen
    under load in test_how_long_ago_moves_on_while_nothing_else_changes)."""
    from tests.functional.conftest import make_app

    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await app.main.query_one(WorkspaceHeader).remove()
        app.main.clock_ticked()
        await pilot.pause()
        assert app.return_code is None
