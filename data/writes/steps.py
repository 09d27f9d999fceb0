"""Operations on an item's steps (its checklist): add, edit, move, tick off, remove, or set them all.

Each names the step by its position and, where the person saw it, by its
text: another terminal may have added, moved or removed steps since, so the
step meant is found by its text, and a step that is gone is a
:class:`~data.errors.Conflict`. History keeps the whole list before and after,
so undo puts it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from data.errors import BadValue, Conflict
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import clean_step, touch


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


__all__ = ["AddStep", "EditStep", "MoveStep", "RemoveStep", "SetSteps", "ToggleStep"]
