"""The rows of the board's columns: card order (S sorts), and swimlanes lined up across the columns.

With swimlanes on, a lane is one band through every column: each column has the lane's
header row, its cards in that lane, then blank rows up to the lane's tallest column, so a
lane starts at the same row everywhere and the columns, scrolled together, stay lined up.
Header and blank rows have negative ids (never under the cursor, never marked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SORTS = ("rank", "due", "priority", "age")
"""Card orders S cycles through: the board's own order, soonest due, highest priority, oldest."""

SORT_NAMES = {"rank": "board order", "due": "due date", "priority": "priority", "age": "age"}

PAD = -1_000_000
"""Blank rows that fill a lane to its height have ids below this (lane headers are -1, -2, …)."""


def card_key(doc: dict[str, Any], item_id: int, *, sort: str, done: bool) -> tuple:
    """Where a card goes in its column: ``sort`` order; in rank order the done column is newest first."""
    rank = doc.get("rank") or 0.0
    if sort == "due":
        return (doc.get("due") or "9999-99-99", rank, item_id)
    if sort == "priority":
        return (doc.get("priority") or 9, doc.get("due") or "9999-99-99", rank, item_id)
    if sort == "age":
        return (doc.get("created_at") or "", item_id)
    if done:  # newest first: the key is negated by sorting in reverse (see ``reverse``)
        return (doc.get("status_since") or "", item_id)
    return (rank, item_id)


def reverse(sort: str, done: bool) -> bool:
    """Whether a column sorts its keys high to low (the done column, in board order)."""
    return sort == "rank" and done


@dataclass(slots=True)
class Lane:
    """One owner's band: who, and how many of their cards each column holds."""

    owner: str | None
    counts: dict[str, int]
    height: int
    """Rows the band takes in every column: its header and its tallest column's cards."""


def lane_rows(columns: dict[str, list[int]], docs: dict[int, dict[str, Any]], me: str
              ) -> tuple[dict[str, list[int]], dict[int, Lane]]:
    """Rows per column with swimlanes lined up, and the lane of each header row (its id is the same in
    every column).

    Args:
        columns: status → card ids in column order.
        docs: the stored documents (for each card's owner).
        me: whose lane comes first (unowned work comes last).
    """
    groups: dict[str | None, dict[str, list[int]]] = {}
    for status, ids in columns.items():
        for item_id in ids:
            groups.setdefault(docs[item_id].get("owner") or None, {}).setdefault(status, []).append(item_id)
    order = sorted(groups, key=lambda o: (o is None, o != me, (o or "").lower()))
    rows: dict[str, list[int]] = {status: [] for status in columns}
    labels: dict[int, Lane] = {}
    pad = PAD
    for number, owner in enumerate(order, start=1):
        cards = groups[owner]
        lane = labels[-number] = Lane(owner, {status: len(cards.get(status, [])) for status in columns},
                                      1 + max(len(ids) for ids in cards.values()))
        for status in columns:
            mine = cards.get(status, [])
            rows[status].append(-number)
            rows[status] += mine
            for _ in range(lane.height - 1 - len(mine)):
                pad -= 1
                rows[status].append(pad)
    return rows, labels


def lane_at(rows: list[int], index: int) -> int | None:
    """The header row id of the lane that row ``index`` is in (None: before any lane)."""
    for at in range(min(index, len(rows) - 1), -1, -1):
        if PAD < rows[at] < 0:
            return rows[at]
    return None


__all__ = ["PAD", "SORTS", "SORT_NAMES", "Lane", "card_key", "lane_at", "lane_rows", "reverse"]
