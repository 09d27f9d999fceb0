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

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from data.errors import BadValue, Conflict, NotFound
from data.model.items import TEXT_LIMIT, Item, Person, clean_text, coerce_field, is_handle
from data.model.wording import field_names, show_time
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import check_expected, touch
from data.writes.ops import Move, Operation, SetFields
from data.writes.people import AddPerson

TRIAGE_FIELDS = ("owner", "due", "why", "priority", "tags")
"""Fields the triage keys set directly."""


@dataclass
class Accept:
    """Triage: take an inbox item onto the board (its first column), setting fields in the same write.

    ``values`` are typed values as for :class:`SetFields` (``owner``, ``due``,
    ``why``, …). The item must be in the inbox; someone else having accepted
    or declined it meanwhile is a :class:`Conflict` naming them.
    """

    item_id: int
    values: dict[str, Any] = field(default_factory=dict)

    def apply(self, txn: Transaction) -> int:
        settings = txn.settings
        doc = txn.raw_item(self.item_id)
        status = doc.get("status")
        if status != settings.inbox:
            entry = txn.last_change_of(self.item_id, "status")
            if entry is not None and (entry.get("changes", {}).get("status") or [None])[0] == settings.inbox:
                raise Conflict(
                    f"#{self.item_id} was already moved to {status} by {entry['by']} at {show_time(entry['at'])}; "
                    "nothing was written",
                    item_id=self.item_id, field="status", by=entry["by"], value=status,
                )
            raise BadValue(f"#{self.item_id} is not in the inbox (it is {status}); use `move` to change its status")
        values = {name: raw for name, raw in self.values.items() if raw is not None}
        recorded = len(txn.entries)
        if values:
            SetFields(self.item_id, values).apply(txn)
        Move(self.item_id, settings.board_statuses[0]).apply(txn)
        # One accept is one history entry ("accepted #8 → todo (owner, due date, why)"), not a set
        # and a move ("… and 1 more"): the fields it set and the move touch different fields.
        entries = txn.entries[recorded:]
        if len(entries) > 1 and all(e.get("item") == self.item_id for e in entries):
            merged: dict[str, Any] = {}
            for entry in entries:
                merged.update(entry["changes"])
            set_names = [name for name in values if name in merged]
            first = entries[0]
            first.update(op="accept", changes=merged, summary=f"accepted #{self.item_id} → {settings.board_statuses[0]}"
                         + (f" ({field_names(set_names)})" if set_names else ""))
            del txn.entries[recorded + 1:]
        elif len(entries) == 1:
            entries[0].update(op="accept", summary=f"accepted #{self.item_id} → {settings.board_statuses[0]}")
        return self.item_id


@dataclass
class MarkDuplicate:
    """Triage: close an item as a duplicate of another (status ``declined``, ``duplicate_of`` set).

    What the duplicate knew is not lost: the original gets a why-log note naming
    the duplicate, its requester, and the duplicate's why and notes.
    """

    item_id: int
    of_id: int

    def apply(self, txn: Transaction) -> int:
        if self.item_id == self.of_id:
            raise BadValue("an item cannot be a duplicate of itself")
        doc = txn.raw_item(self.item_id)
        try:
            original = txn.raw_item(self.of_id)
        except NotFound:
            raise NotFound(f"#{self.of_id} is not in this workspace") from None
        if original.get("duplicate_of") is not None:
            raise BadValue(
                f"#{self.of_id} is itself a duplicate of #{original['duplicate_of']}; "
                f"mark #{self.item_id} a duplicate of #{original['duplicate_of']} instead"
            )
        if doc.get("duplicate_of") is not None:
            raise BadValue(f"#{self.item_id} is already marked a duplicate of #{doc['duplicate_of']}")
        recorded = len(txn.entries)
        Move(self.item_id, "declined", reason=f"duplicate of #{self.of_id}", instead=self.of_id).apply(txn)
        doc["duplicate_of"] = self.of_id
        summary = f"closed #{self.item_id} as a duplicate of #{self.of_id}"
        if len(txn.entries) > recorded:  # the move's entry also records the duplicate link
            entry = txn.entries[recorded]  # the move is recorded first, then any blockers it released
            entry["changes"]["duplicate_of"] = [None, self.of_id]
            entry.update(op="duplicate", summary=summary)
        else:  # it was declined already
            touch(txn, doc)
            txn.record("duplicate", self.item_id, {"duplicate_of": [None, self.of_id]}, summary)
        lines = [f"#{self.item_id} “{doc.get('title', '')}” was closed as a duplicate of this"
                 + (f"; requested by {doc['requester']}" if doc.get("requester") else "")]
        for entry in doc.get("why_log", []):
            lines.append(f"- {entry.get('kind', 'note')} by {entry.get('by', '?')} ({entry.get('at', '')[:10]}): {entry.get('text', '')}")
        text = clean_text("\n".join(lines), limit=TEXT_LIMIT, what="note")
        original["why_log"] = [*original.get("why_log", []), {"at": txn.now, "by": txn.actor, "text": text, "kind": "note"}]
        touch(txn, original)
        txn.record("note", self.of_id, {"why_log": [None, text]}, f"noted on #{self.of_id}: duplicate #{self.item_id}")
        return self.item_id


@dataclass
class Snooze:
    """Triage: hide an item from the inbox until a later day."""

    item_id: int
    until: str
    """A typed date (``mon``, ``+1w``, ``2026-12-01``)."""

    def apply(self, txn: Transaction) -> int:
        day = coerce_field("snoozed_until", self.until, today=txn.today)
        if day is None:
            raise BadValue("snooze needs a date, e.g. mon, +1w or 2026-12-01")
        if day <= txn.today.isoformat():
            raise BadValue(f"snooze until {day} is not after today ({txn.today.isoformat()})")
        return SetFields(self.item_id, {"snoozed_until": day}).apply(txn)


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
    """A typed snooze date, which must be after today (as :class:`Snooze` requires)."""
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
    "Accept",
    "Expect",
    "MarkDuplicate",
    "Snooze",
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
