"""What a store is: where one workspace lives, behind ``Workspace.apply``.

Two implement it: :class:`data.store.file_store.FileStore` (one JSON file and
its history beside it, the default) and the PostgreSQL store. Operations see
only :class:`data.store.transaction.StoreTransaction`; views see only
:class:`data.model.snapshot.Snapshot`; the TUI sees the workspace. None of them
knows which store it runs on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from data.store.transaction import StoreTransaction

if TYPE_CHECKING:
    from data.model.snapshot import Snapshot
    from data.store.presence import Presence


class Store(Protocol):
    """One workspace's storage: snapshots to read, transactions to write, news of other processes' writes."""

    path: Path
    """The file (or, for a server store, a local stand-in used to name presence and messages)."""

    @property
    def location(self) -> str:
        """Where the workspace is, as a person would write it (a path, a ``postgresql://`` URL)."""
        ...

    def snapshot(self) -> Snapshot:
        """The workspace now; cheap when nothing changed. Raises a WorkspaceError saying what is wrong."""
        ...

    def changed(self) -> bool:
        """Cheap check whether :meth:`snapshot` may give something new."""
        ...

    def meta(self) -> Mapping[str, Any]:
        """The settings document now (without reading every item where the store can)."""
        ...

    @property
    def writable(self) -> bool:
        ...

    def access_problem(self) -> str | None:
        """Why this user cannot write, in words; None if they can."""
        ...

    def transaction(self, actor: str, now: str, today: date) -> AbstractContextManager[StoreTransaction]:
        """The workspace locked for writing and read fresh; yields a :class:`StoreTransaction`."""
        ...

    def commit(self, txn: StoreTransaction) -> int:
        """Write what the transaction changed, with its history, atomically; returns the new revision."""
        ...

    def watch(self, on_change: Callable[[], None], stop: threading.Event) -> None:
        """Call ``on_change()`` in this thread whenever another process may have written; until ``stop``."""
        ...

    def actor(self, claimed: str) -> str:
        """Who this process's writes are recorded as: the claimed name, or who the server says is connected."""
        ...

    def presence(self) -> PresenceBoard:
        """Where running worktops say who they are and what they look at (files beside it, a table)."""
        ...


class PresenceBoard(Protocol):
    """The presence of every worktop open on a workspace (:class:`data.store.presence.PresenceFolder`'s API)."""

    host: str

    def me(self, user: str, **fields: Any) -> Presence:
        ...

    def ensure(self) -> None:
        ...

    def write(self, presence: Presence) -> Presence:
        """Replace this process's presence (OSError when it cannot be written)."""
        ...

    def remove(self, presence: Presence) -> None:
        ...

    def read(self, *, exclude: str | None = None, clean: bool = True) -> list[Presence]:
        ...

    def watch(self, on_change: Callable[[], None], stop: threading.Event, *, me: Presence | None = None,
              check_every: float = 1.0) -> None:
        """Call ``on_change()`` when a presence may have changed, and every ``check_every`` s, until ``stop``."""
        ...


__all__ = ["PresenceBoard", "Store", "StoreTransaction"]
