"""Go to an item by its id (``#``): type the number, see its title, enter selects it wherever it is."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from data.errors import BadValue
from data.model.items import parse_item_id
from data.model.snapshot import Snapshot
from tui.typed import after_typed_keys
from widgets.cards import KIND_MARKS, safe
from widgets.keys import bindings


class GotoPrompt(ModalScreen[int | None]):
    """One line for an id (``129`` or ``#129``); the item's title shows as it is typed."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("goto")

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt", classes="prompt-goto"):
            yield Static(Text("Go to item #", style="bold"), id="prompt-title")
            yield Input(placeholder="its id, e.g. 129", id="prompt-input", restrict=r"#?[0-9]*")
            yield Static("", id="prompt-hint")
            yield Static(Text("enter goes there · esc cancels", style="italic"), id="prompt-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _item_id(self) -> int | None:
        text = self.query_one(Input).value.strip()
        if not text.lstrip("#"):
            return None
        try:
            return parse_item_id(text)
        except BadValue:
            return None

    def on_input_changed(self, _event: Input.Changed) -> None:
        item_id = self._item_id()
        hint = self.query_one("#prompt-hint", Static)
        if item_id is None:
            hint.update("")
            return
        item = self.snapshot.items.get(item_id)
        if item is None:
            hint.update(Text(f"no #{item_id} in this workspace", style="italic"))
            return
        hint.update(Text.assemble(f"{KIND_MARKS.get(item.kind, '•')} ", (safe(item.title), "bold"),
                                  (f"  {item.kind} · {item.status}", "dim")))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        after_typed_keys(self, self._go)

    def _go(self) -> None:
        item_id = self._item_id()
        if item_id is not None and item_id in self.snapshot.items:
            self.dismiss(item_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
