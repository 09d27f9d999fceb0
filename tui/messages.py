"""Messages the app posts to itself from the watcher thread."""

from __future__ import annotations

from textual.message import Message

from data.model.snapshot import Snapshot


class WorkspaceChanged(Message):
    """The file holds a new revision (written by another process)."""

    def __init__(self, snapshot: Snapshot, *, force: bool = False) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.force = force
        """Draw even if it is the snapshot on screen (whether the file may be written changed)."""

    def can_replace(self, message: Message) -> bool:
        # Several changes while the UI was busy: only the newest needs drawing.
        return isinstance(message, WorkspaceChanged) and not (message.force and not self.force)


class WorkspaceProblem(Message):
    """The file vanished or stopped parsing (``message``), or is good again (None)."""

    def __init__(self, message: str | None) -> None:
        super().__init__()
        self.message = message

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkspaceProblem)
