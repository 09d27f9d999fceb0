"""The help screen: every key, grouped by where it works."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def _rows(bindings: list) -> list[tuple[str, str]]:
    rows = []
    for binding in bindings:
        if isinstance(binding, tuple):
            binding = Binding(*binding)
        keys = ", ".join(k.strip().replace("question_mark", "?").replace("greater_than_sign", ">")
                         .replace("exclamation_mark", "!")
                         .replace("less_than_sign", "<").replace("slash", "/").replace("number_sign", "#")
                         for k in binding.key.split(","))
        rows.append((keys, binding.tooltip or binding.description or binding.action))
    return rows


def binding_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, [(keys, what it does)]) for every pane and screen."""
    from tui.app import WorktopApp
    from tui.conflict import ConflictScreen
    from tui.editor import ItemEditor
    from tui.main_screen import MainScreen
    from tui.prompts import QuickPrompt, WhyPrompt
    from tui.triage_prompts import AcceptForm
    from widgets.board import Board
    from widgets.filter_bar import FilterBar
    from widgets.gaps import GapsView
    from widgets.inbox import InboxPane
    from widgets.item_list import ItemList
    from widgets.matrix import OwnershipMatrix
    from widgets.pulse import PulseView
    from widgets.why import WhyPane

    return [
        ("Everywhere", _rows(MainScreen.BINDINGS) + _rows(WorktopApp.BINDINGS)
         + [("ctrl+p", "Command palette: every action by name")]),
        ("Inbox: triage (marked items, else the selected one)", _rows(InboxPane.BINDINGS)
         + [("", "then the cursor moves on to the next untriaged item")]),
        ("Lists (inbox, board columns)", _rows(ItemList.BINDINGS)),
        ("Board", _rows(Board.BINDINGS)),
        ("Ownership matrix", [("arrows", "Move the cell cursor")] + _rows(OwnershipMatrix.BINDINGS)
         + [("escape", "Close the cell's item list")]),
        ("Gaps view (! in any pane)", _rows(GapsView.BINDINGS)),
        ("Why pane", _rows(WhyPane.BINDINGS)),
        ("Quick prompts (owner, due, why, note, goal)", _rows(QuickPrompt.BINDINGS) + _rows(WhyPrompt.BINDINGS)),
        ("Board (o m T s act on the marked cards, else the current one)", _rows(Board.BINDINGS)),
        ("Filter bar (/)", [("enter", "Apply: owner:me status:doing kind:request #tag due<fri overdue "
                                      "why:none missing:who blocked blocking blocked_by:15 words")] + _rows(FilterBar.BINDINGS)),
        ("Accept form (a)", [("enter", "Next field; accepts on the last")] + _rows(AcceptForm.BINDINGS)),
        ("Item editor", _rows(ItemEditor.BINDINGS) + [("tab", "Next field")]),
        ("Pulse (5)", _rows(PulseView.BINDINGS)),
        ("Recurring workflows (r)", _recurring_rows()),
        ("Edit conflict (someone saved the same field first)", _rows(ConflictScreen.BINDINGS)),
    ]


def _recurring_rows() -> list[tuple[str, str]]:
    from tui.recurring_screen import RecurringScreen, RuleForm

    return _rows(RecurringScreen.BINDINGS) + [("", "In the rule form:")] + _rows(RuleForm.BINDINGS)


class HelpScreen(ModalScreen[None]):
    """Lists every binding; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"), Grid(id="help-grid"):
            for title, rows in binding_groups():
                table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
                table.add_column(style="bold", no_wrap=True)
                table.add_column()
                for keys, description in rows:
                    table.add_row(keys, description)
                yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
