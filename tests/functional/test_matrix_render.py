"""The matrix renders only the columns that reach the screen, and shows exactly what DataTable would.

DataTable renders every column of a row before cropping the line to the view; the
matrix's table leaves out the columns past the right edge (widgets/matrix.py). What
is on screen must be the same, strip for strip (text and styles), wherever the view
is scrolled to, with the cursor anywhere, and after the pane is zoomed wider.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from data.demo import make_demo
from data.writes.workspace import Workspace
from tests.functional.conftest import make_app
from widgets.matrix import MatrixTable


def lines(table: MatrixTable, *, visible_only: bool) -> list:
    table.RENDER_VISIBLE_ONLY = visible_only  # type: ignore[misc]
    table._clear_caches()
    table._rendered_up_to = 0
    try:
        return [table.render_line(y) for y in range(table.size.height)]
    finally:
        del table.RENDER_VISIBLE_ONLY


async def test_the_matrix_shows_what_datatable_renders_wherever_it_is_scrolled(tmp_path: Path) -> None:
    path = make_demo(tmp_path / "worktop.json", items=1500, today=date(2026, 11, 25))
    app = make_app(Workspace(path, today=date(2026, 11, 25)))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        table = app.screen.query_one(MatrixTable)
        assert len(table.columns) > 20 and table.max_scroll_x > table.size.width  # far more than fits
        for step in ("start", "right", "far right", "end", "zoomed", "back"):
            if step == "right":
                await pilot.press("right", "right", "right", "right", "right", "right")
            elif step == "far right":
                table.scroll_to(x=table.max_scroll_x // 2, animate=False)
            elif step == "end":
                await pilot.press("end")
            elif step == "zoomed":
                await pilot.press("z")
            elif step == "back":
                await pilot.press("z", "home", "down", "down")
            await pilot.pause()
            shown = [strip.text for strip in table.render_lines(table.region.reset_offset)]
            full = lines(table, visible_only=False)
            assert lines(table, visible_only=True) == full, step
            assert [strip.text for strip in full] == shown, step
