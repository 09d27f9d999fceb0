"""The help screen: every key, grouped by where it works, straight from the key table (widgets/keys.py)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from widgets.keys import SCOPES, bindings, key_display, rows

NARROW_BELOW = 120
"""Columns below which help lists its groups in one column (as the main screen shows one pane)."""


def binding_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(keys, what it does)]) for every scope, in table order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, scope in SCOPES.items():
        lines = [(key_display(key.keys), key.help_line) for key in rows(name)] + list(scope.notes)
        if lines:
            groups.setdefault(scope.title, []).extend(lines)
    groups["Everywhere"].append(("ctrl+p", "Command palette: every action by name, with its key"))
    return list(groups.items())


class HelpScreen(ModalScreen[None]):
    """Lists every binding; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("help")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"), Grid(id="help-grid"):
            for title, lines in binding_groups():
                table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
                table.add_column(style="bold", no_wrap=True)
                table.add_column()
                for keys, description in lines:
                    table.add_row(keys, description)
                yield Static(table)

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < NARROW_BELOW, "-narrow")  # one column of groups at 80×24

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < NARROW_BELOW, "-narrow")

    def action_close(self) -> None:
        self.dismiss(None)
