"""The why pane: the selected item's reason, its why log, and the chain of whys above it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from data.model import Item, chain
from widgets.cards import KIND_MARKS, RowContext, safe


def why_text(item: Item | None, ctx: RowContext) -> Text:
    """Everything the pane shows for one item, as one inert ``Text``."""
    if item is None:
        return Text("Select an item to see why it exists.", style="italic")
    items = ctx.snapshot.items
    out = Text()
    out.append(f"{KIND_MARKS.get(item.kind, '•')} #{item.id} ", style="bold")
    out.append(safe(item.title), style="bold")
    out.append(f"\n{item.kind} · {item.status}", style="dim")
    if item.owner:
        out.append(f" · @{safe(item.owner)}", style="dim")
    here = ctx.peers.get(item.id)
    if here:
        out.append("\n" + " ".join(f"◉{safe(name)}" for name in here), style="bold")
        out.append(" looking at this too", style="italic")
    out.append("\n\n")
    out.append("Why  ", style="bold underline")
    levels = chain(item, items)
    if item.why:
        out.append("\n" + safe(item.why) + "\n")
    else:
        inherited = next((level for level in levels[1:] if level.why), None)
        if inherited is not None:
            out.append(f"\n(none of its own; #{inherited.id} says) ", style="italic")
            out.append(safe(inherited.why) + "\n")
        else:
            out.append("\nNo why anywhere: not on this item, its parents or its goal. "
                       "Nobody has written down why this matters.\n", style="bold reverse")
    out.append("\nChain  ", style="bold underline")
    if len(levels) == 1:
        out.append("\n(no parent or goal)", style="dim")
    for depth, level in enumerate(levels):
        indent = "   " * depth
        out.append("\n" + indent + ("└ " if depth else ""))
        out.append(f"{KIND_MARKS.get(level.kind, '•')} #{level.id} ", style="bold" if depth == 0 else "")
        out.append(safe(level.title)[:60])
        out.append("\n" + indent + ("  " if depth else "") + "  why: ", style="dim")
        if level.why:
            out.append(safe(level.why)[:200], style="italic")
        else:
            out.append("—", style="dim")
    out.append("\n\nWhy log  ", style="bold underline")
    if not item.why_log:
        out.append("\n(empty)", style="dim")
    for entry in reversed(item.why_log):
        stamp = str(entry.get("at", ""))[:16].replace("T", " ")
        kind = "why" if entry.get("kind") == "why" else "note"
        out.append(f"\n{stamp} ", style="dim")
        out.append(f"{safe(str(entry.get('by', '?')))} ", style="bold")
        out.append(f"{kind}: ", style="dim")
        out.append(safe(str(entry.get("text", ""))))
    return out


class WhyPane(VerticalScroll, can_focus=True):
    """Read the why of whatever is selected in the other panes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "4 Why"
        self.item_id: int | None = None
        self._ctx: RowContext | None = None
        self._shown: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="why-body")

    def show(self, ctx: RowContext, item_id: int | None = None) -> None:
        self._ctx = ctx
        if item_id is not None:
            self.item_id = item_id
        item = ctx.snapshot.items.get(self.item_id) if self.item_id is not None else None
        text = why_text(item, ctx)
        if text != self._shown:
            self._shown = text
            self.query_one("#why-body", Static).update(text)
        self.border_title = f"4 Why · #{item.id}" if item else "4 Why"
