"""``worktop copy SRC DST``: a whole workspace, history included, from one store to another.

What is copied is what the store holds, not what a snapshot shows: the
settings document, every person and item document as stored (fields this
worktop does not know included), and every history entry with its revision,
time, author and from → to. A round trip file → PostgreSQL → file therefore
gives the same items, people, settings and history; only the keys that
describe a file's own layout (format, history size, item count) are made anew
by the store that writes.

The target must not exist: a copy never merges into, or overwrites, a
workspace. On PostgreSQL the copied history keeps its recorded authors (they
are the source's claims: the server marks those rows as copied and who copied
them); every change made there afterwards is authored by the connected role.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from data.errors import WorkspaceError
from data.store.locate import open_store, postgres_location


@dataclass
class Dump:
    """Everything a workspace stores."""

    meta: dict[str, Any]
    people: dict[str, dict[str, Any]]
    items: dict[str, dict[str, Any]]
    history: list[dict[str, Any]]


def dump(location: str | os.PathLike[str]) -> Dump:
    """Read a whole workspace as stored, consistently (one version of it)."""
    store = open_store(location)
    if hasattr(store, "dump"):
        meta, people, items, history = store.dump()
        return Dump(meta, people, items, history)
    from data.store.file_store import read_bytes, read_history
    from data.store.layout import parse

    raw, _st = read_bytes(store.path)
    parsed = parse(raw, store.path)
    history = read_history(store.path)
    return Dump(dict(parsed.meta), parsed.people, parsed.items, history)


def copy_workspace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Dump:
    """Copy the workspace at ``source`` to a new one at ``target``; returns what was copied.

    Raises:
        WorkspaceError: the source cannot be read, or the target exists or cannot be made.
    """
    data = dump(source)
    if not data.history:
        raise WorkspaceError(f"{source} has no history to copy (it cannot be read); nothing was written")
    if postgres_location(target) is not None:
        store = open_store(target)
        store.create(data.meta, data.people, data.items, data.history, copied=True)  # type: ignore[attr-defined]
        return data
    from pathlib import Path

    from data.store.file_store import FileStore

    path = Path(os.path.realpath(Path(target).expanduser()))
    FileStore.create(path, data.meta, data.people, data.items, data.history)
    return data


__all__ = ["Dump", "copy_workspace", "dump"]
