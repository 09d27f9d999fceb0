"""The errors a person reads: one hierarchy for every layer and every store.

``str()`` of each is the whole message, written to be acted on. The CLI maps
them to exit codes (tui/cli/output.py); the TUI shows them as notifications or
a banner. Bad input (:class:`BadValue` and the parsers' ``BadDate``,
``BadQuery``) is a ``ValueError``; everything about the workspace itself is a
:class:`WorkspaceError`.
"""

from __future__ import annotations

from typing import Any


class BadValue(ValueError):
    """A field value a person typed that cannot be stored; the message says why."""


class WorkspaceError(Exception):
    """Base for errors about the workspace; ``str()`` is the whole message."""


class WorkspaceMissing(WorkspaceError):
    """No workspace at the location."""


class WorkspaceUnreadable(WorkspaceError):
    """The workspace exists but is not one, is damaged, or cannot be read."""


class ReadOnlyWorkspace(WorkspaceError):
    """This process may read the workspace but not write it."""


class LockHeld(WorkspaceError):
    """Another process has held the workspace lock for longer than a write ever takes."""


class StoreUnavailable(WorkspaceError):
    """The store cannot be reached right now (a server restarting, a network down); nothing was written."""


class NotFound(WorkspaceError):
    """An item id that is not in the workspace."""


class Conflict(WorkspaceError):
    """Someone else changed what this operation expected to find; nothing was written."""

    def __init__(self, message: str, *, item_id: int | None = None, field: str | None = None,
                 by: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.item_id = item_id
        self.field = field
        self.by = by
        self.value = value


__all__ = ["BadValue", "Conflict", "LockHeld", "NotFound", "ReadOnlyWorkspace", "StoreUnavailable", "WorkspaceError",
           "WorkspaceMissing", "WorkspaceUnreadable"]
