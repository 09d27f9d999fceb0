"""The checks and stamps every operation shares: expected values, people and item references, who touched what.

Operations (data/writes/ops.py, steps.py, people.py), triage, undo and recurrence all build on these,
so a conflict reads the same whichever of them finds it.
"""

from __future__ import annotations

from typing import Any

from data.errors import BadValue, Conflict, NotFound
from data.model.items import clean_text
from data.model.wording import field_name, show_time, show_value
from data.store.transaction import StoreTransaction

BOOKKEEPING = frozenset({"created_at", "created_by", "updated_at", "updated_by", "status_since", "rank", "why_log"})
"""Fields a create stamps that its history entry leaves out (they say who and when, not what)."""


def same_value(value: Any) -> Any:
    """A stored value as compared for a conflict: nothing, ``""``, ``[]`` and ``{}`` are all "no value"."""
    return None if value in ("", [], {}) else value


def shown(value: Any) -> str:
    """A stored value as a conflict message names it (long text cut at a word, with …)."""
    return show_value(value)


def check_expected(txn: StoreTransaction, item_id: int, doc: dict[str, Any], expected: dict[str, Any]) -> None:
    """Raise :class:`Conflict` if a field no longer holds the value the caller saw."""
    for name, seen in expected.items():
        current = doc.get(name)
        if same_value(current) != same_value(seen):
            entry = txn.last_change_of(item_id, name)
            who = entry["by"] if entry else "someone"
            when = f" at {show_time(entry['at'])}" if entry else ""
            raise Conflict(
                f"#{item_id} {field_name(name)}: changed by {who}{when} to {shown(current)} "
                f"(you saw {shown(seen)}); nothing was written",
                item_id=item_id, field=name, by=who, value=current,
            )


def check_person(txn: StoreTransaction, handle: str | None, what: str) -> None:
    if handle is not None and not txn.has_person(handle):
        raise BadValue(f"unknown person {handle!r} for {what}; add them with `worktop person add {handle}`")


def check_item_ref(txn: StoreTransaction, item_id: int | None, ref: int | None, what: str) -> None:
    """``ref`` may be ``what`` (parent, goal) of ``item_id``: it exists, is not the item, and makes no cycle."""
    if ref is None:
        return
    if ref == item_id:
        raise BadValue(f"an item cannot be its own {what}")
    try:
        target = txn.raw_item(ref)
    except NotFound:
        raise NotFound(f"{what} #{ref} is not in this workspace") from None
    if what == "goal" and target.get("kind") != "goal":
        raise BadValue(f"#{ref} is a {target.get('kind', 'task')}, not a goal; link to a goal "
                       f"(`worktop goals` lists them), or make it the parent with parent={ref}")
    if what == "parent" and item_id is not None:
        seen: set[int] = {item_id}
        current: int | None = ref
        while current is not None:
            if current in seen:
                raise BadValue(f"#{ref} is inside #{item_id}; a parent cannot be its own descendant")
            seen.add(current)
            parent = txn.doc(current)
            current = parent.get("parent") if parent is not None else None


def touch(txn: StoreTransaction, doc: dict[str, Any]) -> None:
    """Stamp who changed a document and when."""
    doc["updated_at"] = txn.now
    doc["updated_by"] = txn.actor


STEP_LIMIT = 500
"""Longest step text accepted, in characters."""


def clean_step(text: str) -> str:
    """A step's text as stored: one line, trimmed, not empty."""
    text = clean_text(text, limit=STEP_LIMIT, what="step", single_line=True)
    if not text:
        raise BadValue("the step is empty")
    return text


__all__ = ["BOOKKEEPING", "STEP_LIMIT", "check_expected", "check_item_ref", "check_person", "clean_step", "same_value",
           "shown", "touch"]
