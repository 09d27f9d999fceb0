"""The small modal prompts triage and bulk actions ask through.

Each prompt validates what was typed with the same functions the CLI uses and
keeps itself open with the error beside the field until the input is good or
the person presses escape; it dismisses with a value, never writes. The flows
in tui/triage.py turn the value into operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from data.errors import BadValue
from data.model.items import Item, Person
from data.model.snapshot import Snapshot
from data.views.similar import Match, search_items, similar_items
from tui.typed import DiscardGuard, after_typed_keys
from widgets.cards import KIND_MARKS, safe
from widgets.keys import bindings
from widgets.owner_field import OwnerField
from widgets.safe_text import SafeInput

T = TypeVar("T")


def subject_text(items: list[Item]) -> Text:
    """What the prompt acts on: one item's id and title, or how many."""
    if len(items) == 1:
        item = items[0]
        return Text.assemble((f"#{item.id} ", "bold"), KIND_MARKS.get(item.kind, "•") + " ", safe(item.title))
    shown = ", ".join(f"#{item.id}" for item in items[:8])
    more = f" and {len(items) - 8} more" if len(items) > 8 else ""
    return Text(f"{len(items)} items: {shown}{more}", style="bold")


SHORT_BELOW = 32
"""Terminal rows below which prompts drop their blank lines (see ``Prompt.on_mount``)."""


class PromptBox(VerticalScroll, can_focus=False):
    """The prompt's box: scrolls on a short terminal, but is not a stop for tab."""


class Prompt(DiscardGuard, ModalScreen[T]):
    """A titled box: what it acts on, the field(s), an error line and a hint; escape cancels.

    Escape over typed text asks for a second escape first (:class:`tui.typed.DiscardGuard`).
    """

    CSS_PATH = Path(__file__).with_name("triage.tcss")
    BINDINGS: ClassVar[list[BindingType]] = bindings("triage-prompt")
    HINT = "enter: ok · esc: cancel"

    def __init__(self, title: str, subject: Text) -> None:
        super().__init__()
        self.prompt_title = title
        self.subject = subject
        self.items: list[Item] = []
        """The items as they were when the prompt opened (set by the flow), watched for changes."""

    def compose(self) -> ComposeResult:
        with PromptBox(classes="prompt"):
            yield Static(Text(self.prompt_title, style="bold"), classes="prompt-title")
            yield Static(self.subject, classes="prompt-subject")
            yield from self.fields()
            yield Static("", classes="prompt-error", id="prompt-error")
            yield Static(Text(self.HINT), classes="prompt-hint")

    def fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        # Runs after a subclass's own on_mount (Textual calls each class's handler): fields are filled.
        self._opened_with = self._typed()
        # A short terminal (80×24): no blank lines between the parts and a shorter list of people,
        # so the whole form and the item it acts on fit without scrolling.
        self.set_class(self.app.size.height < SHORT_BELOW, "-short")

    def on_resize(self) -> None:
        self.set_class(self.app.size.height < SHORT_BELOW, "-short")

    def _typed(self) -> list[str]:
        return [field.value for field in self.query(Input)]

    def show_error(self, message: str, where: str = "#prompt-error") -> None:
        error = self.query_one(where, Static)
        error.update(Text(safe(message)))
        error.set_class(bool(message), "-shown")

    def action_cancel(self) -> None:
        after_typed_keys(self, self._cancel)

    def _cancel(self) -> None:
        if self.may_discard(self._typed() != getattr(self, "_opened_with", []), self.show_error):
            self.dismiss(None)

    def action_submit(self) -> None:
        """Enter where no field takes it: the focused input's value, as its own enter would."""
        if isinstance(self.focused, Input):
            self.focused.post_message(Input.Submitted(self.focused, self.focused.value))

    def action_highlight(self, delta: int) -> None:
        """Up/down in a prompt with suggestions under its field (the duplicate picker)."""

    def workspace_changed(self, snapshot: Snapshot) -> None:
        """Another terminal wrote: say at once if an item this prompt acts on was closed or moved."""
        for item in self.items:
            fresh = snapshot.items.get(item.id)
            if fresh is None:
                self.show_error(f"#{item.id} is no longer in the workspace; esc closes this")
            elif fresh.status != item.status:
                self.show_error(f"#{item.id} was moved to {fresh.status} by {fresh.updated_by or 'someone'} "
                                f"meanwhile; nothing will be changed (esc closes this)")
            else:
                continue
            return


class TextPrompt(Prompt[Any]):
    """One line of text, turned into a value by ``parse`` (which raises BadValue to refuse it).

    ``preview`` (optional) says live what the text will mean, e.g. which date ``fri`` is.
    """

    def __init__(self, title: str, subject: Text, *, parse: Callable[[str], Any], value: str = "",
                 placeholder: str = "", preview: Callable[[str], str] | None = None, replace: bool = False) -> None:
        super().__init__(title, subject)
        self.parse = parse
        self.value = value
        self.placeholder = placeholder
        self.preview = preview
        self.replace = replace
        """Whether the value opens selected, so typing replaces it (a date); else the cursor is at its end."""

    def fields(self) -> ComposeResult:
        yield SafeInput(value=self.value, placeholder=self.placeholder, id="prompt-input", compact=True,
                        select_on_focus=self.replace)
        if self.preview is not None:
            yield Static("", id="prompt-preview")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._preview(self.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error("")  # the error was about what the text said before
        self._preview(event.value)

    def _preview(self, text: str) -> None:
        if self.preview is not None:
            self.query_one("#prompt-preview", Static).update(Text(self.preview(text), style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = self.parse(event.value)
        except BadValue as error:
            self.show_error(str(error))
            return
        self.dismiss(value)


DUE_WORDS = "today, fri, next fri, +3d, in 2 weeks, eow, dec 24, 2026-12-01"
SNOOZE_WORDS = "tomorrow, mon, next fri, +3d, +1w, dec 24: a day after today"


def date_preview(parse: Callable[[str, date], str | None], today: date,
                 words: str = DUE_WORDS) -> Callable[[str], str]:
    """Live "→ Fri 27 Nov 2026" under a date field; what is wrong with it, once something is typed."""

    def preview(text: str) -> str:
        if not text.strip():
            try:
                parse(text, today)
            except BadValue:
                return words  # required: say what may be typed (never a word the field then refuses)
            return "(empty: no date yet)"  # the words are in the field's placeholder
        try:
            value = parse(text, today)
        except BadValue as error:
            return str(error).split("; use ")[0]  # what is wrong; the words are in the placeholder
        if value is None:
            return "(no date)"
        day = date.fromisoformat(value)
        return f"→ {day:%a %d %b %Y}"

    return preview


class ChoicePrompt(Prompt[Any]):
    """Pick one of a few values: arrows and enter, or the digit shown beside it."""

    HINT = "1-9 or ↑↓ enter: pick · esc: cancel"

    def __init__(self, title: str, subject: Text, options: list[tuple[Any, str]], *, current: Any = None) -> None:
        super().__init__(title, subject)
        self.options = options
        self.current = current

    def fields(self) -> ComposeResult:
        yield OptionList(*[Option(Text(f"{n}  {label}")) for n, (_value, label) in enumerate(self.options, start=1)],
                         id="prompt-options", compact=True)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for value, _label in self.options]
        options.highlighted = values.index(self.current) if self.current in values else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.options[event.option_index][0])

    def on_key(self, event) -> None:  # noqa: ANN001 - textual.events.Key
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.options):
            event.stop()
            self.dismiss(self.options[int(event.character) - 1][0])


@dataclass(frozen=True)
class OwnerChoice:
    """Who was picked in an owner field (None: nobody), and whether to add them as a new person."""

    handle: str | None
    is_new: bool = False


class OwnerPrompt(Prompt[OwnerChoice]):
    """The fuzzy people picker on its own (the owner key)."""

    HINT = "type to match · ↑↓ · enter: pick · esc: cancel"

    def __init__(self, title: str, subject: Text, *, people: dict[str, Person], me: str, value: str = "",
                 load: dict[str, int] | None = None) -> None:
        super().__init__(title, subject)
        self.people = people
        self.me = me
        self.value = value
        self.load = load

    def fields(self) -> ComposeResult:
        yield OwnerField(self.people, self.me, value=self.value, allow_nobody=True, load=self.load, id="prompt-owner")

    def on_mount(self) -> None:
        self.query_one(OwnerField).focus()

    def on_owner_field_chosen(self, event: OwnerField.Chosen) -> None:
        event.stop()
        self.dismiss(OwnerChoice(event.handle, event.is_new))


class DuplicatePrompt(Prompt[int]):
    """Pick the original: the most similar open items are offered; typing searches (or ``#12``)."""

    HINT = "type to search, or #id · ↑↓ · enter: mark as duplicate of it · esc: cancel"

    def __init__(self, title: str, subject: Text, *, snapshot: Snapshot, item_id: int) -> None:
        super().__init__(title, subject)
        self.snapshot = snapshot
        self.item_id = item_id
        self.matches: list[Match] = []

    def fields(self) -> ComposeResult:
        yield SafeInput(placeholder="words of the original's title, or its #id", id="prompt-input", compact=True)
        yield Static("", id="prompt-preview")
        yield OptionList(id="prompt-options", compact=True)

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False
        self.query_one(Input).focus()
        self._refill("")

    def _refill(self, text: str) -> None:
        if text.strip():
            self.matches = search_items(self.snapshot, text, exclude=self.item_id, limit=8, cutoff=40)
            heading = f"{len(self.matches)} matching open items" if self.matches else "no open item matches"
        else:
            self.matches = similar_items(self.snapshot, self.item_id, limit=8)
            heading = ("most similar open items" if self.matches
                       else "nothing similar is open; type words of the original's title, or its #id")
        self.query_one("#prompt-preview", Static).update(Text(heading, style="dim"))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._label(match)) for match in self.matches])
        if self.matches:
            options.highlighted = 0

    def _label(self, match: Match) -> Text:
        item = self.snapshot.items[match.item_id]
        label = Text.assemble((f"#{item.id:<5}", "bold"), KIND_MARKS.get(item.kind, "•") + " ", safe(item.title)[:60])
        label.append(f"  {item.status}", style="dim")
        if item.owner:
            label.append(f" @{safe(item.owner)}", style="dim")
        label.append(f"  {match.score:.0f}%", style="dim")
        return label

    def on_input_changed(self, event: Input.Changed) -> None:
        self._refill(event.value)

    def action_highlight(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if self.matches:
            options.highlighted = ((options.highlighted or 0) + delta) % len(self.matches)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self.query_one(OptionList).highlighted
        if index is None or not self.matches:
            self.show_error("pick the original from the list (type words of its title, or #id)")
            return
        self.dismiss(self.matches[index].item_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.matches[event.option_index].item_id)


@dataclass(frozen=True)
class AcceptChoice:
    """What the accept form collected (None: leave the field as it is)."""

    owner: OwnerChoice | None
    due: str | None
    why: str | None


class AcceptForm(Prompt[AcceptChoice]):
    """Accept onto the board with owner, due and why: enter moves on from each field and accepts on the last.

    The owner field starts on "me"; so ``a enter fri enter <why> enter`` accepts
    a request as yours, due Friday, with its reason: four key presses and the text.
    """

    HINT = "enter: next field, and accept on the last · ctrl+s: accept now · esc: cancel"
    BINDINGS: ClassVar[list[BindingType]] = bindings("accept")

    def __init__(self, subject: Text, *, column: str, people: dict[str, Person], me: str, today: date,
                 parse_due: Callable[[str, date], str | None], parse_why: Callable[[str], str],
                 owner: str = "", due: str = "", why: str = "", load: dict[str, int] | None = None) -> None:
        super().__init__(f"Accept → {column}", subject)
        self.load = load
        self.people, self.me, self.today = people, me, today
        self.parse_due, self.parse_why = parse_due, parse_why
        self.initial = {"owner": owner, "due": due, "why": why}
        self.owner: OwnerChoice | None = None

    def fields(self) -> ComposeResult:
        yield Static("owner", classes="prompt-label")
        yield OwnerField(self.people, self.me, value=self.initial["owner"], allow_nobody=True, load=self.load,
                         id="accept-owner")
        yield Static("due", classes="prompt-label")
        yield SafeInput(value=self.initial["due"], placeholder="fri, +3d, 2026-12-01 (empty: none yet)", id="accept-due",
                    compact=True)
        yield Static("", id="accept-due-preview")
        yield Static("", classes="prompt-error", id="accept-due-error")
        yield Static("why", classes="prompt-label")
        yield SafeInput(value=self.initial["why"], placeholder="why this matters, in a line (empty: later)",
                    id="accept-why", compact=True)
        yield Static("", classes="prompt-error", id="accept-why-error")

    def on_mount(self) -> None:
        self.query_one(OwnerField).focus()
        self._preview(self.initial["due"])

    def on_owner_field_chosen(self, event: OwnerField.Chosen) -> None:
        event.stop()
        self.owner = OwnerChoice(event.handle, event.is_new)
        event.field.input.value = event.handle or ""
        self.query_one("#accept-due", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "accept-due":
            self._preview(event.value)
            self.show_error("", "#accept-due-error")

    def _preview(self, text: str) -> None:
        self.query_one("#accept-due-preview", Static).update(
            Text(date_preview(self.parse_due, self.today)(text), style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "accept-due":
            if self._due() is not False:
                self.query_one("#accept-why", Input).focus()
        elif event.input.id == "accept-why":
            self.action_accept()

    def _due(self) -> str | None | bool:
        """The due date as stored, None for none, False (with the error shown) when it is not a date."""
        try:
            return self.parse_due(self.query_one("#accept-due", Input).value, self.today)
        except BadValue as error:
            self.show_error(str(error), "#accept-due-error")
            self.query_one("#accept-due", Input).focus()
            return False

    def action_accept(self) -> None:
        after_typed_keys(self, self._accept)  # ctrl+s is a priority key: let the typing before it land first

    def _accept(self) -> None:
        owner = self.owner
        if owner is None:  # never pressed enter in the owner field: take its highlighted line
            field = self.query_one(OwnerField)
            match = field.highlighted
            owner = OwnerChoice(match.handle, match.is_new) if match is not None else OwnerChoice(None)
        due = self._due()
        if due is False:
            return
        try:
            why = self.parse_why(self.query_one("#accept-why", SafeInput).stored) or None
        except BadValue as error:
            self.show_error(str(error), "#accept-why-error")
            return
        self.dismiss(AcceptChoice(owner, due if isinstance(due, str) else None, why))


__all__ = [
    "AcceptChoice",
    "AcceptForm",
    "ChoicePrompt",
    "DuplicatePrompt",
    "OwnerChoice",
    "OwnerPrompt",
    "Prompt",
    "TextPrompt",
    "date_preview",
    "subject_text",
]
