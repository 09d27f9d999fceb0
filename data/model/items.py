"""The things a workspace holds: items, people and settings.

Documents on disk are plain dicts in TinyDB tables; the classes here are
read-only views built from them. Fields this version does not know about are
kept in ``extra`` and never dropped on write (operations edit the stored dict in
place), so a file written by a newer worktop survives an older one.

:class:`Person` and :class:`Settings` are NamedTuples, not dataclasses: every
write (``worktop add`` too) builds them, and the dataclasses module alone costs
~10 ms of that command's 80 ms to import (with inspect, ast and dis).
"""

# Annotations are evaluated here, not postponed (no `from __future__ import annotations`): typing.NamedTuple
# compiles each one that is a string, and every write (worktop add's too) defines this module's NamedTuples.
import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, TypedDict, overload

from data.errors import BadValue

KINDS = ("goal", "project", "workstream", "task", "request", "recurring", "operation")
"""Kinds of work, biggest first."""

DEFAULT_STATUSES = ("inbox", "todo", "doing", "review", "done")
"""Workflow statuses in order; the first is the inbox, the last means finished."""

CLOSED_STATUSES = ("declined", "archived")
"""Statuses outside the workflow: work that will not be done, or put away."""

ROLES = {"R": "responsible", "C": "consulted", "I": "informed"}
"""RACI letters besides the one accountable ``owner``."""

TITLE_LIMIT = 200
"""Longest title accepted, in characters; longer text belongs in the body."""

TEXT_LIMIT = 20_000
"""Longest body or why text accepted, in characters."""

RESERVED_HANDLES = frozenset({"me", "none", "nobody", "no", "-"})
"""Words that already mean something where a handle goes (``--owner me``, ``owner:none``): never a person."""

ANSWERS = ("who", "what", "when", "how", "why")
"""The five questions every piece of work should answer."""

EDITABLE_FIELDS = (
    "title",
    "body",
    "kind",
    "owner",
    "due",
    "snoozed_until",
    "parent",
    "goal",
    "why",
    "tags",
    "priority",
    "requester",
    "blocked_by",
)
"""Fields ``SetFields`` accepts by name (status moves go through ``Move``)."""


class Person(NamedTuple):
    """Someone who can own work."""

    handle: str
    """Short login-like name used in ``owner:`` and role maps."""
    name: str = ""
    """Full name shown beside the handle."""
    team: str = ""
    """Team the person belongs to, for grouping in the ownership matrix."""
    capacity: int = 5
    """How many open items the person can carry in a week."""

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "Person":
        return cls(
            handle=str(doc.get("handle", "")),
            name=str(doc.get("name", "") or ""),
            team=str(doc.get("team", "") or ""),
            capacity=int(doc.get("capacity", 5) or 0),
        )


NO_LIMITS: Mapping[str, int] = MappingProxyType({})


class Settings(NamedTuple):
    """Per-workspace settings stored in the ``meta`` document."""

    name: str = "worktop"
    """Workspace name shown in the header."""
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    """Workflow statuses in order; first is the inbox, last is done."""
    wip: Mapping[str, int] = NO_LIMITS
    """WIP limit per status (absent means no limit)."""
    wip_blocks: bool = False
    """Whether moving past a WIP limit is refused (True) or only warned about."""
    done_shown: str = "week"
    """Which done work the board's done column shows: ``week`` (done since Monday), ``14d`` (the last
    14 days), or ``all``. Older done work is counted in the column's header; ``H`` shows it."""

    @property
    def inbox(self) -> str:
        return self.statuses[0]

    @property
    def done(self) -> str:
        return self.statuses[-1]

    @property
    def board_statuses(self) -> tuple[str, ...]:
        """The board's columns: every workflow status after the inbox."""
        return self.statuses[1:]

    @property
    def all_statuses(self) -> tuple[str, ...]:
        return self.statuses + CLOSED_STATUSES

    def is_open(self, status: str) -> bool:
        return status != self.done and status not in CLOSED_STATUSES

    def done_since(self, today: date) -> str | None:
        """The ISO day from which done work is on the board (None: all of it); see :attr:`done_shown`."""
        shown = self.done_shown.strip().lower()
        if shown == "all":
            return None
        if shown.endswith("d") and shown[:-1].isdigit():
            return (today - timedelta(days=max(0, int(shown[:-1]) - 1))).isoformat()
        return (today - timedelta(days=today.weekday())).isoformat()  # this week, from Monday

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "Settings":
        statuses = tuple(doc.get("statuses") or DEFAULT_STATUSES)
        if len(statuses) < 2:
            statuses = DEFAULT_STATUSES
        return cls(
            name=str(doc.get("name") or "worktop"),
            statuses=statuses,
            wip={str(k): int(v) for k, v in (doc.get("wip") or {}).items()},
            wip_blocks=bool(doc.get("wip_blocks", False)),
            done_shown=str(doc.get("done_shown") or "week"),
        )



class Step(TypedDict, total=False):
    """One step of an item's checklist (its definition of done)."""

    text: str
    done: bool


class WhyEntry(TypedDict, total=False):
    """One entry of an item's why log: a change of its why, or a note."""

    at: str
    """When, as an ISO timestamp."""
    by: str
    """Who wrote it."""
    text: str
    """The new why (empty: the why was cleared) or the note."""
    kind: str
    """``"why"`` or ``"note"``."""


class Item:
    """One piece of work: a read-only view over its stored document.

    Wrapping the parsed dict instead of copying 25 fields into an object makes a
    snapshot of 50k items cost milliseconds rather than half a second, which is
    what keeps first paint and live reload inside their budgets. Treat it as
    immutable: the workspace replaces documents, views never change them.

    Each field is a read-only property that reads the document and gives its
    default when the field is absent or null. They are written out one by one
    (not built in a loop) so that type checkers and readers see them; a field's
    type is what :data:`data.model.documents.ITEM_FIELD_TYPES` lets a document
    hold, which every document is checked against as it is read. ``extra`` holds
    fields this version does not know, which are kept on disk untouched.
    """

    __slots__ = ("id", "_doc")

    def __init__(self, id: int, doc: dict[str, Any]) -> None:  # noqa: A002
        self.id = id
        """Short, stable number; typed as ``42`` or ``#42``."""
        self._doc = doc

    @classmethod
    def from_doc(cls, item_id: int, doc: dict[str, Any]) -> "Item":
        return cls(item_id, doc)

    @property
    def doc(self) -> dict[str, Any]:
        """The stored document (do not mutate)."""
        return self._doc

    # The fields. Each reads its value into an annotated local and returns the
    # default for None: one dict lookup, as fast as the generated properties were.

    @property
    def kind(self) -> str:
        """One of :data:`KINDS`."""
        value: str | None = self._doc.get("kind")
        return "task" if value is None else value

    @property
    def title(self) -> str:
        value: str | None = self._doc.get("title")
        return "" if value is None else value

    @property
    def body(self) -> str:
        value: str | None = self._doc.get("body")
        return "" if value is None else value

    @property
    def status(self) -> str:
        """A workflow status (:attr:`Settings.statuses`) or one of :data:`CLOSED_STATUSES`."""
        value: str | None = self._doc.get("status")
        return "inbox" if value is None else value

    @property
    def owner(self) -> str | None:
        """The one accountable person's handle."""
        value: str | None = self._doc.get("owner")
        return value

    @property
    def roles(self) -> dict[str, str]:
        """Handle → R/C/I (:data:`ROLES`)."""
        value: dict[str, str] | None = self._doc.get("roles")
        return {} if value is None else value

    @property
    def due(self) -> str | None:
        """ISO date."""
        value: str | None = self._doc.get("due")
        return value

    @property
    def snoozed_until(self) -> str | None:
        """ISO date until which the item stays out of the inbox."""
        value: str | None = self._doc.get("snoozed_until")
        return value

    @property
    def checklist(self) -> list[Step]:
        """Steps, the definition of done."""
        value: list[Step] | None = self._doc.get("checklist")
        return [] if value is None else value

    @property
    def parent(self) -> int | None:
        value: int | None = self._doc.get("parent")
        return value

    @property
    def goal(self) -> int | None:
        """A goal this serves besides its parent chain."""
        value: int | None = self._doc.get("goal")
        return value

    @property
    def why(self) -> str:
        """The current reason."""
        value: str | None = self._doc.get("why")
        return "" if value is None else value

    @property
    def why_log(self) -> list[WhyEntry]:
        """Changes of the why and notes, oldest first."""
        value: list[WhyEntry] | None = self._doc.get("why_log")
        return [] if value is None else value

    @property
    def tags(self) -> list[str]:
        value: list[str] | None = self._doc.get("tags")
        return [] if value is None else value

    @property
    def priority(self) -> int | None:
        """1 (highest) to 4."""
        value: int | None = self._doc.get("priority")
        return value

    @property
    def requester(self) -> str | None:
        value: str | None = self._doc.get("requester")
        return value

    @property
    def duplicate_of(self) -> int | None:
        value: int | None = self._doc.get("duplicate_of")
        return value

    @property
    def decline_reason(self) -> str:
        value: str | None = self._doc.get("decline_reason")
        return "" if value is None else value

    @property
    def rank(self) -> float:
        """Order in a board column (an int in a hand-edited file is kept as it is)."""
        value: float | None = self._doc.get("rank")
        return 0.0 if value is None else value

    @property
    def created_at(self) -> str:
        value: str | None = self._doc.get("created_at")
        return "" if value is None else value

    @property
    def created_by(self) -> str:
        value: str | None = self._doc.get("created_by")
        return "" if value is None else value

    @property
    def updated_at(self) -> str:
        value: str | None = self._doc.get("updated_at")
        return "" if value is None else value

    @property
    def updated_by(self) -> str:
        value: str | None = self._doc.get("updated_by")
        return "" if value is None else value

    @property
    def status_since(self) -> str:
        """When the item last changed status (ISO timestamp)."""
        value: str | None = self._doc.get("status_since")
        return "" if value is None else value

    @property
    def blocked_by(self) -> list[int]:
        """Ids of the items it waits on (:mod:`data.model.dependencies`)."""
        value: list[int] | None = self._doc.get("blocked_by")
        return [] if value is None else value

    @property
    def extra(self) -> dict[str, Any]:
        """Fields this version does not know (kept on disk untouched)."""
        return {k: v for k, v in self._doc.items() if k not in ITEM_FIELDS}

    @property
    def label(self) -> str:
        return f"#{self.id}"

    def due_date(self) -> date | None:
        if not self.due:
            return None
        try:
            return date.fromisoformat(self.due)
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"Item({self.id}, {self._doc!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and other.id == self.id and other._doc == self._doc

    __hash__ = None  # type: ignore[assignment]


ITEM_FIELDS = frozenset({
    "kind", "title", "body", "status", "owner", "roles", "due", "snoozed_until", "checklist", "parent", "goal",
    "why", "why_log", "tags", "priority", "requester", "duplicate_of", "decline_reason", "rank",
    "created_at", "created_by", "updated_at", "updated_by", "status_since", "blocked_by",
})
"""The fields :class:`Item` has a property for; the others of a document are its ``extra``."""


def clean_text(text: str, *, limit: int, what: str, single_line: bool = False) -> str:
    """Validate free text for storage. Stored verbatim apart from trimming.

    Markup and control characters are kept as typed (showing them safely is the
    display's job); only the length and, for single-line fields, line breaks are
    checked.
    """
    if not isinstance(text, str):
        raise BadValue(f"{what} must be text")
    text = text.strip() if single_line else text.rstrip()
    if single_line and ("\n" in text or "\r" in text):
        raise BadValue(f"{what} must be one line")
    if len(text) > limit:
        raise BadValue(f"{what} is {len(text)} characters; the limit is {limit}")
    return text


def parse_item_id(text: str | int) -> int:
    """``42``, ``#42`` → 42; anything else is a :class:`BadValue`."""
    if isinstance(text, int):
        return text
    raw = str(text).strip().lstrip("#")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 15):
        raise BadValue(f"not an item id: {text!r} (ids look like 42 or #42)")
    return int(raw)


@overload
def coerce_field(name: Literal["title", "body", "why", "kind"], raw: Any, *, today: date | None = None) -> str: ...
@overload
def coerce_field(name: Literal["owner", "requester", "due", "snoozed_until"], raw: Any, *,
                 today: date | None = None) -> str | None: ...
@overload
def coerce_field(name: Literal["parent", "goal", "priority"], raw: Any, *, today: date | None = None) -> int | None: ...
@overload
def coerce_field(name: Literal["tags"], raw: Any, *, today: date | None = None) -> list[str]: ...
@overload
def coerce_field(name: Literal["blocked_by"], raw: Any, *, today: date | None = None) -> list[int]: ...
@overload
def coerce_field(name: str, raw: Any, *, today: date | None = None) -> Any: ...
def coerce_field(name: str, raw: Any, *, today: date | None = None) -> Any:
    """Turn a typed value into the stored value of field ``name``.

    Used by the CLI's ``set`` and the TUI's editor so both validate alike. An
    empty string clears optional fields.

    Raises:
        BadValue: unknown field or bad value, with a message a person can act on.
    """
    if name not in EDITABLE_FIELDS:
        raise BadValue(f"unknown field {name!r}; fields: {', '.join(EDITABLE_FIELDS)}")
    text = raw if isinstance(raw, str) else raw
    if name == "title":
        title = clean_text(str(text), limit=TITLE_LIMIT, what="title", single_line=True)
        if not title:
            raise BadValue("title cannot be empty")
        return title
    if name in ("body", "why"):
        return clean_text(str(text or ""), limit=TEXT_LIMIT, what=name)
    if name == "kind":
        kind = str(text).strip().lower()
        if kind not in KINDS:
            raise BadValue(f"unknown kind {text!r}; kinds: {', '.join(KINDS)}")
        return kind
    if name in ("owner", "requester"):
        handle = str(text or "").strip().lstrip("@")
        if handle.lower() in ("", "none", "-"):
            return None
        if not is_handle(handle):
            raise BadValue(f"{name} {text!r} is not a handle (letters, digits, . _ -)")
        return handle
    if name in ("due", "snoozed_until"):
        word = str(text or "").strip()
        if word.lower() in ("", "none", "-"):
            return None
        from data.model.dates import BadDate, parse_date  # its patterns compile on import: only for a date

        try:
            return parse_date(word, today).isoformat()
        except BadDate as error:
            raise BadValue(str(error)) from None
    if name in ("parent", "goal"):
        word = str(text or "").strip()
        if word.lower() in ("", "none", "-"):
            return None
        return parse_item_id(word)
    if name == "tags":
        words = text if isinstance(text, list) else str(text or "").replace(",", " ").split()
        tags = []
        for word in words:
            tag = str(word).strip().lstrip("#")
            if tag and tag not in tags:
                if not is_handle(tag):
                    raise BadValue(f"tag {word!r} may hold only letters, digits, . _ -")
                tags.append(tag)
        return tags
    if name == "blocked_by":
        words = text if isinstance(text, list) else str(text or "").replace(",", " ").split()
        ids: list[int] = []
        for word in words:
            if isinstance(word, str) and word.strip().lower() in ("none", "-"):
                continue
            blocker = parse_item_id(word)
            if blocker not in ids:
                ids.append(blocker)
        return ids
    if name == "priority":
        word = str(text or "").strip().lower().lstrip("p")
        if word in ("", "none", "-"):
            return None
        if word not in ("1", "2", "3", "4"):
            raise BadValue(f"priority {text!r} must be 1 (highest) to 4, or none")
        return int(word)
    raise BadValue(f"field {name!r} cannot be set")  # pragma: no cover


def is_handle(text: str) -> bool:
    """Handles and tags: 1–40 letters, digits, ``.``, ``_`` or ``-``."""
    return 0 < len(text) <= 40 and all(ch.isalnum() or ch in "._-" for ch in text)


def missing_answers(item: Item, items: Mapping[int, Item], settings: Settings) -> list[str]:
    """Which of who/when/how/why the item leaves unanswered (``what`` is the title).

    ``when`` is only missing on open work; ``how`` only on projects and
    workstreams; ``why`` counts as answered when any ancestor or goal says why.
    """
    missing = []
    if not item.owner and item.kind not in ("goal",):
        missing.append("who")
    if not item.due and settings.is_open(item.status) and item.kind not in ("goal", "operation", "recurring"):
        missing.append("when")
    if item.kind in ("project", "workstream") and not item.checklist:
        missing.append("how")
    if not inherited_why(item, items):
        missing.append("why")
    return missing


def inherited_why(item: Item, items: Mapping[int, Item]) -> str:
    """The item's own why, else the nearest ancestor's or goal's."""
    source = why_source(item, items)
    return source.why if source is not None else ""


def why_source(item: Item, items: Mapping[int, Item]) -> Item | None:
    """The item whose why answers for ``item``: itself, else at each level up its goal link, then its parent."""
    seen: set[int] = set()
    current: Item | None = item
    while current is not None and current.id not in seen:
        if current.why:
            return current
        seen.add(current.id)
        if current.goal is not None and current.goal in items and items[current.goal].why:
            return items[current.goal]
        current = items.get(current.parent) if current.parent is not None else None
    return None


def chain(item: Item, items: Mapping[int, Item]) -> list[Item]:
    """The item, then its parents up to the top, then the goals any of them links to (nearest first).

    Cycles are cut, and an item is listed once however it is reached.
    """
    result = [item]
    seen = {item.id}
    current = item
    while current.parent is not None and current.parent in items and current.parent not in seen:
        current = items[current.parent]
        seen.add(current.id)
        result.append(current)
    for level in list(result):
        if level.goal is not None and level.goal in items and level.goal not in seen:
            seen.add(level.goal)
            result.append(items[level.goal])
    return result


def display_width_safe(text: str) -> str:
    """Replace control characters with visible symbols so text cannot drive a terminal.

    ESC becomes ``␛``, BEL ``␇`` and so on (Unicode control pictures); other
    format/control code points become ``�``. Rich markup is not touched here:
    widgets render text through ``rich.text.Text``, which never parses markup.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20:
            out.append(chr(0x2400 + code) if ch not in "\n\t" else " ")
        elif code == 0x7F:
            out.append("␡")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\u2028\u2029":
            out.append("�")
        else:
            out.append(ch)
    return "".join(out)
