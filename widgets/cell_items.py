"""The items behind one number in the ownership matrix, listed under it (enter on a cell).

Also home of :func:`work_row`, the one-line row the gaps view draws too: id,
kind, title, then owner, due date and missing answers at the right.
"""

from __future__ import annotations

import builtins  # these classes have a `list` property: their annotations name the type as builtins.list
from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from data.model.items import Item
from widgets.cards import KIND_MARKS, RowContext, due_text, missing_text, peer_text, safe
from widgets.item_list import ItemList
from widgets.keys import bindings


def work_row(item: Item, ctx: RowContext, width: int, styles: dict[str, Style],
             missing: list[str] | None = None) -> list[Text]:
    """``#12   • @ana      fri       Title…   ? who why``: owner and due in fixed columns, gaps at the right."""
    owner = Text(f"@{safe(item.owner)}" if item.owner else "@—",
                 style=styles.get("accent", "") if item.owner else styles.get("dim", ""))
    owner.truncate(OWNER_WIDTH, overflow="ellipsis", pad=True)
    due = due_text(item, ctx, styles)
    if not due.plain:
        due = Text("no due", style=styles.get("dim", ""))
    due.truncate(DUE_WIDTH, overflow="ellipsis", pad=True)
    left = Text.assemble(
        peer_text(item, ctx, styles),
        (f"#{item.id:<5}", styles.get("dim", "")),
        (KIND_MARKS.get(item.kind, "•") + " ", styles.get("accent", "")),
        owner, " ", due, " ",
    )
    gaps = missing_text(ctx.missing(item) if missing is None else missing, styles)
    room = max(10, width - left.cell_len - gaps.cell_len - 1)
    title = Text(safe(item.title), no_wrap=True)
    title.truncate(room, overflow="ellipsis", pad=True)
    return [Text.assemble(left, title, " ", gaps)]


OWNER_WIDTH = 9
"""Columns for ``@handle`` in a :func:`work_row` (longer handles end in …)."""
DUE_WIDTH = 9
"""Columns for the due date in a :func:`work_row` (``11d late``, ``Dec 18``, ``no due``)."""


class CellItems(Vertical):
    """A heading saying which cell, and a list of its items; escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("cells")

    class Closed(Message):
        """The list was closed (the matrix takes the focus back)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ctx: RowContext | None = None
        self._query: Callable[[RowContext], list[int]] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="cell-items-title")
        yield ItemList(self._render_row, empty_text="no open items here", id="cell-items-list")

    @property
    def list(self) -> ItemList:
        return self.query_one("#cell-items-list", ItemList)

    def open(self, title: str, query: Callable[[RowContext], builtins.list[int]], ctx: RowContext) -> None:
        """Show the items ``query`` finds, under ``title``; the list takes the focus."""
        self._query = query
        self.query_one(".cell-items-title", Static).update(Text(title, style="bold"))
        self.display = True
        self.show(ctx)
        self.list.cursor = 0
        self.list.focus()

    def show(self, ctx: RowContext) -> None:
        """Redraw from a new snapshot (items may have left the cell or joined it)."""
        self._ctx = ctx
        if self._query is None or not self.display:
            return
        self.list.set_rows(self._query(ctx), changed=ctx.changed_among)

    def action_close(self) -> None:
        self.display = False
        self._query = None
        self.post_message(self.Closed())

    def _render_row(self, item_id: int, width: int, styles: dict[str, Style]) -> builtins.list[Text]:
        ctx = self._ctx
        item = ctx.snapshot.items.get(item_id) if ctx else None
        if item is None or ctx is None:
            return [Text("")]
        return work_row(item, ctx, width, styles)
