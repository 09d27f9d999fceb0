"""Goals and the open work that serves them: how much, and how much of it has no owner or due date.

An item serves a goal when the goal is above it: reached by walking up through
``parent`` links and ``goal`` links, at any level (a task under a project under
a goal serves that goal; a task whose ``goal`` is set serves it directly; a
goal under a bigger goal serves both). Shown in the why pane when a goal is
selected, in ``worktop show`` for a goal, and by ``worktop goals``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from data.model.items import CLOSED_STATUSES
from data.model.snapshot import Snapshot
from data.views.gaps import NO_DUE_KINDS


@dataclass(slots=True)
class GoalStats:
    """The open work under one goal."""

    goal_id: int
    open_items: int = 0
    """Open items (not goals themselves) that serve the goal."""
    no_owner: int = 0
    """Of those, how many have no owner."""
    no_due: int = 0
    """Of those, how many have no due date (operations and recurring templates never need one)."""

    def summary(self) -> str:
        """``12 open items serve it: 3 without an owner, 5 without a due date``."""
        if not self.open_items:
            return "no open work serves it yet"
        noun = "item serves" if self.open_items == 1 else "items serve"
        return (f"{self.open_items} open {noun} it: {self.no_owner} without an owner, "
                f"{self.no_due} without a due date")


def goal_stats(snapshot: Snapshot) -> dict[int, GoalStats]:
    """Stats for every goal in the workspace (open or not), by goal id.

    One pass over the stored documents; each open item walks up its own
    parent and goal links (a few steps in practice), so 10k items take a few
    milliseconds.
    """
    docs = snapshot.docs
    closed = {snapshot.settings.done, *CLOSED_STATUSES}
    stats = {item_id: GoalStats(item_id) for item_id, doc in docs.items() if doc.get("kind") == "goal"}
    if not stats:
        return stats
    for item_id, doc in docs.items():
        kind = doc.get("kind", "task")
        if kind == "goal" or doc.get("status", "inbox") in closed:
            continue
        served = goals_above(docs, item_id)
        if not served:
            continue
        no_owner = not doc.get("owner")
        no_due = not doc.get("due") and kind not in NO_DUE_KINDS
        for goal_id in served:
            entry = stats[goal_id]
            entry.open_items += 1
            entry.no_owner += no_owner
            entry.no_due += no_due
    return stats


def goals_above(docs: Mapping[int, dict[str, Any]], item_id: int) -> set[int]:
    """Ids of the goals an item serves: every goal reachable through ``parent`` and ``goal`` links."""
    found: set[int] = set()
    seen = {item_id}
    start = docs.get(item_id) or {}
    stack = [ref for ref in (start.get("parent"), start.get("goal")) if ref is not None]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        doc = docs.get(current)
        if doc is None:
            continue
        if doc.get("kind") == "goal":
            found.add(current)
        for ref in (doc.get("parent"), doc.get("goal")):
            if ref is not None and ref not in seen:
                stack.append(ref)
    return found


class GoalStatsCache:
    """:func:`goal_stats` computed at most once per snapshot, and only when asked for."""

    __slots__ = ("_snapshot", "_stats")

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._stats: dict[int, GoalStats] = {}

    def get(self, snapshot: Snapshot, goal_id: int) -> GoalStats:
        if snapshot is not self._snapshot:
            self._stats = goal_stats(snapshot)
            self._snapshot = snapshot
        return self._stats.get(goal_id) or GoalStats(goal_id)


__all__ = ["GoalStats", "GoalStatsCache", "goal_stats", "goals_above"]
