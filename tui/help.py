"""The help screen: every key, grouped by where it works."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def _rows(bindings: list) -> list[tuple[str, str]]:
    rows = []
    for binding in bindings:
        if isinstance(binding, tuple):
            binding = Binding(*binding)
        keys = ", ".join(k.strip().replace("question_mark", "?").replace("greater_than_sign", ">")
                         .replace("less_than_sign", "<") for k in binding.key.split(","))
        rows.append((keys, binding.description or binding.action))
    return rows


def binding_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(keys, what it does)]) for every pane and screen."""
    from tui.app import WorktopApp
    from tui.conflict import ConflictScreen
    from tui.editor import ItemEditor
    from tui.main_screen import MainScreen
    from widgets.board import Board
    from widgets.item_list import ItemList
    from widgets.matrix import OwnershipMatrix

    return [
        ("Everywhere", _rows(MainScreen.BINDINGS) + _rows(WorktopApp.BINDINGS)
         + [("ctrl+p", "Command palette: every action by name")]),
        ("Lists (inbox, board columns)", _rows(ItemList.BINDINGS)),
        ("Board", _rows(Board.BINDINGS)),
        ("Ownership matrix", [("arrows", "Move the cell cursor")] + _rows(OwnershipMatrix.BINDINGS)),
        ("Item editor", _rows(ItemEditor.BINDINGS) + [("tab", "Next field")]),
        ("Edit conflict (someone saved the same field first)", _rows(ConflictScreen.BINDINGS)),
    ]


class HelpScreen(ModalScreen[None]):
    """Lists every binding; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            for title, rows in binding_groups():
                table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
                table.add_column(style="bold", no_wrap=True)
                table.add_column()
                for keys, description in rows:
                    table.add_row(keys, description)
                yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
