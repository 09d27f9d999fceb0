"""Due and snooze dates typed by people: ``today``, ``fri``, ``+3d``, ``dec 24``, ``2026-12-01``.

The grammar is deliberately small and strict: a due date that silently means
something else is worse than an error that says what is accepted. The words
are matched here; only a month name with a day (``dec 24``, ``24 december
2026``), once the words have matched that shape, goes to python-dateutil's
parser, imported on first use (~20 ms): general natural-language parsers guess
at anything, and the CLI has an 80 ms budget.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

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
_IN = re.compile(r"^in\s+(\d{1,4})\s+(day|week|month)s?$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_DAY = re.compile(r"^(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[a-z]{3,9})|(?P<m2>[a-z]{3,9})\s+(?P<d2>\d{1,2})"
                        r"(?:st|nd|rd|th)?)(?:,?\s+(?P<year>\d{4}))?$")
ACCEPTED = ("today, tomorrow, a weekday (fri), next fri, +3d, in 3 days, +2w, +1m, eow, eom, next week, "
            "dec 24, 24 dec 2026, or YYYY-MM-DD")


class BadDate(ValueError):
    """A date the user typed that worktop does not understand."""


def parse_date(text: str, today: date | None = None) -> date:
    """Turn what a person typed into a date.

    Args:
        text: ``today``, ``tomorrow``, ``yesterday``, a weekday name (the next such
            day, today included), ``next fri`` (that day in next week), ``next week``
            (its Monday), ``next month`` (its 1st), ``eow`` (the coming Friday), ``eom``
            (the month's last day), ``+3d`` / ``+2w`` / ``+1m`` (``-`` also works),
            ``in 3 days`` / ``in 2 weeks`` / ``in 1 month``, ``dec 24`` / ``24 dec`` /
            ``december 24 2026`` (without a year: the next one), or an ISO date.
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
    word = " ".join(word.split())
    weekday = _weekday(word)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    if word.startswith("next "):
        rest = word[5:]
        monday = today + timedelta(days=7 - today.weekday())  # the start of next week
        if rest == "week":
            return monday
        if rest == "month":
            return _add_months(today.replace(day=1), 1)
        weekday = _weekday(rest)
        if weekday is not None:
            return monday + timedelta(days=weekday)  # that day in next week, not the coming one
    if word in ("eow", "end of week"):
        return today + timedelta(days=(4 - today.weekday()) % 7)  # the coming Friday, today included
    if word in ("eom", "end of month"):
        return _add_months(today.replace(day=1), 1) - timedelta(days=1)
    match = _IN.match(word)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if unit == "day":
            return today + timedelta(days=count)
        if unit == "week":
            return today + timedelta(weeks=count)
        return _add_months(today, count)
    month_day = _month_day(word, today)
    if month_day is not None:
        return month_day
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


def _weekday(word: str) -> int | None:
    """0 for mon/monday … 6 for sun/sunday; None for anything else."""
    for names in (WEEKDAYS, _FULL_WEEKDAYS):
        if word in names:
            return names.index(word)
    return None


def _month_day(word: str, today: date) -> date | None:
    """``dec 24``, ``24 dec``, ``december 24 2026``; without a year, the next such day (today included)."""
    match = _MONTH_DAY.match(word)
    if match is None:
        return None
    if (match.group("m1") or match.group("m2")) not in _MONTH_WORDS:
        return None
    from dateutil import parser  # only here: ~20 ms to import

    default = datetime(today.year, 1, 1)
    try:
        day = parser.parse(word, default=default).date()
    except (ValueError, OverflowError):
        raise BadDate(f"not a date: {word!r} (no such day in that month)") from None
    if match.group("year") is None and day < today:
        try:
            day = day.replace(year=today.year + 1)  # "jan 5" typed in December means next January
        except ValueError:  # 29 feb
            raise BadDate(f"{word!r}: there is no such day next year") from None
    return day


_MONTH_WORDS = frozenset({*_MONTHS, "sept", "january", "february", "march", "april", "june", "july", "august",
                          "september", "october", "november", "december"})
"""A month as typed: its name or its three-letter start (and sept)."""


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
