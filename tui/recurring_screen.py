"""Recurring workflows in the app: a list to skip, pause, resume and edit them, and a rule form
that shows the next dates while the rule is typed, before anything is saved."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Input, Label, Static

from data.errors import BadValue
from data.model.dates import BadDate, parse_date
from data.model.snapshot import Snapshot
from data.writes.recurrence import (
    CreateRecurring,
    GenerateInstances,
    SetPaused,
    SetRule,
    SkipOccurrence,
    Workflow,
    horizon_days,
    parse_rule,
    workflows,
)
from widgets.cards import safe
from widgets.keys import bindings
from widgets.safe_text import SafeInput

if TYPE_CHECKING:
    from tui.app import WorktopApp

PREVIEW_COUNT = 6


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def open_rule_form(app: Any, workflow: Workflow | None) -> None:
    """Show the rule form: a new workflow (``workflow`` None) or a new rule for one."""
    app.push_screen(RuleForm(workflow, app.snapshot))


class RecurringScreen(ModalScreen[None]):
    """Every recurring workflow: its state, rule and next dates; keys act on the highlighted one."""

    app: WorktopApp

    BINDINGS: ClassVar[list[BindingType]] = bindings("recurring")

    def __init__(self) -> None:
        super().__init__()
        self.listed: list[Workflow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="recurring"):
            yield Static(id="recurring-title")
            yield DataTable(id="recurring-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="recurring-detail")
            yield Static(Text("n new · e edit rule · enter edit template · s skip next date · p pause/resume · "
                              "g make due now · esc close", style="dim"), id="recurring-keys")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("id", 5), ("state", 8), ("rule", 22), ("next", 34), ("open/made", 9),
                             ("owner", 8), ("title", 36)):
            table.add_column(label, key=label, width=width)
        if self.app.snapshot is not None:
            self.workspace_changed(self.app.snapshot)
        table.focus()

    def workspace_changed(self, snapshot: Snapshot) -> None:
        """Redraw from a new snapshot (the app calls this on every change), keeping the cursor's workflow."""
        table = self.query_one(DataTable)
        current = self.current()
        self.listed = workflows(snapshot, self.app.workspace.today, count=PREVIEW_COUNT)
        table.clear()
        for workflow in self.listed:
            state = Text(workflow.state, style="bold" if workflow.state in ("paused", "broken", "no rule") else "")
            table.add_row(f"#{workflow.id}", state, Text(safe(workflow.rule) or "—"),
                          ", ".join(_day(d) for d in workflow.next_dates[:3]) or "—",
                          f"{workflow.open_instances}/{workflow.instances}", Text(safe(workflow.owner or "—")),
                          Text(safe(workflow.title)), key=str(workflow.id))
        if current is not None:
            for index, workflow in enumerate(self.listed):
                if workflow.id == current.id:
                    table.move_cursor(row=index, animate=False)
        horizon = horizon_days(snapshot.meta)
        self.query_one("#recurring-title", Static).update(Text.assemble(
            ("Recurring workflows", "bold"), f"  {len(self.listed)} · instances are made {horizon} days ahead"))
        self._show_detail()

    def current(self) -> Workflow | None:
        table = self.query_one(DataTable)
        if not self.listed or table.cursor_row is None or not 0 <= table.cursor_row < len(self.listed):
            return None
        return self.listed[table.cursor_row]

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        workflow = self.current()
        detail = self.query_one("#recurring-detail", Static)
        if workflow is None:
            detail.update(Text("No recurring workflows yet: press n to make one "
                               "(e.g. 'every monday' Weekly release).", style="italic"))
            return
        text = Text()
        text.append(f"#{workflow.id} {safe(workflow.title)}", style="bold")
        text.append(f"\nrule: {safe(workflow.rule) or '—'}")
        if workflow.rrule:
            text.append(f"  ({workflow.rrule})", style="dim")
        text.append("\nnext: " + (", ".join(_day(d) for d in workflow.next_dates) or "—"))
        if workflow.skipped:
            text.append("\nskipped: " + ", ".join(workflow.skipped[-6:]), style="dim")
        if workflow.problem:
            text.append(f"\n{safe(workflow.problem)}", style="bold")
        detail.update(text)

    # -- actions ----------------------------------------------------------------------
    def _need(self) -> Workflow | None:
        workflow = self.current()
        if workflow is None:
            self.notify("No workflow selected; press n to make one", severity="warning")
        return workflow

    def action_new(self) -> None:
        open_rule_form(self.app, None)

    def action_edit_rule(self) -> None:
        workflow = self._need()
        if workflow is not None:
            open_rule_form(self.app, workflow)

    def action_edit_template(self) -> None:
        workflow = self._need()
        snapshot = self.app.snapshot
        if workflow is None or snapshot is None or workflow.id not in snapshot.items:
            return
        from tui.editor import ItemEditor

        self.app.push_screen(ItemEditor(snapshot.items[workflow.id], snapshot))

    def action_skip(self) -> None:
        workflow = self._need()
        if workflow is None:
            return
        skip = SkipOccurrence(workflow.id)
        if self.app.apply_ops([skip]) is not None and skip.skipped_day:
            self.notify(f"Skipped {_day(date.fromisoformat(skip.skipped_day))} of #{workflow.id}", timeout=4)

    def action_pause(self) -> None:
        workflow = self._need()
        if workflow is None:
            return
        pause = workflow.state != "paused"
        ops: list[Any] = [SetPaused(workflow.id, pause)]
        if not pause:
            ops.append(GenerateInstances(workflow.id))
        if self.app.apply_ops(ops) is not None:
            self.notify(f"#{workflow.id} {'paused' if pause else 'resumed'}", timeout=3)

    def action_generate(self) -> None:
        self.app.generate_recurring(report_none=True)

    def action_close(self) -> None:
        self.dismiss(None)


class RuleForm(ModalScreen[int | None]):
    """A rule (and, for a new workflow, its template) with the next dates shown as it is typed."""

    app: WorktopApp

    BINDINGS: ClassVar[list[BindingType]] = bindings("rule-form")

    def __init__(self, workflow: Workflow | None, snapshot: Snapshot | None) -> None:
        super().__init__()
        self.workflow = workflow
        self.snapshot = snapshot

    def compose(self) -> ComposeResult:
        people = sorted(self.snapshot.people) if self.snapshot else []
        heading = f"New rule for #{self.workflow.id} {safe(self.workflow.title)}" if self.workflow \
            else "New recurring workflow"
        with Vertical(id="rule-form"):
            yield Static(Text(heading, style="bold"))
            with Grid(id="rule-grid"):
                yield Label("rule")
                yield SafeInput(value=self.workflow.rule if self.workflow else "", id="r-rule", compact=True,
                            placeholder="every monday · every 2 weeks · monthly on the 1st · FREQ=…")
                yield Label("starts")
                yield SafeInput(id="r-start", compact=True, placeholder="today (or mon, 2026-12-01: what it counts from)")
                if self.workflow is None:
                    yield Label("title")
                    yield SafeInput(id="r-title", compact=True, placeholder="Weekly release")
                    yield Label("owner")
                    yield SafeInput(id="r-owner", compact=True, placeholder="a handle",
                                suggester=SuggestFromList(people, case_sensitive=False))
                    yield Label("why")
                    yield SafeInput(id="r-why", compact=True, placeholder="why it matters (copied into each instance)")
            yield Static(id="rule-preview")
            yield Static(Text("ctrl+s save · esc cancel · the template's steps and tags: enter in the list",
                              style="dim"))

    def on_mount(self) -> None:
        self.query_one("#r-rule", Input).focus()
        self._preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("r-rule", "r-start"):
            self._preview()

    def _start(self) -> date:
        text = self.query_one("#r-start", Input).value.strip()
        today = self.app.workspace.today
        return parse_date(text, today) if text else today

    def _preview(self) -> None:
        preview = self.query_one("#rule-preview", Static)
        rule_text = self.query_one("#r-rule", SafeInput).stored
        today = self.app.workspace.today
        if not rule_text.strip():
            preview.update(Text("Type a rule to see its next dates.", style="italic"))
            return
        try:
            start = self._start()
            rule = parse_rule(rule_text, start)
        except (BadValue, BadDate) as error:
            preview.update(Text(safe(str(error)), style="bold"))
            preview.set_class(True, "-error")
            return
        preview.set_class(False, "-error")
        first = max(start, today)
        coming = rule.dates(first, first.replace(year=first.year + 10), limit=PREVIEW_COUNT)
        text = Text.assemble(("means ", "dim"), rule.rrule_text, ("\nnext: ", "dim"))
        text.append(", ".join(f"{_day(d)} {d.year}" if d.year != today.year else _day(d) for d in coming)
                    or "no date from today on")
        preview.update(text)

    def action_save(self) -> None:
        rule_text = self.query_one("#r-rule", SafeInput).stored
        start_text = self.query_one("#r-start", Input).value.strip() or None
        if self.workflow is not None:
            ops: list[Any] = [SetRule(self.workflow.id, rule_text, start=start_text), GenerateInstances(self.workflow.id)]
            if self.app.apply_ops(ops) is not None:
                self.notify(f"#{self.workflow.id}: new rule saved", timeout=3)
                self.dismiss(self.workflow.id)
            return
        fields: dict[str, Any] = {}
        owner = self.query_one("#r-owner", Input).value.strip()
        why = self.query_one("#r-why", Input).value.strip()
        if owner:
            fields["owner"] = self.app.workspace.actor if owner.lower() == "me" else owner
        if why:
            fields["why"] = why
        create = CreateRecurring(self.query_one("#r-title", Input).value, rule_text, start=start_text, fields=fields)
        generate = GenerateInstances()
        if self.app.apply_ops([create, generate]) is not None:  # errors are shown; the form stays, nothing lost
            made = len(generate.created)
            self.notify(f"Made recurring #{create.item_id}" + (f" and {made} instance{'s' if made != 1 else ''}"
                                                               if made else ""), timeout=4)
            self.dismiss(create.item_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
