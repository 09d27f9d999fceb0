"""The inbox pane: untriaged items and requests, oldest first."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from data.model import Item
from widgets.cards import RowContext, inbox_row
from widgets.item_list import ItemList


def inbox_ids(ctx: RowContext, keep: callable = None) -> list[int]:  # type: ignore[valid-type]
    """Items waiting for triage, oldest first; snoozed ones stay hidden until their day."""
    settings = ctx.snapshot.settings
    today = ctx.today.isoformat()
    waiting = [
        item for item in ctx.snapshot.items.values()
        if item.status == settings.inbox and not (item.snoozed_until and item.snoozed_until > today)
        and (keep is None or keep(item))
    ]
    waiting.sort(key=lambda item: (item.created_at, item.id))
    return [item.id for item in waiting]


class InboxPane(Vertical, can_focus=False):
    """Requests and untriaged work; the list inside takes the focus."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "1 Inbox"
        self._ctx: RowContext | None = None

    def compose(self) -> ComposeResult:
        yield ItemList(self._render_row, empty_text="Inbox zero: nothing waits for triage", id="inbox-list")

    @property
    def list(self) -> ItemList:
        return self.query_one("#inbox-list", ItemList)

    def show(self, ctx: RowContext, keep=None) -> None:  # noqa: ANN001 - a predicate or None
        """Redraw from a snapshot; the cursor stays on the same item."""
        self._ctx = ctx
        rows = inbox_ids(ctx, keep)
        self.list.set_rows(rows)
        snoozed = sum(1 for i in ctx.snapshot.items.values()
                      if i.status == ctx.snapshot.settings.inbox and i.snoozed_until and i.snoozed_until > ctx.today.isoformat())
        self.border_title = f"1 Inbox · {len(rows)}"
        self.border_subtitle = f"{snoozed} snoozed" if snoozed else ""

    def _render_row(self, item_id: int, width: int, styles: dict[str, Style]) -> list[Text]:
        ctx = self._ctx
        item: Item | None = ctx.snapshot.items.get(item_id) if ctx else None
        if item is None or ctx is None:
            return [Text("")]
        return inbox_row(item, ctx, width, styles)
