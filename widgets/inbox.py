"""The inbox pane: untriaged items and requests, oldest first."""

from __future__ import annotations

import builtins  # these classes have a `list` property: their annotations name the type as builtins.list
from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message

from data.model.items import Item
from widgets.cards import RowContext, inbox_row, set_border
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


def is_waiting(ctx: RowContext, item_id: int) -> bool:
    """Whether an item is in the inbox now (not snoozed past today)."""
    doc = ctx.snapshot.docs.get(item_id)
    if doc is None or doc.get("status") != ctx.snapshot.settings.inbox:
        return False
    until = doc.get("snoozed_until")
    return not (until and until > ctx.today.isoformat())


INBOX_FIELDS = frozenset({"status", "snoozed_until", "created_at", "kind"})
"""Fields that decide which items the inbox lists, and in what order."""


TRIAGE_ACTIONS = ("accept", "owner", "due", "why", "decline", "duplicate", "snooze", "priority", "tags")
"""What the triage keys ask the screen to do with the selected (or marked) items."""


class InboxPane(Vertical, can_focus=False):
    """Requests and untriaged work; the list inside takes the focus.

    Triage keys act on the marked items (space), else the one under the cursor;
    the screen applies them and moves the cursor on to the next untriaged item.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "triage('accept')", "Accept"),
        Binding("o", "triage('owner')", "Owner"),
        Binding("d", "triage('due')", "Due"),
        Binding("w", "triage('why')", "Why"),
        Binding("x", "triage('decline')", "Decline"),
        Binding("D", "triage('duplicate')", "Duplicate"),
        Binding("s", "triage('snooze')", "Snooze"),
        Binding("p", "triage('priority')", "Priority", show=False),
        Binding("T,number_sign", "triage('tags')", "Tags", show=False),
    ]

    class TriageRequested(Message):
        """Triage ``item_ids`` with ``action`` (one of :data:`TRIAGE_ACTIONS`)."""

        def __init__(self, action: str, item_ids: list[int]) -> None:
            super().__init__()
            self.action = action
            self.item_ids = item_ids

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "1 Inbox"
        self._ctx: RowContext | None = None
        self._keep: Callable[[Item], bool] | None = None
        self.triaged: set[int] = set()
        """Items triaged in this session (set by the screen); counted while they stay out of the inbox."""
        self._snoozed = 0

    def compose(self) -> ComposeResult:
        yield ItemList(self._render_row, empty_text="Inbox zero: nothing waits for triage", id="inbox-list")

    @property
    def list(self) -> ItemList:
        return self.query_one("#inbox-list", ItemList)

    def show(self, ctx: RowContext, keep: Callable[[Item], bool] | None = None) -> None:
        """Redraw from a snapshot; the cursor stays on the same item."""
        previous, self._ctx = self._ctx, ctx
        if previous is not None and keep is None and self._keep is None and not ctx.touches(INBOX_FIELDS):
            self.list.set_rows(self.list.rows, changed=ctx.changed_among)  # same rows: redraws the changed ones
            return
        self._keep = keep
        rows, snoozed = inbox_ids(ctx, keep)
        self.list.set_rows(rows, changed=ctx.changed_among)
        self._snoozed = snoozed
        self.refresh_counter()

    def refresh_counter(self) -> None:
        """Title: how many wait, how many this session triaged; subtitle: snoozed and marked."""
        ctx = self._ctx
        if ctx is None:
            return
        done = sum(1 for item_id in self.triaged if not is_waiting(ctx, item_id))
        filtered = " (filtered)" if self._keep is not None else ""
        set_border(self, f"1 Inbox · {len(self.list.rows)} left{filtered} · {done} triaged")
        parts = [f"{len(self.list.marked)} marked"] if self.list.marked else []
        if self._snoozed:
            parts.append(f"{self._snoozed} snoozed")
        set_border(self, subtitle=" · ".join(parts))

    def selected_ids(self) -> builtins.list[int]:
        """The marked items, else the one under the cursor."""
        marked = self.list.marked_ids()
        if marked:
            return marked
        return [self.list.current_id] if self.list.current_id is not None else []

    def action_triage(self, action: str) -> None:
        ids = self.selected_ids()
        if not ids:
            self.notify("The inbox is empty: nothing to triage", severity="warning")
            return
        self.post_message(self.TriageRequested(action, ids))

    def on_item_list_marks_changed(self, _event: ItemList.MarksChanged) -> None:
        self.refresh_counter()

    def _render_row(self, item_id: int, width: int, styles: dict[str, Style]) -> builtins.list[Text]:
        ctx = self._ctx
        item: Item | None = ctx.snapshot.items.get(item_id) if ctx else None
        if item is None or ctx is None:
            return [Text("")]
        return inbox_row(item, ctx, width, styles)
