"""Who owns what: the numbers behind the ownership matrix, computed without a terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from data.model import CLOSED_STATUSES, Item
from data.workspace import Snapshot

MATRIX_KINDS = ("project", "workstream")


@dataclass(slots=True)
class Column:
    """One project or workstream."""

    item: Item
    owners: list[str]
    """Accountable people: the owner plus anyone marked ``A`` in roles (should be one)."""
    open_items: int
    """Open items in it (itself and everything under it)."""

    @property
    def flag(self) -> str:
        """``no owner``, ``2 owners`` or empty."""
        if not self.owners:
            return "no owner"
        if len(self.owners) > 1:
            return f"{len(self.owners)} owners"
        return ""


@dataclass(slots=True)
class Row:
    """One person (or one team, when rows are teams)."""

    handle: str
    name: str
    team: str
    capacity: int
    open_items: int = 0
    """Open items the person owns, anywhere."""
    due_soon: int = 0
    """Of those, due within the next 7 days (or overdue)."""
    cells: dict[int, tuple[str, int]] = field(default_factory=dict)
    """column item id → (role letters, open items of theirs in that column)."""

    @property
    def over_capacity(self) -> bool:
        return self.capacity > 0 and self.open_items > self.capacity


@dataclass(slots=True)
class Matrix:
    columns: list[Column]
    rows: list[Row]


def build_matrix(snapshot: Snapshot, today: date, *, by_team: bool = False,
                 keep: Callable[[Item], bool] | None = None) -> Matrix:
    """People (grouped by team) × open projects and workstreams.

    Reads the stored documents directly: this runs on every live reload over
    every item, and attribute access through the ``Item`` views would double it.

    Args:
        keep: a filter (the TUI's query): only matching open work is counted, and
            only columns that match or hold matching work are shown.
    """
    settings = snapshot.settings
    closed = {settings.done, *CLOSED_STATUSES}
    items = snapshot.items
    docs = snapshot.docs
    open_docs = []
    column_ids = set()
    for item_id, doc in docs.items():
        if doc.get("status") not in closed:
            if doc.get("kind") in MATRIX_KINDS:
                column_ids.add(item_id)
            if keep is None or keep(items[item_id]):
                open_docs.append((item_id, doc))
    column_items = sorted((items[i] for i in column_ids), key=lambda i: (i.kind != "project", i.title.lower(), i.id))
    # Each open item counts toward its nearest project/workstream ancestor (or itself).
    home: dict[int, int | None] = {}

    def home_of(item_id: int) -> int | None:
        path = []
        current: int | None = item_id
        result = None
        while current is not None:
            if current in home:
                result = home[current]
                break
            if current in column_ids:
                result = current
                break
            path.append(current)
            doc = docs.get(current)
            parent = doc.get("parent") if doc is not None else None
            if parent is None or parent in path:
                break
            current = parent
        for seen in path:
            home[seen] = result
        return result

    people = sorted(snapshot.people.values(), key=lambda p: (p.team.lower(), p.handle.lower()))
    rows = {p.handle: Row(p.handle, p.name, p.team, p.capacity) for p in people}
    soon = (today + timedelta(days=7)).isoformat()
    column_counts: dict[int, int] = dict.fromkeys(column_ids, 0)
    per_cell: dict[tuple[str, int], int] = {}
    for item_id, doc in open_docs:
        column = home_of(item_id)
        if column is not None:
            column_counts[column] += 1
        owner = doc.get("owner")
        if owner:
            row = rows.get(owner)
            if row is None:
                row = rows[owner] = Row(owner, "", "(not a member)", 0)
            row.open_items += 1
            due = doc.get("due")
            if due and due <= soon:
                row.due_soon += 1
            if column is not None:
                per_cell[(owner, column)] = per_cell.get((owner, column), 0) + 1
    if keep is not None:
        matching = {item_id for item_id, _doc in open_docs}
        column_items = [item for item in column_items if column_counts[item.id] or item.id in matching]
    columns = []
    for item in column_items:
        owners = ([item.owner] if item.owner else []) + [h for h, r in sorted(item.roles.items()) if r == "A" and h != item.owner]
        columns.append(Column(item, owners, column_counts[item.id]))
        for handle in item.roles:
            if handle not in rows:
                rows[handle] = Row(handle, "", "(not a member)", 0)
        for handle, row in rows.items():
            letters = "A" if handle in owners else ""
            role = item.roles.get(handle)
            if role and role != "A":
                letters += role
            count = per_cell.get((handle, item.id), 0)
            if letters or count:
                row.cells[item.id] = (letters, count)
    ordered = sorted(rows.values(), key=lambda r: (r.team.lower(), r.handle.lower()))
    if by_team:
        ordered = _team_rows(ordered)
    return Matrix(columns, ordered)


def _team_rows(rows: list[Row]) -> list[Row]:
    teams: dict[str, Row] = {}
    for row in rows:
        team = teams.setdefault(row.team, Row(row.team or "(no team)", "", row.team, 0))
        team.capacity += row.capacity
        team.open_items += row.open_items
        team.due_soon += row.due_soon
        for column, (letters, count) in row.cells.items():
            old_letters, old_count = team.cells.get(column, ("", 0))
            merged = "".join(sorted(set(old_letters + letters), key="ARCI".index))
            team.cells[column] = (merged, old_count + count)
    return list(teams.values())


def load_bar(open_items: int, capacity: int, width: int = 8) -> str:
    """``█████░░░`` filled in proportion to load; full (and past) means over capacity."""
    if capacity <= 0:
        return "·" * width
    filled = min(width, round(width * open_items / capacity))
    return "█" * filled + "░" * (width - filled)
