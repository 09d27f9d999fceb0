"""The filter bar: ``/`` types a query (``owner:ana due<fri #ops``) that filters every list pane.

The bar shows the active filter while it is on, and a bad query's error beside
the input (the previous filter stays in force). The screen parses and applies
queries: the bar only posts what was typed.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from widgets.cards import safe
from widgets.safe_text import SafeInput


class FilterBar(Vertical):
    """A one-line query input with how many items match at the right, and a bad query's error below."""

    DEFAULT_CSS = """
    FilterBar { height: auto; display: none; background: $boost; }
    FilterBar.-shown { display: block; }
    FilterBar > Horizontal { height: 1; }
    FilterBar .filter-label { width: auto; padding: 0 1; text-style: bold; color: $text-accent; }
    FilterBar Input { width: 1fr; }
    FilterBar .filter-status { width: auto; padding: 0 1; color: $text-muted; }
    FilterBar .filter-error { display: none; padding: 0 1; color: $text-error; text-style: bold; }
    FilterBar .filter-error.-shown { display: block; }
    """

    class Submitted(Message):
        """Apply this query (blank: no filter)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Cleared(Message):
        """Escape in the bar (the screen's esc): drop the filter."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.active = ""
        """The query in force ("" for none)."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("filter /", classes="filter-label")
            yield SafeInput(placeholder="owner:me due<fri #ops overdue missing:why … (enter applies, esc clears)",
                        compact=True, id="filter-input")
            yield Static("", classes="filter-status")
        yield Static("", classes="filter-error")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def open(self) -> None:
        """Show the bar and put the cursor in it, holding the active query to edit."""
        self.add_class("-shown")
        self.show_error("")
        self.input.value = self.active
        self.input.cursor_position = len(self.active)
        self.input.focus()

    def show_active(self, text: str, matches: str = "") -> None:
        """The filter in force (hides the bar when there is none)."""
        self.active = text
        self.input.value = text
        self.set_class(bool(text), "-shown")
        self.query_one(".filter-status", Static).update(Text(matches))
        self.show_error("")

    def show_error(self, message: str) -> None:
        """A bad query: say why under the input; the bar stays open on what was typed."""
        error = self.query_one(".filter-error", Static)
        error.update(Text(safe(message)))
        error.set_class(bool(message), "-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value.strip()))
