"""Live reload moves just the cards that changed; the board must end exactly as a full refill draws it."""

from __future__ import annotations

import random

import pytest

from data.ops import Archive, CreateItem, Move, Reorder, SetFields
from data.workspace import Workspace
from tests.functional.conftest import make_app
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
        statuses = ["inbox", "todo", "doing", "review", "done"]
        for step in range(40):
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
            else:
                writer.apply(Archive(item))
                ids.remove(item)
            snapshot = app.workspace.snapshot()
            if snapshot is not app.snapshot:  # what the watcher does on each change (a no-op wrote nothing)
                app.show(snapshot)
            await pilot.pause()
            shown = {column.status: list(column.list.rows) for column in board.columns}
            assert shown == expected_columns(team_ws), f"after step {step}"
        assert fills == []  # every change above was patched in, not refilled
        title = str(board.border_title)
        assert title == f"2 Board · {sum(len(c) for c in expected_columns(team_ws).values())}"
