"""What every importer hands over: one :class:`Record` per piece of work, in worktop's terms.

A reader (Taskwarrior, todo.txt, CSV, GitHub, Trello) turns its file into
records; :class:`data.interchange.apply.ImportItems` turns records into items in
one write. Readers do no workspace lookups: they say what the source says, in
worktop's vocabulary (a ``state`` such as ``started`` rather than a column
name, an owner as the source names them), and keep every source field they do
not map in :attr:`Record.fields`, which is stored on the item.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from data.errors import BadValue
from data.model.items import TEXT_LIMIT, TITLE_LIMIT, is_handle

STATES = ("inbox", "todo", "started", "done", "declined", "archived")
"""Where a record's work stands, whatever the source calls it; the import maps each to a workspace status."""


class BadSource(BadValue):
    """A file that cannot be imported: the message names the file and the line or record."""


@dataclass(slots=True)
class Note:
    """A comment or annotation, kept in the item's why log with its own date."""

    at: str
    """``YYYY-MM-DDTHH:MM:SSZ``."""
    text: str
    by: str | None = None
    """Who wrote it, as a handle (None: whoever runs the import)."""


@dataclass(slots=True)
class Record:
    """One piece of work as a source describes it."""

    key: str
    """The source's id for it (Taskwarrior uuid, ``owner/repo#12``, a Trello card id): a re-import finds the item by it."""
    title: str
    where: str = ""
    """Where it is in the file, for messages: ``line 12``, ``record 3``."""
    kind: str = "task"
    state: str = "todo"
    """One of :data:`STATES`, used when :attr:`status` is empty."""
    status: str = ""
    """A workspace status the source named outright (``--statuses``, a Trello list called ``review``)."""
    owner: str | None = None
    """A handle (see :func:`handle_for`)."""
    due: str | None = None
    snoozed_until: str | None = None
    tags: list[str] = field(default_factory=list)
    priority: int | None = None
    body: str = ""
    why: str = ""
    parent: str | None = None
    """The key of the record (or earlier import) this is part of."""
    blocked_by: list[str] = field(default_factory=list)
    """Keys of the records it waits on."""
    checklist: list[tuple[str, bool]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    created_at: str | None = None
    """When the source says the work was created (``YYYY-MM-DDTHH:MM:SSZ``): the inbox ages it from then."""
    finished_at: str | None = None
    """When it was finished or closed (``YYYY-MM-DDTHH:MM:SSZ``), for the pulse."""
    rule: str | None = None
    """For a recurring workflow: its rule (worktop's words or an RRULE) and the day it counts from."""
    rule_start: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    """Source fields not mapped above, kept on the item so nothing the source had is lost."""
    match_item: int | None = None
    """An item of this workspace the source says it came from (worktop's own export)."""


@dataclass(slots=True)
class Skip:
    where: str
    reason: str


@dataclass(slots=True)
class Parsed:
    """What a reader found in a file."""

    system: str
    """``taskwarrior``, ``todotxt``, ``csv``, ``linear``, ``github``, ``trello``: the namespace of the keys."""
    records: list[Record] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things the person should know (a list name with no status of that name, a value kept unread)."""
    people: dict[str, str] = field(default_factory=dict)
    """Handle → full name of everyone the source names as an owner or author."""


def load_json(text: str, name: str) -> Any:
    """A JSON file's value, or a :class:`BadSource` naming the file and the line where it breaks."""
    import orjson

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        line = text.count("\n", 0, error.pos) + 1
        raise BadSource(f"{name}: not valid JSON (line {line}: {error.msg})") from None


# -- values ---------------------------------------------------------------------------

def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_ISO_ZONE = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


def parse_moment(text: Any) -> datetime | None:
    """A source's date or time (ISO 8601, Taskwarrior's ``20261224T000000Z``, a JavaScript date string)."""
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text.strip()
    compact = re.fullmatch(r"(\d{8})T(\d{6})Z", raw)
    if compact:
        return datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00") if _ISO_ZONE.search(raw) else raw)
    except ValueError:
        # "Tue Sep 26 2023 10:00:00 GMT+0000 (Coordinated Universal Time)": some CSV exports write dates so.
        from dateutil import parser as date_parser

        try:
            moment = date_parser.parse(re.sub(r"\s*\(.*\)\s*$", "", raw))
        except (ValueError, OverflowError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_COMPACT = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z")
"""Taskwarrior's ``20261224T000000Z``: read by slicing (strptime was most of a 10k-task import)."""


def _compact(text: Any) -> re.Match[str] | None:
    return _COMPACT.fullmatch(text) if isinstance(text, str) and len(text) == 16 else None


def day_of(text: Any) -> str | None:
    """The ISO date of a source's date or time (a time is read in UTC), or None."""
    compact = _compact(text)
    if compact and _valid(compact):
        return f"{compact[1]}-{compact[2]}-{compact[3]}"
    if isinstance(text, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", text.strip()):
        try:
            return date.fromisoformat(text.strip()).isoformat()
        except ValueError:
            return None
    moment = parse_moment(text)
    return moment.astimezone(UTC).date().isoformat() if moment else None


def _valid(match: re.Match[str]) -> bool:
    year, month, day, hour, minute, second = map(int, match.groups())
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


def stamp_of(text: Any) -> str | None:
    """A source's time as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC), or None."""
    compact = _compact(text)
    if compact and _valid(compact):
        return f"{compact[1]}-{compact[2]}-{compact[3]}T{compact[4]}:{compact[5]}:{compact[6]}Z"
    moment = parse_moment(text)
    return stamp(moment) if moment else None


def handle_for(name: str) -> str:
    """A worktop handle for a name a source gives: ``ana`` stays, ``Ana Lima`` → ``ana.lima``, an email → its local part."""
    text = name.strip().lstrip("@")
    if "@" in text:
        text = text.split("@", 1)[0]
    if is_handle(text):
        return text
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"\s+", ".", text.strip().lower())
    text = re.sub(r"[^a-z0-9._-]", "", text).strip(".")[:40]
    return text


def tag_for(label: str) -> str:
    """A worktop tag for a label: ``good first issue`` → ``good-first-issue`` (letters, digits, . _ -); may be empty."""
    lowered = str(label).strip().lower()
    if is_handle(lowered) and lowered.isascii():
        return lowered
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode().strip().lower()
    text = re.sub(r"[\s/:]+", "-", text)
    return re.sub(r"[^a-z0-9._-]", "", text).strip("-")[:40]


def fit_title(text: str) -> tuple[str, str]:
    """(title, spill): the first line within the title limit; whatever does not fit goes to the body."""
    text = str(text).strip()
    first, _, rest = text.partition("\n")
    first = first.strip()
    spill = rest.strip()
    if len(first) > TITLE_LIMIT:
        spill = (first + ("\n\n" + spill if spill else "")).strip()
        first = first[: TITLE_LIMIT - 1].rstrip() + "…"
    return first, spill


def fit_text(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


__all__ = ["STATES", "BadSource", "Note", "Parsed", "Record", "Skip", "day_of", "fit_text", "fit_title", "handle_for",
           "load_json", "parse_moment", "stamp", "stamp_of", "tag_for"]
