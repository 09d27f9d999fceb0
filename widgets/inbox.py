"""The inbox pane: untriaged items and requests, oldest first."""

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

from data.model.items import Item
from data.views.figures import is_snoozed
from data.views.figures import is_waiting as is_waiting_doc
from widgets.cards import RowContext, inbox_row, set_border
from widgets.item_list import ItemList
from widgets.keys import bindings


def inbox_ids(ctx: RowContext, keep: Callable[[Item], bool] | None = None) -> tuple[list[int], int, int]:
    """Items waiting for triage, oldest first; how many are snoozed; how many waiting ones ``keep`` hides.

    Snoozed items stay hidden until their day comes, then show again by themselves.
    """
    inbox = ctx.snapshot.settings.inbox
    today = ctx.today.isoformat()
    waiting = []
    snoozed = hidden = 0
    for item_id, doc in ctx.snapshot.docs.items():
        if doc.get("status") != inbox:  # most items: neither waiting nor snoozed (a call each cost ~40 ms at 50k)
            continue
        if not is_waiting_doc(doc, inbox, today):  # the one definition (data/views/figures.py)
            snoozed += is_snoozed(doc, inbox, today)
            continue
        if keep is None or keep(ctx.snapshot.items[item_id]):
            waiting.append((doc.get("created_at") or "", item_id))
        else:
            hidden += 1
    waiting.sort()
    return [item_id for _, item_id in waiting], snoozed, hidden


def is_waiting(ctx: RowContext, item_id: int) -> bool:
    """Whether an item is in the inbox now (not snoozed past today)."""
    doc = ctx.snapshot.docs.get(item_id)
    return doc is not None and is_waiting_doc(doc, ctx.snapshot.settings.inbox, ctx.today.isoformat())


INBOX_FIELDS = frozenset({"status", "snoozed_until", "created_at", "kind"})
"""Fields that decide which items the inbox lists, and in what order."""


INBOX_SORTS = ("age", "due", "priority")

UNLISTED_BAND = -1
"""Row id of the band over the filter's matches no pane lists (a header row: never under the cursor)."""

TRIAGE_ACTIONS = ("accept", "owner", "due", "why", "decline", "duplicate", "snooze", "priority", "tags")
"""What the triage keys ask the screen to do with the selected (or marked) items."""


class InboxPane(Vertical, can_focus=False):
    """Requests and untriaged work; the list inside takes the focus.

    Triage keys act on the marked items (space), else the one under the cursor;
    the screen applies them and moves the cursor on to the next untriaged item.
    """

    ALLOW_MAXIMIZE = True  # z zooms the pane to the whole screen (MainScreen.action_zoom)

    BINDINGS: ClassVar[list[BindingType]] = bindings("inbox")

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
        self.hidden = 0
        """Waiting items the filter hides."""
        self._unlisted: list[int] = []
        self.sort = "age"
        """The order (S cycles :data:`INBOX_SORTS`): oldest first, soonest due, highest priority."""

    def compose(self) -> ComposeResult:
        yield ItemList(self._render_row, empty_text="Inbox zero: nothing waits for triage", id="inbox-list")

    @property
    def list(self) -> ItemList:
        return self.query_one("#inbox-list", ItemList)

    def show(self, ctx: RowContext, keep: Callable[[Item], bool] | None = None,
             unlisted: builtins.list[int] | None = None, *, force: bool = False) -> None:
        """Redraw from a snapshot; the cursor stays on the same item.

        ``unlisted``: filter matches no pane lists (snoozed, closed, goals), shown under a band after the inbox.
        """
        previous, self._ctx = self._ctx, ctx
        fields = INBOX_FIELDS | ({"due", "priority"} if self.sort != "age" else set())
        if not force and previous is not None and keep is None and self._keep is None and not ctx.touches(fields):
            self.list.set_rows(self.list.rows, changed=ctx.changed_among)  # same rows: redraws the changed ones
            return
        self._keep = keep
        rows, snoozed, self.hidden = inbox_ids(ctx, keep)
        if self.sort != "age":
            docs = ctx.snapshot.docs
            rows.sort(key=lambda i: (docs[i].get("due") or "9999-99-99", docs[i].get("priority") or 9)
                      if self.sort == "due" else (docs[i].get("priority") or 9, docs[i].get("due") or "9999-99-99"))
        self._unlisted = unlisted or []
        if self._unlisted:
            rows = [*rows, UNLISTED_BAND, *self._unlisted]
        if keep is not None:
            self.list.empty_text = (f"No match: {self.hidden} waiting are hidden by the filter (esc clears it)"
                                    if self.hidden else "Nothing in the inbox matches the filter")
        else:
            self.list.empty_text = "Inbox zero: nothing waits for triage"
        self.list.set_rows(rows, changed=ctx.changed_among)
        self._snoozed = snoozed
        self.refresh_counter()

    def refresh_counter(self) -> None:
        """Title: how many wait, how many this session triaged; subtitle: snoozed and marked."""
        ctx = self._ctx
        if ctx is None:
            return
        done = sum(1 for item_id in self.triaged if not is_waiting(ctx, item_id))
        left = len(self.list.rows) - (len(self._unlisted) + 1 if self._unlisted else 0)
        filtered = f" ({self.hidden} hidden by the filter)" if self._keep is not None and self.hidden else (
            " (filtered)" if self._keep is not None else "")
        order = f" · by {self.sort}" if self.sort != "age" else ""
        set_border(self, f"1 Inbox · {left} left{filtered} · {done} triaged{order}")
        parts = [f"{len(self.list.marked)} marked"] if self.list.marked else []
        if self._unlisted:
            parts.append(f"{len(self._unlisted)} more matches below")
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
            if self._keep is not None:
                self.notify("Nothing in the inbox matches the filter" + (
                    f" ({self.hidden} waiting are hidden by it; esc clears it)" if self.hidden else ""),
                    severity="warning")
            else:
                self.notify("The inbox is empty: nothing to triage", severity="warning")
            return
        self.post_message(self.TriageRequested(action, ids))

    def on_item_list_marks_changed(self, _event: ItemList.MarksChanged) -> None:
        self.refresh_counter()

    def action_sort(self) -> None:
        """S: oldest first (the default), soonest due, highest priority; the cursor stays on its item."""
        self.sort = INBOX_SORTS[(INBOX_SORTS.index(self.sort) + 1) % len(INBOX_SORTS)]
        if self._ctx is not None:
            self.show(self._ctx, self._keep, self._unlisted, force=True)
        names = {"age": "age (oldest first)", "due": "due date", "priority": "priority"}
        self.notify(f"Inbox sorted by {names[self.sort]}", timeout=3)

    def _render_row(self, item_id: int, width: int, styles: dict[str, Style]) -> builtins.list[Text]:
        if item_id == UNLISTED_BAND:
            line = Text(f"── also matching, not in the inbox: snoozed, closed, goals · {len(self._unlisted)} ",
                        style=styles.get("accent", ""))
            line.append("─" * max(0, width - line.cell_len), style=styles.get("dim", ""))
            return [line]
        ctx = self._ctx
        item: Item | None = ctx.snapshot.items.get(item_id) if ctx else None
        if item is None or ctx is None:
            return [Text("")]
        return inbox_row(item, ctx, width, styles)
