"""Undo and redo of one person's own writes, computed from the workspace history.

Every write appends history entries with each field's old → new value, in the
same atomic write as the change (data/writes/ops.py). Undoing a write sets each field
back to its old value, but only where the field still holds the value the
write gave it: the inverse operations carry that value as ``expected`` (as
:class:`~data.writes.ops.SetFields` does), so a field someone else changed since is
left alone, and the person is told who changed it and when. What can be
undone is applied in one ``apply_all``: all of it, or nothing.

The undo itself is a write with history entries, so redo is the same
computation over the undo's entries. Logs stay logs: undoing a new why sets the
old why back (which the why log records as a why again) rather than deleting
the log entry; a note the undone write added (a duplicate's carried-over
requester and notes) is taken back, since it would state something untrue.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from data.errors import BadValue, Conflict, NotFound, WorkspaceError
from data.model.items import EDITABLE_FIELDS, clean_text
from data.model.snapshot import Snapshot
from data.model.wording import field_name, field_names, show_time, summary_of
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import check_expected, same_value, shown, touch
from data.writes.ops import AddWhyNote, Move, Operation, SetFields
from data.writes.steps import ToggleStep
from data.writes.workspace import Result, Workspace

RAW_FIELDS = frozenset({"rank", "decline_reason", "duplicate_of", "roles", "checklist"})
"""Stored fields no typed-value operation sets, restored as stored by :class:`RestoreFields`."""

UNDO_LIMIT = 100
"""Steps kept per session."""


# -- operations only undo needs -------------------------------------------------

@dataclass
class RestoreFields:
    """Put stored values back (undo) for fields that ``SetFields`` does not take: rank, decline reason, ….

    ``expected`` holds the values the undone write left; a field holding
    something else now raises :class:`Conflict`.
    """

    item_id: int
    values: dict[str, Any]
    expected: dict[str, Any] | None = None

    def apply(self, txn: Transaction) -> int:
        unknown = set(self.values) - RAW_FIELDS
        if unknown:
            raise BadValue(f"cannot restore {', '.join(sorted(unknown))} directly")
        doc = txn.raw_item(self.item_id)
        if self.expected:
            check_expected(txn, self.item_id, doc, self.expected)
        changes = {}
        for name, value in self.values.items():
            old = doc.get(name)
            if same_value(old) == same_value(value):
                continue
            changes[name] = [old, value]
            if same_value(value) is None:
                doc.pop(name, None)
            else:
                doc[name] = value
        if changes:
            touch(txn, doc)
            txn.record("restore", self.item_id, changes, f"restored {field_names(changes)} of #{self.item_id}")
        return self.item_id


@dataclass
class RemoveNote:
    """Take back a why-log note this person's undone write added (the newest with that text)."""

    item_id: int
    text: str

    def apply(self, txn: Transaction) -> int:
        doc = txn.raw_item(self.item_id)
        log = list(doc.get("why_log", []))
        for index in range(len(log) - 1, -1, -1):
            entry = log[index]
            if entry.get("kind") == "note" and entry.get("text") == self.text:
                del log[index]
                doc["why_log"] = log
                touch(txn, doc)
                txn.record("unnote", self.item_id, {"why_log": [self.text, None]},
                           f"took back a note on #{self.item_id}")
                break
        return self.item_id


# -- what a write changed ----------------------------------------------------------

@dataclass
class UndoStep:
    """One write of this session: its history entries, enough to compute the inverse."""

    revision: int
    summary: str
    entries: list[dict[str, Any]]
    """The write's history entries, in the order they were made."""
    ranks: dict[int, float] = field(default_factory=dict)
    """Where moved items sat in their column before (a move's history entry does not say)."""

    @classmethod
    def of_result(cls, result: Result, before: Snapshot | None = None) -> UndoStep | None:
        """The step for a write this session made, from the history entries it wrote (None if it wrote nothing)."""
        entries = [dict(entry) for entry in result.entries]
        if not result.changed or not entries:
            return None
        revision = result.revision
        ranks: dict[int, float | None] = {}
        if before is not None:
            for entry in entries:
                item_id = entry.get("item")
                if "status" in (entry.get("changes") or {}) and item_id in before.docs:
                    ranks.setdefault(item_id, before.docs[item_id].get("rank"))
        summary = summary_of(entries)
        return cls(revision, summary, entries, {k: v for k, v in ranks.items() if v is not None})


@dataclass
class _ItemChanges:
    fields: dict[str, list[Any]] = field(default_factory=dict)
    """field → [value before the step, value after it]."""
    notes_added: list[str] = field(default_factory=list)
    notes_removed: list[str] = field(default_factory=list)
    created: bool = False


def net_changes(entries: list[dict[str, Any]]) -> tuple[dict[int, _ItemChanges], list[str]]:
    """Per item, each field's value before and after the step; plus what cannot be undone."""
    items: dict[int, _ItemChanges] = {}
    cannot: list[str] = []
    for entry in entries:
        item_id = entry.get("item")
        changes = entry.get("changes") or {}
        if item_id is None:
            if "person" in changes:
                cannot.append(f"{changes['person'][1]} stays in the people list")
            continue
        record = items.setdefault(item_id, _ItemChanges())
        if entry.get("op") == "create":
            record.created = True
            record.fields["status"] = [None, changes.get("status", [None, None])[1]]
            continue
        for name, pair in changes.items():
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            old, new = pair
            if name == "why_log":
                if old is None and new is not None:
                    record.notes_added.append(new)
                elif new is None and old is not None:
                    record.notes_removed.append(old)
            elif name == "checklist" and not all(value is None or isinstance(value, list) for value in pair):
                cannot.append(f"the step added to #{item_id} stays")  # written by an older worktop
            elif name in record.fields:
                record.fields[name][1] = new
            else:
                record.fields[name] = [old, new]
    return items, cannot


# -- planning the inverse -----------------------------------------------------------

@dataclass
class UndoPlan:
    """The inverse of a step against the workspace as it is now."""

    ops: list[Operation]
    kept: list[str]
    """What is left as it is, and why (someone changed it since; it cannot be undone)."""


def plan_inverse(step: UndoStep, snapshot: Snapshot) -> UndoPlan:
    """Operations that put back what ``step`` changed, where it still holds what the step left."""
    items, kept = net_changes(step.entries)
    ops: list[Operation] = []
    for item_id, record in items.items():
        doc = snapshot.docs.get(item_id)
        if doc is None:
            kept.append(f"#{item_id} is no longer in the workspace")
            continue
        ops += _item_inverse(step, snapshot, item_id, doc, record, kept)
    return UndoPlan(ops, kept)


def _item_inverse(step: UndoStep, snapshot: Snapshot, item_id: int, doc: dict[str, Any], record: _ItemChanges,
                  kept: list[str]) -> list[Operation]:
    fields = {name: pair for name, pair in record.fields.items() if same_value(pair[0]) != same_value(pair[1])}
    ops: list[Operation] = []

    def still_mine(name: str, left: Any) -> bool:
        if same_value(doc.get(name)) == same_value(left):
            return True
        kept.append(_changed_since(snapshot, step.revision, item_id, name, doc.get(name)))
        return False

    status = fields.pop("status", None)
    if status is not None:
        fields.pop("rank", None)  # a move's rank goes with its status (see UndoStep.ranks)
    status_back = False
    if status is not None:
        before, after = status
        if still_mine("status", after):
            status_back = True
            if record.created:
                ops.append(Move(item_id, "archived", expected_status=after))
            else:
                reason = ""
                if before == "declined":
                    reason = (fields.get("decline_reason") or [doc.get("decline_reason")])[0] or "declined again (redo)"
                ops.append(Move(item_id, before, expected_status=after, reason=reason))
                if item_id in step.ranks:
                    ops.append(RestoreFields(item_id, {"rank": step.ranks[item_id]}))
        else:
            # The close belongs with the status: leave its reason and duplicate link too.
            fields.pop("decline_reason", None)
            fields.pop("duplicate_of", None)
    if record.created:
        return ops
    if status_back and status is not None and status[0] == "declined":
        fields.pop("decline_reason", None)  # the move back to declined sets it
    editable = {name: pair for name, pair in fields.items() if name in EDITABLE_FIELDS and still_mine(name, pair[1])}
    if editable:
        ops.append(SetFields(item_id, {n: p[0] if p[0] is not None else "" for n, p in editable.items()},
                             expected={n: p[1] for n, p in editable.items()}))
    raw = {name: pair for name, pair in fields.items() if name in RAW_FIELDS and still_mine(name, pair[1])}
    if raw:
        ops.append(RestoreFields(item_id, {n: p[0] for n, p in raw.items()}, expected={n: p[1] for n, p in raw.items()}))
    for name, (_before, after) in fields.items():
        if name.startswith("checklist."):
            index = int(name.split(".", 1)[1])
            ops.append(ToggleStep(item_id, index, expected_done=bool(after)))
        elif name not in EDITABLE_FIELDS and name not in RAW_FIELDS:
            kept.append(f"#{item_id} {name} cannot be undone")
    for text in reversed(record.notes_added):
        ops.append(RemoveNote(item_id, text))
    for text in record.notes_removed:
        ops.append(AddWhyNote(item_id, clean_text(text, limit=20_000, what="note")))
    return ops


def _changed_since(snapshot: Snapshot, revision: int, item_id: int, name: str, value: Any) -> str:
    """"#12 owner was changed by bo at … to 'cy'; left as it is" (who changed it after the step)."""
    for entry in snapshot.history.entries(item_id=item_id, since=revision, newest_first=True):
        if name in entry["changes"]:
            return (f"#{item_id} {field_name(name)}: changed by {entry.get('by', 'someone')} at "
                    f"{show_time(entry.get('at', '?'))} to {shown(value)}; left as it is")
    return f"#{item_id} {field_name(name)}: changed by someone else to {shown(value)}; left as it is"


# -- the per-session stacks -----------------------------------------------------------

@dataclass
class Outcome:
    """What an undo or redo did, for the person who asked."""

    done: str | None
    """Summary of the step undone or redone; None when nothing was written."""
    kept: list[str]
    error: str | None = None
    result: Result | None = None

    @property
    def message(self) -> str:
        parts = []
        if self.error:
            parts.append(self.error)
        elif self.done:
            parts.append(self.done)
        parts += self.kept
        return "; ".join(parts)


class UndoHistory:
    """This session's own writes (undo stack) and undone writes (redo stack).

    :meth:`record` is called after every write the person makes; while
    :meth:`undo` or :meth:`redo` writes, the step lands on the other stack.
    """

    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self.limit = limit
        self.done: list[UndoStep] = []
        self.undone: list[UndoStep] = []
        self._replaying: str | None = None

    def record(self, step: UndoStep | None) -> None:
        if step is None:
            return
        if self._replaying == "undo":
            self.undone.append(step)
        else:
            self.done.append(step)
            if self._replaying is None:
                self.undone.clear()
        del self.done[:-self.limit]

    @contextmanager
    def _replay(self, kind: str) -> Iterator[None]:
        self._replaying = kind
        try:
            yield
        finally:
            self._replaying = None

    def undo(self, workspace: Workspace) -> Outcome:
        """Undo this session's newest write that is not undone yet."""
        return self._run(workspace, "undo")

    def redo(self, workspace: Workspace) -> Outcome:
        """Redo the newest undone write."""
        return self._run(workspace, "redo")

    def _run(self, workspace: Workspace, kind: str) -> Outcome:
        stack = self.done if kind == "undo" else self.undone
        if not stack:
            return Outcome(None, [], error=f"nothing to {kind}")
        step = stack.pop()
        verb = "undid" if kind == "undo" else "redid"
        try:
            before = workspace.snapshot()
            plan = plan_inverse(step, before)
            if not plan.ops:
                return Outcome(None, plan.kept, error=f"nothing {'undone' if kind == 'undo' else 'redone'}")
            with self._replay(kind):
                result = workspace.apply_all(plan.ops)
                if result.changed:
                    self.record(UndoStep.of_result(result, before))
        except (Conflict, BadValue, NotFound, WorkspaceError) as error:
            stack.append(step)  # nothing was written: it can be tried again
            return Outcome(None, [], error=f"not {'undone' if kind == 'undo' else 'redone'}: {error}")
        return Outcome(f"{verb}: {step.summary}", plan.kept, result=result)


__all__ = [
    "RAW_FIELDS",
    "Outcome",
    "RemoveNote",
    "RestoreFields",
    "UndoHistory",
    "UndoPlan",
    "UndoStep",
    "net_changes",
    "plan_inverse",
]
