"""Work that waits on other work: an item's ``blocked_by`` ids, read over stored documents.

An item is *blocked* while any item it is blocked by is still open (not done,
declined or archived); done blockers stay in the list as a record and stop
counting. A blocker that is no longer in the workspace (a hand edit) does not
count either. The graph must stay free of cycles — two items waiting on each
other would wait forever — so :func:`cycle_through` finds the cycle a new link
would make, for the error that names it.

Pure functions over ``{id: document}`` maps, shared by the operations (inside
the lock), the query terms, the views and the panes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

Docs = Mapping[int, dict[str, Any]]


class DocLookup(Protocol):
    """Documents by id, looked up one at a time: a ``{id: doc}`` map, or a transaction's view of its documents."""

    def get(self, item_id: int, /) -> dict[str, Any] | None: ...


def blockers_of(doc: dict[str, Any]) -> list[int]:
    """The ids a stored document says it is blocked by (anything else in the list is ignored)."""
    raw = doc.get("blocked_by")
    if not raw or not isinstance(raw, list):
        return []
    return [value for value in raw if isinstance(value, int) and not isinstance(value, bool)]


def open_blockers(doc: dict[str, Any], docs: DocLookup, is_open: Callable[[str], bool]) -> list[int]:
    """The item's blockers that are in the workspace and still open, in the order listed."""
    found = []
    for blocker in blockers_of(doc):
        other = docs.get(blocker)
        if other is not None and is_open(str(other.get("status", "inbox"))):
            found.append(blocker)
    return found


def blocking_index(docs: Docs) -> dict[int, list[int]]:
    """Blocker id → the ids of the items it blocks (done or not), in id order."""
    index: dict[int, list[int]] = {}
    for item_id in sorted(docs):
        for blocker in blockers_of(docs[item_id]):
            index.setdefault(blocker, []).append(item_id)
    return index


def cycle_through(item_id: int, new_blockers: Iterable[int], blockers: Callable[[int], list[int]]) -> list[int] | None:
    """The cycle that making ``item_id`` wait on ``new_blockers`` would close, or None.

    Returns the path ``[item_id, b, …, item_id]``: each id waits on the next.
    ``blockers(id)`` gives an item's current blockers (an unknown id has none).
    """
    for start in new_blockers:
        if start == item_id:
            return [item_id, item_id]
        # Depth-first from the new blocker along "waits on" links; reaching item_id closes a cycle.
        parent: dict[int, int] = {start: item_id}
        stack = [start]
        while stack:
            current = stack.pop()
            for nxt in blockers(current):
                if nxt == item_id:
                    path = [current]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [item_id, *reversed(path), item_id]
                if nxt not in parent:
                    parent[nxt] = current
                    stack.append(nxt)
    return None


def describe_cycle(path: list[int]) -> str:
    """``#12 → #15 → #16 → #12``."""
    return " → ".join(f"#{i}" for i in path)


__all__ = ["DocLookup", "Docs", "blockers_of", "blocking_index", "cycle_through", "describe_cycle", "open_blockers"]
