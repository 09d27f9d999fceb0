"""How one item is drawn as a row or a card, shared by the inbox, board and matrix.

Everything from the workspace goes through :func:`safe`: ``rich.text.Text``
never parses markup, and control characters become visible symbols, so a
title like ``[red]x[/]`` or ``\\x1b[2J`` shows as typed and cannot drive the
terminal of whoever is looking at a shared board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from rich.style import Style
from rich.text import Text

from data.model.dates import describe_due
from data.model.dependencies import blockers_of, open_blockers
from data.model.items import Item, chain, display_width_safe, missing_answers
from data.model.snapshot import Snapshot

KIND_MARKS = {
    "goal": "◆",
    "project": "▣",
    "workstream": "≋",
    "task": "•",
    "request": "✉",
    "recurring": "↻",
    "operation": "⚙",
}
"""One-cell symbol per kind, so a card says what it is without a word."""


def safe(text: str | None) -> str:
    """Workspace text made inert for display (see the module docstring)."""
    return display_width_safe(text or "")


_UNSET = object()


def set_border(widget: object, title: object = _UNSET, subtitle: object = _UNSET) -> None:
    """Set a pane's border title and subtitle, only where they change.

    Textual repaints the whole widget on every assignment, equal or not; panes
    retitled on each live reload repainted the whole screen for it.
    """
    last = widget.__dict__.setdefault("_border_texts", {})
    for name, value in (("border_title", title), ("border_subtitle", subtitle)):
        if value is not _UNSET and last.get(name, _UNSET) != value:
            last[name] = value
            # A plain string would be read as markup, and titles quote the workspace (its name, counts).
            setattr(widget, name, Text(safe(value)) if isinstance(value, str) else value)


def parse_time(stamp: str) -> datetime | None:
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def age(stamp: str, now: datetime) -> str:
    """``45s``, ``12m``, ``5h``, ``3d``, ``6w`` since an ISO timestamp."""
    when = parse_time(stamp)
    if when is None:
        return "?"
    seconds = max(0, int((now - when).total_seconds()))
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit == "w" else 1):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


LINEAGE_FIELDS = frozenset({"why", "parent", "goal"})
"""Fields of one item that change what the items under it show (their inherited why)."""


@dataclass
class RowContext:
    """What row drawing needs besides the item: the snapshot and the clock."""

    snapshot: Snapshot
    today: date
    now: datetime
    previous: Snapshot | None = None
    """The snapshot drawn before this one (None: redraw everything)."""
    changes: dict[int | None, set[str]] | None = None
    """Fields changed per item since ``previous``, from the history; None: unknown."""
    peers: dict[int, list[str]] = field(default_factory=dict)
    """item id → handles of other people whose cursor is on it."""
    _missing: dict[int, list[str]] = field(default_factory=dict)

    def touches(self, fields: frozenset[str]) -> bool:
        """Whether the change since the previous snapshot may affect something built from ``fields``."""
        if self.changes is None:
            return True
        return any(item_id is None or not changed.isdisjoint(fields) for item_id, changed in self.changes.items())

    def changed_among(self, ids: list[int]) -> set[int] | None:
        """Which of ``ids`` (the rows on screen) look different from the previous snapshot; None if unknown.

        A row changes with its own document, with the why, parent or goal of any item up its
        chain: whether it shows "? why" depends on them (a goal's why answers for its work), and
        with the status of what it is blocked by (``⛔ #15`` shows while #15 is open).
        """
        if self.previous is None or self.changes is None:
            return None
        old, new = self.previous.docs, self.snapshot.docs
        dirty = {i for i in ids if old.get(i) != new.get(i)}
        lineage = {i for i, fields in self.changes.items() if i is not None and not fields.isdisjoint(LINEAGE_FIELDS)}
        if lineage:
            items = self.snapshot.items
            for item_id in ids:
                item = items.get(item_id)
                if item_id not in dirty and item is not None and any(
                        level.id in lineage for level in chain(item, items)[1:]):
                    dirty.add(item_id)
        moved = {i for i, fields in self.changes.items() if i is not None and "status" in fields}
        if moved:
            for item_id in ids:
                doc = new.get(item_id)
                if item_id not in dirty and doc is not None and doc.get("blocked_by") and not moved.isdisjoint(
                        blockers_of(doc)):
                    dirty.add(item_id)
        return dirty

    def missing(self, item: Item) -> list[str]:
        cached = self._missing.get(item.id)
        if cached is None:
            cached = missing_answers(item, self.snapshot.items, self.snapshot.settings)
            self._missing[item.id] = cached
        return cached


def missing_text(missing: list[str], styles: dict[str, Style]) -> Text:
    """``? who when why`` in the warning colour; empty when nothing is missing."""
    if not missing:
        return Text("")
    return Text("? " + " ".join(missing), style=styles.get("warn", ""))


def due_text(item: Item, ctx: RowContext, styles: dict[str, Style]) -> Text:
    due = item.due_date()
    if due is None:
        return Text("")
    if not ctx.snapshot.settings.is_open(item.status):
        # Closed work is never late: the date it was due, quietly (not "54d late" in red).
        return Text(f"due {due:%b} {due.day}", style=styles.get("dim", ""))
    label = describe_due(due, ctx.today)
    delta = (due - ctx.today).days
    if delta < 0:
        return Text(label, style=styles.get("error", ""))
    if delta <= 2:
        return Text(label, style=styles.get("warn", ""))
    return Text(label)


def steps_text(item: Item, styles: dict[str, Style]) -> Text:
    """``☑ 1/3``: steps done of all (the "how"); empty without steps."""
    steps = item.checklist
    if not steps:
        return Text("")
    done = sum(1 for step in steps if isinstance(step, dict) and step.get("done"))
    return Text(f"☑ {done}/{len(steps)}", style=styles.get("dim", "") if done < len(steps) else "")


def blocked_text(item: Item, ctx: RowContext, styles: dict[str, Style]) -> Text:
    """``⛔ #15`` while any blocker is open (``⛔ #15 #16 +2`` for more); empty once all are done."""
    if not item.doc.get("blocked_by"):
        return Text("")
    waiting = open_blockers(item.doc, ctx.snapshot.docs, ctx.snapshot.settings.is_open)
    if not waiting:
        return Text("")
    shown = " ".join(f"#{b}" for b in waiting[:2]) + (f" +{len(waiting) - 2}" if len(waiting) > 2 else "")
    return Text(f"⛔ {shown}", style=styles.get("error", ""))


def peer_text(item: Item, ctx: RowContext, styles: dict[str, Style]) -> Text:
    handles = ctx.peers.get(item.id)
    if not handles:
        return Text("")
    return Text(" ".join(f"◉{h}" for h in handles) + " ", style=styles.get("peer", ""))


def inbox_row(item: Item, ctx: RowContext, width: int, styles: dict[str, Style]) -> list[Text]:
    """One line: id, age, requester, title, then the missing answers at the right."""
    left = Text.assemble(
        peer_text(item, ctx, styles),
        (f"#{item.id:<5}", styles.get("dim", "")),
        (f"{age(item.created_at, ctx.now):>4} ", styles.get("dim", "")),
        (KIND_MARKS.get(item.kind, "•") + " ", styles.get("accent", "")),
    )
    if item.requester:
        left.append(f"@{safe(item.requester)} ", styles.get("accent", ""))
    right = missing_text(ctx.missing(item), styles)
    room = max(8, width - left.cell_len - right.cell_len - 1)
    title = Text(safe(item.title), no_wrap=True)
    title.truncate(room, overflow="ellipsis", pad=True)
    return [Text.assemble(left, title, " ", right)]


def card_lines(item: Item, ctx: RowContext, width: int, styles: dict[str, Style]) -> list[Text]:
    """A board card: title on the first line; id, owner, due, steps done, priority and gaps on the second."""
    first = Text.assemble(
        peer_text(item, ctx, styles),
        (KIND_MARKS.get(item.kind, "•") + " ", styles.get("accent", "")),
        Text(safe(item.title)),
    )
    owner = Text(f"@{safe(item.owner)}", style=styles.get("accent", "")) if item.owner else Text("")
    parts = [part for part in (
        Text(f"#{item.id}", style=styles.get("dim", "")),
        blocked_text(item, ctx, styles),
        owner,
        due_text(item, ctx, styles),
        steps_text(item, styles),
        Text(f"p{item.priority}", style=styles.get("warn", "") if item.priority == 1 else "") if item.priority else Text(""),
        missing_text(ctx.missing(item), styles),
    ) if part.plain]
    second = Text("  ").join(parts)
    second = Text.assemble("  ", second)
    return [first, second]
