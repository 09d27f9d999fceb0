"""The message a pane posts to have one field of one item edited with a quick prompt."""

from __future__ import annotations

from textual.message import Message

QUICK_FIELDS = ("owner", "due", "why", "note", "goal", "blocked_by", "step")
"""What a quick prompt can edit: the owner, the due date, the why, a why-log note, the goal link, the blockers,
a step."""


class EditRequested(Message):
    """Edit ``field`` of item ``item_id`` (one of :data:`QUICK_FIELDS`); the screen opens the prompt and applies it."""

    def __init__(self, item_id: int, field: str, *, index: int | None = None, editing: bool = False) -> None:
        super().__init__()
        self.item_id = item_id
        self.field = field
        self.index = index
        """For a step: where a new one goes, or which one is edited (None: a new step at the end)."""
        self.editing = editing
        """For a step: change the step at ``index`` rather than add one there."""
