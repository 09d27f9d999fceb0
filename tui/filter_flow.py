"""The filter (``/``) of the main screen.

The filter is one parsed query (data/model/query.py) that every pane applies: the
inbox and board list only matching items, the ownership matrix counts only
matching work. A query that does not parse leaves the previous filter in
force and shows the error in the bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from data.model.items import Item
from data.model.snapshot import Snapshot
from widgets.board import Board
from widgets.filter_bar import FilterBar
from widgets.inbox import InboxPane

if TYPE_CHECKING:
    from data.model.query import Query
    from tui.main_screen import MainScreen


class Filtering:
    """The query in force on one main screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.query: Query | None = None
        self._keep: tuple[Snapshot, Callable[[Item], bool]] | None = None

    @property
    def text(self) -> str:
        return self.query.text if self.query is not None else ""

    @property
    def bar(self) -> FilterBar | None:
        """The filter bar, once it has been opened (it is mounted on first use: ~10 ms off first paint)."""
        bars = self.screen.query(FilterBar)
        return bars.first() if bars else None

    def keep(self, snapshot: Snapshot) -> Callable[[Item], bool] | None:
        """The predicate the panes filter ``snapshot`` with (the same object for the same snapshot).

        The query runs once per snapshot, term by term over every item (``Query.filter``,
        cheaper than matching item by item), and the panes then only look ids up.
        """
        query = self.query
        if query is None:
            return None
        if self._keep is None or self._keep[0] is not snapshot:
            matching = frozenset(item.id for item in query.filter(snapshot.items.values(), snapshot))
            self._keep = (snapshot, lambda item: item.id in matching)
        return self._keep[1]

    def open(self) -> None:
        bar = self.bar
        if bar is None:
            bar = FilterBar(id="filter-bar")
            self.screen.mount(bar, before=self.screen.query_one("#panes"))
            self.screen.call_after_refresh(bar.open)
        else:
            bar.open()

    def submit(self, text: str) -> None:
        """Apply what was typed; on a bad query say why and keep the previous filter."""
        if not text:
            self.clear()
            return
        from data.model.query import BadQuery, parse_query  # loaded on first use: ~7 ms at start-up otherwise

        app = self.screen.app
        snapshot = self.screen.snapshot
        try:
            query = parse_query(text, me=app.workspace.actor, today=app.workspace.today,
                                statuses=snapshot.settings.all_statuses if snapshot else None)
        except BadQuery as error:
            if self.bar is not None:
                self.bar.show_error(f"{error} (the previous filter stays)")
            return
        self.query = None if query.is_empty else query
        self._redraw()
        self.screen.focus_pane(self.screen.current_pane)  # back where the person was

    def clear(self) -> bool:
        """Drop the filter; False if there was none."""
        had = self.query is not None
        self.query = None
        self._redraw()
        if self.bar is not None and self.bar.has_focus_within:
            self.screen.focus_pane(self.screen.current_pane)
        return had

    def _redraw(self) -> None:
        self._keep = None
        if self.screen.snapshot is not None:
            self.screen.show_snapshot(self.screen.snapshot)
        inbox = len(self.screen.query_one(InboxPane).list.rows)
        board = sum(1 for column in self.screen.query_one(Board).columns for row in column.list.rows if row >= 0)
        matches = f"{inbox} in the inbox · {board} on the board · esc clears" if self.query else ""
        if self.bar is not None:
            self.bar.show_active(self.text, matches)


__all__ = ["Filtering"]
