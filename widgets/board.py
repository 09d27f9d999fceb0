"""The board pane: one column per workflow status, cards moved by key."""

from __future__ import annotations

import builtins  # these classes have a `list` property: their annotations name the type as builtins.list
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from data.model.items import Item
from data.views.figures import OFF_BOARD_KINDS
from widgets.board_rows import PAD, SORT_NAMES, SORTS, Lane, card_key, lane_at, lane_rows, reverse
from widgets.cards import RowContext, card_lines, safe, set_border
from widgets.edit_request import EditRequested
from widgets.item_list import ItemList
from widgets.keys import bindings

BOARD_FIELDS = frozenset({"status", "rank", "kind", "status_since"})
"""Fields that decide which column a card is in, and where."""

LANE_FIELDS = BOARD_FIELDS | {"owner"}
"""With swimlanes on, the owner decides the band too."""

PATCH_LIMIT = 64
"""Up to this many changed items, a live reload moves cards one by one instead of refilling the board."""


def _insert_card(column: list[int], item_id: int, docs: dict[int, dict], *, newest_first: bool) -> None:
    """Insert into a column kept in board order (:func:`widgets.board_rows.card_key`, ``rank``)."""
    key = card_key(docs[item_id], item_id, sort="rank", done=newest_first)
    lo, hi = 0, len(column)
    while lo < hi:
        mid = (lo + hi) // 2
        other = card_key(docs[column[mid]], column[mid], sort="rank", done=newest_first)
        if (other > key) if newest_first else (other < key):
            lo = mid + 1
        else:
            hi = mid
    column.insert(lo, item_id)


def _lane_line(lane: Lane, count: int, width: int, styles: dict[str, Style]) -> Text:
    """``── @ana · 3 ──────``: the lane's owner and its cards in this column."""
    label = f" @{safe(lane.owner)} · {count} " if lane.owner else f" no owner · {count} "
    line = Text("──" + label, style=styles.get("accent", ""))
    line.append("─" * max(0, width - line.cell_len), style=styles.get("dim", ""))
    return line


class BoardColumn(Vertical):
    """A status column: a header with count and WIP limit, then its cards."""

    def __init__(self, status: str, board: Board) -> None:
        super().__init__(classes="board-column")  # no id from the status: a workspace's status names are anything
        self.status = status
        self._board = board
        self._label: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(safe(self.status)), classes="column-header")  # status names come from the workspace
        cards = ItemList(partial(self._board.render_card, self.status), row_height=2, empty_text="no cards")
        cards.report_scroll = True  # the board keeps its columns scrolled together (swimlanes)
        yield cards

    @property
    def list(self) -> ItemList:
        return self.query_one(ItemList)

    def show(self, rows: builtins.list[int], limit: int | None,
             changed: Callable[[builtins.list[int]], set[int] | None] | None = None,
             count: int | None = None, shown: int | None = None, older: int = 0) -> None:
        """``count``: cards in the column (for the WIP limit); ``shown``: how many a filter lets through;
        ``older``: done cards older than the done window, not shown."""
        count = len(rows) if count is None else count
        header = self.query_one(".column-header", Static)
        label = Text(self.status, style="bold")
        if shown is not None:
            label.append(f"  {shown} of", style="italic")
        if limit is not None:
            label.append(f"  {count}/{limit}")
            if count > limit:
                label.append("  over WIP", style="bold")
        else:
            label.append(f"  {count}")
        if older:
            label.append(f" · {older} older (H)", style="italic")
        if label != self._label:  # one line, the column's width: never needs a layout pass
            self._label = label
            header.update(label, layout=False)
        header.set_class(limit is not None and count > limit, "-over")
        self.list.set_rows(rows, changed=changed)


class Board(Vertical, can_focus=False):
    """Columns of cards for open work; the focused column's list takes the keys."""

    ALLOW_MAXIMIZE = True  # z zooms the pane to the whole screen (MainScreen.action_zoom)

    BINDINGS: ClassVar[list[BindingType]] = bindings("board")

    class CardsAction(Message):
        """Assign, move, tag or snooze ``item_ids`` (the marked cards, else the current one)."""

        def __init__(self, action: str, item_ids: list[int]) -> None:
            super().__init__()
            self.action = action
            self.item_ids = item_ids

    class CardMoved(Message):
        """A card should move to another column (the screen applies it)."""

        def __init__(self, item_id: int, from_status: str, to_status: str) -> None:
            super().__init__()
            self.item_id = item_id
            self.from_status = from_status
            self.to_status = to_status

    class CardReordered(Message):
        """A card should move up or down within its column."""

        def __init__(self, item_id: int, delta: int, steps: int = 1) -> None:
            super().__init__()
            self.item_id = item_id
            self.delta = delta
            self.steps = steps
            """Swaps with the neighbour in rank order needed to pass the card next to it on screen
            (more than one when a filter, a swimlane or an off-board item sits between)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "2 Board"
        self._ctx: RowContext | None = None
        self._keep: Callable[[Item], bool] | None = None
        self.statuses: tuple[str, ...] = ()
        self._current_column = 0
        self.lanes = False
        """Swimlanes: cards grouped by owner within each column, under a band per owner."""
        self.me = ""
        """Whose lane comes first (set by the screen)."""
        self._lanes: dict[int, Lane] = {}
        self._rows: dict[str, list[int]] | None = None
        """Card ids per column as last drawn without a filter (None: unknown)."""
        self.sort = "rank"
        """The card order (S cycles :data:`widgets.board_rows.SORTS`)."""
        self.all_done = False
        """Show every done card, not only those inside the workspace's done window (H)."""
        self._syncing = False

    def compose(self) -> ComposeResult:
        lane_bar = Static("", id="lane-bar")
        lane_bar.display = False
        yield lane_bar
        yield Horizontal(id="board-columns")

    def show(self, ctx: RowContext, keep: Callable[[Item], bool] | None = None) -> None:
        """Redraw every column from a snapshot, keeping each cursor on its item."""
        previous, self._ctx = self._ctx, ctx
        settings = ctx.snapshot.settings
        same_view = (previous is not None and previous.today == ctx.today
                     and settings.done_shown == previous.snapshot.settings.done_shown)
        if (same_view and previous is not None and keep is None and self._keep is None
                and not ctx.touches(self._order_fields())
                and settings.board_statuses == self.statuses and settings.wip == previous.snapshot.settings.wip):
            for column in self.columns:
                column.list.set_rows(column.list.rows, changed=ctx.changed_among)  # same rows: the changed ones
            return
        if (same_view and previous is not None and keep is None and self._keep is None and not self.lanes
                and self.sort == "rank"
                and settings.board_statuses == self.statuses and settings.wip == previous.snapshot.settings.wip
                and settings.done == previous.snapshot.settings.done and self._patch(previous, ctx)):
            return
        self._keep = keep
        if settings.board_statuses != self.statuses:
            self.statuses = settings.board_statuses
            self._rows = None
            holder = self.query_one("#board-columns", Horizontal)
            holder.remove_children()
            holder.mount_all([BoardColumn(status, self) for status in self.statuses])
            # Fill from the newest snapshot once the columns exist: another may arrive before then.
            self.call_after_refresh(lambda: self._fill(self._ctx if self._ctx is not None else ctx, self._keep))
            return
        self._fill(ctx, keep)

    def _patch(self, previous: RowContext, ctx: RowContext) -> bool:
        """Move just the cards that changed column or place (a pass over 10k items costs ~15 ms).

        False when the change is not a few known cards; the caller then fills every column.
        """
        changes = ctx.changes
        if changes is None or None in changes or len(changes) > PATCH_LIMIT or self._rows is None:
            return False
        old_docs, docs = previous.snapshot.docs, ctx.snapshot.docs
        done = ctx.snapshot.settings.done
        rows = self._rows
        touched: dict[str, list[int]] = {}
        moved = [item_id for item_id, fields in changes.items()
                 if item_id is not None and not fields.isdisjoint(BOARD_FIELDS)]
        # Take every moved card out first: a column holding only unchanged cards is in order, so each
        # insertion below finds its place (one reload may bring several writes to one column).
        for item_id in moved:
            old = old_docs.get(item_id)
            if old is not None and old.get("status") in rows and old.get("kind") not in OFF_BOARD_KINDS:
                column = touched.setdefault(old["status"], list(rows[old["status"]]))
                try:
                    column.remove(item_id)
                except ValueError:
                    return False  # the board was not showing what the previous snapshot says
        for item_id in moved:
            new = docs.get(item_id)
            if new is not None and new.get("status") in rows and new.get("kind") not in OFF_BOARD_KINDS:
                status = new["status"]
                column = touched.setdefault(status, list(rows[status]))
                _insert_card(column, item_id, docs, newest_first=status == done)
        self._rows = {**rows, **touched}
        for column_widget in self.columns:
            status = column_widget.status
            if status in touched:
                column_widget.show(touched[status], ctx.snapshot.settings.wip.get(status), ctx.changed_among)
            else:
                column_widget.list.set_rows(column_widget.list.rows, changed=ctx.changed_among)
        set_border(self, f"2 Board · {sum(map(len, self._rows.values()))}")
        return True

    def _order_fields(self) -> frozenset[str]:
        """Fields that decide which column a card is in and where, with the current lanes and sort."""
        fields = LANE_FIELDS if self.lanes else BOARD_FIELDS
        return fields | {"due", "priority", "created_at"} if self.sort != "rank" else fields

    def _fill(self, ctx: RowContext, keep: Callable[[Item], bool] | None = None, *, tries: int = 0) -> None:
        columns = self.columns
        if [c.status for c in columns] != list(self.statuses) or not all(c.query(ItemList) for c in columns):
            # New columns (the workspace's statuses changed) not mounted yet, or old ones still
            # leaving: fill once they are (a frame or two), from the newest snapshot.
            if tries < 100:
                self.call_after_refresh(lambda: self._fill(self._ctx or ctx, self._keep, tries=tries + 1))
            return
        settings = ctx.snapshot.settings
        done = settings.done
        docs = ctx.snapshot.docs
        # With a filter the query decides what shows (status:done asks for all done work).
        since = None if self.all_done or keep is not None else settings.done_since(ctx.today)
        by_status: dict[str, list[tuple]] = {status: [] for status in self.statuses}
        totals: dict[str, int] = dict.fromkeys(self.statuses, 0)
        older = 0
        for item_id, doc in docs.items():
            status = str(doc.get("status", ""))
            column = by_status.get(status)
            if column is None or doc.get("kind") in OFF_BOARD_KINDS:
                continue
            if keep is not None:
                totals[status] += 1  # the WIP limit counts every card, filtered or not
                if not keep(ctx.snapshot.items[item_id]):
                    continue
            if since is not None and status == done and (doc.get("status_since") or "")[:10] < since:
                older += 1
                continue
            column.append(card_key(doc, item_id, sort=self.sort, done=status == done))
        filled: dict[str, list[int]] = {}
        for status, cards in by_status.items():
            cards.sort(reverse=reverse(self.sort, status == done))
            filled[status] = [key[-1] for key in cards]
        rows = filled
        self._lanes = {}
        if self.lanes:
            rows, self._lanes = lane_rows(filled, docs, self.me)
        filtered = keep is not None
        for column_widget in self.columns:
            status = column_widget.status
            ids = filled.get(status, [])
            column_widget.list.empty_text = "none match the filter" if filtered else "no cards"
            column_widget.show(rows.get(status, []), settings.wip.get(status), ctx.changed_among,
                               count=totals[status] if filtered else len(ids), shown=len(ids) if filtered else None,
                               older=older if status == done else 0)
        # What _patch starts from: every card, in board order (not with a filter, a sort or a done window
        # that hides some).
        self._rows = filled if keep is None and self.sort == "rank" else None
        total = sum(map(len, filled.values()))
        extra = "".join(part for part in (" · lanes by owner" if self.lanes else "",
                                          f" · by {SORT_NAMES[self.sort]}" if self.sort != "rank" else "") if part)
        set_border(self, f"2 Board · {total}{' (filtered)' if filtered else ''}{extra}")
        self.query_one("#lane-bar", Static).display = self.lanes
        self.call_after_refresh(self._sync_from_focused)

    def action_toggle_lanes(self) -> None:
        self.lanes = not self.lanes
        if self._ctx is not None:
            self._fill(self._ctx, self._keep)

    def action_toggle_done(self) -> None:
        """H: every done card, or only those inside the workspace's done window (default: this week's)."""
        self.all_done = not self.all_done
        if self._ctx is not None:
            self._fill(self._ctx, self._keep)
            shown = self._ctx.snapshot.settings.done_shown
            window = {"week": "done this week", "all": "all done work"}.get(shown, f"done in the last {shown}")
            self.notify("Board: all done work" if self.all_done else f"Board: {window} (H shows the rest)",
                        timeout=3)

    def action_sort(self) -> None:
        """S: board order, soonest due, highest priority, oldest; the cursor stays on its card."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        if self._ctx is not None:
            self._fill(self._ctx, self._keep)
        note = " (shift+↑↓ reorders in board order only)" if self.sort != "rank" else ""
        self.notify(f"Board sorted by {SORT_NAMES[self.sort]}{note}", timeout=3)

    def render_card(self, status: str, item_id: int, width: int, styles: dict[str, Style]) -> list[Text]:
        if item_id < 0:
            return self._lane_header(status, item_id, width, styles)
        ctx = self._ctx
        item = ctx.snapshot.items.get(item_id) if ctx else None
        if item is None or ctx is None:
            return [Text(""), Text("")]
        return card_lines(item, ctx, width, styles)

    def _lane_header(self, status: str, row_id: int, width: int, styles: dict[str, Style]) -> list[Text]:
        lane = self._lanes.get(row_id)
        if lane is None or row_id <= PAD:  # a blank row filling the lane to its height
            return [Text(""), Text("")]
        return [_lane_line(lane, lane.counts.get(status, 0), width, styles), Text("")]

    # -- lanes: scrolled together, the lane on top named above the columns --------
    def on_item_list_scrolled(self, event: ItemList.Scrolled) -> None:
        event.stop()
        if self.lanes and not self._syncing:
            self._sync(event.item_list)

    def _sync_from_focused(self) -> None:
        column = self.focused_column()
        if column is not None and self.lanes:
            self._sync(column.list)

    def _sync(self, source: ItemList) -> None:
        """Every column at the source's scroll position (in lanes the rows line up); the top lane named."""
        self._syncing = True
        try:
            y = source.scroll_offset.y
            for column in self.columns:
                if column.list is not source and column.list.scroll_offset.y != y:
                    column.list.scroll_to(y=y, animate=False, immediate=True)
        finally:
            self._syncing = False
        top = lane_at(source.rows, int(y) // source.row_height)
        lane = self._lanes.get(top) if top is not None else None
        bar = self.query_one("#lane-bar", Static)
        if lane is not None:
            counts = " · ".join(f"{count} {status}" for status, count in lane.counts.items())
            who = f"@{safe(lane.owner)}" if lane.owner else "no owner"
            bar.update(Text.assemble(("── ", "dim"), (who, "bold"), f"  {counts}", (" ──", "dim")))
        else:
            bar.update("")

    # -- navigation ---------------------------------------------------------
    @property
    def columns(self) -> list[BoardColumn]:
        return list(self.query(BoardColumn))

    def focused_column(self) -> BoardColumn | None:
        for index, column in enumerate(self.columns):
            if column.list.has_focus:
                self._current_column = index
                return column
        columns = self.columns
        return columns[min(self._current_column, len(columns) - 1)] if columns else None

    def focus_list(self) -> None:
        column = self.focused_column()
        if column is not None:
            column.list.focus()

    def select_id(self, item_id: int, *, focus: bool = False) -> bool:
        """Put the cursor on ``item_id`` in whichever column holds it (and focus that column)."""
        for index, column in enumerate(self.columns):
            if column.list.select_id(item_id):
                self._current_column = index
                if focus:
                    column.list.focus()
                return True
        return False

    def action_column(self, delta: int) -> None:
        columns = self.columns
        current = self.focused_column()
        if current is None:
            return
        index = max(0, min(len(columns) - 1, columns.index(current) + delta))
        self._current_column = index
        target = columns[index].list
        if self.lanes and target is not current.list:
            # Stay in the lane: the card nearest the same row in the next column, if that lane has one there.
            lane = lane_at(current.list.rows, current.list.cursor)
            rows = target.rows
            band = [i for i, row in enumerate(rows) if row >= 0 and lane_at(rows, i) == lane]
            if band:
                target.cursor = min(band, key=lambda i: abs(i - current.list.cursor))
        target.focus()

    def action_move(self, delta: int) -> None:
        column = self.focused_column()
        if column is None or column.list.current_id is None:
            return
        index = self.statuses.index(column.status) + delta
        if not 0 <= index < len(self.statuses):
            self.app.bell()
            return
        self.post_message(self.CardMoved(column.list.current_id, column.status, self.statuses[index]))

    def action_reorder(self, delta: int) -> None:
        """Swap the card with the one above or below it on screen (within its swimlane)."""
        column = self.focused_column()
        if column is None or column.list.current_id is None or self._ctx is None:
            return
        if self.sort != "rank":
            self.notify(f"Sorted by {SORT_NAMES[self.sort]}: S back to board order to move cards up and down",
                        severity="warning")
            return
        rows, card = column.list.rows, column.list.current_id
        at = rows.index(card) + delta
        if not 0 <= at < len(rows) or rows[at] < 0:
            self.app.bell()  # the top or bottom of the column, or of its swimlane
            return
        # The operation swaps ranks with the neighbour among every item with this status.
        docs = self._ctx.snapshot.docs
        order = [i for _, i in sorted((d.get("rank", 0.0) or 0.0, i) for i, d in docs.items()
                                      if d.get("status") == column.status)]
        steps = abs(order.index(rows[at]) - order.index(card))
        self.post_message(self.CardReordered(card, delta, steps))

    def selected_ids(self) -> list[int]:
        """Marked cards in every column (column by column), else the card under the cursor."""
        marked = [item_id for column in self.columns for item_id in column.list.marked_ids()]
        if marked:
            return marked
        column = self.focused_column()
        return [column.list.current_id] if column is not None and column.list.current_id is not None else []

    def clear_marks(self) -> None:
        for column in self.columns:
            column.list.clear_marks()

    def action_cards(self, action: str) -> None:
        ids = self.selected_ids()
        if not ids:
            self.app.bell()
            return
        self.post_message(self.CardsAction(action, ids))

    def action_blocked_by(self) -> None:
        column = self.focused_column()
        if column is None or column.list.current_id is None:
            self.app.bell()
            return
        self.post_message(EditRequested(column.list.current_id, "blocked_by"))

    def on_item_list_marks_changed(self, _event: ItemList.MarksChanged) -> None:
        count = sum(len(column.list.marked) for column in self.columns)
        set_border(self, subtitle=f"{count} marked: o assign · m move · T tag · s snooze · esc unmark" if count else "")
