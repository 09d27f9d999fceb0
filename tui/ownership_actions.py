"""The main screen's share of the ownership pane, the gaps view and the why pane.

A mixin of :class:`tui.main_screen.MainScreen`, kept in its own module so the
screen stays small: the panes post messages up (a role chosen in the matrix, a
field to edit from the gaps view or the why pane, a chain link to go to) and
these handlers apply them; the actions are what ``!`` and the command palette
run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from data.writes.people import SetRole
from widgets.edit_request import EditRequested
from widgets.matrix import ROLE_NAMES, OwnershipMatrix
from widgets.why import WhyPane

if TYPE_CHECKING:
    from tui.main_screen import MainScreen


class OwnershipActions:
    """Gaps view, role changes, quick prompts and chain links, for the main screen.

    Each method says ``self: MainScreen`` so mypy checks its body against the screen it is
    mixed into; mypy wants a mixin's self type to be a supertype of the mixin, which the
    screen (its subclass) is not, hence the ``ignore[misc]`` on each of them.
    """

    def action_gaps(self: MainScreen) -> None:  # type: ignore[misc]
        """``!``: show the gaps view in the ownership pane, or go back to the matrix from it."""
        matrix = self.query_one(OwnershipMatrix)
        matrix.show_gaps(not (matrix.showing_gaps and self.current_pane == "matrix"))
        self.focus_pane("matrix")

    def action_quick_edit(self: MainScreen, field: str) -> None:  # type: ignore[misc]
        """Palette: edit one field of the selected item with a small prompt."""
        if self.selected_id is None:
            self.notify("Nothing selected", severity="warning")
            return
        self.open_prompt(self.selected_id, field)

    def open_prompt(self: MainScreen, item_id: int, field: str, *, index: int | None = None,  # type: ignore[misc]
                    editing: bool = False) -> None:
        """Open the prompt for ``field`` of an item (it applies the change itself)."""
        from tui.prompts import prompt_for

        if self.snapshot is None or item_id not in self.snapshot.items:
            self.notify(f"#{item_id} is not in the workspace any more", severity="warning")
            return
        if self.app.refuse_write():
            return
        if self.app.read_only:
            self.notify(f"{self.app.workspace.location} is read-only for you; nothing can be changed", severity="error")
            return
        self.app.push_screen(prompt_for(field, self.snapshot.items[item_id], self.snapshot, self.app.workspace.today,
                                        index=index, editing=editing))

    def on_edit_requested(self: MainScreen, event: EditRequested) -> None:  # type: ignore[misc]
        event.stop()
        self.open_prompt(event.item_id, event.field, index=event.index, editing=event.editing)

    def on_why_pane_step_changed(self: MainScreen, event: WhyPane.StepChanged) -> None:  # type: ignore[misc]
        if self.app.read_only:
            self.notify(f"{self.app.workspace.path} is read-only for you; nothing can be changed", severity="error")
            return
        self.apply(event.op)

    def on_ownership_matrix_role_chosen(self: MainScreen, event: OwnershipMatrix.RoleChosen) -> None:  # type: ignore[misc]
        result = self.apply(SetRole(event.item_id, event.handle, event.role))
        if result is not None:
            what = ROLE_NAMES[event.role] if result.changed else f"already {ROLE_NAMES[event.role]}"
            self.notify(f"{event.handle}: {what} on #{event.item_id}", timeout=3)

    def on_why_pane_link_chosen(self: MainScreen, event: WhyPane.LinkChosen) -> None:  # type: ignore[misc]
        self.select_item(event.item_id)
