"""Recurrence rules: friendly forms and RFC 5545 RRULEs, and the dates they give.

Friendly forms (``every monday``, ``every 2 weeks``, ``every weekday``,
``monthly on the 1st``, ``quarterly``; :data:`FRIENDLY_EXAMPLES`) are turned into
an RRULE, and every rule is expanded by python-dateutil. Friendly forms never
skip a month: ``monthly on the 31st`` falls on the last day of shorter months
(``BYMONTHDAY=28,29,30,31;BYSETPOS=-1``), where an RRULE with ``BYMONTHDAY=31``
alone skips them, as the RFC says. Dates are calendar dates: a rule with its own
``DTSTART;TZID=…`` keeps its wall-clock time across daylight-saving changes, and
its dates are read in that zone.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from data.errors import BadValue

if TYPE_CHECKING:  # dateutil is imported when a rule is parsed: the CLI's other commands never load it
    from dateutil.rrule import rrule

FRIENDLY_EXAMPLES = (
    "every day", "every weekday", "every monday", "every mon, thu", "every 2 weeks",
    "every other friday", "monthly on the 1st", "monthly on the last day", "monthly on the first monday",
    "quarterly", "yearly", "FREQ=WEEKLY;BYDAY=MO,WE",
)
"""Forms a person can type; shown when a rule cannot be read."""

_DAYS = {"mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU"}
_DAY_NAMES = {
    "monday": "MO", "mon": "MO", "tuesday": "TU", "tue": "TU", "tues": "TU", "wednesday": "WE", "wed": "WE",
    "thursday": "TH", "thu": "TH", "thur": "TH", "thurs": "TH", "friday": "FR", "fri": "FR",
    "saturday": "SA", "sat": "SA", "sunday": "SU", "sun": "SU",
}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_FREQS_ALLOWED = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def _bad_rule(text: str, why: str = "") -> BadValue:
    hint = f"{why}; " if why else ""
    return BadValue(f"cannot read the rule {text!r}: {hint}try e.g. " + ", ".join(repr(e) for e in FRIENDLY_EXAMPLES[:8])
                    + ", or an RFC 5545 RRULE like 'FREQ=WEEKLY;BYDAY=MO'")


def _interval(word: str) -> int:
    return 2 if word == "other" else int(word)


def _day_list(text: str) -> list[str] | None:
    """``mon, thu`` / ``monday and thursday`` / ``mondays`` → ``["MO", "TH"]``; None if not days."""
    words = [w for w in re.split(r"[,\s/]+|\band\b", text) if w]
    days = []
    for word in words:
        code = _DAY_NAMES.get(word) or _DAY_NAMES.get(word.removesuffix("s"))
        if code is None:
            return None
        if code not in days:
            days.append(code)
    return days or None


def _month_day(day: int) -> str:
    """BYMONTHDAY for the ``day``th, falling back to the month's last day when it has fewer."""
    if day <= 28:
        return f"BYMONTHDAY={day}"
    return f"BYMONTHDAY={','.join(str(d) for d in range(28, day + 1))};BYSETPOS=-1"


def _month_spec(spec: str | None, start: date) -> str | None:
    """``1st`` / ``15`` / ``last day`` / ``first monday`` / ``last friday`` → RRULE parts."""
    if not spec:
        return _month_day(start.day)
    spec = spec.strip().removeprefix("the ").removeprefix("day ").strip()
    match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?(?: day)?", spec)
    if match:
        day = int(match.group(1))
        return _month_day(day) if 1 <= day <= 31 else None
    if spec in ("last", "last day", "end", "end of the month", "last day of the month"):
        return "BYMONTHDAY=-1"
    if spec in ("last weekday", "last working day"):
        return "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    if spec in ("first weekday", "first working day"):
        return "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1"
    match = re.fullmatch(r"(first|second|third|fourth|fifth|last|[1-5](?:st|nd|rd|th)?) (\w+)", spec)
    if match:
        word = match.group(1)
        nth = _ORDINALS.get(word) or int(word[0])
        days = _day_list(match.group(2))
        if days and len(days) == 1:
            return f"BYDAY={nth}{days[0]}"
    return None


def friendly_to_rrule(text: str, start: date) -> str | None:
    """The RRULE a friendly form stands for, or None when ``text`` is not one.

    ``start`` matters for forms that name no day: ``monthly`` is monthly on the
    start's day of the month, ``every 2 weeks`` on the start's weekday.
    """
    word = re.sub(r"\s+", " ", text.strip().lower())
    word = re.sub(r"^(?:repeat |recur )", "", word)
    if word in ("daily", "every day", "each day"):
        return "FREQ=DAILY"
    if word in ("every weekday", "weekdays", "every working day", "each weekday", "on weekdays"):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if word in ("every weekend", "weekends", "every weekend day"):
        return "FREQ=WEEKLY;BYDAY=SA,SU"
    match = re.fullmatch(r"every (\d{1,3}|other) days?", word)
    if match:
        return f"FREQ=DAILY;INTERVAL={_interval(match.group(1))}"
    match = re.fullmatch(r"(?:weekly|every week|each week)(?: on (.+))?", word)
    if match:
        days = _day_list(match.group(1)) if match.group(1) else None
        if match.group(1) and days is None:
            return None
        return "FREQ=WEEKLY" + (f";BYDAY={','.join(days)}" if days else "")
    match = re.fullmatch(r"every (\d{1,3}|other) weeks?(?: on (.+))?", word)
    if match:
        days = _day_list(match.group(2)) if match.group(2) else None
        if match.group(2) and days is None:
            return None
        return f"FREQ=WEEKLY;INTERVAL={_interval(match.group(1))}" + (f";BYDAY={','.join(days)}" if days else "")
    match = re.fullmatch(r"every (other|\d{1,2}) (.+)", word)
    if match and (days := _day_list(match.group(2))):
        return f"FREQ=WEEKLY;INTERVAL={_interval(match.group(1))};BYDAY={','.join(days)}"
    match = re.fullmatch(r"(?:every|each|on) (.+)", word)
    if match and (days := _day_list(match.group(1))):
        return f"FREQ=WEEKLY;BYDAY={','.join(days)}"
    match = re.fullmatch(r"(monthly|every month|each month|quarterly|every quarter|every (\d{1,2}|other) months?)"
                         r"(?: on (.+))?", word)
    if match:
        if match.group(1) in ("quarterly", "every quarter"):
            interval = 3
        elif match.group(2):
            interval = _interval(match.group(2))
        else:
            interval = 1
        spec = _month_spec(match.group(3), start)
        if spec is None:
            return None
        return "FREQ=MONTHLY" + (f";INTERVAL={interval}" if interval != 1 else "") + f";{spec}"
    if word in ("yearly", "annually", "every year", "each year"):
        if (start.month, start.day) == (2, 29):
            return "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
        return "FREQ=YEARLY"
    return None


@dataclass(frozen=True)
class Rule:
    """A readable rule, anchored at ``start``."""

    text: str
    """The rule as typed (trimmed)."""
    rrule_text: str
    """The RFC 5545 rule it means."""
    start: date
    """The day it counts from (ignored for the date part when the RRULE has its own DTSTART)."""
    _rrule: rrule = field(repr=False, compare=False)

    def dates(self, after: date, until: date, *, limit: int | None = None) -> list[date]:
        """The dates the rule gives from ``after`` to ``until``, both included, oldest first."""
        if until < after:
            return []
        tz = _dtstart(self._rrule).tzinfo
        low = datetime.combine(after, time.min, tzinfo=tz)
        high = datetime.combine(until, time.max, tzinfo=tz)
        result: list[date] = []
        for moment in _bounded(self._rrule, high).xafter(low, inc=True):
            day = moment.date()
            if not result or result[-1] != day:  # a rule with times (BYHOUR) can give one date twice
                result.append(day)
                if limit is not None and len(result) >= limit:
                    break
        return result

    def next_dates(self, today: date, count: int = 5) -> list[date]:
        """The next ``count`` dates from today (included), looking at most ten years ahead."""
        return self.dates(today, today + timedelta(days=3660), limit=count)

    def describe(self) -> str:
        """``every monday (FREQ=WEEKLY;BYDAY=MO)``, or just the RRULE when that is what was typed."""
        if self.text.upper().replace("RRULE:", "") == self.rrule_text:
            return self.rrule_text
        return f"{self.text} ({self.rrule_text})"


def parse_rule(text: str, start: date) -> Rule:
    """Read a friendly form or an RRULE (optionally with its own ``DTSTART``).

    Raises:
        BadValue: the rule cannot be read, or repeats more often than daily,
            with a message listing forms that work.
    """
    from dateutil.rrule import rrule, rrulestr

    raw = " ".join(str(text or "").split())
    if not raw:
        raise BadValue("the rule is empty; try e.g. 'every monday' or 'monthly on the 1st'")
    if len(raw) > 500:
        raise BadValue("the rule is longer than 500 characters")
    upper = raw.upper()
    if "FREQ=" in upper or upper.startswith(("RRULE:", "DTSTART")):
        rrule_text = " ".join(part.removeprefix("RRULE:") if part.startswith("RRULE:") else part
                              for part in upper.split())
    else:
        friendly = friendly_to_rrule(raw, start)
        if friendly is None:
            raise _bad_rule(raw)
        rrule_text = friendly
    freq = re.search(r"FREQ=(\w+)", rrule_text)
    if freq is None:
        raise _bad_rule(raw, "an RRULE needs FREQ=")
    if freq.group(1) not in _FREQS_ALLOWED:
        raise BadValue(f"the rule {raw!r} repeats {freq.group(1).lower()}; worktop makes at most one task a day "
                       "(use DAILY, WEEKLY, MONTHLY or YEARLY)")
    source = rrule_text if "DTSTART" in rrule_text else "RRULE:" + rrule_text
    try:
        parsed = rrulestr(source, dtstart=datetime.combine(start, time.min))
        if not isinstance(parsed, rrule):
            raise BadValue(f"the rule {raw!r} holds more than one RRULE or dates; give one RRULE "
                           "(skip single dates with `worktop recurring skip`)")
        first = _dtstart(parsed)
        next(iter(_bounded(parsed, first.replace(year=first.year + 10))), None)  # some mistakes show only here
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        if isinstance(error, BadValue):
            raise
        raise _bad_rule(raw, str(error) or type(error).__name__) from None
    return Rule(text=raw, rrule_text=rrule_text, start=start, _rrule=parsed)


def _dtstart(rule: rrule) -> datetime:
    """When the rule starts: its own DTSTART, or the start it was parsed with."""
    # dateutil keeps no public accessor for it, and its type stubs leave the attribute out.
    start: datetime = rule._dtstart  # type: ignore[attr-defined]  # noqa: SLF001
    return start


def _bounded(rule: rrule, high: datetime) -> rrule:
    """The rule, ending at ``high`` at the latest.

    dateutil looks for the next date until the year 9999 when a rule can give
    none (``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31``): seconds, under the write lock.
    """
    until: datetime | None = rule._until  # type: ignore[attr-defined]  # noqa: SLF001 - as _dtstart
    if until is not None and until <= high:
        return rule
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # COUNT with UNTIL: whichever ends first, as wanted
        return rule.replace(until=high)


__all__ = ["FRIENDLY_EXAMPLES", "Rule", "friendly_to_rrule", "parse_rule"]
