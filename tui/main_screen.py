"""The workspace screen: header, four panes, footer; it owns the one selection."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.events import Key, MouseDown, Resize
from textual.screen import Screen
from textual.widgets import Tab, Tabs

from data.model.snapshot import Snapshot
from data.writes.ops import Move, Operation, Reorder
from data.writes.workspace import Result
from tui.filter_flow import Filtering
from tui.follow import Pairing
from tui.ownership_actions import OwnershipActions
from tui.pane_actions import PaneActions
from tui.presence import PeersChanged
from tui.undo_flow import undo_or_redo
from widgets.board import Board
from widgets.cards import RowContext
from widgets.filter_bar import FilterBar
from widgets.footer import WorktopFooter
from widgets.header import ProblemBanner, WorkspaceHeader
from widgets.inbox import InboxPane
from widgets.item_list import ItemList
from widgets.keys import bindings
from widgets.matrix import OwnershipMatrix
from widgets.presence import FollowBanner
from widgets.pulse import PulseView
from widgets.why import WhyPane

if TYPE_CHECKING:
    from tui.app import WorktopApp
    from tui.triage import Triage

PANES = ("inbox", "board", "matrix", "why", "pulse")
PANE_TITLES = {"inbox": "1 Inbox", "board": "2 Board", "matrix": "3 Ownership", "why": "4 Why", "pulse": "5 Pulse"}
NARROW_BELOW = 120
"""Below this many columns one pane shows at a time, with a tab bar."""


class MainScreen(PaneActions, OwnershipActions, Screen):
    """Inbox, board, ownership matrix and why, over one live workspace."""

    app: WorktopApp

    BINDINGS: ClassVar[list[BindingType]] = bindings("screen")
    ALLOW_IN_MAXIMIZED_VIEW = "#top, Footer"
    """What stays on screen around a zoomed pane (z)."""

    def __init__(self) -> None:
        super().__init__()
        self.selected_id: int | None = None
        self.current_pane = "inbox"
        self.snapshot: Snapshot | None = None
        self.ctx: RowContext | None = None
        self._triage: Triage | None = None
        self.filtering = Filtering(self)
        """The query filtering every pane (tui/filter_flow.py)."""
        self.pairing = Pairing(self)
        """Presence of the other people here, and follow mode (tui/follow.py)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="top"):  # docked: stays over a zoomed pane too (the filter bar joins it)
            yield WorkspaceHeader(id="header")
            yield ProblemBanner(id="banner")
            yield FollowBanner(id="follow-banner")
        tabs = Tabs(*(Tab(PANE_TITLES[p], id=f"tab-{p}") for p in PANES), id="pane-tabs")
        tabs.can_focus = False  # clicked, or switched with 1-5: not a stop for the keys
        yield tabs
        with Container(id="panes"):
            yield InboxPane(id="inbox")
            yield Board(id="board")
            yield OwnershipMatrix(id="matrix")
            yield WhyPane(id="why")
            yield PulseView(id="pulse")  # shown instead of the four panes (key 5)
        yield WorktopFooter()

    def on_mount(self) -> None:
        self.query_one(Board).me = self.app.workspace.actor
        self._apply_layout(self.app.size.width)
        self.app.screen_ready()
        # Focused before the first frame, so that frame is the one a person sees (a focus moved
        # after it restyled and redrew every pane); a pane key pressed meanwhile (current_pane) wins.
        self.focus_pane(self.current_pane)

    def on_unmount(self) -> None:
        self.pairing.stop()

    # -- showing ------------------------------------------------------------
    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Redraw every pane from a new snapshot, in place, keeping cursors on their items."""
        previous = self.snapshot
        self.snapshot = snapshot
        app = self.app
        same_day = self.ctx is not None and self.ctx.today == app.workspace.today
        previous = previous if same_day else None
        self.ctx = RowContext(snapshot, app.workspace.today, app.now(), previous=previous,
                              changes=snapshot.changes_since(previous), peers=self.pairing.by_item)
        keep = self.filtering.keep(snapshot)
        self.query_one(InboxPane).show(self.ctx, keep, self.filtering.unlisted(snapshot))
        self.query_one(Board).show(self.ctx, keep)
        first = previous is None and self.query_one(OwnershipMatrix).matrix is None
        self.query_one(OwnershipMatrix).show(self.ctx, keep=keep)
        self.query_one(WhyPane).show(self.ctx, self.selected_id)
        self.query_one(PulseView).show(self.ctx, visible=self.current_pane == "pulse")
        self.refresh_header()
        self.pairing.snapshot_shown()
        if first:
            self.call_after_refresh(self._first_screen_shown)
        # Drop the old snapshot now: holding two 50k-item workspaces would double memory.
        self.ctx.previous = None

    def _first_screen_shown(self) -> None:
        """Every pane has drawn once: now what the first screen does not show (the filter bar, made
        hidden so ``/`` opens it at once; presence, telling the others you are here; the recurring
        instances due)."""
        self.filtering.make_bar()
        self.pairing.start()
        self.app.first_screen_shown()

    def clock_ticked(self) -> None:
        """Time moved on: redraw what says how long ago (the header, the inbox's ages)."""
        if self.ctx is None or not self.query(WorkspaceHeader):  # (none: the app is closing, the panes are gone)
            return
        self.ctx.now = self.app.now()
        self.refresh_header()
        self.query_one(InboxPane).list.refresh()  # the rows on screen only: a few ms every tick

    def refresh_header(self) -> None:
        if self.snapshot is None or not self.query(WorkspaceHeader):  # (none: the app is closing)
            return
        self.query_one(WorkspaceHeader).show(
            self.snapshot, actor=self.app.workspace.actor, now=self.app.now(),
            read_only=self.app.read_only_reason or self.app.read_only, note=self.app.note,
            filter_text=self.filtering.text,
            others=self.pairing.header_names(),
        )

    def show_problem(self, message: str | None) -> None:
        self.query_one(ProblemBanner).show_problem(message)

    # -- selection (messages up from the panes) -----------------------------
    @on(ItemList.Highlighted)
    def _list_highlighted(self, event: ItemList.Highlighted) -> None:
        # Only the list you are in drives the selection, even while a prompt over it has the focus
        # (triage moves the inbox cursor on under the prompt); other lists redrawing do not.
        if event.item_list is self.active_list() or event.item_list.has_focus or self.selected_id is None:
            self._select(event.item_id)

    @on(OwnershipMatrix.ColumnHighlighted)
    def _matrix_highlighted(self, event: OwnershipMatrix.ColumnHighlighted) -> None:
        # A matrix redrawn behind another pane (after a write there) must not take the selection.
        matrix = self.query_one(OwnershipMatrix)
        if self.current_pane == "matrix" and matrix.showing_table:
            self._select(event.item_id)

    def active_list(self) -> ItemList | None:
        """The list whose cursor is the selection: the current pane's (the board's current column)."""
        pane = self.current_pane
        if pane == "inbox":
            return self.query_one(InboxPane).list
        if pane == "board":
            column = self.query_one(Board).focused_column()
            return column.list if column is not None else None
        if pane == "matrix":
            return self.query_one(OwnershipMatrix).active_list()
        return None

    def _select(self, item_id: int | None) -> None:
        if item_id is None or item_id == self.selected_id:
            return
        self.selected_id = item_id
        if self.ctx is not None:
            self.query_one(WhyPane).show(self.ctx, item_id)
        self.pairing.announce()

    def on_descendant_focus(self, event) -> None:  # noqa: ANN001 - textual.events.DescendantFocus
        widget = event.widget
        for pane in PANES:
            node = self.query_one(f"#{pane}")
            if widget is node or node in widget.ancestors:
                self.current_pane = pane
                self.pairing.announce()
                tabs = self.query_one(Tabs)
                if tabs.active != f"tab-{pane}":
                    tabs.active = f"tab-{pane}"
                self._show_only(pane)
                break
        if isinstance(widget, ItemList) and widget.current_id is not None:
            self._select(widget.current_id)

    # -- layout ---------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width)

    def _apply_layout(self, width: int) -> None:
        narrow = width < NARROW_BELOW
        self.set_class(narrow, "-narrow")
        self._show_only(self.current_pane)

    def _show_only(self, pane: str) -> None:
        for name in PANES:
            self.query_one(f"#{name}").set_class(name == pane, "-active")
        self.query_one("#panes").set_class(pane == "pulse", "-pulse")
        if pane == "pulse":
            self.query_one(PulseView).refresh_pulse()

    @on(Tabs.TabActivated)
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        pane = (event.tab.id or "tab-inbox").removeprefix("tab-")
        if pane != self.current_pane:
            self.focus_pane(pane)

    def focus_pane(self, pane: str) -> None:
        self.current_pane = pane
        self.pairing.announce()
        self._show_only(pane)
        if pane == "inbox":
            self.query_one(InboxPane).list.focus()
        elif pane == "board":
            self.query_one(Board).focus_list()
        elif pane == "matrix":
            self.query_one(OwnershipMatrix).focus_view()
        elif pane == "pulse":
            self.query_one(PulseView).focus()
        else:
            self.query_one(WhyPane).focus()

    def action_pane(self, pane: str) -> None:
        self.pairing.stop_following()
        if self.maximized is not None and pane != self.current_pane:
            self.minimize()  # another pane: zoom out, or it would be behind the zoomed one
        self.focus_pane(pane)

    def action_cycle_pane(self, delta: int) -> None:
        self.pairing.stop_following()
        index = (PANES.index(self.current_pane) + delta) % len(PANES)
        self.focus_pane(PANES[index])

    # -- editing ------------------------------------------------------------
    def apply(self, *ops: Operation, quiet: bool = False) -> Result | None:
        """Apply operations through the workspace; errors become notifications, never tracebacks."""
        return self.app.apply_ops(list(ops), quiet=quiet)

    def action_edit(self) -> None:
        if self.selected_id is None or self.snapshot is None or self.selected_id not in self.snapshot.items:
            self.notify("Nothing selected to edit", severity="warning")
            return
        if self.app.refuse_write():  # (a form would take typing it could never save)
            return
        from tui.editor import ItemEditor

        self.app.push_screen(ItemEditor(self.snapshot.items[self.selected_id], self.snapshot))

    def action_new(self) -> None:
        if self.snapshot is None or self.app.refuse_write():
            return
        from tui.editor import ItemEditor

        parent = None
        if self.current_pane == "matrix":
            _handle, parent = self.query_one(OwnershipMatrix).current_cell()
        self.app.push_screen(ItemEditor(None, self.snapshot, parent=parent), self._created)

    def _created(self, item_id: int | None) -> None:
        if item_id is not None:
            self.select_item(item_id)

    def select_item(self, item_id: int) -> None:
        """Put the cursor on an item wherever it shows (inbox first, then the board)."""
        self._select(item_id)
        if self.query_one(InboxPane).list.select_id(item_id):
            return
        self.query_one(Board).select_id(item_id, focus=self.current_pane == "board")

    def action_help(self) -> None:
        from tui.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_recurring(self) -> None:
        from tui.recurring_screen import RecurringScreen

        self.app.push_screen(RecurringScreen())

    def action_new_recurring(self) -> None:
        if self.app.refuse_write():
            return
        from tui.recurring_screen import open_rule_form

        open_rule_form(self.app, None)

    def action_generate_recurring(self) -> None:
        self.app.generate_recurring(report_none=True)

    # -- pairing (tui/follow.py) ----------------------------------------------
    def on_peers_changed(self, message: PeersChanged) -> None:
        self.pairing.update(message.peers)

    def on_key(self, event: Key) -> None:
        self.pairing.key_pressed(event.key)

    def on_mouse_down(self, _event: MouseDown) -> None:
        self.pairing.stop_following()

    def action_follow(self) -> None:
        self.pairing.choose()

    def action_stop_following(self) -> None:
        self.pairing.stop_following(self.pairing.stopped_message())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.can_go_back()  # esc is in the footer only while it would do something
        return True

    @on(Board.CardMoved)
    def _card_moved(self, event: Board.CardMoved) -> None:
        result = self.apply(Move(event.item_id, event.to_status, expected_status=event.from_status))
        if result is not None:
            self.query_one(Board).select_id(event.item_id, focus=True)

    @on(Board.CardReordered)
    def _card_reordered(self, event: Board.CardReordered) -> None:
        self.apply(*[Reorder(event.item_id, event.delta)] * max(1, event.steps), quiet=True)

    # -- triage, bulk actions, filter, undo (tui/triage.py, tui/filter_flow.py, tui/undo_flow.py) --
    @property
    def triage(self) -> Triage:
        """Triage and bulk card actions; loaded on first use (its prompts and rapidfuzz cost ~20 ms at start-up)."""
        if self._triage is None:
            from tui.triage import Triage

            self._triage = Triage(self)
        return self._triage

    @on(InboxPane.TriageRequested)
    def _triage_requested(self, event: InboxPane.TriageRequested) -> None:
        self.triage.start(event.action, event.item_ids, "inbox")

    @on(Board.CardsAction)
    def _cards_action(self, event: Board.CardsAction) -> None:
        self.triage.start(event.action, event.item_ids, "board")

    def action_filter(self) -> None:
        self.filtering.open()

    @on(FilterBar.Submitted)
    def _filter_submitted(self, event: FilterBar.Submitted) -> None:
        self.filtering.submit(event.text)

    @on(FilterBar.Cleared)
    def _filter_cleared(self, _event: FilterBar.Cleared) -> None:
        self.filtering.clear()
        self.focus_pane(self.current_pane)

    def action_undo(self) -> None:
        undo_or_redo(self.app, redo=False)

    def action_redo(self) -> None:
        undo_or_redo(self.app, redo=True)
