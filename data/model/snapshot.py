"""A snapshot: the whole workspace at one revision, as every view reads it.

Whichever store holds the workspace (a file, PostgreSQL) hands out snapshots;
nothing above the store knows which. A snapshot never changes. It knows what
changed since the snapshot the same store handed out before it (the store
worked that out anyway when it caught up), so panes redraw only that, and it
reaches the history (who changed what, when, from → to) through a
:class:`History`, read only when a view asks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, overload

from data.errors import NotFound
from data.model.items import Item, Person, Settings

_T = TypeVar("_T")

Changes = dict[int | None, set[str]]
"""Fields changed per item id; key None for changes not about one item (people)."""


class History(Protocol):
    """The history of a workspace up to one revision: every change, with who, when and from → to.

    Entries are dicts ``{"rev", "at", "by", "op", "item", "changes": {field: [old, new]}, "summary"}``.
    Reading it costs a pass over the history, which grows with the workspace's age, so views
    ask for it only when they need it (pulse, log, undo, a conflict's message).
    """

    def entries(self, *, item_id: int | None = None, since: int = 0, limit: int | None = None,
                newest_first: bool = False) -> list[dict[str, Any]]:
        """Entries with ``rev > since`` (for one item, if given), oldest first unless ``newest_first``."""
        ...

    def status_moves(self) -> list[tuple[int, str, str]]:
        """``(item id, at, new status)`` for every change of an item's status, oldest first."""
        ...

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        """The newest entry that changed ``field_name`` of the item."""
        ...


class NoHistory:
    """The history of a snapshot built without one (tests, a store that keeps none)."""

    def entries(self, *, item_id: int | None = None, since: int = 0, limit: int | None = None,
                newest_first: bool = False) -> list[dict[str, Any]]:
        return []

    def status_moves(self) -> list[tuple[int, str, str]]:
        return []

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        return None


@dataclass(slots=True)
class LastChange:
    """Who wrote the workspace last, shown in the TUI header."""

    revision: int
    by: str
    at: str
    summary: str


class ItemMap(Mapping[int, Item]):
    """Items by id, made on demand from the stored documents.

    Building 50k ``Item`` objects up front cost more than parsing the file;
    views are created when asked for, which is cheap (two slots).
    """

    __slots__ = ("_docs",)

    def __init__(self, docs: dict[int, dict[str, Any]]) -> None:
        self._docs = docs

    def __getitem__(self, item_id: int) -> Item:
        return Item(item_id, self._docs[item_id])

    @overload
    def get(self, item_id: int, /) -> Item | None: ...
    @overload
    def get(self, item_id: int, default: Item | _T, /) -> Item | _T: ...
    def get(self, item_id: int, default: Any = None) -> Any:  # noqa: D102 - Mapping.get, faster
        doc = self._docs.get(item_id)
        return default if doc is None else Item(item_id, doc)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._docs

    def __iter__(self) -> Iterator[int]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)

    def values(self) -> Iterator[Item]:  # type: ignore[override]
        return (Item(k, v) for k, v in self._docs.items())

    def items(self) -> Iterator[tuple[int, Item]]:  # type: ignore[override]
        return ((k, Item(k, v)) for k, v in self._docs.items())


@dataclass(slots=True)
class Snapshot:
    """An immutable, in-memory view of the workspace at one revision."""

    revision: int
    settings: Settings
    items: ItemMap
    """Items by id (views made on demand)."""
    people: dict[str, Person]
    last_change: LastChange | None
    docs: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    """The stored documents by id, for hot loops over every item (do not mutate)."""
    history: History = field(default_factory=NoHistory, repr=False)
    """Every change up to this revision (read on demand)."""
    meta: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """The stored settings document (recurring horizon and other settings without a field of their own)."""
    base_revision: int | None = field(default=None, repr=False)
    """The revision of the snapshot :attr:`changes` is counted from (the one the store handed out before)."""
    changes: Changes | None = field(default=None, repr=False)
    """What changed since :attr:`base_revision`; None when the store cannot say (then redraw everything)."""
    _children: dict[int, list[int]] | None = field(default=None, repr=False)
    _blocking: dict[int, list[int]] | None = field(default=None, repr=False)

    def item(self, item_id: int) -> Item:
        try:
            return self.items[item_id]
        except KeyError:
            raise NotFound(f"no item #{item_id} in this workspace") from None

    def changes_since(self, older: Snapshot | None) -> Changes | None:
        """Which fields of which items changed between ``older`` and this snapshot.

        None when it cannot be known for sure (``older`` is not the snapshot this
        one was caught up from, a full re-read, a hand edit): callers then redraw
        everything. Key None holds changes not about one item (people).
        """
        if older is None or self.changes is None or self.revision <= older.revision:
            return None
        if older.revision != self.base_revision:
            return None
        return self.changes

    def children(self, item_id: int) -> list[int]:
        if self._children is None:
            index: dict[int, list[int]] = {}
            for item in self.items.values():
                if item.parent is not None:
                    index.setdefault(item.parent, []).append(item.id)
            self._children = index
        return self._children.get(item_id, [])

    def blocking(self, item_id: int) -> list[int]:
        """The items that list ``item_id`` in their ``blocked_by`` (done or not), in id order."""
        if self._blocking is None:
            from data.model.dependencies import blocking_index

            self._blocking = blocking_index(self.docs)
        return self._blocking.get(item_id, [])


def build_snapshot(meta: Mapping[str, Any], people: Sequence[dict[str, Any]], docs: dict[int, dict[str, Any]], *,
                   history: History | None = None, base_revision: int | None = None,
                   changes: Changes | None = None) -> Snapshot:
    """A snapshot of stored documents (the store has checked them: data/model/documents.py)."""
    handles: dict[str, Person] = {}
    for doc in people:
        person = Person.from_doc(doc)
        if person.handle:
            handles[person.handle] = person
    last = meta.get("last_change")
    return Snapshot(
        revision=int(meta.get("revision", 0)),
        settings=Settings.from_doc(dict(meta)),
        items=ItemMap(docs),
        people=handles,
        docs=docs,
        history=history or NoHistory(),
        meta=meta,
        base_revision=base_revision,
        changes=changes,
        last_change=LastChange(**last) if isinstance(last, dict) and set(last) == {"revision", "by", "at", "summary"}
        else None,
    )


def changed_fields(old: Mapping[int, dict[str, Any]], new: Mapping[int, dict[str, Any]], ids: Iterator[int] | set[int]
                   ) -> Changes:
    """For documents ``ids`` that may differ between two tables, the fields that do."""
    changes: Changes = {}
    for item_id in ids:
        before, after = old.get(item_id) or {}, new.get(item_id) or {}
        if before is after:
            continue
        names = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
        if names:
            changes[item_id] = names
    return changes


__all__ = ["Changes", "History", "ItemMap", "LastChange", "NoHistory", "Snapshot", "build_snapshot", "changed_fields"]
