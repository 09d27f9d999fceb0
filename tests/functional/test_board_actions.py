"""Board actions by keyboard: WIP warnings, reordering, marks and bulk actions, swimlanes.

The team workspace's todo column shows #2 SSO login, #3 On-call rota, #4 Write SAML
handler, #5 Design settings page (the goal #1 is in todo too but is not a card);
doing holds #6 (limit 5), review #7 (limit 3).
"""

from __future__ import annotations

import orjson

from data.store.atomic import write_atomic
from data.store.file_store import read_file
from data.store.lock import exclusive_lock
from data.writes.ops import Archive
from data.writes.workspace import Workspace
from tests.functional.conftest import list_text, make_app, screen_text
from widgets.board import Board


def fresh(ws: Workspace):
    return Workspace(ws.path).snapshot()


def edit_meta(ws: Workspace, **values) -> None:  # noqa: ANN003
    with exclusive_lock(ws.path):
        data, _ = read_file(ws.path)
        data["meta"]["1"].update(values)
        write_atomic(ws.path, orjson.dumps(data), keep_backup=False)


def board_of(app) -> Board:  # noqa: ANN001
    return app.screen_stack[0].query_one(Board)


async def test_a_move_past_the_wip_limit_warns_visibly(team_ws):
    edit_meta(team_ws, wip={"doing": 1, "review": 3})
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2", "shift+right")
        await pilot.pause()
        assert fresh(team_ws).items[2].status == "doing"
        text = screen_text(app)
        assert "doing is over its WIP limit: 2 cards for 1; moved anyway" in text
        header = board_of(app).columns[1].query_one(".column-header").render().plain
        assert "2/1" in header and "over WIP" in header


async def test_a_blocking_wip_limit_refuses_the_move_and_says_so(team_ws):
    edit_meta(team_ws, wip={"doing": 1}, wip_blocks=True)
    before = team_ws.path.read_bytes()
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2", "shift+right")
        await pilot.pause()
        text = screen_text(app)
        assert "doing is at its WIP limit (1/1)" in text and "refuses" in text
        assert team_ws.path.read_bytes() == before
        assert 2 in board_of(app).columns[0].list.rows


async def test_reorder_within_a_column(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        todo = board_of(app).columns[0].list
        assert todo.rows[:2] == [2, 3]
        await pilot.press("shift+down")
        await pilot.pause()
        assert todo.rows[:2] == [3, 2] and todo.current_id == 2
        snap = fresh(team_ws)
        assert snap.items[3].rank < snap.items[2].rank
        assert "On-call rota" in list_text(todo)[0]
        await pilot.press("shift+up", "shift+up")  # the second is at the top: nothing to pass
        await pilot.pause()
        assert todo.rows[:2] == [2, 3]
        assert fresh(team_ws).items[1].rank < fresh(team_ws).items[2].rank  # the hidden goal was not swapped


async def test_marked_cards_move_together_in_one_write(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2", "space", "space")
        await pilot.pause()
        board = board_of(app)
        assert board.selected_ids() == [2, 3] and "2 marked" in board.border_subtitle
        await pilot.press("m")
        await pilot.pause()
        assert "Move to" in screen_text(app)
        await pilot.press("3")  # review
        await pilot.pause()
        snap = fresh(team_ws)
        assert snap.items[2].status == snap.items[3].status == "review"
        assert len({e["rev"] for e in team_ws.history(limit=2)}) == 1
        assert board.columns[2].list.rows[-2:] == [2, 3] and board.selected_ids() != [2, 3]
        assert "Moved #2, #3 to review" in screen_text(app)


async def test_bulk_assign_tag_and_snooze(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2", "space", "space", "o", *"cy", "enter")
        await pilot.pause()
        snap = fresh(team_ws)
        assert snap.items[2].owner == snap.items[3].owner == "cy"
        assert snap.items[4].owner == "bo"
        todo = list_text(board_of(app).columns[0].list)
        assert "#2  @cy" in todo[1] and "#3  @cy" in todo[3]  # the cards now say so
        assert "#2, #3 owner: cy" in screen_text(app)
        app.clear_notifications()
        await pilot.press("g", "space", "space", "T", *"q4 ops", "enter")
        await pilot.pause()
        snap = fresh(team_ws)
        assert snap.items[2].tags == ["q4", "ops"] and snap.items[3].tags == ["ops", "q4"]  # rota had ops
        assert "#2, #3 tags updated" in screen_text(app)
        await pilot.press("g", "space", "space", "s", *"+1w", "enter")
        await pilot.pause()
        snap = fresh(team_ws)
        assert {snap.items[i].status for i in (2, 3)} == {"inbox"}
        assert {snap.items[i].snoozed_until for i in (2, 3)} == {"2026-12-02"}
        assert 2 not in board_of(app).columns[0].list.rows


async def test_bulk_action_is_all_or_nothing(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("2", "space", "space")
        await pilot.pause()
        Workspace(team_ws.path, actor="bo").apply(Archive(3))  # another terminal, unseen yet
        await pilot.press("m", "2")
        await pilot.pause()
        snap = fresh(team_ws)
        assert snap.items[2].status == "todo" and snap.items[3].status == "archived"
        assert "#3 was archived by bo meanwhile; nothing was changed" in screen_text(app)


async def test_escape_clears_marks(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "space")
        await pilot.pause()
        assert board_of(app).selected_ids() == [2]
        await pilot.press("escape")
        await pilot.pause()
        assert board_of(app).columns[0].list.marked == set() and board_of(app).border_subtitle == ""


async def test_swimlanes_group_cards_by_owner_me_first(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "L")
        await pilot.pause()
        board = board_of(app)
        todo = board.columns[0].list
        lines = [line.strip() for line in list_text(todo) if line.strip()]
        text = "\n".join(lines)
        assert text.index("@ana · 2") < text.index("SSO login") < text.index("@bo · 1") < text.index(
            "Write SAML") < text.index("no owner · 1") < text.index("On-call rota")
        assert "Design settings" in text[text.index("@ana · 2"):text.index("@bo · 1")]
        assert todo.current_id == 2  # the cursor is on a card, never on a band
        await pilot.press("j", "j")
        await pilot.pause()
        assert todo.current_id == 4  # stepped over the @bo band
        await pilot.press("shift+up")  # the top of bo's lane: nothing to swap with
        await pilot.pause()
        assert fresh(team_ws).items[4].rank == team_ws.snapshot().items[4].rank
        await pilot.press("k", "shift+up")  # ana's two cards swap, passing the cards between them
        await pilot.pause()
        lines = [line.strip() for line in list_text(todo) if line.strip()]
        assert lines[1].endswith("Design settings page") or "Design settings" in lines[1]
        assert "lanes by owner" in board.border_title
        await pilot.press("L")
        await pilot.pause()
        assert all(row >= 0 for row in todo.rows)
