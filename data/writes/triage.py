"""Triage and bulk actions as lists of operations, for the inbox and the board.

The TUI's keys (accept, owner, due, why, decline, duplicate, snooze, priority,
tags, move) reuse the operations the CLI's ``accept``/``decline``/``dup``/
``snooze`` apply. Each builder takes the items as the person saw them and adds
what they saw as expected values, so acting on an item another terminal has
just archived, declined or moved is a :class:`~data.writes.workspace.Conflict` and
nothing is written. Several items make one list for one ``apply_all``: all of
them change, or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from data.errors import BadValue
from data.model.items import Item, Person, coerce_field, is_handle
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import check_expected
from data.writes.ops import Accept, AddPerson, MarkDuplicate, Move, Operation, SetFields, Snooze

TRIAGE_FIELDS = ("owner", "due", "why", "priority", "tags")
"""Fields the triage keys set directly."""


@dataclass
class Expect:
    """Write nothing; fail with a Conflict unless the item still holds ``values`` (as someone saw it)."""

    item_id: int
    values: dict[str, Any]

    def apply(self, txn: Transaction) -> int:
        check_expected(txn, self.item_id, txn.raw_item(self.item_id), self.values)
        return self.item_id


def parse_due(text: str, today: date) -> str | None:
    """A typed due date as stored (ISO), None for blank; the CLI's words (``fri``, ``+3d``)."""
    return coerce_field("due", text, today=today)


def parse_snooze(text: str, today: date) -> str:
    """A typed snooze date, which must be after today (as :class:`~data.writes.ops.Snooze` requires)."""
    day = coerce_field("snoozed_until", text, today=today)
    if day is None:
        raise BadValue("snooze needs a date after today, e.g. tomorrow, mon, +1w or dec 24")
    if day <= today.isoformat():
        raise BadValue(f"snooze until {day} is not after today ({today.isoformat()}): tomorrow is the soonest")
    return day


def parse_reason(text: str) -> str:
    """A decline reason: required, as the CLI's ``decline --reason`` requires."""
    reason = (text or "").strip()
    if not reason:
        raise BadValue("declining needs a reason: say why this will not be done")
    return coerce_field("why", reason)


def parse_tag_edit(text: str) -> tuple[list[str], list[str]]:
    """``ops infra -later`` → tags to add (``ops``, ``infra``) and to remove (``later``)."""
    add: list[str] = []
    remove: list[str] = []
    for word in (text or "").replace(",", " ").split():
        target = remove if word.startswith("-") else add
        tag = word.lstrip("-").lstrip("#")
        if not is_handle(tag):
            raise BadValue(f"tag {word!r} may hold only letters, digits, . _ -")
        if tag not in target:
            target.append(tag)
    if not add and not remove:
        raise BadValue("type tags to add (ops infra) or remove (-later)")
    return add, remove


def _seen(item: Item, *names: str) -> dict[str, Any]:
    """The stored values of ``names`` as the person saw them, plus the status."""
    seen = {name: item.doc.get(name) for name in names}
    seen["status"] = item.status
    return seen


def new_person_ops(handle: str | None, people: dict[str, Person]) -> list[Operation]:
    """Add ``handle`` as a person first when the owner picker offered a new one."""
    if handle is None or handle in people:
        return []
    return [AddPerson(Person(handle))]


def accept_ops(items: list[Item], *, owner: str | None = None, due: str | None = None, why: str | None = None,
               people: dict[str, Person] | None = None) -> list[Operation]:
    """Accept onto the board with owner, due and why set in the same write (None leaves a field)."""
    values = {name: value for name, value in (("owner", owner), ("due", due), ("why", why)) if value not in (None, "")}
    ops = new_person_ops(owner, people) if people is not None else []
    return ops + [Accept(item.id, dict(values)) for item in items]


def set_field_ops(items: list[Item], name: str, value: Any, *,
                  people: dict[str, Person] | None = None) -> list[Operation]:
    """Set one field on each item, expecting what was seen there (and the status) unchanged."""
    if name not in TRIAGE_FIELDS:
        raise BadValue(f"triage cannot set {name!r}")
    ops = new_person_ops(value, people) if name == "owner" and people is not None else []
    for item in items:
        ops.append(SetFields(item.id, {name: value}, expected=_seen(item, name)))
    return ops


def tag_ops(items: list[Item], add: list[str], remove: list[str]) -> list[Operation]:
    """Add and remove tags on each item, keeping its other tags."""
    ops: list[Operation] = []
    for item in items:
        tags = [tag for tag in item.tags if tag not in remove]
        tags += [tag for tag in add if tag not in tags]
        if tags != item.tags:
            ops.append(SetFields(item.id, {"tags": tags}, expected=_seen(item, "tags")))
        else:
            ops.append(Expect(item.id, {"status": item.status}))
    return ops


def decline_ops(items: list[Item], reason: str) -> list[Operation]:
    """Close as won't-do with a reason (required)."""
    reason = parse_reason(reason)
    return [Move(item.id, "declined", expected_status=item.status, reason=reason) for item in items]


def duplicate_ops(items: list[Item], of_id: int) -> list[Operation]:
    """Close each as a duplicate of ``of_id``; its requester and notes go to the original's why log."""
    ops: list[Operation] = []
    for item in items:
        ops += [Expect(item.id, {"status": item.status}), MarkDuplicate(item.id, of_id)]
    return ops


def snooze_ops(items: list[Item], until: str, *, inbox: str = "inbox") -> list[Operation]:
    """Hide until a later day; it comes back to the inbox by itself on that day.

    A card snoozed from the board goes back to the inbox (hidden until then):
    the inbox is where snoozed work shows up again.
    """
    ops: list[Operation] = []
    for item in items:
        if item.status != inbox:
            ops.append(Move(item.id, inbox, expected_status=item.status))
        else:
            ops.append(Expect(item.id, {"status": item.status}))
        ops.append(Snooze(item.id, until))
    return ops


def move_ops(items: list[Item], status: str, *, reason: str = "") -> list[Operation]:
    """Move each item to ``status`` (items already there are left alone)."""
    return [Move(item.id, status, expected_status=item.status, reason=reason)
            for item in items if item.status != status]


__all__ = [
    "TRIAGE_FIELDS",
    "Expect",
    "accept_ops",
    "decline_ops",
    "duplicate_ops",
    "move_ops",
    "new_person_ops",
    "parse_due",
    "parse_reason",
    "parse_snooze",
    "parse_tag_edit",
    "set_field_ops",
    "snooze_ops",
    "tag_ops",
]
