"""The gaps view: open work missing an owner, a due date, steps or a why, grouped by what is missing.

Each group is a heading row followed by its items, all in one virtual list
(:class:`GapList`), so 10k items cost what the rows on screen cost. An item
missing two answers is listed in both groups. The keys fix the item under the
cursor in place (the screen opens the prompt): ``o`` owner, ``d`` due date,
``a`` add steps (how), ``w`` why, ``l`` link to a goal (a goal's why answers why). A fixed item
leaves its group and the cursor stays where it was, on the next item to fix. A last
group lists work waiting on a blocker nobody owns or that is late; there ``o``
and ``d`` fix that blocker.
"""

from __future__ import annotations

import builtins  # these classes have a `list` property: their annotations name the type as builtins.list
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Static

from data.views.gaps import (
    FIXABLE_ANSWERS,
    GAP_FIELDS,
    GAP_TITLES,
    WAITING_TITLE,
    WHY_FIELDS,
    Gaps,
    find_gaps,
    refresh_gaps,
)
from widgets.cards import RowContext
from widgets.cell_items import work_row
from widgets.edit_request import EditRequested
from widgets.item_list import ItemList
from widgets.keys import bindings

WAITING = len(FIXABLE_ANSWERS)
"""The group of work waiting on a stuck blocker, after the answers' groups."""
_GROUPS = WAITING + 1


def row_key(item_id: int, group: int) -> int:
    """An item's row in one group: the same item may be in several groups, and row keys must differ."""
    return item_id * _GROUPS + group


def heading_key(group: int) -> int:
    """Headings have negative keys, so they can never be mistaken for an item."""
    return -(group + 1)


def item_of(key: int | None) -> int | None:
    """The item id a row stands for (None for a heading)."""
    if key is None or key < 0:
        return None
    return key // _GROUPS


class GapList(ItemList):
    """An :class:`ItemList` whose rows are (group, item) keys and headings.

    ``current_id`` is the item id under the cursor, so the screen's selection
    (and the why pane) follow it like any other list; the cursor skips headings.
    """

    @property
    def current_key(self) -> int | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_id(self) -> int | None:
        return item_of(self.current_key)

    def set_rows(self, rows: list[int], *, keep: int | None = None, changed=None) -> None:  # noqa: ANN001
        # Keep the cursor on the same (group, item) row; when the item leaves the
        # group (it was just fixed), the base class keeps the cursor's position.
        super().set_rows(rows, keep=keep if keep is not None else self.current_key, changed=changed)
        key = self.current_key
        if key is not None and key < 0:
            self.cursor = self.cursor + 1 if self.cursor + 1 < len(self.rows) else self.cursor - 1

    def validate_cursor(self, value: int) -> int:
        value = super().validate_cursor(value)
        rows = self.rows
        if not rows or rows[value] >= 0:
            return value
        step = -1 if value < self.cursor else 1
        for candidate in (value + step, value - step):
            if 0 <= candidate < len(rows) and rows[candidate] >= 0:
                return candidate
        return value

    def select_id(self, item_id: int) -> bool:
        for group in range(_GROUPS):
            key = row_key(item_id, group)
            if key in self._index:
                self.cursor = self._index[key]
                return True
        return False

    def refresh_item(self, item_id: int) -> None:
        for group in range(_GROUPS):
            self.refresh_row(row_key(item_id, group))


class GapsView(Vertical):
    """Every open item missing an owner, a due date or a why; fix each in place."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("gaps")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ctx: RowContext | None = None
        self.gaps: Gaps | None = None
        self._stale = True

    def compose(self) -> ComposeResult:
        yield Static("", id="gaps-summary")
        yield GapList(self._render_row, empty_text="No gaps: all open work has an owner, a due date, steps where needed and a why",
                      id="gaps-list")

    @property
    def list(self) -> GapList:
        return self.query_one("#gaps-list", GapList)

    def show(self, ctx: RowContext, *, force: bool = False) -> None:
        """Redraw from a snapshot; only recomputed while on screen and when a gap may have changed."""
        previous, self._ctx = self._ctx, ctx
        if not self.display:
            self._stale = self._stale or previous is None or ctx.touches(GAP_FIELDS)
            return
        quick = not force and not self._stale and previous is not None and self.gaps is not None
        if quick and not ctx.touches(GAP_FIELDS):
            for item_id in ctx.changes or ():
                if item_id is not None:
                    self.list.refresh_item(item_id)
            return
        changes = ctx.changes
        if quick and self.gaps is not None and changes is not None and None not in changes \
                and not ctx.touches(WHY_FIELDS):
            # An owner or a due date was set (a fix made here, usually): only those items can move.
            changed_ids = {item_id for item_id in changes if item_id is not None}
            gaps = self.gaps = refresh_gaps(self.gaps, ctx.snapshot, changed_ids, today=ctx.today)
        else:
            gaps = self.gaps = find_gaps(ctx.snapshot, FIXABLE_ANSWERS, today=ctx.today)
        self._stale = False
        rows: list[int] = []
        for group, answer in enumerate(FIXABLE_ANSWERS):
            ids = gaps.groups[answer]
            if ids:
                rows.append(heading_key(group))
                rows.extend(row_key(item_id, group) for item_id in ids)
        if gaps.waiting:
            rows.append(heading_key(WAITING))
            rows.extend(row_key(item_id, WAITING) for item_id in gaps.waiting)
        self.list.set_rows(rows)
        counts = " · ".join(f"{len(gaps.groups[a])} {a}" for a in FIXABLE_ANSWERS)
        if gaps.waiting:
            counts += f" · {len(gaps.waiting)} blocked"
        summary = Text.assemble((f"{gaps.item_count} open items miss an answer", "bold"), f"  ({counts})")
        if gaps.untriaged:
            summary.append(f"  · {gaps.untriaged} in the inbox to triage", style="italic")
        self.query_one("#gaps-summary", Static).update(summary)

    def _render_row(self, key: int, width: int, styles: dict[str, Style]) -> builtins.list[Text]:
        ctx, gaps = self._ctx, self.gaps
        if ctx is None or gaps is None:
            return [Text("")]
        if key == heading_key(WAITING):
            return [Text.assemble((f"{WAITING_TITLE} · {len(gaps.waiting)}", "bold underline"),
                                  ("   o sets the blocker's owner · d its due date", styles.get("dim", "")))]
        if key < 0:
            answer = FIXABLE_ANSWERS[-key - 1]
            return [Text.assemble((f"{GAP_TITLES[answer]} · {len(gaps.groups[answer])}", "bold underline"),
                                  (f"   {FIX_KEYS[answer]}", styles.get("dim", "")))]
        item_id = item_of(key)
        item = ctx.snapshot.items.get(item_id) if item_id is not None else None
        if item is None:
            return [Text("")]
        if key % _GROUPS == WAITING:
            waits = Text(" ⛔ " + ", ".join(f"#{b} {problem}" for b, problem in gaps.waiting.get(item.id, [])),
                         style=styles.get("error", ""))
            row = work_row(item, ctx, max(20, width - waits.cell_len), styles, [])
            return [Text.assemble(row[0], waits)]
        return work_row(item, ctx, width, styles, gaps.missing.get(item.id, []))

    def action_fix(self, field: str) -> None:
        item_id = self.list.current_id
        if item_id is None:
            self.notify("Nothing to fix here", severity="warning")
            return
        key = self.list.current_key
        if key is not None and key % _GROUPS == WAITING and field in ("owner", "due") and self.gaps is not None:
            # The gap is the blocker's: fix the first one with that problem (else the first listed).
            problems = self.gaps.waiting.get(item_id, [])
            wanted = "no owner" if field == "owner" else "late"
            item_id = next((b for b, problem in problems if wanted in problem), problems[0][0] if problems else item_id)
        self.post_message(EditRequested(item_id, field))


FIX_KEYS = {"who": "o sets the owner", "when": "d sets the due date", "how": "a adds steps",
            "why": "w writes the why · l links a goal"}
"""The key that fixes each group, shown on its heading."""
