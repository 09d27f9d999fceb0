"""Operations: every change to a workspace is one of these, applied by ``Workspace.apply``.

Each operation validates against the fresh state inside the lock, edits the
stored documents in place (so unknown fields survive), and records history
entries with each field's old → new value. Nested lists are replaced, never
mutated, because snapshots taken earlier may still share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from data.errors import BadValue, Conflict, NotFound
from data.model.dependencies import blockers_of, cycle_through, describe_cycle, open_blockers
from data.model.items import (
    CLOSED_STATUSES,
    KINDS,
    RESERVED_HANDLES,
    ROLES,
    TEXT_LIMIT,
    Person,
    clean_text,
    coerce_field,
    is_handle,
)
from data.model.wording import field_names, show_time
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import BOOKKEEPING, check_expected, check_item_ref, check_person, same_value, touch


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


@dataclass
class CreateItem:
    """Make a new item. ``fields`` are typed values (validated as ``set`` validates)."""

    title: str
    kind: str = "task"
    status: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    checklist: list[str] = field(default_factory=list)

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


@dataclass
class SetFields:
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


@dataclass
class Move:
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


@dataclass
class Block:
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


@dataclass
class Unblock:
    """Stop an item waiting on some blockers (``by``), or on all of them (``by`` empty)."""

    item_id: int
    by: list[int] = field(default_factory=list)

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


@dataclass
class AddWhyNote:
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


STEP_LIMIT = 500
"""Longest step text accepted, in characters."""


def clean_step(text: str) -> str:
    """A step's text as stored: one line, trimmed, not empty."""
    text = clean_text(text, limit=STEP_LIMIT, what="step", single_line=True)
    if not text:
        raise BadValue("the step is empty")
    return text


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """A copy of an item's checklist to edit (the stored list may be shared with older snapshots)."""
    return [dict(step) for step in doc.get("checklist") or [] if isinstance(step, dict)]


def _find_step(txn: Transaction, item_id: int, steps: list[dict[str, Any]], index: int,
               expected_text: str | None) -> int:
    """The step meant: ``index``, or where the step with ``expected_text`` went (another terminal
    may have added, moved or removed steps since it was shown); a :class:`Conflict` if it is gone."""
    if expected_text is None:
        if not 0 <= index < len(steps):
            raise BadValue(f"#{item_id} has no step {index + 1} (it has {len(steps)})")
        return index
    if 0 <= index < len(steps) and steps[index].get("text") == expected_text:
        return index
    same = [i for i, step in enumerate(steps) if step.get("text") == expected_text]
    if len(same) == 1:
        return same[0]
    entry = txn.last_change_of(item_id, "checklist")
    who = entry["by"] if entry else "someone"
    raise Conflict(f"the step {expected_text[:60]!r} of #{item_id} was changed or removed by {who} meanwhile; "
                   "nothing was written", item_id=item_id, field="checklist", by=who, value=None)


def _write_steps(txn: Transaction, item_id: int, doc: dict[str, Any], steps: list[dict[str, Any]],
                 summary: str) -> int:
    """Store the new checklist; history holds the whole list before and after, so undo puts it back."""
    old = doc.get("checklist") or []
    if steps == old:
        return item_id
    if steps:
        doc["checklist"] = steps
    else:
        doc.pop("checklist", None)
    touch(txn, doc)
    txn.record("step", item_id, {"checklist": [old or None, steps or None]}, summary)
    return item_id


@dataclass
class AddStep:
    """Add a checklist step: at the end, or before position ``at`` (from 0)."""

    item_id: int
    text: str
    at: int | None = None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        steps = _steps(doc)
        at = len(steps) if self.at is None else max(0, min(self.at, len(steps)))
        steps.insert(at, {"text": clean_step(self.text), "done": False})
        return _write_steps(txn, self.item_id, doc, steps, f"added step {at + 1} to #{self.item_id}")


@dataclass
class EditStep:
    """Change a step's text (``index`` from 0; ``expected_text``: the text the person saw)."""

    item_id: int
    index: int
    text: str
    expected_text: str | None = None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        steps = _steps(doc)
        index = _find_step(txn, self.item_id, steps, self.index, self.expected_text)
        steps[index]["text"] = clean_step(self.text)
        return _write_steps(txn, self.item_id, doc, steps, f"edited step {index + 1} of #{self.item_id}")


@dataclass
class MoveStep:
    """Move a step up (``delta`` -1) or down (+1) in the checklist."""

    item_id: int
    index: int
    delta: int
    expected_text: str | None = None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        steps = _steps(doc)
        index = _find_step(txn, self.item_id, steps, self.index, self.expected_text)
        target = max(0, min(len(steps) - 1, index + self.delta))
        steps.insert(target, steps.pop(index))
        return _write_steps(txn, self.item_id, doc, steps, f"moved step {index + 1} of #{self.item_id} to {target + 1}")


@dataclass
class ToggleStep:
    """Flip a checklist step's done flag (``index`` from 0)."""

    item_id: int
    index: int
    expected_done: bool | None = None
    expected_text: str | None = None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        steps = _steps(doc)
        index = _find_step(txn, self.item_id, steps, self.index, self.expected_text)
        step = steps[index]
        if self.expected_done is not None and bool(step.get("done")) != self.expected_done:
            raise Conflict(f"step {index + 1} of #{self.item_id} was already toggled by someone else",
                           item_id=self.item_id, field="checklist")
        step["done"] = not step.get("done")
        verb = "ticked off" if step["done"] else "reopened"
        return _write_steps(txn, self.item_id, doc, steps, f"{verb} step {index + 1} of #{self.item_id}")


@dataclass
class RemoveStep:
    """Take a step out of the checklist."""

    item_id: int
    index: int
    expected_text: str | None = None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        steps = _steps(doc)
        index = _find_step(txn, self.item_id, steps, self.index, self.expected_text)
        del steps[index]
        return _write_steps(txn, self.item_id, doc, steps, f"removed step {index + 1} of #{self.item_id}")


@dataclass
class SetSteps:
    """Replace the whole checklist (the editor's steps field); ``expected`` is the list the person saw."""

    item_id: int
    steps: list[dict[str, Any]]
    expected: list[dict[str, Any]] | None = None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        current = _steps(doc)
        if self.expected is not None and current != [dict(step) for step in self.expected]:
            entry = txn.last_change_of(self.item_id, "checklist")
            who = entry["by"] if entry else "someone"
            raise Conflict(f"#{self.item_id} steps were changed by {who} meanwhile; nothing was written",
                           item_id=self.item_id, field="checklist", by=who, value=current)
        steps = [{"text": clean_step(str(step.get("text", ""))), "done": bool(step.get("done"))}
                 for step in self.steps]
        return _write_steps(txn, self.item_id, doc, steps, f"set the steps of #{self.item_id}")


@dataclass
class Archive:
    """Put an item away (status ``archived``)."""

    item_id: int

    def apply(self, txn: Transaction) -> int:
        return Move(self.item_id, "archived").apply(txn)


@dataclass
class SetRole:
    """Set a person's role on an item: ``A`` (accountable owner), ``R``, ``C``, ``I`` or none.

    Setting ``A`` makes the person the owner; exactly one owner is kept, so the
    previous owner is demoted to ``R``.
    """

    item_id: int
    handle: str
    role: str | None

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        check_person(txn, self.handle, "role")
        role = (self.role or "").upper() or None
        if role not in (None, "A", *ROLES):
            raise BadValue(f"role {self.role!r} must be A, R, C, I or none")
        roles = dict(doc.get("roles", {}))
        changes: dict[str, list[Any]] = {}
        owner = doc.get("owner")
        if role == "A":
            if owner != self.handle:
                if owner:
                    roles[owner] = "R"
                changes["owner"] = [owner, self.handle]
                doc["owner"] = self.handle
            roles.pop(self.handle, None)
            # Exactly one accountable person: anyone else marked A in the roles (a
            # hand-edited or older file) is demoted to responsible.
            for other, letter in list(roles.items()):
                if letter == "A":
                    roles[other] = "R"
        else:
            if owner == self.handle:
                changes["owner"] = [owner, None]
                doc.pop("owner", None)
            if role is None:
                roles.pop(self.handle, None)
            else:
                roles[self.handle] = role
        if roles != doc.get("roles", {}):
            changes["roles"] = [doc.get("roles", {}), roles]
            doc["roles"] = roles
            if not roles:
                doc.pop("roles")
        if not changes:
            return self.item_id
        touch(txn, doc)
        txn.record("role", self.item_id, changes, f"set {self.handle}'s role on #{self.item_id} to {role or 'none'}")
        return self.item_id


@dataclass
class AddPerson:
    """Add someone who can own work."""

    person: Person

    def apply(self, txn: Transaction) -> None:
        handle = self.person.handle.strip().lstrip("@")
        if not is_handle(handle):
            raise BadValue(f"{self.person.handle!r} is not a handle (letters, digits, . _ -)")
        if handle.lower() in RESERVED_HANDLES:
            raise BadValue(f"{handle!r} cannot be a person's handle: it already means "
                           + ("you, whoever runs worktop" if handle.lower() == "me" else "nobody")
                           + " (in --owner and in queries); pick another handle")
        if txn.has_person(handle):
            raise BadValue(f"{handle} is already in this workspace")
        if self.person.capacity < 0:
            raise BadValue("capacity cannot be negative")
        doc = {"handle": handle, "name": clean_text(self.person.name, limit=100, what="name", single_line=True),
               "team": clean_text(self.person.team, limit=60, what="team", single_line=True),
               "capacity": int(self.person.capacity)}
        txn.add_person(doc)
        txn.record("person", None, {"person": [None, handle]}, f"added {handle}")
        return None


@dataclass
class Reorder:
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


__all__ = [
    "CLOSED_STATUSES",
    "KINDS",
    "Accept",
    "AddPerson",
    "AddStep",
    "AddWhyNote",
    "Archive",
    "Block",
    "CreateItem",
    "EditStep",
    "MarkDuplicate",
    "Move",
    "MoveStep",
    "Operation",
    "RemoveStep",
    "Reorder",
    "SetFields",
    "SetRole",
    "SetSteps",
    "Snooze",
    "ToggleStep",
    "Unblock",
]
