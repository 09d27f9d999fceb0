"""The inbox pane: untriaged items and requests, oldest first."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from data.model import Item
from widgets.cards import RowContext, inbox_row
from widgets.item_list import ItemList


def inbox_ids(ctx: RowContext, keep: Callable[[Item], bool] | None = None) -> tuple[list[int], int]:
    """Items waiting for triage, oldest first, and how many are snoozed.

    Snoozed items stay hidden until their day comes, then show again by themselves.
    """
    inbox = ctx.snapshot.settings.inbox
    today = ctx.today.isoformat()
    waiting = []
    snoozed = 0
    for item_id, doc in ctx.snapshot.docs.items():
        if doc.get("status") != inbox:
            continue
        until = doc.get("snoozed_until")
        if until and until > today:
            snoozed += 1
            continue
        if keep is None or keep(ctx.snapshot.items[item_id]):
            waiting.append((doc.get("created_at") or "", item_id))
    waiting.sort()
    return [item_id for _, item_id in waiting], snoozed


INBOX_FIELDS = frozenset({"status", "snoozed_until", "created_at", "kind"})
"""Fields that decide which items the inbox lists, and in what order."""


class InboxPane(Vertical, can_focus=False):
    """Requests and untriaged work; the list inside takes the focus."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "1 Inbox"
        self._ctx: RowContext | None = None
        self._keep: Callable[[Item], bool] | None = None

    def compose(self) -> ComposeResult:
        yield ItemList(self._render_row, empty_text="Inbox zero: nothing waits for triage", id="inbox-list")

    @property
    def list(self) -> ItemList:
        return self.query_one("#inbox-list", ItemList)

    def show(self, ctx: RowContext, keep: Callable[[Item], bool] | None = None) -> None:
        """Redraw from a snapshot; the cursor stays on the same item."""
        previous, self._ctx = self._ctx, ctx
        if previous is not None and keep is None and self._keep is None and not ctx.touches(INBOX_FIELDS):
            for item_id in ctx.changes or ():
                if item_id is not None:
                    self.list.refresh_row(item_id)
            return
        self._keep = keep
        rows, snoozed = inbox_ids(ctx, keep)
        self.list.set_rows(rows, changed=ctx.changed_among)
        self.border_title = f"1 Inbox · {len(rows)}"
        self.border_subtitle = f"{snoozed} snoozed" if snoozed else ""

    def _render_row(self, item_id: int, width: int, styles: dict[str, Style]) -> list[Text]:
        ctx = self._ctx
        item: Item | None = ctx.snapshot.items.get(item_id) if ctx else None
        if item is None or ctx is None:
            return [Text("")]
        return inbox_row(item, ctx, width, styles)
