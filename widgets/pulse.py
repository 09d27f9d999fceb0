"""The pulse view: is work finished reliably and on time? Figures from the history.

It replaces the four panes while shown (key 5), and is computed only while it
is on screen: a pass over every item and the history costs milliseconds at 10k
items, which the other panes should not pay on every change.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from data.views.pulse import Pulse, compute_pulse
from widgets.cards import RowContext, safe, set_border
from widgets.keys import bindings

WINDOWS = (4, 8, 12, 26)
"""Weeks of history the view can look at; ``w`` steps through them."""

BAR_WIDTH = 40


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def _bar(count: int, most: int, width: int) -> str:
    if most <= 0 or count <= 0:
        return ""
    return "█" * max(1, round(count / most * width))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _titles(pulse_ids: list[int], ctx: RowContext, limit: int = 3) -> Text:
    text = Text()
    for index, item_id in enumerate(pulse_ids[:limit]):
        doc = ctx.snapshot.docs.get(item_id, {})
        text.append(", " if index else "")
        text.append(f"#{item_id} ", style="bold")
        text.append(safe(str(doc.get("title", "")))[:40])
    if len(pulse_ids) > limit:
        text.append(f", and {len(pulse_ids) - limit} more", style="dim")
    return text


def pulse_renderable(pulse: Pulse, ctx: RowContext, weeks: int) -> RenderableType:
    """Everything the view shows, as Rich renderables (workspace text made inert)."""
    head = Text()
    head.append(f"Last {weeks} weeks", style="bold")
    head.append(f" since {_day(pulse.window_start)} · as of {_day(pulse.today)} {pulse.today.year}", style="dim")
    head.append("   w: change the window", style="dim italic")

    chart = Table.grid(padding=(0, 1))
    chart.add_column(no_wrap=True, style="dim")
    chart.add_column(no_wrap=True)
    most = max((count for _, count in pulse.weeks), default=0)
    for index, (week, count) in enumerate(pulse.weeks):
        label = Text(_bar(count, most, BAR_WIDTH), style="bold")
        label.append(f" {count}")
        if index == len(pulse.weeks) - 1:
            label.append("  this week so far", style="dim italic")
        chart.add_row(_day(week), label)

    figures = Table.grid(padding=(0, 2))
    figures.add_column(no_wrap=True, style="bold")
    figures.add_column()
    unstarted = len(pulse.finished) - pulse.cycle_count
    if pulse.cycle_count:
        cycle = Text.assemble((f"median {pulse.cycle_median:.1f} d", "bold"), " · ",
                              (f"85th percentile {pulse.cycle_p85:.1f} d", "bold"),
                              (f"   from {_plural(pulse.cycle_count, 'item')}, start of work to done", "dim"))
        if unstarted:
            cycle.append(f"; {unstarted} finished without a recorded start", style="dim")
    else:
        cycle = Text("— no finished work with a recorded start in this window", style="dim")
    figures.add_row("Cycle time", cycle)
    if pulse.with_due:
        on_time = Text.assemble((f"{pulse.on_time_rate:.0%}", "bold"),
                                (f"   {pulse.on_time} of {pulse.with_due} finished with a due date were done by it",
                                 "dim"))
    else:
        on_time = Text("— no finished work with a due date in this window", style="dim")
    figures.add_row("On time", on_time)
    overdue = Text.assemble((f"{len(pulse.overdue)}", "bold"), "  ")
    if pulse.overdue:
        overdue.append_text(_titles(pulse.overdue, ctx))
    figures.add_row("Overdue", overdue)
    blocked = Text.assemble((f"{len(pulse.blocked)}", "bold"), "  ")
    blocked.append_text(_titles(pulse.blocked, ctx) if pulse.blocked else Text("waiting on open work", style="dim"))
    figures.add_row("Blocked", blocked)
    inbox = Text.assemble((f"{len(pulse.inbox)} waiting", "bold"))
    if pulse.inbox_oldest_days is not None:
        inbox.append(f" · oldest {_plural(pulse.inbox_oldest_days, 'day')}: ")
        inbox.append_text(_titles(pulse.inbox[:1], ctx, 1))
    figures.add_row("Inbox", inbox)
    gaps = Text()
    for index, (answer, missing) in enumerate((("who", "no owner"), ("when", "no due date"), ("why", "no why"))):
        gaps.append(" · " if index else "")
        gaps.append(f"{missing} {len(pulse.gaps.get(answer, []))}", style="bold" if pulse.gaps.get(answer) else "")
    gaps.append("   open work on the board", style="dim")
    figures.add_row("Gaps", gaps)

    wip = Table(title="Work in progress", title_justify="left", title_style="bold", box=None, padding=(0, 1),
                show_header=False, min_width=20)
    wip.add_column(no_wrap=True)
    wip.add_column(justify="right", no_wrap=True)
    for status, count in pulse.wip_by_status.items():
        limit = pulse.wip_limits.get(status)
        over = limit is not None and count > limit
        wip.add_row(safe(status), Text(f"{count}" + (f"/{limit}" if limit is not None else ""),
                                       style="bold reverse" if over else ""))
    people = Table(title="By person  █ started ░ not yet", title_justify="left", title_style="bold", box=None,
                   padding=(0, 1), show_header=False)
    people.add_column(no_wrap=True)
    people.add_column(no_wrap=True)
    most_load = max((a + b for a, b in pulse.wip_by_person.values()), default=0)
    for handle, (started, waiting) in list(pulse.wip_by_person.items())[:12]:
        whole = len(_bar(started + waiting, most_load, 20))
        part = min(whole, len(_bar(started, most_load, 20)))
        bar = Text("█" * part, style="bold")
        bar.append("░" * (whole - part))
        bar.append(f" {started + waiting}")
        if started:
            bar.append(f"  {started} started", style="dim")
        people.add_row(Text(safe(handle)) if handle else Text("nobody", style="italic"), bar)
    if len(pulse.wip_by_person) > 12:
        people.add_row(Text(f"+{len(pulse.wip_by_person) - 12} more", style="dim"), Text(""))
    side = Table.grid(padding=(0, 4))
    side.add_column()
    side.add_column()
    side.add_row(wip, people)

    return Group(head, Text(""), Text("Throughput: work finished per week", style="bold underline"), chart,
                 Text(""), figures, Text(""), side)


class PulseView(VerticalScroll, can_focus=True, inherit_bindings=False):
    """Throughput, cycle time, on-time rate, work in progress, inbox and gaps."""

    ALLOW_MAXIMIZE = True  # z zooms the pane to the whole screen (MainScreen.action_zoom)

    BINDINGS: ClassVar[list[BindingType]] = bindings("pulse")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "5 Pulse"
        self.weeks = 8
        self.pulse: Pulse | None = None
        self._ctx: RowContext | None = None
        self._stale = True

    def compose(self) -> ComposeResult:
        yield Static(id="pulse-body")

    def show(self, ctx: RowContext, *, visible: bool) -> None:
        """Take a new snapshot; recompute now if on screen, else when next shown."""
        self._ctx = ctx
        self._stale = True
        if visible:
            self.refresh_pulse()

    def refresh_pulse(self) -> None:
        """Recompute and redraw if the snapshot changed since the last time."""
        ctx = self._ctx
        if ctx is None or not self._stale:
            return
        self._stale = False
        self.pulse = compute_pulse(ctx.snapshot, ctx.today, weeks=self.weeks)
        self.query_one("#pulse-body", Static).update(pulse_renderable(self.pulse, ctx, self.weeks))
        set_border(self, f"5 Pulse · {safe(ctx.snapshot.settings.name)}")

    def action_window(self) -> None:
        self.weeks = WINDOWS[(WINDOWS.index(self.weeks) + 1) % len(WINDOWS)] if self.weeks in WINDOWS else 8
        self._stale = True
        self.refresh_pulse()
        self.notify(f"Pulse: the last {self.weeks} weeks", timeout=2)
