"""The ownership matrix pane: people × projects and workstreams."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from data.model import CLOSED_STATUSES
from data.ownership import MATRIX_KINDS, Matrix, build_matrix, load_bar
from widgets.cards import RowContext, safe

MATRIX_FIELDS = frozenset({"owner", "roles", "status", "parent", "kind", "due"})
"""Fields the matrix is computed from, besides column titles (people changes always count)."""


class OwnershipMatrix(Vertical, can_focus=False):
    """A cell cursor over people × projects; flags gaps in ownership and overload."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "toggle_teams", "People/teams"),
    ]

    class ColumnHighlighted(Message):
        """The cursor is on a project or workstream column (drives the why pane)."""

        def __init__(self, item_id: int | None) -> None:
            super().__init__()
            self.item_id = item_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = "3 Ownership"
        self.by_team = False
        self.matrix: Matrix | None = None
        self._ctx: RowContext | None = None
        self._column_ids: list[int] = []
        self._signature: tuple | None = None

    def compose(self) -> ComposeResult:
        table = DataTable(id="matrix-table", cursor_type="cell", zebra_stripes=True)
        table.fixed_columns = 2
        yield table

    @property
    def table(self) -> DataTable:
        return self.query_one("#matrix-table", DataTable)

    def show(self, ctx: RowContext, *, force: bool = False) -> None:
        previous, self._ctx = self._ctx, ctx
        if previous is not None and not force and not self._affected(ctx):
            return
        matrix = build_matrix(ctx.snapshot, ctx.today, by_team=self.by_team)
        signature = (
            self.by_team,
            tuple((c.item.id, c.item.title, c.flag, c.open_items) for c in matrix.columns),
            tuple((r.handle, r.open_items, r.due_soon, r.capacity, tuple(sorted(r.cells.items()))) for r in matrix.rows),
        )
        self.matrix = matrix
        if signature == self._signature:
            return  # nothing the matrix shows changed: keep cursor and scroll untouched
        self._signature = signature
        table = self.table
        cursor = table.cursor_coordinate
        old_row_key = old_col_key = None
        try:
            old_row_key, old_col_key = table.coordinate_to_cell_key(cursor)
        except CellDoesNotExist:
            pass
        table.clear(columns=True)
        table.add_column("person" if not self.by_team else "team", key="who", width=14)
        table.add_column("load", key="load", width=15)
        self._column_ids = []
        for column in matrix.columns:
            label = Text(safe(column.item.title)[:16], no_wrap=True)
            if column.flag:
                label = Text.assemble(("⚠ ", "bold"), label)
            table.add_column(label, key=str(column.item.id), width=16)
            self._column_ids.append(column.item.id)
        for row in matrix.rows:
            who = Text(safe(row.handle), style="bold" if self.by_team else "")
            if not self.by_team and row.team:
                who.append(f" {safe(row.team)[:6]}", style="dim")
            load = Text(f"{load_bar(row.open_items, row.capacity, 6)} {row.open_items}/{row.capacity}")
            if row.over_capacity:
                load.append(" over", style="bold reverse")
            cells = []
            for column in matrix.columns:
                letters, count = row.cells.get(column.item.id, ("", 0))
                text = Text(f"{letters:<2}" if letters else "  ", style="bold")
                if count:
                    text.append(f" {count}")
                cells.append(text)
            table.add_row(who, load, *cells, key=row.handle)
        # Flag row: what is wrong with each column.
        flags = [Text("flags", style="italic"), Text(f"{sum(1 for c in matrix.columns if c.flag)} flagged")]
        flags += [Text(c.flag, style="bold") if c.flag else Text("") for c in matrix.columns]
        table.add_row(*flags, key="__flags__")
        self.border_title = f"3 Ownership · {len(matrix.rows)} {'teams' if self.by_team else 'people'} × {len(matrix.columns)}"
        if old_row_key is not None:
            try:
                row_index = table.get_row_index(old_row_key)
                col_index = table.get_column_index(old_col_key)
                table.move_cursor(row=row_index, column=col_index, animate=False, scroll=False)
            except Exception:  # noqa: BLE001 - the row or column went away
                pass

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

    def action_toggle_teams(self) -> None:
        self.by_team = not self.by_team
        if self._ctx is not None:
            self.show(self._ctx, force=True)

    def current_cell(self) -> tuple[str | None, int | None]:
        """(person handle, column item id) under the cursor."""
        table = self.table
        try:
            row_key, col_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None, None
        handle = row_key.value if row_key.value != "__flags__" else None
        item_id = int(col_key.value) if col_key.value and col_key.value.isdigit() else None
        return handle, item_id

    def select_column(self, item_id: int) -> bool:
        """Move the cell cursor to the column of a project or workstream (keeping its row)."""
        if item_id not in self._column_ids:
            return False
        table = self.table
        column = self._column_ids.index(item_id) + 2  # after "person" and "load"
        table.move_cursor(row=table.cursor_coordinate.row, column=column, animate=False)
        return True

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        _handle, item_id = self.current_cell()
        if item_id is not None:
            self.post_message(self.ColumnHighlighted(item_id))
