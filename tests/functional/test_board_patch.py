"""Live reload moves just the cards that changed; the board must end exactly as a full refill draws it."""

from __future__ import annotations

import random

import pytest

from data.writes.ops import Archive, CreateItem, Move, Reorder, SetFields
from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, screen_text
from widgets.board import OFF_BOARD_KINDS, Board


def expected_columns(ws: Workspace) -> dict[str, list[int]]:
    """Every column's cards in the order a full fill draws them, from a whole read of the file."""
    snap = Workspace(ws.path).snapshot()
    settings = snap.settings
    columns = {}
    for status in settings.board_statuses:
        docs = [(i, d) for i, d in snap.docs.items() if d.get("status") == status and d.get("kind") not in OFF_BOARD_KINDS]
        if status == settings.done:
            columns[status] = [i for _, i in sorted(((d.get("status_since") or "", i) for i, d in docs), reverse=True)]
        else:
            columns[status] = [i for _, i in sorted((d.get("rank") or 0.0, i) for i, d in docs)]
    return columns


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_cards_moved_by_someone_else_land_where_a_full_refill_puts_them(team_ws, monkeypatch, seed):
    fills = []
    real_fill = Board._fill
    monkeypatch.setattr(Board, "_fill", lambda self, *a, **k: (fills.append(1), real_fill(self, *a, **k))[1])
    writer = Workspace(team_ws.path, actor="bo", today=team_ws.today)
    rng = random.Random(seed)
    ids = [writer.apply(CreateItem(f"card {n}", status=rng.choice(["todo", "doing", "review"]))).item_id
           for n in range(30)]
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(Board)
        fills.clear()
        write = _random_writes(writer, rng, ids)
        for step in range(40):
            for _write in range(rng.choice([1, 1, 2, 3])):  # sometimes several writes reach one reload
                write(step)
            snapshot = app.workspace.snapshot()
            if snapshot is not app.snapshot:  # what the watcher does on each change (a no-op wrote nothing)
                app.show(snapshot)
            await pilot.pause()
            shown = {column.status: list(column.list.rows) for column in board.columns}
            assert shown == expected_columns(team_ws), f"after step {step}"
        assert fills == []  # every change above was patched in, not refilled
        title = str(board.border_title)
        assert title == f"2 Board · {sum(len(c) for c in expected_columns(team_ws).values())}"


def _random_writes(writer: Workspace, rng: random.Random, ids: list[int]):  # noqa: ANN202
    """One random board change by ``writer`` per call: moves, reorders, creates, edits, kind changes, archives."""
    statuses = ["inbox", "todo", "doing", "review", "done"]

    def write(step: int) -> None:
        roll = rng.random()
        item = rng.choice(ids)
        if roll < 0.45:
            writer.apply(Move(item, rng.choice(statuses)))
        elif roll < 0.65:
            status = writer.snapshot().items[item].status
            if status in ("todo", "doing", "review"):
                writer.apply(Reorder(item, rng.choice([-1, 1])))
        elif roll < 0.75:
            ids.append(writer.apply(CreateItem(f"new {step}", status=rng.choice(["todo", "done"]))).item_id)
        elif roll < 0.85:
            writer.apply(SetFields(item, {"title": f"renamed {step}", "owner": "cy"}))
        elif roll < 0.9:
            writer.apply(SetFields(item, {"kind": rng.choice(["goal", "task"])}))
        elif len(ids) > 5:
            writer.apply(Archive(item))
            ids.remove(item)

    return write


async def test_a_lane_band_shows_its_new_count_when_a_card_leaves_the_lane(team_ws):
    """Only the rows that moved are redrawn on a live change; a band above them whose count
    changed must be redrawn too (screen_text reads what the screen's line caches hold)."""
    writer = Workspace(team_ws.path, actor="bo", today=team_ws.today)
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2", "L")
        await pilot.pause()
        assert "@ana · 2" in screen_text(app)
        design = next(i.id for i in writer.snapshot().items.values() if i.title == "Design settings page")
        writer.apply(Move(design, "doing"))
        app.show(app.workspace.snapshot())
        await pilot.pause()
        text = screen_text(app)
        assert "@ana · 1" in text and "@ana · 2" not in text.split("doing")[0]


async def test_cards_show_a_missing_why_when_the_goal_above_them_loses_its_why(team_ws):
    """A card's "? why" depends on its parents' and goal's whys, not only its own document: a change
    up the chain by someone else must redraw the cards under it."""
    writer = Workspace(team_ws.path, actor="bo", today=team_ws.today)
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()

        def card_line(text: str, item_id: int) -> str:
            return next(part for line in text.splitlines() for part in line.split("▕") if f"#{item_id}" in part)

        load_test = next(i.id for i in writer.snapshot().items.values() if i.title == "Load test the IdP")
        assert card_line(screen_text(app), load_test).rstrip().endswith("? when")
        writer.apply(SetFields(2, {"why": ""}))  # the project: its goal still says why
        writer.apply(SetFields(1, {"why": ""}))  # the goal: now nothing up the chain does
        app.show(app.workspace.snapshot())
        await pilot.pause()
        assert card_line(screen_text(app), load_test).rstrip().endswith("? when why")


@pytest.mark.parametrize("seed", [0, 1, 2])
async def test_several_reorders_and_moves_reaching_one_reload_keep_the_order(team_ws, seed):
    """Cards reordered and moved by several writes the watcher picks up together: each card must be
    placed among cards already in order, not beside one whose new rank it has yet to act on."""
    writer = Workspace(team_ws.path, actor="bo", today=team_ws.today)
    rng = random.Random(seed)
    ids = [writer.apply(CreateItem(f"card {n}", status="todo")).item_id for n in range(12)]
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(Board)
        for step in range(30):
            for _write in range(3):
                item = rng.choice(ids)
                if rng.random() < 0.7:
                    writer.apply_all([Reorder(item, rng.choice([-1, 1]))] * rng.randint(1, 3))
                else:
                    writer.apply(Move(item, rng.choice(["todo", "doing"])))
            snapshot = app.workspace.snapshot()
            if snapshot is not app.snapshot:
                app.show(snapshot)
            await pilot.pause()
            shown = {column.status: list(column.list.rows) for column in board.columns}
            assert shown == expected_columns(team_ws), f"after step {step}"


async def test_a_lane_band_shows_its_new_owner_when_the_rows_stay_the_same(team_ws):
    """bo's only todo card goes to cy: bo's band in todo says 0 (his lane stays: he has a card in doing,
    and lanes line up across the columns) and cy's says 1."""
    writer = Workspace(team_ws.path, actor="bo", today=team_ws.today)
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2", "L")
        await pilot.pause()

        def todo_column() -> list[str]:  # the screen up to the first column rule: inbox and todo
            return [line.split("▕")[0] for line in screen_text(app).splitlines() if "▕" in line]

        assert any("@bo · 1" in line for line in todo_column())
        saml = next(i.id for i in writer.snapshot().items.values() if i.title == "Write SAML handler")
        writer.apply(SetFields(saml, {"owner": "cy"}))
        app.show(app.workspace.snapshot())
        await pilot.pause()
        assert any("@cy · 1" in line for line in todo_column())
        assert any("@bo · 0" in line for line in todo_column())
        assert not any("@bo · 1" in line for line in todo_column())
