"""The workspace screen: header, four panes, footer; it owns the one selection."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.events import Key, MouseDown, Resize
from textual.screen import Screen
from textual.widgets import Footer, Tab, Tabs

from data.model import BadValue
from data.ops import Move, Operation, Reorder
from data.workspace import Result, Snapshot, WorkspaceError
from tui.follow import Pairing
from tui.presence import PeersChanged
from widgets.board import Board
from widgets.cards import RowContext
from widgets.header import ProblemBanner, WorkspaceHeader
from widgets.inbox import InboxPane
from widgets.item_list import ItemList
from widgets.matrix import OwnershipMatrix
from widgets.presence import FollowBanner
from widgets.why import WhyPane

if TYPE_CHECKING:
    from tui.app import WorktopApp

PANES = ("inbox", "board", "matrix", "why")
PANE_TITLES = {"inbox": "1 Inbox", "board": "2 Board", "matrix": "3 Ownership", "why": "4 Why"}
NARROW_BELOW = 120
"""Below this many columns one pane shows at a time, with a tab bar."""


class MainScreen(Screen):
    """Inbox, board, ownership matrix and why, over one live workspace."""

    app: WorktopApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pane('inbox')", "Inbox", show=False),
        Binding("2", "pane('board')", "Board", show=False),
        Binding("3", "pane('matrix')", "Matrix", show=False),
        Binding("4", "pane('why')", "Why", show=False),
        Binding("tab", "cycle_pane(1)", "Next pane", show=False, priority=True),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, priority=True),
        Binding("enter", "edit", "Edit"),
        Binding("n", "new", "New"),
        Binding("question_mark", "help", "Help"),
        Binding("f", "follow", "Follow someone here", show=False),
        Binding("escape", "stop_following", "Stop following"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.selected_id: int | None = None
        self.current_pane = "inbox"
        self.snapshot: Snapshot | None = None
        self.ctx: RowContext | None = None
        self.pairing = Pairing(self)
        """Presence of the other people here, and follow mode (tui/follow.py)."""

    def compose(self) -> ComposeResult:
        yield WorkspaceHeader(id="header")
        yield ProblemBanner(id="banner")
        yield FollowBanner(id="follow-banner")
        yield Tabs(*(Tab(PANE_TITLES[p], id=f"tab-{p}") for p in PANES), id="pane-tabs")
        with Container(id="panes"):
            yield InboxPane(id="inbox")
            yield Board(id="board")
            yield OwnershipMatrix(id="matrix")
            yield WhyPane(id="why")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_layout(self.app.size.width)
        self.app.screen_ready()
        self.call_after_refresh(self.focus_pane, "inbox")
        if self.app.snapshot is not None:
            self.pairing.start()

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
        keep = None
        self.query_one(InboxPane).show(self.ctx, keep)
        self.query_one(Board).show(self.ctx, keep)
        matrix = self.query_one(OwnershipMatrix)
        if previous is None and matrix.matrix is None:
            # First paint: draw the lists first; the matrix (a pass over every item) follows a frame later.
            self.call_after_refresh(lambda: matrix.show(self.ctx, force=True))
        else:
            matrix.show(self.ctx)
        self.query_one(WhyPane).show(self.ctx, self.selected_id)
        self.refresh_header()
        self.pairing.snapshot_shown()

    def refresh_header(self) -> None:
        if self.snapshot is None:
            return
        self.query_one(WorkspaceHeader).show(
            self.snapshot, actor=self.app.workspace.actor, now=self.app.now(), read_only=self.app.read_only,
            others=self.pairing.header_names(),
        )

    def show_problem(self, message: str | None) -> None:
        self.query_one(ProblemBanner).show_problem(message)

    # -- selection (messages up from the panes) -----------------------------
    @on(ItemList.Highlighted)
    def _list_highlighted(self, event: ItemList.Highlighted) -> None:
        if event.item_list.has_focus or self.selected_id is None:
            self._select(event.item_id)

    @on(OwnershipMatrix.ColumnHighlighted)
    def _matrix_highlighted(self, event: OwnershipMatrix.ColumnHighlighted) -> None:
        self._select(event.item_id)

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
            self.query_one(OwnershipMatrix).table.focus()
        else:
            self.query_one(WhyPane).focus()

    def action_pane(self, pane: str) -> None:
        self.pairing.stop_following()
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
        from tui.editor import ItemEditor

        self.app.push_screen(ItemEditor(self.snapshot.items[self.selected_id], self.snapshot))

    def action_new(self) -> None:
        if self.snapshot is None:
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

    # Actions the command palette calls; the keys reach the pane widgets directly.
    def action_board_move(self, delta: int) -> None:
        self.focus_pane("board")
        self.query_one(Board).action_move(delta)

    def action_board_reorder(self, delta: int) -> None:
        self.focus_pane("board")
        self.query_one(Board).action_reorder(delta)

    def action_matrix_teams(self) -> None:
        self.focus_pane("matrix")
        self.query_one(OwnershipMatrix).action_toggle_teams()

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
        if action == "stop_following":
            return self.pairing.following is not None
        return True

    @on(Board.CardMoved)
    def _card_moved(self, event: Board.CardMoved) -> None:
        result = self.apply(Move(event.item_id, event.to_status, expected_status=event.from_status))
        if result is not None:
            self.query_one(Board).select_id(event.item_id, focus=True)

    @on(Board.CardReordered)
    def _card_reordered(self, event: Board.CardReordered) -> None:
        self.apply(Reorder(event.item_id, event.delta), quiet=True)


__all__ = ["MainScreen", "BadValue", "WorkspaceError"]

