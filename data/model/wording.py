"""How writes are put into words for people: field names, values, times, and one write's summary.

Used by the operations' history summaries and conflict messages (data/writes/ops.py), by
undo (data/writes/undo.py) and by the workspace's "last change" in the header, so a
person reads "snooze date", "'Three customers asked…'" and "Nov 25 09:00" rather than
``snoozed_until``, a value cut mid-word, and ``2026-11-25T09:00:00Z``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

FIELD_NAMES = {
    "snoozed_until": "snooze date",
    "due": "due date",
    "checklist": "steps",
    "why_log": "why log",
    "decline_reason": "decline reason",
    "duplicate_of": "duplicate link",
    "status_since": "status time",
}
"""Stored field names that do not read as words; the rest are their own names."""

VALUE_LIMIT = 60
"""Longest value shown in a message, in characters (longer ones end in …)."""


def field_name(name: str) -> str:
    """``snoozed_until`` → ``snooze date``; ``checklist.2`` → ``steps``."""
    return FIELD_NAMES.get(name.split(".", 1)[0], name.replace("_", " "))


def field_names(names: object) -> str:
    return ", ".join(dict.fromkeys(field_name(str(name)) for name in names))  # type: ignore[attr-defined]


def show_value(value: Any) -> str:
    """A stored value in a message: ``nothing`` for empty, quoted text cut at a word with ``…``."""
    if value in (None, "", [], {}):
        return "nothing"
    if isinstance(value, list) and all(isinstance(step, dict) and "text" in step for step in value):
        done = sum(1 for step in value if step.get("done"))
        return f"{len(value)} steps ({done} done)"
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())  # one line in a toast
    if len(text) > VALUE_LIMIT:
        cut = text[:VALUE_LIMIT - 1]
        cut = cut.rsplit(" ", 1)[0] if " " in cut[VALUE_LIMIT // 2:] else cut
        text = cut.rstrip(" ,.;:") + "…"
    return f"'{text}'" if isinstance(value, str) else text


def show_time(stamp: Any) -> str:
    """``2026-11-25T09:00:00Z`` → ``Nov 25 09:00`` in local time (as it was stored if it does not parse)."""
    try:
        when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).astimezone()
    except ValueError:
        return str(stamp)
    return f"{when:%b} {when.day} {when:%H:%M}"


def summary_of(entries: list[dict[str, Any]]) -> str:
    """One write's summary: the first entry's, and how many more items or changes came with it."""
    if not entries:
        return "no change"
    summary = str(entries[0].get("summary", "a change"))
    items = {entry.get("item") for entry in entries}
    if len(items) > 1:
        more = len(items) - 1
        return f"{summary} and {more} more item{'s' if more != 1 else ''}"
    if len(entries) > 1:
        more = len(entries) - 1
        return f"{summary} and {more} more change{'s' if more != 1 else ''} to it"
    return summary


__all__ = ["FIELD_NAMES", "field_name", "field_names", "show_time", "show_value", "summary_of"]
