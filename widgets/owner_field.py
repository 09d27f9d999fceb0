"""A fuzzy picker of people: type a few letters, the best match is highlighted, enter takes it.

"me" leads the list when you are a person here; when you are not, "nobody"
leads and adding you is offered last. A handle nobody has yet is offered as
"+ add … as a new person" (the screen adds them in the same write as the
assignment); words like ``none`` that mean something else never are.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from data.model.items import RESERVED_HANDLES, Person
from data.views.similar import PersonMatch, match_people
from widgets.cards import safe
from widgets.keys import bindings
from widgets.safe_text import SafeInput

NOBODY_WORDS = RESERVED_HANDLES - {"me"}
"""What typed in the field means nobody."""


class OwnerField(Vertical):
    """An input over a list of matching people; ↑/↓ move the highlight, enter chooses."""

    DEFAULT_CSS = """
    OwnerField { height: auto; }
    OwnerField OptionList { height: auto; max-height: 7; border: none; padding: 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("owner-field")

    class Chosen(Message):
        """Someone was picked: ``handle`` (None: nobody), and whether they are new to the workspace."""

        def __init__(self, field: OwnerField, handle: str | None, is_new: bool) -> None:
            super().__init__()
            self.field = field
            self.handle = handle
            self.is_new = is_new

        @property
        def control(self) -> OwnerField:
            return self.field

    def __init__(self, people: dict[str, Person], me: str, *, value: str = "", allow_nobody: bool = False,
                 load: dict[str, int] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.people = people
        self.load = load or {}
        """Open items per person, shown against their capacity so triage sees who has room."""
        self.me = me
        self.allow_nobody = allow_nobody
        self._initial = value
        self.matches: list[PersonMatch | None] = []

    def compose(self) -> ComposeResult:
        yield SafeInput(value=self._initial, placeholder="type a name; enter picks the highlighted one", compact=True)
        yield OptionList(compact=True)

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False  # the input keeps the keys; ↑↓ move the highlight
        self._refill(self._initial)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def focus(self, scroll_visible: bool = True) -> OwnerField:
        self.input.focus(scroll_visible)
        return self

    def _refill(self, text: str) -> None:
        self.matches = list(match_people(self.people, text, me=self.me))
        typed = text.strip().lstrip("@").lower()
        if self.allow_nobody and typed in NOBODY_WORDS:
            self.matches.insert(0, None)  # "none" typed means nobody: it is never a person
        elif self.allow_nobody and not typed:
            # You lead if you are a person here; if not, "nobody" does: enter never adds you unasked.
            self.matches.insert(0 if self.me not in self.people else len(self.matches), None)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._label(m)) for m in self.matches])
        if self.matches:
            options.highlighted = 0

    def _label(self, match: PersonMatch | None) -> Text:
        if match is None:
            return Text("nobody (leave unowned)", style="italic")
        if match.is_new:
            label = Text(f"+ add {safe(match.handle)} as a new person", style="bold")
            if match.is_me:
                label.append("  (me)", style="dim")
            return label
        person = self.people[match.handle]
        label = Text(safe(match.handle), style="bold")
        if match.is_me:
            label = Text.assemble(("me · ", "italic"), label)
        if person.name:
            label.append(f"  {safe(person.name)}", style="dim")
        if person.team:
            label.append(f" · {safe(person.team)}", style="dim")
        if person.capacity:
            load = self.load.get(match.handle, 0)
            label.append(f"  {load}/{person.capacity} open", style="bold" if load > person.capacity else "dim")
            if load > person.capacity:
                label.append(" over", style="bold reverse")
        return label

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._refill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option_index)

    def action_highlight(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if self.matches:
            options.highlighted = ((options.highlighted or 0) + delta) % len(self.matches)

    @property
    def highlighted(self) -> PersonMatch | None:
        index = self.query_one(OptionList).highlighted
        return self.matches[index] if index is not None and 0 <= index < len(self.matches) else None

    def action_choose(self) -> None:
        self.choose()

    def choose(self, index: int | None = None) -> None:
        """Post :class:`Chosen` for the highlighted (or given) line; nothing when no line fits."""
        if index is None:
            index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.matches):
            self.app.bell()
            return
        match = self.matches[index]
        if match is None:
            self.post_message(self.Chosen(self, None, False))
        else:
            self.post_message(self.Chosen(self, match.handle, match.is_new))
