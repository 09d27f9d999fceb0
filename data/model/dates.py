"""Due and snooze dates typed by people: ``today``, ``fri``, ``+3d``, ``2026-12-01``.

The grammar is deliberately small and strict. General natural-language parsers
(dateparser, parsedatetime) accept almost anything and guess, and cost 100+ ms
to import; a due date that silently means something else is worse than an error
that says what is accepted, and the CLI has an 80 ms budget.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_RELATIVE = re.compile(r"^([+-])(\d{1,4})([dwm])$")
ACCEPTED = "today, tomorrow, yesterday, a weekday (mon…sun), +3d, +2w, +1m, or YYYY-MM-DD"


class BadDate(ValueError):
    """A date the user typed that worktop does not understand."""


def parse_date(text: str, today: date | None = None) -> date:
    """Turn what a person typed into a date.

    Args:
        text: ``today``, ``tomorrow``, ``yesterday``, a weekday name (the next such
            day, today included), ``+3d`` / ``+2w`` / ``+1m`` (``-`` also works), or an
            ISO date.
        today: the reference day; the local date when omitted.

    Raises:
        BadDate: with a message listing the accepted forms.
    """
    today = today or date.today()
    word = text.strip().lower()
    if not word:
        raise BadDate(f"empty date; use {ACCEPTED}")
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word == "yesterday":
        return today - timedelta(days=1)
    for names in (WEEKDAYS, _FULL_WEEKDAYS):
        if word in names:
            return today + timedelta(days=(names.index(word) - today.weekday()) % 7)
    match = _RELATIVE.match(word)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        count = int(match.group(2)) * sign
        unit = match.group(3)
        if unit == "d":
            return today + timedelta(days=count)
        if unit == "w":
            return today + timedelta(weeks=count)
        return _add_months(today, count)
    try:
        return date.fromisoformat(word)
    except ValueError:
        pass
    raise BadDate(f"not a date: {text.strip()!r}; use {ACCEPTED}")


def _add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise BadDate(f"cannot add {months} months to {day}")  # pragma: no cover


def describe_due(due: date, today: date) -> str:
    """Short human form of a due date relative to today: ``today``, ``in 3d``, ``2d late``."""
    delta = (due - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta < 0:
        return f"{-delta}d late"
    if delta < 7:
        return WEEKDAYS[due.weekday()]
    if delta < 300:
        return due.strftime("%b %d").replace(" 0", " ")
    return due.isoformat()
