"""The ownership matrix pane: people × projects and workstreams, and the gaps view in the same pane.

Keys on a cell set that person's role on that project or workstream (``a``
accountable owner, ``r`` responsible, ``c`` consulted, ``i`` informed, ``x``
none); the pane posts :class:`OwnershipMatrix.RoleChosen` and the screen
applies it. Enter lists the items behind the number under the cursor. ``!``
(on the screen) swaps the matrix for the gaps view.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist
from textual.widgets.data_table import Column as TableColumn

from data.model.items import CLOSED_STATUSES
from data.views.ownership import DUE_SOON_DAYS, MATRIX_KINDS, Column, Matrix, Row, build_matrix, cell_items, load_bar
from widgets.cards import RowContext, safe, set_border
from widgets.cell_items import CellItems
from widgets.gaps import GapsView
from widgets.item_list import ItemList
from widgets.keys import bindings

MATRIX_FIELDS = frozenset({"owner", "roles", "status", "parent", "kind", "due"})
"""Fields the matrix is computed from, besides column titles (people changes always count)."""

ROLE_NAMES = {"A": "accountable (owner)", "R": "responsible", "C": "consulted", "I": "informed", None: "none"}

FLAGS_ROW = "flags"
"""The flags row's key; every other row's key starts ``p:`` (a person) or ``t:`` (a team), so no name can clash."""


def row_key(row: Row) -> str:
    """A table key for a row that no handle or team name can make twice (``__flags__`` is a valid handle)."""
    return f"t:{row.team}" if row.is_team else f"p:{row.handle}"
"""Row key of the last row, which says what is wrong with each column."""

FIXED_COLUMNS = ("who", "load", "soon")
"""Column keys of the person columns left of the projects (they stay put when scrolling sideways)."""

MAX_COLUMNS = 40
"""Columns drawn at most: flagged ones first, then the busiest. A matrix of a thousand
projects is unreadable, and a DataTable measures every cell it holds."""


COLUMN_WIDTH = 16
"""Cells of a project or workstream column."""


def column_labels(items: list, width: int) -> dict[int, str]:  # noqa: ANN001 - data.model.items.Item
    """Each column's title cut to ``width``; titles that would read the same get their ``#id``."""
    cut = {item.id: safe(item.title)[:width] for item in items}
    seen: dict[str, int] = {}
    for label in cut.values():
        seen[label] = seen.get(label, 0) + 1
    for item in items:
        if seen[cut[item.id]] > 1:
            tag = f" #{item.id}"
            cut[item.id] = safe(item.title)[:width - len(tag)].rstrip() + tag
    return cut


class MatrixTable(DataTable):
    """The matrix's cell cursor; its keys (role letters, teams, enter) act on the cell under it.

    They are bound here, not on the pane, so they mean nothing while the gaps view or a
    cell's item list (which have keys of their own) is shown in the pane instead.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("matrix")

    RENDER_VISIBLE_ONLY: ClassVar[bool] = True
    """Render only the columns that reach the screen (the tests compare with every column rendered).

    Textual's DataTable renders every column of a row and then crops the line to the view: with
    40 project columns of which 4 or 5 show, that was three quarters of the first frame's
    time (0.2 of 0.27 s, profiled, at 10k items). Columns past the right edge are left out of
    a row's line; the cells up to the edge are the ones DataTable itself renders, so what is on
    screen is the same.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._columns_up_to: int | None = None
        """While a row's line is rendered: the x (from the first column) it must reach; None otherwise."""
        self._rendered_up_to = 0
        """How far the cached row lines reach; a view reaching further clears them."""

    @property
    def ordered_columns(self) -> list[TableColumn]:
        columns = super().ordered_columns
        reach = self._columns_up_to
        if reach is None:
            return columns
        kept, x = [], 0
        for column in columns:
            if x >= reach:
                break
            kept.append(column)
            x += column.get_render_width(self)
        return kept

    def _get_row_renderables(self, *args: Any, **kwargs: Any) -> Any:
        reach, self._columns_up_to = self._columns_up_to, None  # a row's cells are cached whole
        try:
            return super()._get_row_renderables(*args, **kwargs)
        finally:
            self._columns_up_to = reach

    def _render_line_in_row(self, *args: Any, **kwargs: Any) -> Any:
        if not self.RENDER_VISIBLE_ONLY:
            return super()._render_line_in_row(*args, **kwargs)
        # The line is cropped at scroll_x + width after the fixed columns; reach past that (plus
        # the fixed columns again), so the filler DataTable appends stays off screen too.
        fixed = sum(column.get_render_width(self) for column in super().ordered_columns[: self.fixed_columns])
        reach = int(self.scroll_x) + self.size.width + fixed + 1
        if reach > self._rendered_up_to:
            self._row_render_cache.clear()  # its keys do not hold the scroll position
            self._rendered_up_to = reach + self.size.width  # some room: a step right re-renders nothing
        self._columns_up_to = self._rendered_up_to
        try:
            return super()._render_line_in_row(*args, **kwargs)
        finally:
            self._columns_up_to = None

    @property
    def pane(self) -> OwnershipMatrix:
        return self.query_ancestor(OwnershipMatrix)

    def action_list_cell(self) -> None:
        self.pane.action_list_cell()

    def action_role(self, role: str | None) -> None:
        self.pane.action_role(role)

    def action_toggle_teams(self) -> None:
        self.pane.action_toggle_teams()


class OwnershipMatrix(Vertical, can_focus=False):
    """A cell cursor over people × projects; flags gaps in ownership and overload."""

    ALLOW_MAXIMIZE = True  # z zooms the pane to the whole screen (MainScreen.action_zoom)

    class ColumnHighlighted(Message):
        """The cursor is on a project or workstream column (drives the why pane)."""

        def __init__(self, item_id: int | None) -> None:
            super().__init__()
            self.item_id = item_id

    class RoleChosen(Message):
        """Set ``handle``'s role on item ``item_id`` (``A``, ``R``, ``C``, ``I`` or None); the screen applies it."""

        def __init__(self, item_id: int, handle: str, role: str | None) -> None:
            super().__init__()
            self.item_id = item_id
            self.handle = handle
            self.role = role

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "3 Ownership"
        self.by_team = False
        self.matrix: Matrix | None = None
        self._ctx: RowContext | None = None
        self._column_ids: list[int] = []
        self._rows_by_key: dict[str, Row] = {}
        self._signature: tuple | None = None
        self._matrix_title = "3 Ownership"
        self._matrix_subtitle = ""
        self._stale = False

    def compose(self) -> ComposeResult:
        table = MatrixTable(id="matrix-table", cursor_type="cell", zebra_stripes=True)
        table.fixed_columns = len(FIXED_COLUMNS)
        yield table
        cells = CellItems(id="cell-items")
        cells.display = False
        yield cells
        gaps = GapsView(id="gaps")
        gaps.display = False
        yield gaps

    @property
    def table(self) -> DataTable:
        return self.query_one("#matrix-table", DataTable)

    @property
    def gaps(self) -> GapsView:
        return self.query_one(GapsView)

    @property
    def cells(self) -> CellItems:
        return self.query_one(CellItems)

    @property
    def showing_gaps(self) -> bool:
        return self.gaps.display

    @property
    def showing_table(self) -> bool:
        """Whether the matrix itself has the pane (not the gaps view, nor a cell's item list)."""
        return not self.gaps.display and not self.cells.display

    def active_list(self) -> ItemList | None:
        """The list in the pane whose cursor is the selection (None while the matrix shows)."""
        if self.showing_gaps:
            return self.gaps.list
        if self.cells.display:
            return self.cells.list
        return None

    def show_table(self) -> None:
        """The matrix itself, focused: closes the gaps view or a cell's list."""
        if self.showing_gaps:
            self.show_gaps(False)
        if self.cells.display:
            self.cells.action_close()
        self.table.focus()

    def back(self) -> None:
        """esc in the pane: a cell's list closes, the gaps view gives way to the matrix."""
        if self.cells.display and not self.showing_gaps:
            self.cells.action_close()
        elif self.showing_gaps:
            self.show_gaps(False)

    # -- drawing ----------------------------------------------------------------
    def show(self, ctx: RowContext, *, force: bool = False, keep=None) -> None:  # noqa: ANN001
        previous, self._ctx = self._ctx, ctx
        if keep is not getattr(self, "_keep", None):
            self._keep, force = keep, True
        self.gaps.show(ctx)
        self.cells.show(ctx)
        if self.showing_gaps and self.matrix is not None:
            # Hidden behind the gaps view: rebuilt when the matrix shows again, not on every fix.
            self._stale = self._stale or force or self._affected(ctx)
            return
        if previous is not None and not force and not self._affected(ctx) and not self._stale:
            return
        self._stale = False
        matrix = build_matrix(ctx.snapshot, ctx.today, by_team=self.by_team, keep=getattr(self, "_keep", None))
        signature = (
            self.by_team,
            tuple((c.item.id, c.item.title, c.flag, c.open_items) for c in matrix.columns),
            tuple((r.handle, r.open_items, r.due_soon, r.capacity, tuple(sorted(r.cells.items()))) for r in matrix.rows),
        )
        self.matrix = matrix
        if signature == self._signature:
            return  # nothing the matrix shows changed: keep cursor and scroll untouched
        self._signature = signature
        self._fill(matrix)

    def _fill(self, matrix: Matrix) -> None:
        table = self.table
        cursor = table.cursor_coordinate
        old_row_key = old_col_key = None
        try:
            old_row_key, old_col_key = table.coordinate_to_cell_key(cursor)
        except CellDoesNotExist:
            pass
        table.clear(columns=True)
        table.add_column("person" if not self.by_team else "team", key="who", width=12)
        table.add_column("load: open/cap", key="load", width=15)
        table.add_column(f"due {DUE_SOON_DAYS}d", key="soon", width=6)
        self._column_ids = []
        shown = sorted(matrix.columns, key=lambda c: (not c.flag, c.item.kind != "project", -c.open_items,
                                                     c.item.title.lower()))[:MAX_COLUMNS]
        labels = column_labels([column.item for column in shown], COLUMN_WIDTH)
        for column in shown:
            label = Text(labels[column.item.id], no_wrap=True)
            if column.flag:
                label = Text.assemble(("⚠ ", "bold"), label)
            table.add_column(label, key=str(column.item.id), width=COLUMN_WIDTH)
            self._column_ids.append(column.item.id)
        self._rows_by_key = {}
        for row in matrix.rows:
            key = row_key(row)
            if key in self._rows_by_key:
                continue  # cannot happen with the data layer's rows; never a crash if it does
            self._rows_by_key[key] = row
            table.add_row(*self._row_cells(row, shown), key=key)
        # Flag row: what is wrong with each column.
        flagged = sum(1 for c in matrix.columns if c.flag)
        flags = [Text("flags", style="italic"), Text(f"{flagged} flagged", style="bold" if flagged else ""), Text("")]
        flags += [Text(f"⚠ {c.flag}", style="bold reverse") if c.flag else Text("") for c in shown]
        table.add_row(*flags, key=FLAGS_ROW)
        over = sum(1 for row in matrix.rows if row.over_capacity)
        self._matrix_title = (f"3 Ownership · {len(matrix.rows)} {'teams' if self.by_team else 'people'} × "
                              f"{len(matrix.columns)}" + (" (filtered)" if getattr(self, "_keep", None) else "")
                              + (f" · ⚠ {over} over" if over else "")
                              + (f" · ⚠ {flagged} flagged" if flagged else ""))
        self._matrix_subtitle = (f"{len(shown)} of {len(matrix.columns)} columns: flagged, then busiest"
                                 if len(shown) < len(matrix.columns) else "")
        if not self.showing_gaps:
            set_border(self, self._matrix_title, self._matrix_subtitle)
        if old_row_key is not None and old_col_key is not None:
            try:
                row_index = table.get_row_index(old_row_key)
                col_index = table.get_column_index(old_col_key)
                table.move_cursor(row=row_index, column=col_index, animate=False, scroll=False)
            except Exception:  # noqa: BLE001 - the row or column went away
                pass

    def _row_cells(self, row: Row, shown: list[Column]) -> list[Text]:
        who = Text(safe(row.handle), style="bold" if self.by_team else "")
        if not self.by_team and row.team:
            who.append(f" {safe(row.team)}", style="dim")
        who.truncate(12, overflow="ellipsis")
        load = Text(f"{load_bar(row.open_items, row.capacity, 4)} {row.open_items}/{row.capacity}")
        if row.over_capacity:
            load.append(" over", style="bold reverse")
        soon = Text(str(row.due_soon) if row.due_soon else "·", style="bold" if row.due_soon else "dim")
        cells = [who, load, soon]
        for column in shown:
            letters, count = row.cells.get(column.item.id, ("", 0))
            text = Text(f"{letters:<2}" if letters else "  ", style="bold")
            if count:
                text.append(f" {count}")
            cells.append(text)
        return cells

    def _affected(self, ctx: RowContext) -> bool:
        """Whether the change since the last snapshot can alter what the matrix shows."""
        if ctx.changes is None:
            return True
        for item_id, fields in ctx.changes.items():
            if item_id is None:
                return True
            relevant = fields & MATRIX_FIELDS
            if relevant == {"status"} and not self._closed_changed(ctx, item_id):
                relevant = set()  # a card moved between two open columns (or two closed ones): same counts
            if relevant:
                return True
            if "title" in fields:
                doc = ctx.snapshot.docs.get(item_id)
                if doc is None or doc.get("kind") in MATRIX_KINDS:
                    return True
        return False

    # -- views ------------------------------------------------------------------
    def show_gaps(self, on: bool) -> None:
        """Swap the matrix for the gaps view (or back); the shown view takes the focus."""
        self.gaps.display = on
        self.table.display = not on
        if on:
            self.cells.display = False
            if self._ctx is not None:
                self.gaps.show(self._ctx, force=True)
        elif self._stale and self._ctx is not None:
            self.show(self._ctx, force=True)
        set_border(self, "3 Gaps · open work missing who, when, how or why" if on else self._matrix_title,
                   "o owner · d due · a step · w why · l goal · esc matrix" if on else self._matrix_subtitle)
        self.focus_view()
        self.refresh_bindings()

    def focus_view(self) -> None:
        """Focus whatever the pane shows: the gaps list, the cell's item list, or the matrix."""
        if self.showing_gaps:
            self.gaps.list.focus()
        elif self.cells.display:
            self.cells.list.focus()
        else:
            self.table.focus()

    def on_cell_items_closed(self, event: CellItems.Closed) -> None:
        event.stop()
        self.table.focus()
        self.refresh_bindings()

    @staticmethod
    def _closed_changed(ctx: RowContext, item_id: int) -> bool:
        """Whether the item went from open to closed or back (the matrix counts open work only)."""
        if ctx.previous is None:
            return True
        settings = ctx.snapshot.settings
        closed = {settings.done, *CLOSED_STATUSES}
        old, new = ctx.previous.docs.get(item_id), ctx.snapshot.docs.get(item_id)
        if old is None or new is None:
            return True
        return (old.get("status") in closed) != (new.get("status") in closed)

    # -- actions ----------------------------------------------------------------
    def action_toggle_teams(self) -> None:
        self.by_team = not self.by_team
        if self._ctx is not None:
            self.show(self._ctx, force=True)

    def current_cell(self) -> tuple[str | None, int | None]:
        """(person handle, column item id) under the cursor."""
        table = self.table
        try:
            cell_row, col_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None, None
        row = self._rows_by_key.get(cell_row.value or "")
        item_id = int(col_key.value) if col_key.value and col_key.value.isdigit() else None
        return (row.handle if row is not None else None), item_id

    def _current_row(self) -> Row | None:
        table = self.table
        try:
            key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return self._rows_by_key.get(key.value or "")

    def action_role(self, role: str | None) -> None:
        row = self._current_row()
        _handle, item_id = self.current_cell()
        if row is None or item_id is None:
            self.notify("Put the cursor on a person's cell in a project or workstream column to set a role",
                        severity="warning")
            return
        if row.is_team:
            self.notify("Roles are set per person: press t to show people instead of teams", severity="warning")
            return
        self.post_message(self.RoleChosen(item_id, row.handle, role))

    def action_list_cell(self) -> None:
        """List the open items behind the cell under the cursor, below the matrix."""
        if self._ctx is None or self.matrix is None:
            return
        table = self.table
        try:
            _row_key, col_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return
        row = self._current_row()
        column = int(col_key.value) if col_key.value and col_key.value.isdigit() else None
        due_soon = col_key.value == "soon"
        owners = row.members if row is not None else None  # the flags row: anyone's
        if column is not None:
            item = self._ctx.snapshot.items.get(column)
            what = f"{safe(item.title) if item else f'#{column}'}: open items"
        elif due_soon:
            what = f"due within {DUE_SOON_DAYS} days"
        else:
            what = "all open items"

        def query(ctx: RowContext) -> list[int]:
            return cell_items(ctx.snapshot, ctx.today, owners=owners, column=column, due_soon=due_soon)

        who = safe(row.handle) if row is not None else "everyone"
        self.cells.open(f"{who} · {what} · esc closes", query, self._ctx)
        self.refresh_bindings()
    def select_column(self, item_id: int) -> bool:
        """Move the cell cursor to the column of a project or workstream (keeping its row)."""
        if item_id not in self._column_ids:
            return False
        table = self.table
        column = self._column_ids.index(item_id) + len(FIXED_COLUMNS)  # after person, load and due
        table.move_cursor(row=table.cursor_coordinate.row, column=column, animate=False)
        return True

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        _handle, item_id = self.current_cell()
        if item_id is not None:
            self.post_message(self.ColumnHighlighted(item_id))

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()  # a click on the highlighted cell: the same as enter
        self.action_list_cell()
