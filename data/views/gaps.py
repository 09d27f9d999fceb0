"""Open work that leaves an answer missing, grouped by the answer: one function for the CLI and the TUI.

``worktop gaps`` prints these groups and the TUI's gaps view lists them for
fixing in place, so both must agree on what counts as a gap. The rules are
:func:`data.model.items.missing_answers`'s; this module applies them to a whole
snapshot at once, reading the stored documents and remembering each item's
inherited why, so 10k items take milliseconds rather than a walk up the parent
chain per item.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from data.model.dependencies import open_blockers
from data.model.snapshot import Snapshot
from data.views.figures import closed_statuses, is_board_work, is_waiting

GAP_ANSWERS = ("who", "when", "how", "why")
"""Every answer a gap can be about, in the order groups are listed."""

FIXABLE_ANSWERS = ("who", "when", "how", "why")
"""The answers the gaps view fixes in place: owner (o), due date (d), steps (a), why (w or l)."""

GAP_TITLES = {
    "who": "no owner (who)",
    "when": "no due date (when)",
    "how": "no steps on a project or workstream (how)",
    "why": "no why, here or above (why)",
}
"""A heading per group, as the CLI and the TUI print it."""

NO_DUE_KINDS = frozenset({"goal", "operation", "recurring"})
"""Kinds that have no due date by nature: outcomes, ongoing duties and templates."""

WAITING_TITLE = "waits on work with no owner or past its due date (blocked)"
"""The heading of the open work whose blockers are themselves stuck."""

GAP_FIELDS = frozenset({"owner", "due", "why", "goal", "parent", "status", "kind", "checklist", "blocked_by"})
"""Fields a gap is computed from: a change to any other field cannot open or close one."""


@dataclass(slots=True)
class Gaps:
    """What :func:`find_gaps` found."""

    groups: dict[str, list[int]]
    """answer → ids of open items missing it, oldest (lowest id) first; an item is in each group it belongs to."""
    untriaged: int = 0
    """Items waiting in the inbox (not snoozed), as the inbox pane counts them: triage answers those."""
    missing: dict[int, list[str]] = field(default_factory=dict)
    """item id → every answer it misses (only items in some group)."""
    waiting: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Open work on the board blocked by open work that nobody owns or that is past its due date:
    item id → (blocker id, ``no owner`` / ``3 days late``), in id order. Filled when ``find_gaps`` is given today."""

    @property
    def item_count(self) -> int:
        """How many distinct items have at least one gap."""
        return len(self.missing)


WHY_FIELDS = frozenset({"why", "goal", "parent", "status", "kind", "checklist"})
"""Fields whose change can alter other items' gaps (inherited whys) or which items are listed at all."""


def find_gaps(snapshot: Snapshot, answers: tuple[str, ...] = GAP_ANSWERS, *, today: date | None = None) -> Gaps:
    """Board work (:func:`data.views.figures.is_board_work`) missing any of ``answers``, grouped by answer.

    Args:
        snapshot: the workspace state.
        answers: which groups to fill (the TUI asks only for the ones it can fix).
        today: which inbox items are snoozed (default: the local date); when given, ``waiting`` also lists
            work held up by a blocker with no owner or past its due date.

    Returns:
        A :class:`Gaps`; ``groups`` has a (possibly empty) list for every answer asked for.
    """
    settings = snapshot.settings
    docs = snapshot.docs
    inbox = settings.inbox
    closed = closed_statuses(settings)
    today_iso = (today or date.today()).isoformat()
    groups: dict[str, list[int]] = {answer: [] for answer in answers}
    missing: dict[int, list[str]] = {}
    want = set(answers)
    has_why = WhyIndex(docs)
    untriaged = 0
    for item_id in sorted(docs):
        doc = docs[item_id]
        if not is_board_work(doc, settings, closed):
            untriaged += is_waiting(doc, inbox, today_iso)
            continue
        found = _item_gaps(doc, item_id, want, has_why)
        if found:
            missing[item_id] = found
            for answer in found:
                groups[answer].append(item_id)
    return Gaps(groups, untriaged, missing, find_waiting(snapshot, today) if today is not None else {})


def find_waiting(snapshot: Snapshot, today: date) -> dict[int, list[tuple[int, str]]]:
    """Open work on the board whose open blockers have no owner or are late (see :attr:`Gaps.waiting`)."""
    settings = snapshot.settings
    docs = snapshot.docs
    today_iso = today.isoformat()
    waiting: dict[int, list[tuple[int, str]]] = {}
    for item_id in sorted(docs):
        doc = docs[item_id]
        if not doc.get("blocked_by"):
            continue
        if not _is_listed(doc, snapshot):
            continue
        problems = []
        for blocker in open_blockers(doc, docs, settings.is_open):
            other = docs[blocker]
            if not other.get("owner"):
                problems.append((blocker, "no owner"))
            elif other.get("due") and str(other["due"]) < today_iso:
                try:
                    late = (today - date.fromisoformat(str(other["due"]))).days
                except ValueError:
                    continue
                problems.append((blocker, f"{late} day{'s' if late != 1 else ''} late"))
        if problems:
            waiting[item_id] = problems
    return waiting


def _item_gaps(doc: dict[str, Any], item_id: int, want: set[str], has_why: WhyIndex) -> list[str]:
    kind = doc.get("kind", "task")
    found = []
    if "who" in want and not doc.get("owner") and kind != "goal":
        found.append("who")
    if "when" in want and not doc.get("due") and kind not in NO_DUE_KINDS:
        found.append("when")
    if "how" in want and kind in ("project", "workstream") and not doc.get("checklist"):
        found.append("how")
    if "why" in want and not has_why(item_id):
        found.append("why")
    return found


def refresh_gaps(gaps: Gaps, snapshot: Snapshot, item_ids: set[int], *, today: date | None = None) -> Gaps:
    """``gaps`` with just ``item_ids`` looked at again, after changes that touched none of :data:`WHY_FIELDS`.

    Setting an owner or a due date changes only that item's gaps, so the gaps
    view need not walk 10k items after each fix. Callers fall back to
    :func:`find_gaps` when a change may reach other items or the set of listed ones.
    ``waiting`` (given ``today``) is found again whole: a blocker's new owner
    changes what it blocks, and only items with blockers are looked at.
    """
    docs = snapshot.docs
    want = set(gaps.groups)
    has_why = WhyIndex(docs)
    groups = {answer: list(ids) for answer, ids in gaps.groups.items()}
    missing = dict(gaps.missing)
    for item_id in item_ids:
        doc = docs.get(item_id)
        listed = item_id in gaps.missing or (doc is not None and _is_listed(doc, snapshot))
        found = _item_gaps(doc, item_id, want, has_why) if doc is not None and listed else []
        before = missing.pop(item_id, [])
        if found:
            missing[item_id] = found
        for answer in want:
            if (answer in before) == (answer in found):
                continue
            ids = groups[answer]
            if answer in found:
                insort(ids, item_id)
            else:
                ids.remove(item_id)
    return Gaps(groups, gaps.untriaged, missing, find_waiting(snapshot, today) if today is not None else {})


def _is_listed(doc: dict[str, Any], snapshot: Snapshot) -> bool:
    return is_board_work(doc, snapshot.settings, closed_statuses(snapshot.settings))


class WhyIndex:
    """Whether an item has a why of its own, from its goal link, or from an ancestor (or its goal).

    The same rule as :func:`data.model.items.inherited_why`, remembered per item: every
    item on a walk up the chain shares the answer found at its end, so each item
    is visited once however many descendants ask.
    """

    __slots__ = ("_docs", "_known")

    def __init__(self, docs: dict[int, dict[str, Any]]) -> None:
        self._docs = docs
        self._known: dict[int, bool] = {}

    def __call__(self, item_id: int) -> bool:
        known = self._known
        docs = self._docs
        path: list[int] = []
        on_path: set[int] = set()
        current: int | None = item_id
        result = False
        while current is not None:
            if current in known:
                result = known[current]
                break
            if current in on_path:  # a parent cycle: nobody on it says why
                break
            doc = docs.get(current)
            if doc is None:
                break
            if doc.get("why"):
                result = True
                known[current] = True
                break
            goal = doc.get("goal")
            if goal is not None and goal in docs and docs[goal].get("why"):
                result = True
                known[current] = True
                break
            path.append(current)
            on_path.add(current)
            current = doc.get("parent")
        for seen in path:
            known[seen] = result
        return result


__all__ = ["FIXABLE_ANSWERS", "GAP_ANSWERS", "GAP_FIELDS", "GAP_TITLES", "WAITING_TITLE", "WHY_FIELDS", "Gaps", "WhyIndex",
           "find_gaps", "find_waiting", "refresh_gaps"]
