"""The virtual list under every pane: rows that come and go keep the scrollbar, scroll range and
what is drawn right, without a layout pass for each change."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import App, ComposeResult

from tests.functional.conftest import list_text, screen_text, wait_for
from widgets.item_list import ItemList


class ListApp(App):
    def compose(self) -> ComposeResult:
        yield ItemList(lambda item_id, width, styles: [Text(f"row {item_id}"), Text(f"  more {item_id}")],
                       row_height=2, empty_text="nothing", id="list")


async def test_rows_joining_and_leaving_keep_scrollbar_scroll_range_and_screen_right():
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        items = app.query_one(ItemList)
        items.set_rows([1, 2, 3])
        await pilot.pause()
        assert not items.show_vertical_scrollbar and list_text(items)[:3] == ["row 1", "  more 1", "row 2"]

        items.set_rows(list(range(1, 101)))  # grows past the screen: the scrollbar appears
        assert await wait_for(pilot, lambda: items.show_vertical_scrollbar)
        assert items.vertical_scrollbar.window_virtual_size == 200
        await pilot.press("end")
        await pilot.pause()
        assert items.current_id == 100 and "row 100" in list_text(items)
        assert items.scroll_offset.y == items.max_scroll_y == 200 - items.scrollable_content_region.height

        items.set_rows(list(range(1, 121)))  # grows again with the cursor kept on its row
        await pilot.pause()
        assert items.vertical_scrollbar.window_virtual_size == 240 and items.max_scroll_y == 240 - items.scrollable_content_region.height
        assert items.current_id == 100
        await pilot.press("end")
        await pilot.pause()
        assert items.current_id == 120 and "row 120" in list_text(items)

        items.set_rows(list(range(1, 11)))  # shrinks: the scroll position comes back into range
        await pilot.pause()
        assert items.scroll_offset.y <= items.max_scroll_y == 20 - items.scrollable_content_region.height
        assert items.vertical_scrollbar.window_virtual_size == 20
        shown = [line for line in list_text(items) if line.startswith("row")]
        assert shown and shown[-1] == "row 10"

        items.set_rows([2, 3])  # fits again: the scrollbar goes
        assert await wait_for(pilot, lambda: not items.show_vertical_scrollbar)
        assert list_text(items)[:4] == ["row 2", "  more 2", "row 3", "  more 3"]


async def test_a_row_removed_above_the_fold_redraws_the_rows_below_it():
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        items = app.query_one(ItemList)
        items.set_rows(list(range(1, 50)))
        await pilot.pause()
        items.set_rows([1, 2, *range(4, 50), 50])  # #3 left, #50 joined at the bottom
        await pilot.pause()
        assert [line for line in list_text(items) if line.startswith("row")][:4] == ["row 1", "row 2", "row 4", "row 5"]
        text = screen_text(app)
        assert not re.search(r"\brow 3\b", text) and re.search(r"\brow 4\b", text)
