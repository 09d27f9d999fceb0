"""The filter (``/``) of the main screen.

The filter is one parsed query (data/model/query.py) that every pane applies: the
inbox and board list only matching items, the ownership matrix counts only
matching work. As in the CLI's ``ls``, closed and snoozed work is left out unless
the query names a status or says ``snoozed``; matches that no pane lists
(snoozed, declined, archived, goals, templates) are listed in the inbox pane
under their own band. ``#129`` alone goes to that item instead of filtering.
A query that does not parse leaves the previous filter in force and shows the
error in the bar.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from data.model.items import CLOSED_STATUSES, Item
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
        self._keep: tuple[Snapshot, Callable[[Item], bool], list[int]] | None = None

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
            today = self.screen.app.workspace.today.isoformat()
            scoped = [item for item in snapshot.items.values() if query.in_scope(item, snapshot, today)]
            found = query.filter(scoped, snapshot)
            matching = frozenset(item.id for item in found)
            self._keep = (snapshot, lambda item: item.id in matching, self._unlisted(found, snapshot, today))
        return self._keep[1]

    def unlisted(self, snapshot: Snapshot) -> list[int]:
        """Matches no pane lists by nature (snoozed, declined, archived, goals, templates), oldest first;
        only when the query asks for such work (a status, ``snoozed``, ``kind:goal``)."""
        if self.keep(snapshot) is None or self._keep is None:
            return []
        return self._keep[2]

    def _unlisted(self, found: list[Item], snapshot: Snapshot, today: str) -> list[int]:
        from data.views.figures import OFF_BOARD_KINDS

        query = self.query
        if query is None or not (query.shows_hidden or query.asks_kinds & OFF_BOARD_KINDS):
            return []
        inbox = snapshot.settings.inbox
        out = []
        for item in found:
            snoozed = item.status == inbox and bool(item.snoozed_until) and str(item.snoozed_until) > today
            if item.kind in OFF_BOARD_KINDS or item.status in CLOSED_STATUSES or snoozed:
                out.append((item.created_at, item.id))
        return [item_id for _, item_id in sorted(out)]

    def make_bar(self) -> None:
        """Mount the (hidden) bar once the first frame is out, so ``/`` focuses it at once."""
        if self.bar is None:
            self.screen.query_one("#top").mount(FilterBar(id="filter-bar"))

    def open(self) -> None:
        bar = self.bar
        if bar is None:
            bar = FilterBar(id="filter-bar")
            self.screen.query_one("#top").mount(bar)
            self.screen.call_after_refresh(bar.open)
        else:
            bar.open()

    def submit(self, text: str) -> None:
        """Apply what was typed; on a bad query say why and keep the previous filter."""
        if not text:
            self.clear()
            return
        if text.startswith("#") and text[1:].isdigit():  # an id: go there, keep the filter as it was
            if self.bar is not None:
                self.bar.show_active(self.text, self._matches_text())
            self.screen.go_to(int(text[1:]))
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
        unknown = self._unknown_people(query, snapshot)
        if unknown and self.bar is not None:
            people = ", ".join(sorted(snapshot.people)) if snapshot else ""
            self.bar.show_error(f"nobody called {', '.join(unknown)} is a person here or owns work"
                                + (f" (people: {people})" if people else ""))

    @staticmethod
    def _unknown_people(query: Query, snapshot: Snapshot | None) -> list[str]:
        """Handles the query names that are no person's and nobody's owner or requester (a typo)."""
        if snapshot is None or not query.handles:
            return []
        known = {handle.lower() for handle in snapshot.people}
        for doc in snapshot.docs.values():
            for name in ("owner", "requester"):
                if doc.get(name):
                    known.add(str(doc[name]).lower())
        return [handle for handle in query.handles if handle not in known]

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
        if self.bar is not None:
            self.bar.show_active(self.text, self._matches_text())

    def _matches_text(self) -> str:
        if self.query is None:
            return ""
        inbox = sum(1 for row in self.screen.query_one(InboxPane).list.rows if row >= 0)
        board = sum(1 for column in self.screen.query_one(Board).columns for row in column.list.rows if row >= 0)
        return f"{inbox} in the inbox pane · {board} on the board · esc clears"


__all__ = ["Filtering"]
