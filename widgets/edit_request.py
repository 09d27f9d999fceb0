"""The message a pane posts to have one field of one item edited with a quick prompt."""

from __future__ import annotations

from textual.message import Message

QUICK_FIELDS = ("owner", "due", "why", "note", "goal", "blocked_by")
"""What a quick prompt can edit: the owner, the due date, the why, a why-log note, the goal link, the blockers."""


class EditRequested(Message):
    """Edit ``field`` of item ``item_id`` (one of :data:`QUICK_FIELDS`); the screen opens the prompt and applies it."""

    def __init__(self, item_id: int, field: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.field = field
