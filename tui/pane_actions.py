"""The main screen's keys that act across panes: back (esc), zoom, go to an item by id, and the palette.

A mixin of :class:`tui.main_screen.MainScreen`. The command palette runs a
pane's action the way its key would: :meth:`PaneActions.run_key` shows the
pane (and the view inside it) the row belongs to, then runs the row's action
on that widget, so no per-action routing method is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

from widgets.board import Board
from widgets.filter_bar import FilterBar
from widgets.inbox import InboxPane
from widgets.keys import SCOPES, Key
from widgets.matrix import OwnershipMatrix
from widgets.pulse import PulseView
from widgets.why import WhyPane

if TYPE_CHECKING:
    from tui.main_screen import MainScreen


class PaneActions:
    """Back, zoom, go to, and running a key's action from the palette, for the main screen."""

    # -- esc ----------------------------------------------------------------------
    def _back_step(self: MainScreen) -> str | None:  # type: ignore[misc]
        """What esc would do now (None: nothing)."""
        if self.pairing.following is not None:
            return "follow"
        bar = self.filtering.bar
        if bar is not None and bar.has_focus_within:
            return "bar"
        if self._marked_lists():
            return "marks"
        matrix = self.query_one(OwnershipMatrix)
        if self.current_pane == "matrix" and not matrix.showing_table:
            return "matrix-view"
        if self.maximized is not None:
            return "zoom"
        if self.filtering.query is not None:
            return "filter"
        return None

    def can_go_back(self: MainScreen) -> bool:  # type: ignore[misc]
        return self._back_step() is not None

    def _marked_lists(self: MainScreen) -> list:  # type: ignore[misc]
        lists = [self.query_one(InboxPane).list, *(column.list for column in self.query_one(Board).columns)]
        return [item_list for item_list in lists if item_list.marked]

    def action_back(self: MainScreen) -> None:  # type: ignore[misc]
        """esc: the first of stop following, close the filter bar, clear every mark, close the matrix's
        cell list or gaps view, un-zoom, clear the filter."""
        step = self._back_step()
        if step == "follow":
            self.pairing.stop_following(self.pairing.stopped_message())
        elif step == "bar":
            self.post_message(FilterBar.Cleared())
        elif step == "marks":
            for item_list in self._marked_lists():
                item_list.clear_marks()
        elif step == "matrix-view":
            self.query_one(OwnershipMatrix).back()
        elif step == "zoom":
            self.minimize()
        elif step == "filter":
            self.filtering.clear()
        self.refresh_bindings()

    # -- zoom ----------------------------------------------------------------------
    def action_zoom(self: MainScreen) -> None:  # type: ignore[misc]
        """The current pane fills the screen (Textual's ``Screen.maximize``), or goes back."""
        if self.maximized is not None:
            self.minimize()
            self.focus_pane(self.current_pane)
        else:
            pane = self.query_one(f"#{self.current_pane}", Widget)
            self.maximize(pane, container=False)
        self.refresh_bindings()

    # -- go to an item by id -----------------------------------------------------------
    def action_goto(self: MainScreen) -> None:  # type: ignore[misc]
        from tui.goto import GotoPrompt

        if self.snapshot is None:
            return
        self.app.push_screen(GotoPrompt(self.snapshot), self._go)

    def _go(self: MainScreen, item_id: int | None) -> None:  # type: ignore[misc]
        if item_id is not None:
            self.go_to(item_id)

    def go_to(self: MainScreen, item_id: int) -> None:  # type: ignore[misc]
        """Select an item and show it where it lives: the inbox, the board, else the why pane (with why not)."""
        snapshot = self.snapshot
        if snapshot is None or item_id not in snapshot.items:
            self.notify(f"There is no #{item_id} in this workspace", severity="warning")
            return
        self.pairing.stop_following()
        self._select(item_id)
        if self.query_one(InboxPane).list.select_id(item_id):
            self.focus_pane("inbox")
            return
        if self.query_one(Board).select_id(item_id):
            self.focus_pane("board")
            self.query_one(Board).focus_list()
            return
        item = snapshot.items[item_id]
        self.focus_pane("why")
        where = _why_not_listed(self, item)
        self.notify(f"#{item_id} is {where}: shown in the why pane", timeout=5)

    # -- the palette ----------------------------------------------------------------
    def reveal(self: MainScreen, scope: str) -> Widget | None:  # type: ignore[misc]
        """Show the pane and view a scope's keys work in, and return the widget that owns them."""
        pane = SCOPES[scope].pane
        if scope == "screen":
            return self
        if pane:
            self.pairing.stop_following()
            self.focus_pane(pane)
        matrix = self.query_one(OwnershipMatrix)
        if scope == "lists":
            return self.active_list()
        if scope == "inbox":
            return self.query_one(InboxPane)
        if scope == "board":
            return self.query_one(Board)
        if scope == "matrix":
            matrix.show_table()
            return matrix.table
        if scope == "gaps":
            if not matrix.showing_gaps:
                matrix.show_gaps(True)
            return matrix.gaps
        if scope == "cells":
            if not matrix.cells.display:
                self.notify("Open a cell's items first: enter on a number in the matrix", severity="warning")
                return None
            return matrix.cells
        if scope == "why":
            return self.query_one(WhyPane)
        if scope == "pulse":
            return self.query_one(PulseView)
        return None

    async def run_key(self: MainScreen, key: Key) -> None:  # type: ignore[misc]
        """Run a row of the key table as its key would (the palette's command for it)."""
        target = self.reveal(key.scope)
        if target is not None:
            await target.run_action(key.action)


def _why_not_listed(screen: MainScreen, item) -> str:  # noqa: ANN001 - data.model.items.Item
    """Why an item is in neither the inbox nor on the board, in a few words."""
    settings = screen.snapshot.settings if screen.snapshot else None
    if settings is None:
        return "not listed"
    if item.kind == "goal":
        return "a goal (goals are not cards)"
    if item.kind == "recurring":
        return "a recurring template (R lists them)"
    if item.status == settings.inbox and item.snoozed_until:
        return f"snoozed until {item.snoozed_until}"
    if item.status in ("declined", "archived"):
        return item.status
    if item.status == settings.done:
        return "done, older than the board shows (H shows it)"
    if screen.filtering.query is not None:
        return "hidden by the filter"
    return f"in {item.status}"


__all__ = ["PaneActions"]
