"""What an operation sees while the lock is held: the one API every store implements.

``Workspace.apply(op)`` opens a transaction on the store (the lock taken, the
freshest state read), hands it to each operation, and commits it. Operations
use only the methods here — never a store's files, tables or SQL — so a second
store fits under ``Workspace.apply`` without touching an operation, a view or
the TUI.

Copy on write: :meth:`raw_item` gives a document the operation may edit in
place; the first call copies it, so snapshots taken earlier (which share the
stored documents) never see a change, and a transaction that fails halfway
leaves nothing behind. Operations replace nested lists and dicts rather than
mutating them, so a shallow copy is enough.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from data.errors import NotFound
from data.model.items import Item, Settings
from data.model.wording import summary_of


class StoreTransaction(ABC):
    """The fresh state of a workspace under its lock, and the changes an operation makes to it.

    A store implements the data access (``_load_*`` / ``_all_docs``); what is
    common to every store — copy on write, the history entries, warnings, the
    id and rank rules — lives here.
    """

    def __init__(self, actor: str, now: str, today: date) -> None:
        self.actor = actor
        self.now = now
        self.today = today
        self.entries: list[dict[str, Any]] = []
        """History entries queued by :meth:`record`, written in the same commit as the change."""
        self.warnings: list[str] = []
        """What the person should know about this change (a WIP limit passed, …)."""
        self.changed: dict[int, dict[str, Any] | None] = {}
        """Documents this transaction wrote (None: removed), by item id."""
        self.added: set[int] = set()
        """Ids of the items this transaction made."""
        self.people_changed = False
        self._meta: dict[str, Any] | None = None
        self._people: list[dict[str, Any]] | None = None

    # -- what a store provides --------------------------------------------------
    @abstractmethod
    def _load_meta(self) -> dict[str, Any]:
        """The stored settings document (the caller copies it before changing it)."""

    @abstractmethod
    def _load_people(self) -> list[dict[str, Any]]:
        """The stored person documents (the caller copies them before changing them)."""

    @abstractmethod
    def _load_doc(self, item_id: int) -> dict[str, Any] | None:
        """The stored document of one item, or None (not copied; never edit it)."""

    @abstractmethod
    def _all_docs(self) -> Mapping[int, dict[str, Any]]:
        """Every stored item document as it was when the transaction began (never edit them)."""

    # -- settings and people ----------------------------------------------------
    @property
    def meta(self) -> dict[str, Any]:
        """The settings document, safe to edit (copied on first use)."""
        if self._meta is None:
            self._meta = dict(self._load_meta())
        return self._meta

    @property
    def settings(self) -> Settings:
        return Settings.from_doc(self.meta)

    def people(self) -> list[dict[str, Any]]:
        """The person documents (do not edit them; use :meth:`add_person`)."""
        if self._people is None:
            self._people = [dict(doc) for doc in self._load_people()]
        return self._people

    def has_person(self, handle: str) -> bool:
        return any(doc.get("handle") == handle for doc in self.people())

    def add_person(self, doc: dict[str, Any]) -> None:
        self.people().append(doc)
        self.people_changed = True

    # -- items ---------------------------------------------------------------------
    def has_item(self, item_id: int) -> bool:
        if item_id in self.changed:
            return self.changed[item_id] is not None
        return self._load_doc(item_id) is not None

    def raw_item(self, item_id: int) -> dict[str, Any]:
        """The stored document of an item, safe to edit in place (copied on first use).

        Raises:
            NotFound: no such item.
        """
        doc = self.changed.get(item_id)
        if doc is not None:
            return doc
        stored = None if item_id in self.changed else self._load_doc(item_id)
        if stored is None:
            raise NotFound(f"no item #{item_id} in this workspace")
        copy = self.changed[item_id] = dict(stored)
        return copy

    def doc(self, item_id: int) -> dict[str, Any] | None:
        """An item's document as this transaction has it now, read only (None: no such item)."""
        if item_id in self.changed:
            return self.changed[item_id]
        return self._load_doc(item_id)

    def item(self, item_id: int) -> Item:
        return Item(item_id, self.raw_item(item_id))

    def docs(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every item document as this transaction has it now (read only: edit through :meth:`raw_item`).

        In a store that reads lazily this reads every document: operations that
        touch one item should use :meth:`raw_item`, not look through all of them.
        """
        for item_id, doc in self._all_docs().items():
            if item_id in self.changed:
                current = self.changed[item_id]
                if current is not None:
                    yield item_id, current
            else:
                yield item_id, doc
        stored = self._all_docs()
        for item_id, new_doc in self.changed.items():
            if new_doc is not None and item_id not in stored:
                yield item_id, new_doc

    def docs_with_blockers(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The item documents that wait on others (a non-empty ``blocked_by``), as :meth:`docs` has them.

        Usually few: a store that reads lazily finds them without reading every item.
        """
        return ((item_id, doc) for item_id, doc in self.docs() if doc.get("blocked_by"))

    def count_with_status(self, status: str) -> int:
        return sum(1 for _item_id, doc in self.docs() if doc.get("status") == status)

    def _counters_trusted(self) -> bool:
        """Whether the settings' ``next_id`` and ``rank_max`` were kept by worktop's own writes (else: recount)."""
        return True

    def next_id(self) -> int:
        """An id no item has had in this workspace: one more than the largest there (TinyDB's rule)."""
        stored = self.meta.get("next_id") if self._counters_trusted() else None
        candidate = stored if isinstance(stored, int) and stored > 0 else None
        if candidate is None:
            candidate = max((item_id for item_id, _doc in self.docs()), default=0) + 1
        while self.has_item(candidate) or candidate in self.changed:
            candidate += 1
        self.meta["next_id"] = candidate + 1
        return candidate

    def bottom_rank(self) -> float:
        """A rank below every card in every column: where a new or moved card goes."""
        stored = self.meta.get("rank_max") if self._counters_trusted() else None
        if not isinstance(stored, int | float) or isinstance(stored, bool):
            stored = max((float(doc.get("rank") or 0.0) for _item_id, doc in self.docs()), default=0.0)
        rank = float(stored) + 1.0
        self.meta["rank_max"] = rank
        return rank

    def note_rank(self, rank: float) -> None:
        """Keep :meth:`bottom_rank` below a rank an operation set by hand (a reorder)."""
        stored = self.meta.get("rank_max")
        if isinstance(stored, int | float) and not isinstance(stored, bool) and rank > stored:
            self.meta["rank_max"] = float(rank)

    def add_item(self, doc: dict[str, Any], item_id: int | None = None) -> int:
        """Store a new item; its id is :meth:`next_id` unless given (recurring instances choose theirs)."""
        if item_id is None:
            item_id = self.next_id()
        elif self.has_item(item_id):
            raise ValueError(f"item #{item_id} exists already")
        self.changed[item_id] = doc
        self.added.add(item_id)
        return item_id

    def remove_item(self, item_id: int) -> None:
        """Take an item out of the workspace (its history stays)."""
        if not self.has_item(item_id):
            raise NotFound(f"no item #{item_id} in this workspace")
        if item_id in self.added:
            self.added.discard(item_id)
            del self.changed[item_id]
        else:
            self.changed[item_id] = None

    # -- history -------------------------------------------------------------------
    def record(self, op: str, item_id: int | None, changes: dict[str, list[Any]], summary: str) -> None:
        """Queue a history entry; written in the same commit as the change."""
        self.entries.append(
            {"at": self.now, "by": self.actor, "op": op, "item": item_id, "changes": changes, "summary": summary}
        )

    def finish(self) -> tuple[int, list[dict[str, Any]]]:
        """Stamp the next revision on the settings and on every entry; (revision, entries) for the store to write."""
        revision = int(self.meta.get("revision", 0)) + 1
        for entry in self.entries:
            entry["rev"] = revision
        summary = summary_of(self.entries)  # "… and 2 more items", in words (data/model/wording.py)
        self.meta["revision"] = revision
        self.meta["last_change"] = {"revision": revision, "by": self.actor, "at": self.now, "summary": summary}
        return revision, self.entries

    @abstractmethod
    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        """The newest committed history entry that changed ``field_name`` of the item."""


def track_ids_and_ranks(meta: dict[str, Any], docs: Mapping[str, dict[str, Any] | None]) -> None:
    """Keep ``next_id`` above every id and ``rank_max`` at or above every rank the write stores."""
    ids = [int(k) for k, d in docs.items() if d is not None]
    if ids:
        meta["next_id"] = max(int(meta.get("next_id") or 1), max(ids) + 1)
    ranks = [d.get("rank") for d in docs.values() if d is not None]
    numbers = [float(r) for r in ranks if isinstance(r, int | float) and not isinstance(r, bool)]
    if numbers:
        current = meta.get("rank_max")
        base = float(current) if isinstance(current, int | float) and not isinstance(current, bool) else 0.0
        meta["rank_max"] = max(base, max(numbers))


__all__ = ["StoreTransaction", "track_ids_and_ranks"]
