"""A virtual list of items: renders only the rows on screen, whatever the count.

A widget per item stops scaling at a few thousand items (a stock DataTable
with 50k rows takes seconds to paint), so the inbox and each board column are
one ``ItemList`` each, drawing rows through Textual's line API. Rows are keyed
by item id: :meth:`ItemList.set_rows` keeps the cursor on the same item when
the list changes underneath it (a live reload), and scroll position holds.

Rows with a negative id are headers (the board's swimlane bands): drawn by the
same row renderer, never under the cursor, never marked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.keys import bindings

RowRenderer = Callable[[int, int, dict[str, Style]], Sequence[Text]]
"""(item id, width, styles) → one ``Text`` per line of the row."""


class ItemList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of items with a cursor; ``row_height`` lines per row."""

    DEFAULT_CSS = """
    ItemList { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    ItemList > .item-list--cursor { background: $panel-lighten-1; }
    ItemList:focus > .item-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    ItemList > .item-list--marked { background: $secondary 30%; }
    ItemList > .item-list--dim { color: $foreground-muted; }
    ItemList > .item-list--warn { color: $text-warning; }
    ItemList > .item-list--error { color: $text-error; text-style: bold; }
    ItemList > .item-list--accent { color: $text-accent; }
    ItemList > .item-list--peer { color: $text-success; text-style: bold; }
    ItemList > .item-list--empty { color: $foreground-muted; text-style: italic; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "item-list--cursor",
        "item-list--marked",
        "item-list--dim",
        "item-list--warn",
        "item-list--error",
        "item-list--accent",
        "item-list--peer",
        "item-list--empty",
    }

    BINDINGS: ClassVar[list[BindingType]] = bindings("lists")

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved onto an item (or the list became empty: ``item_id`` None)."""

        def __init__(self, item_list: ItemList, item_id: int | None) -> None:
            super().__init__()
            self.item_list = item_list
            self.item_id = item_id

        @property
        def control(self) -> ItemList:
            return self.item_list

    class ListChanged(Message):
        """Something about the list as a whole changed (its subclasses say what)."""

        def __init__(self, item_list: ItemList) -> None:
            super().__init__()
            self.item_list = item_list

        @property
        def control(self) -> ItemList:
            return self.item_list

    class Scrolled(ListChanged):
        """The list scrolled (the board lines its columns up when they hold swimlanes)."""

    class MarksChanged(ListChanged):
        """Items were marked or unmarked (space) for an action on all of them at once."""

    def __init__(self, render_row: RowRenderer, *, row_height: int = 1, empty_text: str = "nothing here",
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.render_row = render_row
        self.row_height = row_height
        self.empty_text = empty_text
        self.rows: list[int] = []
        self.marked: set[int] = set()
        self.report_scroll = False
        """Post :class:`Scrolled` when the list scrolls (the board's columns, for lined-up swimlanes)."""
        self._index: dict[int, int] = {}
        self._styles: dict[str, Style] = {}
        self._styles_key: tuple | None = None

    # -- data ---------------------------------------------------------------
    @property
    def current_id(self) -> int | None:
        if 0 <= self.cursor < len(self.rows) and self.rows[self.cursor] >= 0:
            return self.rows[self.cursor]
        return None

    def marked_ids(self) -> list[int]:
        """Marked items in list order."""
        return [item_id for item_id in self.rows if item_id in self.marked] if self.marked else []

    def clear_marks(self) -> None:
        if self.marked:
            self.marked.clear()
            self.refresh()
            self.post_message(self.MarksChanged(self))

    def visible_ids(self) -> list[int]:
        """Ids of the rows currently on screen."""
        first = int(self.scroll_offset.y) // self.row_height
        count = self.size.height // self.row_height + 2
        return self.rows[first:first + count]

    def set_rows(self, rows: list[int], *, keep: int | None = None,
                 changed: Callable[[list[int]], set[int] | None] | None = None) -> None:
        """Replace the rows, keeping the cursor on the same item id where it still exists.

        Args:
            rows: item ids in display order.
            keep: the id to keep the cursor on (default: the one under it now).
            changed: given the ids on screen, returns those whose content changed
                since the last call (or None: unknown); when the rows are the same,
                only those lines are redrawn.
        """
        previous = keep if keep is not None else self.current_id
        if rows == self.rows and keep is None:
            visible = self.visible_ids()
            dirty = changed(visible) if changed is not None else None
            if dirty is None:
                self.refresh()
            else:
                # Bands (negative ids: lanes, groups) are drawn from their list's state, not a document.
                for item_id in (*dirty, *(i for i in visible if i < 0)):
                    if item_id in self._index:
                        self._refresh_index(self._index[item_id])
            return
        old_cursor, old_rows = self.cursor, self.rows
        self.rows = rows
        self._index = {item_id: i for i, item_id in enumerate(rows)}
        virtual_size = Size(self.size.width, max(1, len(rows)) * self.row_height)
        if virtual_size != self.virtual_size:
            # Not the reactive's layout pass: that repaints the whole list (and, with the header
            # changing too, half the screen) on every card that joins or leaves. The scrollbar and
            # the scroll range are updated here; a scrollbar that appears or goes still lays out.
            self.set_reactive(ItemList.virtual_size, virtual_size)
            self._scroll_update(virtual_size)
        if previous is not None and previous in self._index:
            new_cursor = self._index[previous]
        else:
            new_cursor = self._nearest_item(min(old_cursor, max(0, len(rows) - 1)), 1)
        if self.marked:
            kept = self.marked & set(self._index)
            if kept != self.marked:
                self.marked = kept
                self.post_message(self.MarksChanged(self))
        self.set_reactive(ItemList.cursor, new_cursor)
        self._refresh_moved_lines(old_rows, changed)
        if new_cursor != old_cursor:
            self._refresh_index(old_cursor)
            self._refresh_index(new_cursor)
        if self.current_id != previous:
            self.post_message(self.Highlighted(self, self.current_id))

    def _refresh_moved_lines(self, old_rows: list[int],
                             changed: Callable[[list[int]], set[int] | None] | None) -> None:
        """Redraw what the new rows changed on screen: from the first visible row that differs down
        (a card leaving a column shifts the ones below it; one joining below the fold changes nothing
        in view), and rows whose content changed. A whole-list repaint costs ~10 ms of a reload."""
        if not old_rows or not self.rows or self.size.height == 0:
            self.refresh()
            return
        offset = int(self.scroll_offset.y)
        first = offset // self.row_height
        count = self.size.height // self.row_height + 2
        new_rows = self.rows
        for index in range(first, first + count):
            old = old_rows[index] if index < len(old_rows) else None
            new = new_rows[index] if index < len(new_rows) else None
            if old != new:
                top = max(0, index * self.row_height - offset)
                self.refresh(Region(0, top, self.size.width, self.size.height - top))
                break
            if new is not None and new < 0:
                self._refresh_index(index)  # a band (lane, group): its count may have changed
        dirty = changed(self.visible_ids()) if changed is not None else None
        if dirty is None:
            self.refresh()
            return
        for item_id in dirty:
            if item_id in self._index:
                self._refresh_index(self._index[item_id])

    def select_id(self, item_id: int) -> bool:
        """Put the cursor on ``item_id`` if it is in this list."""
        if item_id not in self._index:
            return False
        self.cursor = self._index[item_id]
        return True

    def select_after(self, item_id: int) -> None:
        """Put the cursor on the row after ``item_id`` (or on it, if it is the last)."""
        index = self._index.get(item_id)
        if index is not None:
            self.cursor = min(index + 1, len(self.rows) - 1)

    def refresh_row(self, item_id: int) -> None:
        index = self._index.get(item_id)
        if index is not None:
            self._refresh_index(index)

    # -- cursor -------------------------------------------------------------
    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.report_scroll and int(old) != int(new):
            self.post_message(self.Scrolled(self))

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_index(old)
        self._refresh_index(new)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, self.current_id))

    def validate_cursor(self, value: int) -> int:
        if not self.rows:
            return 0
        value = max(0, min(value, len(self.rows) - 1))
        if self.rows[value] < 0:  # a header: go on past it in the direction of travel
            value = self._nearest_item(value, 1 if value >= self.cursor else -1)
        return value

    def _nearest_item(self, index: int, step: int) -> int:
        """The first row at or after ``index`` (going ``step``) that is an item, not a header."""
        rows = self.rows
        for direction in (step, -step):
            at = index
            while 0 <= at < len(rows):
                if rows[at] >= 0:
                    return at
                at += direction
        return index

    def _refresh_index(self, index: int) -> None:
        y = index * self.row_height - int(self.scroll_offset.y)
        self.refresh(Region(0, y, self.size.width, self.row_height))

    def _scroll_cursor_into_view(self) -> None:
        top = self.cursor * self.row_height
        self.scroll_to_region(Region(0, top, 1, self.row_height), animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.size.height // self.row_height - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.size.height // self.row_height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1

    def action_toggle_mark(self) -> None:
        """Mark or unmark the item under the cursor, then move down (space, space, space…)."""
        item_id = self.current_id
        if item_id is None:
            return
        self.marked ^= {item_id}
        self.refresh_row(item_id)
        self.post_message(self.MarksChanged(self))
        self.cursor += 1

    async def _on_click(self, event: events.Click) -> None:
        row = (event.y + int(self.scroll_offset.y)) // self.row_height
        if 0 <= row < len(self.rows):
            self.cursor = row
        self.focus()

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, max(1, len(self.rows)) * self.row_height)

    # -- drawing ------------------------------------------------------------
    def styles_for_rows(self) -> dict[str, Style]:
        """Component styles by short name; cached, as looking them up costs more than drawing a row."""
        key = (self.has_focus, self.app.theme)
        if self._styles_key != key:
            self._styles = {name.removeprefix("item-list--"): self.get_component_rich_style(name, partial=True)
                            for name in self.COMPONENT_CLASSES}
            self._styles_key = key
        return self._styles

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_key = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width  # not under the scrollbar
        base = self.rich_style
        line_y = y + int(self.scroll_offset.y)
        row, line = divmod(line_y, self.row_height)
        if not self.rows:
            if line_y == 0:
                text = Text(self.empty_text, style=self.styles_for_rows()["empty"], no_wrap=True)
                return self._strip(text, width, base)
            return Strip.blank(width, base)
        if row >= len(self.rows):
            return Strip.blank(width, base)
        item_id = self.rows[row]
        lines = self.render_row(item_id, width, self.styles_for_rows())
        text = lines[line] if line < len(lines) else Text("")
        text = text.copy()
        styles = self.styles_for_rows()
        if item_id in self.marked:
            text.pad_right(max(0, width - text.cell_len))
            text.stylize(styles["marked"])
        if row == self.cursor and item_id >= 0:  # never on a band (a column of bands only: no cursor)
            # The cursor bar spans the whole width, not just the text.
            text.pad_right(max(0, width - text.cell_len))
            text.stylize(styles["cursor"])
        return self._strip(text, width, base)

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.no_wrap = True
        text.overflow = "ellipsis"
        text.truncate(width, overflow="ellipsis")
        segments = [Segment(seg.text, base + seg.style if seg.style else base, seg.control)
                    for seg in text.render(self.app.console)]
        return Strip(segments).crop_extend(0, width, base)
