"""The why pane: the selected item's reason, its why log, and the chain of whys above it.

Its steps (the checklist: how it gets done) are listed with done/total. One
cursor moves over the steps, then the chain (item → parents → goal), then what
the item is blocked by and what it is blocking: on a step, space ticks it off
and a/e/shift+arrows/delete add, edit, move and remove steps; on a chain link
or a dependency, enter selects that item, so a person can climb from a task to
the goal it serves and back down through the other panes. ``w`` edits the why (every
change lands in the why log with who and when), ``N`` adds a note to the log
without changing the why, ``l`` links the item to a goal; the screen opens
the prompts (messages up).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Static

from data.model.dependencies import blockers_of
from data.model.items import Item, chain, why_source
from data.views.goals import GoalStatsCache
from data.writes.ops import Operation
from data.writes.steps import MoveStep, RemoveStep, ToggleStep
from widgets.cards import KIND_MARKS, RowContext, safe, set_border
from widgets.edit_request import EditRequested
from widgets.keys import bindings


def why_text(item: Item | None, ctx: RowContext, goals: GoalStatsCache | None = None) -> Text:
    """The heading and the why: the item's own, inherited from above, or a loud 'none'."""
    if item is None:
        return Text("Select an item to see why it exists.", style="italic")
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
    out.append("Why", style="bold underline")
    if item.why:
        out.append("\n" + safe_lines(item.why))
    else:
        inherited = why_source(item, ctx.snapshot.items)
        if inherited is not None:
            out.append(f"\n(none of its own; #{inherited.id} says) ", style="italic")
            out.append(safe_lines(inherited.why))
        else:
            out.append("\nNo why anywhere: not on this item, its parents or its goal. "
                       "Nobody has written down why this matters.", style="bold reverse")
    if item.kind == "goal" and goals is not None:
        out.append("\n\n")
        out.append("Serves", style="bold underline")
        stats = goals.get(ctx.snapshot, item.id)
        out.append("\n" + stats.summary())
    return out


def safe_lines(text: str) -> str:
    """Workspace text made inert, keeping its line breaks (a why may have several lines)."""
    return "\n".join(safe(line) for line in text.splitlines())


def chain_text(levels: list[Item], cursor: int, *, focused: bool) -> Text:
    """Two lines per link (title, then its why); parents indent one step each, goal links hang off their item.

    The link under the cursor is marked ``▸`` (and reversed while the pane has the focus).
    """
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append("Chain", style="bold underline")
    out.append("  (no parent or goal)" if len(levels) == 1 else "  (up/down, enter goes to a link)", style="dim")
    depths: dict[int, int] = {}
    for index, level in enumerate(levels):
        linked_from = None
        if index == 0:
            depth, branch = 0, ""
        elif levels[index - 1].parent == level.id:
            depth, branch = depths[levels[index - 1].id] + 1, "└ "
        else:
            linked_from = next((other for other in levels[:index] if other.goal == level.id), levels[0])
            depth, branch = depths[linked_from.id] + 1, "⤷ "
        depths[level.id] = depth
        indent = "  " * depth
        here = index == cursor
        line = Text()
        line.append("▸ " if here else "  ", style="bold")
        line.append(indent + branch)
        line.append(f"{KIND_MARKS.get(level.kind, '•')} #{level.id} ", style="bold" if index == 0 else "")
        line.append(safe(level.title))
        if linked_from is not None:
            line.append(f"  (goal of #{linked_from.id})", style="dim")
        if here:
            line.stylize("reverse" if focused else "underline", 2)
        out.append("\n")
        out.append_text(line)
        out.append("\n  " + indent + ("  " if branch else "") + "why: ", style="dim")
        if level.why:
            out.append(safe(level.why.splitlines()[0]), style="italic")
        else:
            out.append("—", style="dim")
    return out


def dependencies(item: Item, ctx: RowContext) -> tuple[list[Item], list[Item]]:
    """(what the item is blocked by, what it is blocking): the items in the workspace, in id order for blocking."""
    items = ctx.snapshot.items
    blocked_by = [items[b] for b in blockers_of(item.doc) if b in items]
    blocking = [items[b] for b in ctx.snapshot.blocking(item.id) if b in items]
    return blocked_by, blocking


def dependency_text(blocked_by: list[Item], blocking: list[Item], cursor: int, ctx: RowContext, *,
                    focused: bool) -> Text:
    """``Blocked by`` and ``Blocking`` sections, one line per item; ``cursor`` indexes blocked-by then blocking."""
    out = Text(no_wrap=True, overflow="ellipsis")
    is_open = ctx.snapshot.settings.is_open
    index = 0
    for heading, group, empty in (("Blocked by", blocked_by, "nothing"), ("Blocking", blocking, "nothing")):
        if out.plain:
            out.append("\n")
        out.append(heading, style="bold underline")
        waiting = sum(1 for other in group if is_open(other.status))
        if heading == "Blocked by" and group:
            out.append(f"  ({waiting} still open)" if waiting else "  (all done)", style="dim")
        if not group:
            out.append(f"  {empty}", style="dim")
        for other in group:
            line = Text()
            here = index == cursor
            line.append("▸ " if here else "  ", style="bold")
            line.append("⛔ " if is_open(other.status) else "✓ ", style="bold" if is_open(other.status) else "dim")
            line.append(f"#{other.id} ", style="bold")
            line.append(safe(other.title))
            line.append(f"  · {other.status} · " + (f"@{safe(other.owner)}" if other.owner else "no owner"),
                        style="dim")
            if here:
                line.stylize("reverse" if focused else "underline", 2)
            out.append("\n")
            out.append_text(line)
            index += 1
    return out


def log_text(item: Item | None) -> Text:
    """The why log, newest first: when, who, whether it set the why or was a note, and the text."""
    if item is None:
        return Text("")
    out = Text()
    out.append("Why log", style="bold underline")
    out.append("  (w edits the why · N adds a note)", style="dim")
    if not item.why_log:
        out.append("\n(empty)", style="dim")
    for entry in reversed(item.why_log):
        stamp = str(entry.get("at", ""))[:16].replace("T", " ")
        kind = "why" if entry.get("kind") == "why" else "note"
        out.append(f"\n{stamp} ", style="dim")
        out.append(f"{safe(str(entry.get('by', '?')))} ", style="bold")
        text = str(entry.get("text", ""))
        if kind == "why" and not text:
            out.append("cleared the why", style="italic")
            continue
        out.append(f"{kind}: ", style="dim")
        out.append(safe_lines(text))
    return out


def steps_text(item: Item | None, cursor: int | None, *, focused: bool) -> Text:
    """The steps (how): ``☑``/``☐`` per step, done/total in the heading; ``cursor`` marks a step (or None)."""
    if item is None:
        return Text("")
    steps = item.checklist
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append("Steps", style="bold underline")
    done = sum(1 for step in steps if step.get("done"))
    if steps:
        out.append(f"  {done}/{len(steps)} done", style="bold")
        out.append("  (space ticks · a adds · e edits · shift+↑↓ moves · del removes)", style="dim")
    for index, step in enumerate(steps):
        here = index == cursor
        line = Text()
        line.append("▸ " if here else "  ", style="bold")
        line.append("☑ " if step.get("done") else "☐ ", style="bold")
        line.append(safe(str(step.get("text", ""))), style="dim" if step.get("done") else "")
        if here:
            line.stylize("reverse" if focused else "underline", 2)
        out.append("\n")
        out.append_text(line)
    if not steps:
        needs = item.kind in ("project", "workstream")
        out.append("\n  No steps yet: how will this get done? ", style="bold reverse" if needs else "italic")
        out.append(" a adds the first", style="dim")
    return out


class WhyPane(VerticalScroll, can_focus=True, inherit_bindings=False):
    """Read the why of whatever is selected in the other panes, tick its steps off, and climb its chain.

    One cursor moves over the steps, then the links (chain, blockers): on a step the step keys
    act on it, on a link enter selects that item everywhere.
    """

    ALLOW_MAXIMIZE = True  # z zooms the pane to the whole screen (MainScreen.action_zoom)

    BINDINGS: ClassVar[list[BindingType]] = bindings("why")

    class LinkChosen(Message):
        """Enter on a chain link: select that item everywhere."""

        def __init__(self, item_id: int) -> None:
            super().__init__()
            self.item_id = item_id

    class StepChanged(Message):
        """Tick, move or remove a step: ``op`` is the operation; the screen applies it."""

        def __init__(self, op: Operation) -> None:
            super().__init__()
            self.op = op

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "4 Why"
        self.item_id: int | None = None
        self.item: Item | None = None
        self.cursor = 0
        """Over the steps first, then :attr:`levels`."""
        self.levels: list[Item] = []
        """The chain of whys, then what the item is blocked by and blocking: every link the cursor visits."""
        self.chain_length = 0
        """How many of :attr:`levels` are the chain; the rest are dependencies."""
        self._dependency_counts = (0, 0)
        self._ctx: RowContext | None = None
        self._goals = GoalStatsCache()
        self._shown: tuple[Text, ...] | None = None

    def compose(self):  # noqa: ANN201 - ComposeResult
        yield Static(id="why-body")
        yield Static(id="why-steps")
        yield Static(id="why-chain")
        yield Static(id="why-deps")
        yield Static(id="why-log")

    @property
    def step_count(self) -> int:
        return len(self.item.checklist) if self.item is not None else 0

    @property
    def step_cursor(self) -> int | None:
        """The step under the cursor (None: the cursor is on a link)."""
        return self.cursor if self.cursor < self.step_count else None

    @property
    def chain_cursor(self) -> int:
        """The link (of :attr:`levels`) under the cursor; 0, the item itself, while it is on a step."""
        return max(0, self.cursor - self.step_count)

    def show(self, ctx: RowContext, item_id: int | None = None) -> None:
        """Show ``item_id`` (or the item shown now, from a fresh snapshot)."""
        self._ctx = ctx
        if item_id is not None and item_id != self.item_id:
            self.item_id = item_id
            self.cursor = 0
        self._draw()

    def _draw(self) -> None:
        ctx = self._ctx
        if ctx is None:
            return
        item = self.item = ctx.snapshot.items.get(self.item_id) if self.item_id is not None else None
        links = chain(item, ctx.snapshot.items) if item is not None else []
        blocked_by, blocking = dependencies(item, ctx) if item is not None else ([], [])
        self.chain_length = len(links)
        self._dependency_counts = (len(blocked_by), len(blocking))
        self.levels = [*links, *blocked_by, *blocking]
        self.cursor = min(self.cursor, max(0, self.step_count + len(self.levels) - 1))
        on_link = self.step_cursor is None
        in_chain = self.chain_cursor if on_link and self.chain_cursor < len(links) else -1
        in_deps = self.chain_cursor - len(links) if on_link else -1
        texts = (why_text(item, ctx, self._goals),
                 steps_text(item, self.step_cursor, focused=self.has_focus),
                 chain_text(links, in_chain, focused=self.has_focus) if item else Text(""),
                 dependency_text(blocked_by, blocking, in_deps, ctx, focused=self.has_focus)
                 if blocked_by or blocking else Text(""),
                 log_text(item))
        shown = self._shown or (None,) * len(texts)
        ids = ("#why-body", "#why-steps", "#why-chain", "#why-deps", "#why-log")
        for widget_id, text, old in zip(ids, texts, shown, strict=True):
            if text != old:
                # A cursor move along the chain keeps its height: no need to lay the pane out again.
                same_height = old is not None and len(text) and text.plain.count("\n") == old.plain.count("\n")
                widget = self.query_one(widget_id, Static)
                if widget_id == "#why-deps":
                    widget.display = bool(text.plain)
                widget.update(text, layout=not (same_height and widget_id in ("#why-steps", "#why-chain", "#why-deps")))
        self._shown = texts
        set_border(self, f"4 Why · #{item.id}" if item else "4 Why")

    def on_focus(self) -> None:
        self._draw()

    def on_blur(self) -> None:
        self._draw()

    def action_cursor(self, delta: int) -> None:
        if not self.levels:
            return
        self.cursor = max(0, min(self.step_count + len(self.levels) - 1, self.cursor + delta))
        self._draw()
        if self.step_cursor is not None:
            top, height = self.query_one("#why-steps", Static).virtual_region.y + 1 + self.cursor, 1
        elif self.chain_cursor < self.chain_length:
            region = self.query_one("#why-chain", Static).virtual_region
            top, height = region.y + 1 + 2 * self.chain_cursor, 2
        else:
            # One line per dependency under the "Blocked by" heading, then the "Blocking" heading and its lines.
            at = self.chain_cursor - self.chain_length
            line = 1 + at + (1 if at >= self._dependency_counts[0] else 0)
            top, height = self.query_one("#why-deps", Static).virtual_region.y + line, 1
        self.scroll_to_region(Region(0, top, 1, height), animate=False)

    def action_enter(self) -> None:
        """Enter: on a step, edit it; on a link (not the item itself), select that item everywhere."""
        if self.step_cursor is not None:
            self.action_edit_step()
        elif 0 < self.chain_cursor < len(self.levels):
            self.post_message(self.LinkChosen(self.levels[self.chain_cursor].id))

    def action_edit(self, field: str) -> None:
        if self.item_id is None or not self.levels:
            self.notify("Select an item first", severity="warning")
            return
        self.post_message(EditRequested(self.item_id, field))

    # -- steps --------------------------------------------------------------------
    def _step(self) -> tuple[int, str] | None:
        """(index, text) of the step under the cursor, or a warning and None."""
        index = self.step_cursor
        if self.item is None or index is None:
            self.notify("Put the cursor on a step first (up/down)" if self.step_count
                        else "No steps yet: a adds one", severity="warning")
            return None
        return index, str(self.item.checklist[index].get("text", ""))

    def action_add_step(self) -> None:
        if self.item_id is None or self.item is None:
            self.notify("Select an item first", severity="warning")
            return
        at = self.step_cursor + 1 if self.step_cursor is not None else self.step_count
        self.post_message(EditRequested(self.item_id, "step", index=at))

    def action_edit_step(self) -> None:
        step = self._step()
        if step is not None and self.item_id is not None:
            self.post_message(EditRequested(self.item_id, "step", index=step[0], editing=True))

    def action_toggle_step(self) -> None:
        step = self._step()
        if step is not None and self.item_id is not None:
            self.post_message(self.StepChanged(ToggleStep(self.item_id, step[0], expected_text=step[1])))

    def action_move_step(self, delta: int) -> None:
        step = self._step()
        if step is None or self.item_id is None:
            return
        if not 0 <= step[0] + delta < self.step_count:
            self.app.bell()
            return
        self.cursor += delta  # the cursor goes with the step
        self.post_message(self.StepChanged(MoveStep(self.item_id, step[0], delta, expected_text=step[1])))

    def action_remove_step(self) -> None:
        step = self._step()
        if step is not None and self.item_id is not None:
            self.post_message(self.StepChanged(RemoveStep(self.item_id, step[0], expected_text=step[1])))
