"""The board pane: one column per workflow status, cards moved by key."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from data.model.items import Item
from widgets.cards import RowContext, card_lines, safe, set_border
from widgets.edit_request import EditRequested
from widgets.item_list import ItemList

OFF_BOARD_KINDS = frozenset({"goal", "recurring"})
"""Goals are outcomes, not cards to move; recurring items are templates that make cards."""


BOARD_FIELDS = frozenset({"status", "rank", "kind", "status_since"})
"""Fields that decide which column a card is in, and where."""

LANE_FIELDS = BOARD_FIELDS | {"owner"}
"""With swimlanes on, the owner decides the band too."""

PATCH_LIMIT = 64
"""Up to this many changed items, a live reload moves cards one by one instead of refilling the board."""


def _card_key(doc: dict, item_id: int, newest_first: bool) -> tuple:
    return (doc.get("status_since") or "", item_id) if newest_first else (doc.get("rank") or 0.0, item_id)


def _insert_card(column: list[int], item_id: int, docs: dict[int, dict], *, newest_first: bool) -> None:
    """Insert into a column kept in :meth:`Board._fill`'s order: by rank, or newest first for done."""
    key = _card_key(docs[item_id], item_id, newest_first)
    lo, hi = 0, len(column)
    while lo < hi:
        mid = (lo + hi) // 2
        other = _card_key(docs[column[mid]], column[mid], newest_first)
        if (other > key) if newest_first else (other < key):
            lo = mid + 1
        else:
            hi = mid
    column.insert(lo, item_id)


class BoardColumn(Vertical):
    """A status column: a header with count and WIP limit, then its cards."""

    def __init__(self, status: str, board: Board) -> None:
        super().__init__(classes="board-column")  # no id from the status: a workspace's status names are anything
        self.status = status
        self._board = board
        self._label: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(safe(self.status)), classes="column-header")  # status names come from the workspace
        yield ItemList(self._board.render_card, row_height=2, empty_text="no cards")

    @property
    def list(self) -> ItemList:
        return self.query_one(ItemList)

    def show(self, rows: list[int], limit: int | None, changed: Callable[[list[int]], set[int] | None] | None = None,
             count: int | None = None, shown: int | None = None) -> None:
        """``count``: cards in the column (for the WIP limit); ``shown``: how many a filter lets through."""
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
        if label != self._label:  # one line, the column's width: never needs a layout pass
            self._label = label
            header.update(label, layout=False)
        header.set_class(limit is not None and count > limit, "-over")
        self.list.set_rows(rows, changed=changed)


class Board(Vertical, can_focus=False):
    """Columns of cards for open work; the focused column's list takes the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "column(-1)", "◀ Column", show=False),
        Binding("right,l", "column(1)", "Column ▶", show=False),
        Binding("shift+right,greater_than_sign", "move(1)", "Move ▶"),
        Binding("shift+left,less_than_sign", "move(-1)", "◀ Move"),
        Binding("shift+up", "reorder(-1)", "Up in column", show=False),
        Binding("shift+down", "reorder(1)", "Down in column", show=False),
        Binding("o", "cards('owner')", "Assign"),
        Binding("m", "cards('move')", "Move to…"),
        Binding("T,number_sign", "cards('tags')", "Tag"),
        Binding("s", "cards('snooze')", "Snooze"),
        Binding("b", "blocked_by", "Blocked by", show=False,
                tooltip="What this card waits on: item ids (a cycle is refused)"),
        Binding("L", "toggle_lanes", "Swimlanes"),
    ]

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
        self._lane_labels: dict[int, tuple[str | None, int]] = {}
        self._rows: dict[str, list[int]] | None = None
        """Card ids per column as last drawn without a filter (None: unknown)."""

    def compose(self) -> ComposeResult:
        yield Horizontal(id="board-columns")

    def show(self, ctx: RowContext, keep: Callable[[Item], bool] | None = None) -> None:
        """Redraw every column from a snapshot, keeping each cursor on its item."""
        previous, self._ctx = self._ctx, ctx
        settings = ctx.snapshot.settings
        if (previous is not None and keep is None and self._keep is None
                and not ctx.touches(LANE_FIELDS if self.lanes else BOARD_FIELDS)
                and settings.board_statuses == self.statuses and settings.wip == previous.snapshot.settings.wip):
            for column in self.columns:
                column.list.set_rows(column.list.rows, changed=ctx.changed_among)  # same rows: the changed ones
            return
        if (previous is not None and keep is None and self._keep is None and not self.lanes
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
            self.call_after_refresh(lambda: self._fill(self._ctx or ctx, self._keep))
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
        moved = [item_id for item_id, fields in changes.items() if not fields.isdisjoint(BOARD_FIELDS)]
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

    def _fill(self, ctx: RowContext, keep: Callable[[Item], bool] | None = None) -> None:
        by_status: dict[str, list[tuple]] = {status: [] for status in self.statuses}
        totals: dict[str, int] = dict.fromkeys(self.statuses, 0)
        done = ctx.snapshot.settings.done
        for item_id, doc in ctx.snapshot.docs.items():
            column = by_status.get(doc.get("status"))
            if column is None or doc.get("kind") in OFF_BOARD_KINDS:
                continue
            if keep is not None:
                totals[doc["status"]] += 1  # the WIP limit counts every card, filtered or not
                if not keep(ctx.snapshot.items[item_id]):
                    continue
            column.append(_card_key(doc, item_id, doc.get("status") == done))  # done: newest first, below
        total = 0
        self._lane_labels = {}
        filled: dict[str, list[int]] = {}
        for column_widget in self.query(BoardColumn):
            cards = by_status.get(column_widget.status, [])
            cards.sort(reverse=column_widget.status == done)
            total += len(cards)
            ids = [item_id for _, item_id in cards]
            filled[column_widget.status] = ids
            rows = self._in_lanes(ids, ctx) if self.lanes else ids
            filtered = keep is not None
            column_widget.show(rows, ctx.snapshot.settings.wip.get(column_widget.status), ctx.changed_among,
                               count=totals[column_widget.status] if filtered else len(ids),
                               shown=len(ids) if filtered else None)
        self._rows = filled if keep is None else None  # what _patch starts from: every card, in order
        lanes = " · lanes by owner" if self.lanes else ""
        set_border(self, f"2 Board · {total}{' (filtered)' if keep is not None else ''}{lanes}")

    def _in_lanes(self, ids: list[int], ctx: RowContext) -> list[int]:
        """Cards grouped by owner (you first, unowned last), each group under a header row (negative id)."""
        docs = ctx.snapshot.docs
        groups: dict[str | None, list[int]] = {}
        for item_id in ids:
            groups.setdefault(docs[item_id].get("owner") or None, []).append(item_id)
        order = sorted(groups, key=lambda o: (o is None, o != self.me, (o or "").lower()))
        rows: list[int] = []
        for owner in order:
            header = -(len(self._lane_labels) + 1)
            self._lane_labels[header] = (owner, len(groups[owner]))
            rows.append(header)
            rows += groups[owner]
        return rows

    def action_toggle_lanes(self) -> None:
        self.lanes = not self.lanes
        if self._ctx is not None:
            self._fill(self._ctx, self._keep)

    def render_card(self, item_id: int, width: int, styles: dict[str, Style]) -> list[Text]:
        if item_id < 0:
            return self._lane_header(item_id, width, styles)
        ctx = self._ctx
        item = ctx.snapshot.items.get(item_id) if ctx else None
        if item is None or ctx is None:
            return [Text(""), Text("")]
        return card_lines(item, ctx, width, styles)

    def _lane_header(self, row_id: int, width: int, styles: dict[str, Style]) -> list[Text]:
        owner, count = self._lane_labels.get(row_id, (None, 0))
        label = f" @{safe(owner)} · {count} " if owner else f" no owner · {count} "
        line = Text("──" + label, style=styles.get("accent", ""))
        line.append("─" * max(0, width - line.cell_len), style=styles.get("dim", ""))
        return [line, Text("")]

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
        columns[index].list.focus()

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
