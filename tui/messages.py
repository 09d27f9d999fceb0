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
    """The file vanished or stopped parsing, or the server is out of reach (``message``), or all is well (None)."""

    def __init__(self, message: str | None, *, unreachable: bool = False) -> None:
        super().__init__()
        self.message = message
        self.unreachable = unreachable
        """The store cannot be reached (StoreUnavailable), as opposed to a file that cannot be read."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkspaceProblem)
