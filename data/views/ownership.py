"""Who owns what: the numbers behind the ownership matrix, computed without a terminal."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from data.model.items import CLOSED_STATUSES, Item
from data.model.snapshot import Snapshot
from data.views.figures import counts_as_load

MATRIX_KINDS = ("project", "workstream")

NOT_A_MEMBER = "(not a member)"
"""The team shown for handles that own or hold a role on work but are not in the people table."""

DUE_SOON_DAYS = 7
"""A person's "due soon" count: open items due within this many days (overdue ones included)."""


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
    """Open items the person owns, anywhere (goals are outcomes, not load, and do not count)."""
    due_soon: int = 0
    """Of those, due within the next 7 days (or overdue)."""
    cells: dict[int, tuple[str, int]] = field(default_factory=dict)
    """column item id → (role letters, open items of theirs in that column)."""
    members: list[str] = field(default_factory=list)
    """Handles the row stands for: the person, or everyone in the team."""
    is_team: bool = False
    """Whether the row is a whole team (rows toggled to teams)."""

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

    ``keep``, when given, is a predicate on items (the TUI's filter): only matching work is counted.

    Reads the stored documents directly: this runs on every live reload over
    every item, and attribute access through the ``Item`` views would double it.
    """
    settings = snapshot.settings
    closed = frozenset({settings.done, *CLOSED_STATUSES})
    items = snapshot.items
    docs = snapshot.docs
    open_docs = []
    column_ids = set()
    for item_id, doc in docs.items():
        if doc.get("status") not in closed:
            open_docs.append((item_id, doc))
            if doc.get("kind") in MATRIX_KINDS:
                column_ids.add(item_id)
    column_items = sorted((items[i] for i in column_ids), key=lambda i: (i.kind != "project", i.title.lower(), i.id))
    home_of = HomeIndex(docs, column_ids)
    if keep is not None:
        open_docs = [(item_id, doc) for item_id, doc in open_docs if keep(items[item_id])]

    people = sorted(snapshot.people.values(), key=lambda p: (p.team.lower(), p.handle.lower()))
    rows = {p.handle: Row(p.handle, p.name, p.team, p.capacity, members=[p.handle]) for p in people}
    soon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
    column_counts: dict[int, int] = dict.fromkeys(column_ids, 0)
    per_cell: dict[tuple[str, int], int] = {}
    for item_id, doc in open_docs:
        column = home_of(item_id)
        if column is not None:
            column_counts[column] += 1
        if counts_as_load(doc, closed):  # the one definition of load (the owner picker's too)
            owner = str(doc["owner"])
            row = rows.get(owner)
            if row is None:
                row = rows[owner] = Row(owner, "", NOT_A_MEMBER, 0, members=[owner])
            row.open_items += 1
            due = doc.get("due")
            if due and due <= soon:
                row.due_soon += 1
            if column is not None:
                per_cell[(owner, column)] = per_cell.get((owner, column), 0) + 1
    columns = []
    for item in column_items:
        owners = ([item.owner] if item.owner else []) + [h for h, r in sorted(item.roles.items()) if r == "A" and h != item.owner]
        columns.append(Column(item, owners, column_counts[item.id]))
        for handle in item.roles:
            if handle not in rows:
                rows[handle] = Row(handle, "", NOT_A_MEMBER, 0, members=[handle])
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
        team = teams.setdefault(row.team, Row(row.team or "(no team)", "", row.team, 0, is_team=True))
        team.members.extend(row.members)
        team.capacity += row.capacity
        team.open_items += row.open_items
        team.due_soon += row.due_soon
        for column, (letters, count) in row.cells.items():
            old_letters, old_count = team.cells.get(column, ("", 0))
            merged = "".join(sorted(set(old_letters + letters), key="ARCI".index))
            team.cells[column] = (merged, old_count + count)
    return list(teams.values())


class HomeIndex:
    """Each item's home column: its nearest project/workstream, itself included (None: none above it).

    Remembered per item, so asking for every item walks each parent link once.
    """

    __slots__ = ("_column_ids", "_docs", "_home")

    def __init__(self, docs: Mapping[int, dict[str, Any]], column_ids: set[int]) -> None:
        self._docs = docs
        self._column_ids = column_ids
        self._home: dict[int, int | None] = {}

    def __call__(self, item_id: int) -> int | None:
        home, docs, column_ids = self._home, self._docs, self._column_ids
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


def cell_items(snapshot: Snapshot, today: date, *, owners: list[str] | None, column: int | None,
               due_soon: bool = False) -> list[int]:
    """The open items behind a number in the matrix, soonest due first.

    Args:
        owners: the row's people (None: anyone, or nobody).
        column: a project or workstream id: only items whose home column it is (None: anywhere).
        due_soon: only items due within :data:`DUE_SOON_DAYS` days or overdue.
    """
    settings = snapshot.settings
    closed = {settings.done, *CLOSED_STATUSES}
    docs = snapshot.docs
    wanted = set(owners) if owners is not None else None
    soon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
    home_of = None
    if column is not None:
        column_ids = {i for i, d in docs.items() if d.get("kind") in MATRIX_KINDS and d.get("status") not in closed}
        home_of = HomeIndex(docs, column_ids)
    found = []
    for item_id, doc in docs.items():
        if doc.get("status") in closed or doc.get("kind") == "goal":
            continue
        if wanted is not None and doc.get("owner") not in wanted:
            continue
        due = doc.get("due") or ""
        if due_soon and not (due and due <= soon):
            continue
        if home_of is not None and home_of(item_id) != column:
            continue
        found.append((due or "9999", item_id))
    found.sort()
    return [item_id for _, item_id in found]


def load_bar(open_items: int, capacity: int, width: int = 8) -> str:
    """``█████░░░`` filled in proportion to load; full (and past) means over capacity."""
    if capacity <= 0:
        return "·" * width
    filled = min(width, round(width * open_items / capacity))
    return "█" * filled + "░" * (width - filled)
