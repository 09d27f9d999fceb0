"""Two people saved the same field of one item: show theirs beside yours and ask which to keep.

The editor works out the clashes (:func:`find_clashes`) from the item as it
was when the form opened, as it is on disk now, and as the form holds it.
Fields only one side changed never come here: they merge without asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from data.model.wording import field_name
from widgets.cards import safe
from widgets.keys import bindings

KEEP_THEIRS = "theirs"
APPLY_MINE = "mine"


@dataclass(frozen=True)
class Clash:
    """One field both people changed, to different values."""

    field: str
    original: Any
    """What the form started from."""
    theirs: Any
    """What is in the workspace now."""
    mine: Any
    """What the form holds."""
    by: str
    """Who wrote theirs."""


def differs(a: Any, b: Any) -> bool:
    """Whether two stored values differ, counting empty string, empty list and None as the same."""
    return (None if a in ("", [], None) else a) != (None if b in ("", [], None) else b)


def find_clashes(original: dict[str, Any], fresh: dict[str, Any], mine: dict[str, Any],
                 who: dict[str, str]) -> list[Clash]:
    """Fields changed both in the workspace and in the form, since the form opened, to different values.

    Args:
        original: field values when the form opened.
        fresh: the same fields as the workspace holds them now.
        mine: the fields the form changed, with their new values.
        who: field → who last changed it in the workspace.
    """
    return [Clash(name, original.get(name), fresh.get(name), value, who.get(name, "someone"))
            for name, value in mine.items()
            if differs(original.get(name), fresh.get(name)) and differs(fresh.get(name), value)]


def shown(name: str, value: Any) -> Text:
    if value in (None, "", []):
        return Text("(empty)", style="dim italic")
    if name == "tags" and isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if name == "checklist" and isinstance(value, list):
        value = " · ".join(f"{'☑' if step.get('done') else '☐'} {step.get('text', '')}" for step in value)
    text = safe(str(value))
    return Text(text if len(text) <= 60 else text[:59] + "…")


class ConflictScreen(ModalScreen[str | None]):
    """Theirs or mine, for the fields both people changed; dismisses with KEEP_THEIRS, APPLY_MINE or None."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("conflict")

    def __init__(self, item_id: int, clashes: list[Clash], others: list[str]) -> None:
        super().__init__()
        self.item_id = item_id
        self.clashes = clashes
        self.others = others

    def compose(self) -> ComposeResult:
        people = sorted({clash.by for clash in self.clashes})
        with Vertical(id="conflict"):
            yield Static(Text(f"{safe(', '.join(people))} changed #{self.item_id} while you were editing it",
                              style="bold"), id="conflict-title")
            table = Table(box=None, padding=(0, 2), expand=True)
            table.add_column("field", style="bold", no_wrap=True)
            table.add_column("when you opened it")
            table.add_column("theirs now")
            table.add_column("yours")
            for clash in self.clashes:
                table.add_row(field_name(clash.field), shown(clash.field, clash.original),
                              Text.assemble(shown(clash.field, clash.theirs), (f"  ({safe(clash.by)})", "dim")),
                              shown(clash.field, clash.mine))
            yield Static(table, id="conflict-table")
            merged = ("Your other changes (" + ", ".join(self.others) + ") are saved either way."
                      if self.others else "")
            yield Static(Text(merged, style="italic"), id="conflict-note")
            with Horizontal(id="conflict-buttons"):
                yield Button("Keep theirs (t)", id="theirs", variant="primary")
                yield Button("Apply mine (m)", id="mine", variant="warning")
                yield Button("Back (esc)", id="back")

    def on_mount(self) -> None:
        self.query_one("#theirs", Button).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_choose_none(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id if event.button.id in (KEEP_THEIRS, APPLY_MINE) else None)


__all__ = ["APPLY_MINE", "KEEP_THEIRS", "Clash", "ConflictScreen", "differs", "find_clashes"]
