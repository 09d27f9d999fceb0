"""Small prompts that change one thing about one item: owner, due date, why, a why note, the goal link, blockers.

Each is a modal over the workspace. It validates as the CLI and the editor do
(:func:`data.model.items.coerce_field`), shows what is wrong under the field and
keeps what was typed; it applies the change itself, expecting the value it
showed, so if someone else changed that field meanwhile the prompt says who
and to what, keeps your text, and a second save writes yours over theirs.
Enter saves, escape cancels (a second escape when something was typed); in
the text prompts ctrl+j starts a new line.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from data.errors import BadValue, Conflict
from data.model.dates import describe_due
from data.model.dependencies import blockers_of, cycle_through, describe_cycle
from data.model.items import Item, coerce_field
from data.model.snapshot import Snapshot
from data.model.wording import field_name, show_value
from data.views.goals import goal_stats
from data.writes.ops import AddWhyNote, Operation, SetFields
from tui.typed import DiscardGuard, after_typed_keys
from widgets.cards import safe
from widgets.keys import bindings
from widgets.safe_text import SafeInput
from widgets.safe_text_area import SafeTextArea

if TYPE_CHECKING:
    from tui.app import WorktopApp


class QuickPrompt(DiscardGuard, ModalScreen[bool]):
    """One field of one item; dismisses with True once the change is written."""

    app: WorktopApp

    BINDINGS: ClassVar[list[BindingType]] = bindings("prompt")

    field_name = ""
    """The stored field this prompt edits (for conflicts and the current value)."""
    verb = "Set"

    def __init__(self, item: Item, snapshot: Snapshot, today: date) -> None:
        super().__init__()
        self.item = item
        self.snapshot = snapshot
        self.today = today
        self._overwrite = False
        self._opened_with = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt", classes=f"prompt-{self.field_name or 'note'}"):
            yield Static(Text.assemble((f"{self.verb} · ", "bold"), (f"#{self.item.id} ", "bold"),
                                       safe(self.item.title)), id="prompt-title")
            yield Static(self.current_text(), id="prompt-current")
            yield self.make_input()
            yield from self.extra_widgets()
            yield Static("", id="prompt-hint")
            yield Static("", id="prompt-error")
            yield Static(Text(self.keys_text(), style="italic"), id="prompt-keys")

    def on_mount(self) -> None:
        self.query_one("#prompt-input").focus()
        self._opened_with = self.typed()
        self.update_hint()

    # -- for subclasses -------------------------------------------------------
    def make_input(self) -> Widget:
        raise NotImplementedError

    def extra_widgets(self) -> ComposeResult:
        """Widgets under the field (the goal picker's list)."""
        yield from ()

    def typed(self) -> str:
        widget = self.query_one("#prompt-input")
        return widget.stored if isinstance(widget, SafeInput | SafeTextArea) else widget.value  # type: ignore[attr-defined]

    def current_text(self) -> Text:
        return Text("")

    def hint(self) -> Text:
        """A live line under the field (a parsed date, matching people); empty by default."""
        return Text("")

    def keys_text(self) -> str:
        return "enter saves · esc cancels"

    def parse(self) -> Any:
        """The value to store, or :class:`BadValue` with what is wrong."""
        raise NotImplementedError

    def operation(self, value: Any, *, check: bool) -> Operation:
        """The change to apply; with ``check`` it expects the value the prompt opened with."""
        expected = {self.field_name: getattr(self.item, self.field_name)} if check else None
        return SetFields(self.item.id, {self.field_name: value}, expected=expected)

    # -- behaviour --------------------------------------------------------------
    def update_hint(self) -> None:
        self.query_one("#prompt-hint", Static).update(self.hint())

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.show_error("")
        self.update_hint()

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self.show_error("")

    def show_error(self, message: str) -> None:
        error = self.query_one("#prompt-error", Static)
        error.update(Text(safe(message)))
        error.set_class(bool(message), "-shown")

    def action_save(self) -> None:
        # Enter is a priority binding (the text area would take it as a new line): keys typed just
        # before it may still be on their way to the field, so save behind them.
        after_typed_keys(self, self._save)

    def saved(self) -> bool:
        """The change is written: True closes the prompt (the step prompt stays open for the next)."""
        return True

    def _save(self) -> None:
        try:
            value = self.parse()
        except BadValue as bad:
            self.show_error(str(bad))
            return
        try:
            result = self.app.apply_ops([self.operation(value, check=not self._overwrite)], raise_conflict=True)
        except Conflict as conflict:
            self._overwrite = True
            theirs = show_value(conflict.value)
            self.show_error(f"{conflict.by} changed the {field_name(self.field_name)} to {theirs} since you opened this. "
                            "Yours is still here: enter again saves yours over theirs, esc keeps theirs.")
            return
        if result is not None and self.saved():
            self.dismiss(True)

    def action_cancel(self) -> None:
        after_typed_keys(self, self._cancel)

    def _cancel(self) -> None:
        if self.may_discard(self.typed() != self._opened_with, self.show_error):
            self.dismiss(False)

    def action_move(self, delta: int) -> None:
        """Up/down in a prompt with a list under its field (the goal picker)."""


class OwnerPrompt(QuickPrompt):
    """Who is accountable: a person's handle (a unique start of one is enough), ``me``, or ``none``."""

    field_name = "owner"
    verb = "Owner"

    def make_input(self) -> Widget:
        handles = sorted(self.snapshot.people)
        return SafeInput(value=self.item.owner or "", placeholder="a handle: " + ", ".join(handles[:6]),
                     suggester=SuggestFromList(handles, case_sensitive=False), id="prompt-input")

    def current_text(self) -> Text:
        return Text(f"now: @{safe(self.item.owner)}" if self.item.owner else "now: nobody", style="dim")

    def _loads(self) -> dict[str, int]:
        from data.views.figures import open_load

        return dict.fromkeys(self.snapshot.people, 0) | open_load(self.snapshot)

    def hint(self) -> Text:
        typed = self.typed().strip().lstrip("@").lower()
        loads = self._loads()
        out = Text()
        for handle in sorted(self.snapshot.people):
            if typed and not handle.lower().startswith(typed):
                continue
            person = self.snapshot.people[handle]
            full = person.capacity > 0 and loads[handle] >= person.capacity
            out.append(f"{safe(handle)} ", style="bold")
            out.append(f"{loads[handle]}/{person.capacity}{' full' if full else ''}   ", style="dim")
        return out if out.plain else Text("no one by that name", style="italic")

    def parse(self) -> str | None:
        typed = self.typed().strip()
        if typed.lower() == "me":
            typed = self.app.workspace.actor
        handle = coerce_field("owner", typed)
        people = self.snapshot.people
        if handle is None or handle in people:
            return handle
        matches = [h for h in people if h.lower().startswith(handle.lower())]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise BadValue(f"{handle!r} could be {', '.join(sorted(matches))}; type more of the name")
        raise BadValue(f"unknown person {handle!r}; people: {', '.join(sorted(people))}")


class DuePrompt(QuickPrompt):
    """When: a date word (today, fri, +3d, next month) or a date; ``none`` clears it."""

    field_name = "due"
    verb = "Due"

    def make_input(self) -> Widget:
        return SafeInput(value=self.item.due or "", placeholder="today, fri, +3d, 2026-12-01", id="prompt-input")

    def current_text(self) -> Text:
        return Text(f"now: {self.item.due}" if self.item.due else "now: no due date", style="dim")

    def hint(self) -> Text:
        typed = self.typed().strip()
        if not typed:
            return Text("")
        try:
            value = coerce_field("due", typed, today=self.today)
        except BadValue as bad:
            return Text(safe(str(bad)), style="italic")
        if value is None:
            return Text("→ no due date", style="bold")
        day = date.fromisoformat(value)
        return Text(f"→ {day.strftime('%a %d %b %Y')} ({describe_due(day, self.today)})", style="bold")

    def parse(self) -> str | None:
        return coerce_field("due", self.typed(), today=self.today)


class WhyPrompt(QuickPrompt):
    """Why it matters. The old why stays in the why log, with who changed it and when."""

    field_name = "why"
    verb = "Why"
    BINDINGS: ClassVar[list[BindingType]] = bindings("text-prompt")

    def make_input(self) -> Widget:
        return SafeTextArea(self.item.why, id="prompt-input", soft_wrap=True, compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        area = self.query_one("#prompt-input", TextArea)
        area.move_cursor(area.document.end)

    def current_text(self) -> Text:
        if self.item.why:
            return Text("the current why is below; your edit replaces it and the old one stays in the log",
                        style="dim")
        return Text("no why of its own yet: say why this work matters", style="dim")

    def keys_text(self) -> str:
        return "enter saves · ctrl+j new line · esc cancels"

    def action_newline(self) -> None:
        area = self.query_one("#prompt-input", TextArea)
        after_typed_keys(self, lambda: area.insert("\n"))  # where the cursor is once the typing before it is in

    def parse(self) -> str:
        value = coerce_field("why", self.typed())
        if not value and not self.item.why:
            raise BadValue("type why this matters (esc cancels)")
        return value


class NotePrompt(WhyPrompt):
    """A note in the why log (a decision, a link) that leaves the current why as it is."""

    field_name = "note"
    verb = "Note"

    def make_input(self) -> Widget:
        return SafeTextArea("", id="prompt-input", soft_wrap=True, compact=True)

    def current_text(self) -> Text:
        return Text("added to the why log; the why itself stays as it is", style="dim")

    def parse(self) -> str:
        value = coerce_field("why", self.typed()).strip()
        if not value:
            raise BadValue("the note is empty (esc cancels)")
        return value

    def operation(self, value: Any, *, check: bool) -> Operation:
        return AddWhyNote(self.item.id, value)


class GoalPicker(QuickPrompt):
    """Which goal the item serves: type to filter, up/down to choose, enter to link."""

    field_name = "goal"
    verb = "Link to goal"
    NO_GOAL = -1

    def make_input(self) -> Widget:
        return SafeInput(placeholder="filter goals by title or id", id="prompt-input")

    def extra_widgets(self) -> ComposeResult:
        yield OptionList(id="prompt-goals")

    def on_mount(self) -> None:
        super().on_mount()
        self._fill()

    def current_text(self) -> Text:
        goal = self.snapshot.items.get(self.item.goal) if self.item.goal is not None else None
        if goal is None:
            return Text("now: not linked to a goal", style="dim")
        return Text(f"now: ◆ #{goal.id} {safe(goal.title)}", style="dim")

    def keys_text(self) -> str:
        return "type to filter · up/down choose · enter links · esc cancels"

    def goals(self) -> list[Item]:
        settings = self.snapshot.settings
        goals = [item for item in self.snapshot.items.values() if item.kind == "goal" and item.id != self.item.id]
        return sorted(goals, key=lambda g: (not settings.is_open(g.status), g.title.lower(), g.id))

    def _fill(self) -> None:
        typed = self.typed().strip().lower().lstrip("#")
        stats = goal_stats(self.snapshot)
        options = []
        for goal in self.goals():
            if typed and typed not in goal.title.lower() and typed != str(goal.id):
                continue
            label = Text.assemble(("◆ ", "bold"), (f"#{goal.id} ", "bold"), safe(goal.title),
                                  (f"  {stats[goal.id].open_items} open · {goal.status}", "dim"))
            options.append(Option(label, id=str(goal.id)))
        if self.item.goal is not None and not typed:
            options.append(Option(Text("(no goal: remove the link)", style="italic"), id=str(self.NO_GOAL)))
        picker = self.query_one("#prompt-goals", OptionList)
        picker.clear_options()
        picker.add_options(options)
        if options:
            current = str(self.item.goal) if self.item.goal is not None else None
            index = next((i for i, o in enumerate(options) if o.id == current), 0)
            picker.highlighted = index

    def on_input_changed(self, event: Input.Changed) -> None:
        super().on_input_changed(event)
        self._fill()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    def action_move(self, delta: int) -> None:
        picker = self.query_one("#prompt-goals", OptionList)
        if picker.option_count:
            current = picker.highlighted if picker.highlighted is not None else -delta
            picker.highlighted = max(0, min(picker.option_count - 1, current + delta))

    def parse(self) -> int | None:
        picker = self.query_one("#prompt-goals", OptionList)
        if picker.highlighted is None or not picker.option_count:
            raise BadValue("no goal matches; " + ("clear the filter" if self.typed() else
                                                  "add one first: n, kind goal"))
        chosen = int(picker.get_option_at_index(picker.highlighted).id or self.NO_GOAL)
        return None if chosen == self.NO_GOAL else chosen


class BlockedByPrompt(QuickPrompt):
    """What the item waits on: item ids (``15 16``); empty clears. A cycle is refused here, naming it."""

    field_name = "blocked_by"
    verb = "Blocked by"

    def make_input(self) -> Widget:
        return Input(value=" ".join(str(b) for b in blockers_of(self.item.doc)), placeholder="item ids, e.g. 15 16",
                     id="prompt-input")

    def current_text(self) -> Text:
        if not self.item.blocked_by:
            return Text("now: waits on nothing · type the ids of the items it waits on", style="dim")
        return Text("now: waits on " + " ".join(f"#{b}" for b in self.item.blocked_by) + " · empty clears",
                    style="dim")

    def hint(self) -> Text:
        try:
            ids = coerce_field("blocked_by", self.typed())
        except BadValue as bad:
            return Text(safe(str(bad)), style="italic")
        out = Text()
        for blocker in ids:
            other = self.snapshot.items.get(blocker)
            out.append("\n" if out.plain else "")
            if other is None:
                out.append(f"#{blocker}: not in this workspace", style="italic")
                continue
            out.append(f"#{blocker} ", style="bold")
            out.append(safe(other.title)[:50])
            out.append(f" · {other.status}" + (f" · @{safe(other.owner)}" if other.owner else " · no owner"),
                       style="dim")
        return out

    def parse(self) -> list[int]:
        ids = coerce_field("blocked_by", self.typed())
        docs = self.snapshot.docs
        for blocker in ids:
            if blocker not in docs:
                raise BadValue(f"#{blocker} is not in this workspace")
        added = [b for b in ids if b not in blockers_of(self.item.doc)]
        cycle = cycle_through(self.item.id, added, lambda i: blockers_of(docs[i]) if i in docs else [])
        if cycle is not None:
            raise BadValue(f"that would make a cycle: {describe_cycle(cycle)} (each waits on the next)")
        return ids


class StepPrompt(QuickPrompt):
    """A step (how): add one (and the next, and the next: it stays open) or change one's text."""

    field_name = "checklist"
    verb = "Step"

    def __init__(self, item: Item, snapshot: Snapshot, today: date, *, index: int | None = None,
                 editing: bool = False) -> None:
        super().__init__(item, snapshot, today)
        self.editing = editing and index is not None and 0 <= index < len(item.checklist)
        self.index = index if index is not None else len(item.checklist)
        self.added: list[str] = []
        self.verb = "Edit step" if self.editing else "Add steps"

    @property
    def old_text(self) -> str:
        return str(self.item.checklist[self.index].get("text", "")) if self.editing else ""

    def make_input(self) -> Widget:
        return SafeInput(value=self.old_text, placeholder="one step: what has to happen (enter adds it)",
                         id="prompt-input", select_on_focus=False)

    def current_text(self) -> Text:
        steps = self.item.checklist
        if not steps:
            return Text("no steps yet: what does done look like?", style="dim")
        done = sum(1 for step in steps if step.get("done"))
        return Text(f"{done}/{len(steps)} steps done; " + (f"changing step {self.index + 1}" if self.editing
                    else f"a new one goes in as step {self.index + 1}"), style="dim")

    def keys_text(self) -> str:
        if self.editing:
            return "enter saves · esc cancels"
        return "enter adds the step and asks for the next · enter on an empty line or esc closes"

    def hint(self) -> Text:
        if not self.added:
            return Text("")
        return Text("added: " + " · ".join(safe(text) for text in self.added[-3:]), style="bold")

    def parse(self) -> str:
        from data.writes.checks import clean_step

        try:
            return clean_step(self.typed())
        except BadValue as bad:
            raise BadValue(f"{bad} (esc closes)") from None

    def _save(self) -> None:
        if not self.editing and not self.typed().strip():
            self.dismiss(bool(self.added))  # enter on an empty line: done adding
            return
        super()._save()

    def operation(self, value: Any, *, check: bool) -> Operation:
        from data.writes.steps import AddStep, EditStep

        if self.editing:
            return EditStep(self.item.id, self.index, value, expected_text=self.old_text if check else None)
        return AddStep(self.item.id, value, at=self.index)

    def saved(self) -> bool:
        if self.editing:
            return True
        self.added.append(self.typed().strip())
        self.index += 1
        field = self.query_one("#prompt-input", SafeInput)
        field.load("")
        self._opened_with = ""
        self.update_hint()
        return False


PROMPTS: dict[str, type[QuickPrompt]] = {
    "owner": OwnerPrompt,
    "due": DuePrompt,
    "why": WhyPrompt,
    "note": NotePrompt,
    "goal": GoalPicker,
    "blocked_by": BlockedByPrompt,
    "step": StepPrompt,
}
"""The prompt for each field a pane can ask to edit (:data:`widgets.edit_request.QUICK_FIELDS`)."""


def prompt_for(field: str, item: Item, snapshot: Snapshot, today: date, *, index: int | None = None,
               editing: bool = False) -> QuickPrompt:
    """The prompt that edits ``field`` of ``item`` (for a step: where, and whether to change one)."""
    if field == "step":
        return StepPrompt(item, snapshot, today, index=index, editing=editing)
    return PROMPTS[field](item, snapshot, today)
