"""Operations: every change to a workspace is one of these, applied by ``Workspace.apply``.

Each operation validates against the fresh state inside the lock, edits the
stored documents in place (so unknown fields survive), and records history
entries with each field's old → new value. Nested lists are replaced, never
mutated, because snapshots taken earlier may still share them.

This module holds the operations on items (create, set, move, block, note,
archive, reorder); those on an item's steps are in :mod:`data.writes.steps`,
on people in :mod:`data.writes.people`, and triage's (accept, duplicate,
snooze) in :mod:`data.writes.triage`. Each command loads only its own.

The operations here are NamedTuples (immutable values, as every operation is
used), not dataclasses like the others': ``worktop add`` makes one, and the
dataclasses module costs ~10 ms of its 80 ms to import, and ~0.3 ms a class to
define.
"""

# Annotations are evaluated here, not postponed (no `from __future__ import annotations`): typing.NamedTuple
# compiles each one that is a string, and every write (worktop add's too) defines this module's NamedTuples.
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from data.errors import BadValue, NotFound
from data.model.dependencies import blockers_of, cycle_through, describe_cycle, open_blockers
from data.model.items import CLOSED_STATUSES, KINDS, TEXT_LIMIT, clean_text, coerce_field, is_handle
from data.model.wording import field_names
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import (
    BOOKKEEPING,
    check_expected,
    check_item_ref,
    check_person,
    clean_step,
    same_value,
    touch,
)

NOTHING: Mapping[str, Any] = MappingProxyType({})
"""No fields (an immutable default: an operation is a value, never changed once made)."""


class Operation(Protocol):
    def apply(self, txn: Transaction) -> int | None:
        """Apply to the transaction's fresh state; return the item id touched."""


def check_blockers(txn: Transaction, item_id: int | None, added: list[int]) -> None:
    """Each new blocker exists, is not the item, will still be done, and closes no cycle."""
    for blocker in added:
        if blocker == item_id:
            raise BadValue(f"#{item_id} cannot be blocked by itself")
        if not txn.has_item(blocker):
            raise NotFound(f"blocker #{blocker} is not in this workspace")
        status = txn.raw_item(blocker).get("status")
        if status in CLOSED_STATUSES:
            raise BadValue(f"#{blocker} is {status}: work that will not be done cannot block anything")
    if item_id is None or not added:
        return
    index: dict[int, list[int]] | None = None

    def waits_on(other: int) -> list[int]:
        nonlocal index
        if index is None:
            index = {i: blockers_of(doc) for i, doc in txn.docs_with_blockers()}
        return index.get(other, [])

    cycle = cycle_through(item_id, added, waits_on)
    if cycle is not None:
        raise BadValue(f"#{item_id} cannot wait on #{cycle[1]}: that would make a cycle, {describe_cycle(cycle)} "
                       "(each waits on the next, so none could start)")


def _set_blockers(txn: Transaction, item_id: int, blockers: list[int], summary: str) -> bool:
    """Store the item's new blocker list with history; False when it already held it."""
    doc = txn.raw_item(item_id)
    old = blockers_of(doc)
    if old == blockers:
        return False
    if blockers:
        doc["blocked_by"] = blockers
    else:
        doc.pop("blocked_by", None)
    touch(txn, doc)
    txn.record("set", item_id, {"blocked_by": [old or None, blockers or None]}, summary)
    return True


def release_blocked(txn: Transaction, blocker: int, status: str, *, instead: int | None = None) -> None:
    """A blocker that will not be done (declined, archived) no longer holds anything up: take it off their lists.

    ``instead``: the original of a duplicate, which the work waits on from now on
    (unless that would be itself or close a cycle).
    """
    for other, doc in [(i, d) for i, d in txn.docs_with_blockers() if blocker in blockers_of(d)]:
        remaining = [b for b in blockers_of(doc) if b != blocker]
        summary = f"#{other} no longer blocked by #{blocker} ({status})"
        if instead is not None and instead != other and instead not in remaining:
            try:
                check_blockers(txn, other, [instead])
            except (BadValue, NotFound):
                pass
            else:
                remaining.append(instead)
                summary = f"#{other} blocked by #{instead} instead of its duplicate #{blocker}"
        _set_blockers(txn, other, remaining, summary)


class CreateItem(NamedTuple):
    """Make a new item. ``fields`` are typed values (validated as ``set`` validates)."""

    title: str
    kind: str = "task"
    status: str | None = None
    fields: Mapping[str, Any] = NOTHING
    checklist: Sequence[str] = ()

    def apply(self, txn: Transaction) -> int:
        settings = txn.settings
        title = coerce_field("title", self.title)
        kind = coerce_field("kind", self.kind)
        status = self.status or (settings.inbox if kind == "request" else settings.board_statuses[0])
        if status not in settings.all_statuses:
            raise BadValue(f"unknown status {status!r}; statuses: {', '.join(settings.all_statuses)}")
        doc: dict[str, Any] = {"kind": kind, "title": title, "status": status}
        for name, raw in self.fields.items():
            if name in ("title", "kind"):
                continue
            value = coerce_field(name, raw, today=txn.today)
            if value not in (None, "", []):
                doc[name] = value
        check_person(txn, doc.get("owner"), "owner")
        check_item_ref(txn, None, doc.get("parent"), "parent")
        check_item_ref(txn, None, doc.get("goal"), "goal")
        check_blockers(txn, None, doc.get("blocked_by", []))
        if self.checklist:
            doc["checklist"] = [{"text": clean_step(t), "done": False} for t in self.checklist]
        if doc.get("why"):
            doc["why_log"] = [{"at": txn.now, "by": txn.actor, "text": doc["why"], "kind": "why"}]
        doc.update(created_at=txn.now, created_by=txn.actor, updated_at=txn.now, updated_by=txn.actor,
                   status_since=txn.now, rank=txn.bottom_rank())
        item_id = txn.add_item(doc)
        txn.record("create", item_id, {k: [None, v] for k, v in doc.items() if k not in BOOKKEEPING},
                   f"created #{item_id} {title[:60]}")
        return item_id


class SetFields(NamedTuple):
    """Set fields of one item.

    ``values`` are typed values (``"fri"``, ``"ana"``, ``"a,b"``) or already
    stored values. ``expected`` holds the stored values the caller saw; a field
    someone else changed meanwhile raises :class:`Conflict`. Fields not in
    ``expected`` are set whatever they hold (last writer wins, with history).
    """

    item_id: int
    values: dict[str, Any]
    expected: dict[str, Any] | None = None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        if not self.values:
            raise BadValue("nothing to set")
        new = {name: coerce_field(name, raw, today=txn.today) for name, raw in self.values.items()}
        if self.expected:
            check_expected(txn, self.item_id, doc, self.expected)
        if "owner" in new:
            check_person(txn, new["owner"], "owner")
        if "requester" in new and new["requester"] is not None and not is_handle(new["requester"]):
            raise BadValue("requester must be a handle")
        for ref in ("parent", "goal"):
            if ref in new:
                check_item_ref(txn, self.item_id, new[ref], ref)
        if "blocked_by" in new:
            before = blockers_of(doc)
            check_blockers(txn, self.item_id, [b for b in new["blocked_by"] if b not in before])
        changes = {}
        for name, value in new.items():
            old = doc.get(name)
            if same_value(old) == same_value(value):
                continue
            changes[name] = [old, value]
            if value in (None, "", []):
                doc.pop(name, None)
            else:
                doc[name] = value
        if not changes:
            return self.item_id
        if "why" in changes:
            # Clearing the why is a decision too: logged with empty text, so the log
            # still shows who took the reason away and when.
            doc["why_log"] = [*doc.get("why_log", []), {"at": txn.now, "by": txn.actor, "text": changes["why"][1] or "", "kind": "why"}]
        touch(txn, doc)
        txn.record("set", self.item_id, changes, f"set {field_names(changes)} of #{self.item_id}")
        return self.item_id


class Move(NamedTuple):
    """Move an item to a status (a board column, the inbox, done, declined, archived)."""

    item_id: int
    status: str
    expected_status: str | None = None
    reason: str = ""
    """Why it was declined; required for ``declined``."""
    instead: int | None = None
    """Closing a duplicate: the original, which what waited on the duplicate waits on from now on."""

    def apply(self, txn: Transaction) -> int:
        settings = txn.settings
        doc = txn.raw_item(self.item_id)
        if self.status not in settings.all_statuses:
            raise BadValue(f"unknown status {self.status!r}; statuses: {', '.join(settings.all_statuses)}")
        if self.expected_status is not None:
            check_expected(txn, self.item_id, doc, {"status": self.expected_status})
        old = doc.get("status")
        if old == self.status:
            return self.item_id
        changes: dict[str, list[Any]] = {"status": [old, self.status]}
        if self.status == "declined":
            reason = clean_text(self.reason, limit=TEXT_LIMIT, what="reason").strip()
            if not reason:
                raise BadValue("declining needs a reason")
            changes["decline_reason"] = [doc.get("decline_reason"), reason]
            doc["decline_reason"] = reason
        limit = settings.wip.get(self.status)
        if limit is not None:
            count = txn.count_with_status(self.status)
            if count >= limit:
                if settings.wip_blocks:
                    raise BadValue(f"{self.status} is {'at' if count == limit else 'over'} its WIP limit "
                                   f"({count}/{limit}); this workspace refuses moves past it")
                _wip_warning(txn, self.status, count + 1, limit)
        if self.status == settings.done and doc.get("kind") in ("goal", "project", "workstream"):
            still_open = _open_under(txn, self.item_id)
            if still_open:
                kind = doc.get("kind", "item")
                txn.warnings.append(f"{kind} #{self.item_id} is done, but {still_open} open item"
                                    f"{'s' if still_open != 1 else ''} still {'serve' if still_open != 1 else 'serves'} "
                                    f"it (worktop ls parent:{self.item_id} lists the ones directly under it)")
        if self.status in settings.statuses[2:-1]:  # an in-progress column: starting work that waits
            waiting = open_blockers(doc, _DocsOf(txn), settings.is_open)
            if waiting:
                txn.warnings.append(f"#{self.item_id} is blocked by {', '.join(f'#{b}' for b in waiting)} "
                                    f"(still open); moved to {self.status} anyway")
        doc["status"] = self.status
        doc["status_since"] = txn.now
        doc["rank"] = txn.bottom_rank()
        if self.status == settings.board_statuses[0] and doc.get("snoozed_until"):
            changes["snoozed_until"] = [doc.pop("snoozed_until"), None]
        touch(txn, doc)
        verbs = {"declined": "declined", "archived": "archived", settings.done: "finished"}
        summary = f"{verbs[self.status]} #{self.item_id}" if self.status in verbs else f"moved #{self.item_id} to {self.status}"
        txn.record("move", self.item_id, changes, summary)
        if self.status in CLOSED_STATUSES:
            release_blocked(txn, self.item_id, self.status, instead=self.instead)
        return self.item_id


class _DocsOf:
    """The transaction's documents as a read-only ``{id: doc}`` lookup, for the dependency helpers."""

    def __init__(self, txn: Transaction) -> None:
        self.txn = txn

    def get(self, item_id: int) -> dict[str, Any] | None:
        return self.txn.doc(item_id)


class Block(NamedTuple):
    """Make an item wait on others (``worktop block 12 --by 15``); a cycle is refused, naming it."""

    item_id: int
    by: list[int]

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        if not self.by:
            raise BadValue("block needs at least one item it waits on (--by ID)")
        current = blockers_of(doc)
        added = [b for b in dict.fromkeys(self.by) if b not in current]
        check_blockers(txn, self.item_id, added)
        if added:
            _set_blockers(txn, self.item_id, [*current, *added],
                          f"#{self.item_id} blocked by {', '.join(f'#{b}' for b in added)}")
        return self.item_id


class Unblock(NamedTuple):
    """Stop an item waiting on some blockers (``by``), or on all of them (``by`` empty)."""

    item_id: int
    by: Sequence[int] = ()

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        current = blockers_of(doc)
        gone = [b for b in current if b in self.by] if self.by else current
        if gone:
            _set_blockers(txn, self.item_id, [b for b in current if b not in gone],
                          f"#{self.item_id} no longer blocked by {', '.join(f'#{b}' for b in gone)}")
        return self.item_id


def _wip_warning(txn: Transaction, status: str, count: int, limit: int) -> None:
    """One warning per column however many cards one write moves there, with the count after the last."""
    prefix = f"{status} is over its WIP limit"
    txn.warnings[:] = [warning for warning in txn.warnings if not warning.startswith(prefix)]
    txn.warnings.append(f"{prefix}: {count} cards for {limit}; moved anyway")


def _open_under(txn: Transaction, item_id: int) -> int:
    """Open items below ``item_id`` (through parents) or linked to it as their goal."""
    closed = {txn.settings.done, *CLOSED_STATUSES}
    count = 0
    for key, doc in txn.docs():
        if key == item_id or doc.get("status") in closed:
            continue
        seen: set[int] = set()
        current: dict[str, Any] | None = doc
        while current is not None:
            if current.get("goal") == item_id or current.get("parent") == item_id:
                count += 1
                break
            parent = current.get("parent")
            if parent is None or parent in seen:
                break
            seen.add(parent)
            current = txn.doc(parent)
    return count


class AddWhyNote(NamedTuple):
    """Add a note to the why log without changing the current why (a decision, a link)."""

    item_id: int
    text: str

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        text = clean_text(self.text, limit=TEXT_LIMIT, what="note").strip()
        if not text:
            raise BadValue("the note is empty")
        entry = {"at": txn.now, "by": txn.actor, "text": text, "kind": "note"}
        doc["why_log"] = [*doc.get("why_log", []), entry]
        touch(txn, doc)
        txn.record("note", self.item_id, {"why_log": [None, text]}, f"noted on #{self.item_id}")
        return self.item_id


class Archive(NamedTuple):
    """Put an item away (status ``archived``)."""

    item_id: int

    def apply(self, txn: Transaction) -> int:
        return Move(self.item_id, "archived").apply(txn)


class Reorder(NamedTuple):
    """Move a card up (``-1``) or down (``+1``) within its board column."""

    item_id: int
    delta: int

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        column = sorted(
            ((d.get("rank", 0.0) or 0.0, k) for k, d in txn.docs() if d.get("status") == doc.get("status")),
        )
        ids = [i for _, i in column]
        index = ids.index(self.item_id)
        target = index + self.delta
        if not 0 <= target < len(ids):
            return self.item_id
        ids[index], ids[target] = ids[target], ids[index]
        # Swap the two cards' ranks; nothing else in the column is rewritten.
        other_id = ids[index]  # the neighbour now sits where this card was
        other = txn.raw_item(other_id)
        my_rank, their_rank = column[index][0], column[target][0]
        if my_rank == their_rank:
            their_rank = my_rank + (0.5 if self.delta > 0 else -0.5)
        doc["rank"], other["rank"] = their_rank, my_rank
        txn.note_rank(max(my_rank, their_rank))
        touch(txn, doc)
        txn.record("reorder", self.item_id, {"rank": [my_rank, their_rank]}, f"reordered #{self.item_id}")
        txn.record("reorder", other_id, {"rank": [their_rank, my_rank]},
                   f"reordered #{other_id} (swapped with #{self.item_id})")
        return self.item_id


__all__ = [
    "CLOSED_STATUSES",
    "KINDS",
    "AddWhyNote",
    "Archive",
    "Block",
    "CreateItem",
    "Move",
    "Operation",
    "Reorder",
    "SetFields",
    "Unblock",
    "check_blockers",
    "release_blocked",
]
