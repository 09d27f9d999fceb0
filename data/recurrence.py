"""Recurring workflows: rules, the dates they give, and how instances are made from them.

A recurring item (kind ``recurring``) is a template. Its title, owner, checklist,
why, tags and priority are copied into a task for each date its rule gives, up
to a horizon ahead of today that the workspace sets (meta key
``recurring_horizon_days``, 14 by default).

Rules are RFC 5545 RRULEs, read by python-dateutil, or friendly forms that
stand for one (``every monday``, ``every 2 weeks``, ``every weekday``,
``monthly on the 1st``, ``quarterly``; :data:`FRIENDLY_EXAMPLES`). Friendly forms
never skip a month: ``monthly on the 31st`` falls on the last day of shorter
months (an RRULE with ``BYMONTHDAY=31`` alone would skip them, as the RFC says).

What the template stores, besides its ordinary fields (the model keeps unknown
fields, so these survive any edit):

``rule``           the rule as typed
``rule_start``     ISO date the rule counts from (its DTSTART): ``every 2 weeks``
                   means every second week from this day
``generate_from``  ISO date: no instance is made for an earlier date. Set to today
                   when the rule is set or the workflow resumes, so resuming does
                   not fill in the weeks it was paused
``paused``         true while paused: no instances are made
``skipped``        ISO dates that get no instance

What each instance stores: ``instance_of`` (the template's id), ``occurrence``
(its ISO date; also its due date) and ``made_from`` (the template values it was
made from). Item ids are numbers the workspace hands out, so an instance's
identity is the pair (``instance_of``, ``occurrence``): :class:`GenerateInstances`
looks for that pair in the fresh file inside the write lock before making one,
which is why any number of processes generating at once make exactly one
instance per date.

Editing the template changes future instances only: instances not yet started
(still in the first board column, dated today or later) take the new value of
each field nobody has changed on the instance itself; started or past instances
keep what they have. A new rule declines such not-yet-started instances whose
date it no longer gives.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from data.dates import BadDate, parse_date
from data.model import TITLE_LIMIT, BadValue, coerce_field
from data.ops import _BOOKKEEPING, CreateItem, Move, _touch
from data.workspace import NotFound, Transaction

HORIZON_KEY = "recurring_horizon_days"
"""Meta key: how many days ahead instances are made."""

DEFAULT_HORIZON_DAYS = 14
MAX_HORIZON_DAYS = 366

MAX_PER_RUN = 100
"""Most instances one template gets in one generation (a daily rule nobody ran for a year)."""

TEMPLATE_FIELDS = ("title", "owner", "why", "tags", "priority", "checklist")
"""Fields copied from a template into each instance."""

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
    _rrule: Any = field(repr=False, compare=False)

    def dates(self, after: date, until: date, *, limit: int | None = None) -> list[date]:
        """The dates the rule gives from ``after`` to ``until``, both included, oldest first."""
        if until < after:
            return []
        tz = self._rrule._dtstart.tzinfo  # noqa: SLF001 - dateutil keeps no public accessor
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
        first = parsed._dtstart  # noqa: SLF001
        next(iter(_bounded(parsed, first.replace(year=first.year + 10))), None)  # some mistakes show only here
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        if isinstance(error, BadValue):
            raise
        raise _bad_rule(raw, str(error) or type(error).__name__) from None
    return Rule(text=raw, rrule_text=rrule_text, start=start, _rrule=parsed)


def _bounded(rule: Any, high: datetime) -> Any:
    """The rule, ending at ``high`` at the latest.

    dateutil looks for the next date until the year 9999 when a rule can give
    none (``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31``): seconds, under the write lock.
    """
    until = rule._until  # noqa: SLF001
    if until is not None and until <= high:
        return rule
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # COUNT with UNTIL: whichever ends first, as wanted
        return rule.replace(until=high)


def template_rule(doc: dict[str, Any], today: date) -> Rule:
    """The rule of a stored template (BadValue when it has none or it cannot be read)."""
    start = _iso_date(doc.get("rule_start")) or today
    return parse_rule(str(doc.get("rule") or ""), start)


def horizon_days(meta: dict[str, Any]) -> int:
    """The workspace's horizon setting, clamped to 1…366 days."""
    try:
        days = int(meta.get(HORIZON_KEY, DEFAULT_HORIZON_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_HORIZON_DAYS
    return min(max(days, 1), MAX_HORIZON_DAYS)


def instance_title(template_title: str, day: date) -> str:
    """``Weekly release · Mon 30 Nov``: a template title plus the date, within the title limit."""
    suffix = f" · {day:%a} {day.day} {day:%b}"
    return template_title[: TITLE_LIMIT - len(suffix)].rstrip() + suffix


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _template_doc(txn: Transaction, template_id: int) -> dict[str, Any]:
    doc = txn.raw_item(template_id)
    if doc.get("kind") != "recurring":
        raise BadValue(f"#{template_id} is a {doc.get('kind', 'task')}, not a recurring workflow")
    return doc


def _instances_by_template(items: dict[str, dict[str, Any]]) -> dict[int, dict[str, str]]:
    """template id → {occurrence ISO date → instance key}, over every item whatever its status."""
    index: dict[int, dict[str, str]] = {}
    for key, doc in items.items():
        template = doc.get("instance_of")
        if isinstance(template, int) and doc.get("occurrence"):
            index.setdefault(template, {})[str(doc["occurrence"])] = key
    return index


def _template_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The template fields an instance copies, in the form kept in ``made_from``."""
    return {
        "title": doc.get("title", ""),
        "owner": doc.get("owner"),
        "why": doc.get("why") or "",
        "tags": list(doc.get("tags") or []),
        "priority": doc.get("priority"),
        "checklist": [str(step.get("text", "")) for step in doc.get("checklist") or []],
    }


def _instance_value(name: str, value: Any, day: date) -> Any:
    """What an instance holds for a template value."""
    if name == "title":
        return instance_title(value, day)
    if name == "checklist":
        return [{"text": text, "done": False} for text in value]
    return value


def _same(a: Any, b: Any) -> bool:
    return (None if a in ("", [], {}) else a) == (None if b in ("", [], {}) else b)


@dataclass
class CreateRecurring:
    """Make a recurring workflow: a template item with a rule.

    ``fields`` are typed values as for :class:`~data.ops.CreateItem` (owner, why,
    tags, priority, body, parent); ``start`` a typed date the rule counts from
    (today by default).
    """

    title: str
    rule: str
    start: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    checklist: list[str] = field(default_factory=list)
    item_id: int | None = None
    """The template's id (filled in by ``apply``; ``apply_all`` reports only the last op's)."""

    def apply(self, txn: Transaction) -> int:
        start = _typed_date(self.start, txn.today) if self.start else txn.today
        rule = parse_rule(self.rule, start)
        first_day = max(start, txn.today)
        if not rule.dates(first_day, first_day + timedelta(days=3660), limit=1):
            raise BadValue(f"the rule {rule.text!r} gives no date from {first_day.isoformat()} on")
        item_id = CreateItem(self.title, kind="recurring", fields=self.fields, checklist=self.checklist).apply(txn)
        doc = txn.raw_item(item_id)
        extra = {"rule": rule.text, "rule_start": start.isoformat(), "generate_from": first_day.isoformat()}
        doc.update(extra)
        entry = txn.entries[-1]
        entry["changes"].update({name: [None, value] for name, value in extra.items()})
        entry["summary"] = f"made recurring #{item_id} {rule.text}: {doc['title'][:50]}"
        self.item_id = item_id
        return item_id


def _typed_date(text: str, today: date) -> date:
    try:
        return parse_date(text, today)
    except BadDate as error:
        raise BadValue(str(error)) from None


@dataclass
class GenerateInstances:
    """Make the instances that are due, for every running template (or one).

    Reads the fresh file inside the lock, so it never makes a second instance
    for a (template, date) pair, whoever made the first. Also brings
    not-yet-started future instances up to date with template edits and rule
    changes (see the module docstring). Changes nothing, and so writes nothing,
    when all is already made.
    """

    template_id: int | None = None
    created: list[int] = field(default_factory=list)
    """Ids of the instances made (filled in by ``apply``)."""
    _next_id: int | None = field(default=None, repr=False)
    _bottom: float = field(default=0.0, repr=False)

    def apply(self, txn: Transaction) -> int | None:
        self.created = []
        self._next_id = None
        items = txn.db.storage.read().setdefault("items", {})
        settings = txn.settings
        today = txn.today
        until = today + timedelta(days=horizon_days(txn.meta))
        index = _instances_by_template(items)
        templates = [(int(key), doc) for key, doc in items.items()
                     if doc.get("kind") == "recurring" and doc.get("rule")
                     and (self.template_id is None or int(key) == self.template_id)]
        for template_id, doc in templates:
            if not settings.is_open(str(doc.get("status"))) or doc.get("paused"):
                continue
            try:
                rule = template_rule(doc, today)
            except BadValue as error:
                txn.warnings.append(f"recurring #{template_id}: {error}; no instances made")
                continue
            made = index.setdefault(template_id, {})
            skipped = set(doc.get("skipped") or [])
            floor = _iso_date(doc.get("generate_from")) or rule.start
            try:
                for day in rule.dates(floor, until, limit=MAX_PER_RUN):
                    iso = day.isoformat()
                    if iso in skipped or iso in made:
                        continue
                    made[iso] = str(self._make(txn, template_id, doc, day))
                self._sync(txn, template_id, doc, rule, made, skipped, until)
            except BadValue as error:  # e.g. the template's owner is not a person here any more
                txn.warnings.append(f"recurring #{template_id}: {error}; no instances made")
        return self.created[-1] if self.created else None

    def _make(self, txn: Transaction, template_id: int, doc: dict[str, Any], day: date) -> int:
        """Store one instance, as :class:`~data.ops.CreateItem` would store the same task.

        Written here rather than through ``CreateItem`` because that scans every
        item twice (next id, bottom of the column) per item made: 0.5 s under
        the lock for the first generation of a 10k-item workspace, 15 ms this way.
        """
        values = _template_values(doc)
        status = txn.settings.board_statuses[0]
        new: dict[str, Any] = {"kind": "task", "title": coerce_field("title", instance_title(values["title"], day)),
                               "status": status}
        for name in ("owner", "why", "tags", "priority"):
            if values[name] not in (None, "", []):
                new[name] = coerce_field(name, values[name])
        new["due"] = day.isoformat()
        if doc.get("parent") is not None:
            new["parent"] = doc["parent"]
        if new.get("owner") is not None and not txn.has_person(new["owner"]):
            raise BadValue(f"its owner {new['owner']!r} is not a person in this workspace")
        if values["checklist"]:
            new["checklist"] = [{"text": text, "done": False} for text in values["checklist"]]
        if new.get("why"):
            new["why_log"] = [{"at": txn.now, "by": txn.actor, "text": new["why"], "kind": "why"}]
        item_id, rank = self._allocate(txn, status)
        new.update(created_at=txn.now, created_by=txn.actor, updated_at=txn.now, updated_by=txn.actor,
                   status_since=txn.now, rank=rank, instance_of=template_id, occurrence=day.isoformat(),
                   made_from=values)
        txn.db.storage.read()["items"][str(item_id)] = new
        txn.record("create", item_id, {k: [None, v] for k, v in new.items() if k not in _BOOKKEEPING},
                   f"made #{item_id} from recurring #{template_id} for {day.isoformat()}")
        self.created.append(item_id)
        return item_id

    def _allocate(self, txn: Transaction, status: str) -> tuple[int, float]:
        """The next item id (TinyDB's rule: one more than the largest) and the bottom rank of ``status``."""
        if self._next_id is None:
            items = txn.db.storage.read()["items"]
            self._next_id = max(map(int, items), default=0) + 1
            self._bottom = max((d.get("rank", 0.0) or 0.0 for d in items.values() if d.get("status") == status),
                               default=0.0)
        item_id, self._next_id = self._next_id, self._next_id + 1
        self._bottom += 1.0
        return item_id, self._bottom

    def _sync(self, txn: Transaction, template_id: int, doc: dict[str, Any], rule: Any,
              made: dict[str, str], skipped: set[str], until: date) -> None:
        """Bring not-yet-started instances dated today or later up to date with the template."""
        today, first_column = txn.today, txn.settings.board_statuses[0]
        future = sorted(iso for iso in made if iso >= today.isoformat())
        if not future:
            return
        last = max(until, date.fromisoformat(future[-1]))
        valid = {d.isoformat() for d in rule.dates(today, last)}
        current = _template_values(doc)
        for iso in future:
            key = made[iso]
            instance = txn.db.storage.read()["items"][key]
            if instance.get("status") != first_column:
                continue
            if iso not in valid or iso in skipped:
                reason = f"not a date of recurring #{template_id} any more (its rule is now {rule.text!r})"
                Move(int(key), "declined", reason=reason).apply(txn)
                continue
            before = instance.get("made_from") or {}
            day = date.fromisoformat(iso)
            changes: dict[str, list[Any]] = {}
            for name in TEMPLATE_FIELDS:
                if name not in before or _same(before[name], current[name]):
                    continue
                held = instance.get(name)
                if not _same(held, _instance_value(name, before[name], day)):
                    continue  # someone changed this on the instance: theirs wins
                changes[name] = [held, _instance_value(name, current[name], day)]
            if not changes:
                continue
            instance = txn.raw_item(int(key))
            for name, (_old, new) in changes.items():
                if new in (None, "", []):
                    instance.pop(name, None)
                else:
                    instance[name] = new
            made_from = {**before, **{name: current[name] for name in changes}}
            summary = f"updated #{key} from recurring #{template_id} ({', '.join(changes)})"
            changes["made_from"] = [before, made_from]
            instance["made_from"] = made_from
            _touch(txn, instance)
            txn.record("set", int(key), changes, summary)


@dataclass
class SkipOccurrence:
    """Skip one date of a workflow; its instance, if made and not started, is declined.

    ``day`` is a typed date; None skips the next date (today or later) not yet
    skipped whose instance is not already finished or started.
    """

    template_id: int
    day: str | None = None
    skipped_day: str | None = None
    """The ISO date skipped (filled in by ``apply``)."""

    def apply(self, txn: Transaction) -> int:
        doc = _template_doc(txn, self.template_id)
        rule = template_rule(doc, txn.today)
        skipped = list(doc.get("skipped") or [])
        made = _instances_by_template(txn.db.storage.read()["items"]).get(self.template_id, {})
        items = txn.db.storage.read()["items"]
        first_column = txn.settings.board_statuses[0]
        if self.day is None:
            candidates = rule.dates(txn.today, txn.today + timedelta(days=3660), limit=len(skipped) + len(made) + 5)
            day = next((d for d in candidates if d.isoformat() not in skipped
                        and (d.isoformat() not in made or items[made[d.isoformat()]].get("status") == first_column)), None)
            if day is None:
                raise BadValue(f"recurring #{self.template_id} has no coming date left to skip")
        else:
            day = _typed_date(self.day, txn.today)
            if not rule.dates(day, day):
                coming = ", ".join(d.isoformat() for d in rule.next_dates(txn.today, 3))
                raise BadValue(f"{day.isoformat()} is not a date of recurring #{self.template_id} "
                               f"({rule.text}); coming dates: {coming}")
        iso = day.isoformat()
        if iso in skipped:
            raise BadValue(f"{iso} of recurring #{self.template_id} is already skipped")
        key = made.get(iso)
        instance = items.get(key) if key else None
        if instance is not None and not txn.settings.is_open(str(instance.get("status"))):
            raise BadValue(f"the {iso} instance #{key} is already {instance.get('status')}; nothing to skip")
        new = sorted([*skipped, iso])
        doc["skipped"] = new
        _touch(txn, doc)
        txn.record("skip", self.template_id, {"skipped": [skipped, new]},
                   f"skipped {iso} of recurring #{self.template_id}")
        if instance is not None:
            Move(int(key), "declined", reason=f"{iso} was skipped in recurring #{self.template_id}").apply(txn)
        self.skipped_day = iso
        return self.template_id


@dataclass
class SetPaused:
    """Pause a workflow (no more instances) or resume it from today on (paused dates are not made)."""

    template_id: int
    paused: bool

    def apply(self, txn: Transaction) -> int:
        doc = _template_doc(txn, self.template_id)
        if bool(doc.get("paused")) == self.paused:
            state = "paused" if self.paused else "running"
            raise BadValue(f"recurring #{self.template_id} is already {state}")
        changes: dict[str, list[Any]] = {"paused": [bool(doc.get("paused")), self.paused]}
        if self.paused:
            doc["paused"] = True
        else:
            doc.pop("paused", None)
            today = txn.today.isoformat()
            changes["generate_from"] = [doc.get("generate_from"), today]
            doc["generate_from"] = today
        _touch(txn, doc)
        verb = "paused" if self.paused else "resumed"
        txn.record("pause" if self.paused else "resume", self.template_id, changes,
                   f"{verb} recurring #{self.template_id}")
        return self.template_id


@dataclass
class SetRule:
    """Give a workflow a new rule, counting from ``start`` (a typed date; today by default).

    Dates before today are not made; instances not yet started on dates the new
    rule does not give are declined by the next :class:`GenerateInstances`
    (apply both together).
    """

    template_id: int
    rule: str
    start: str | None = None

    def apply(self, txn: Transaction) -> int:
        doc = _template_doc(txn, self.template_id)
        start = _typed_date(self.start, txn.today) if self.start else txn.today
        rule = parse_rule(self.rule, start)
        first_day = max(start, txn.today)
        if not rule.dates(first_day, first_day + timedelta(days=3660), limit=1):
            raise BadValue(f"the rule {rule.text!r} gives no date from {first_day.isoformat()} on")
        new = {"rule": rule.text, "rule_start": start.isoformat(), "generate_from": first_day.isoformat()}
        changes = {name: [doc.get(name), value] for name, value in new.items() if doc.get(name) != value}
        if not changes:
            return self.template_id
        doc.update(new)
        _touch(txn, doc)
        txn.record("rule", self.template_id, changes, f"set the rule of recurring #{self.template_id} to {rule.text}")
        return self.template_id


@dataclass
class SetHorizon:
    """Set how many days ahead the workspace makes instances (1…366)."""

    days: int

    def apply(self, txn: Transaction) -> None:
        if not 1 <= self.days <= MAX_HORIZON_DAYS:
            raise BadValue(f"the horizon must be 1 to {MAX_HORIZON_DAYS} days, not {self.days}")
        meta = txn.meta
        old = horizon_days(meta)
        if HORIZON_KEY in meta and old == self.days:
            return None
        meta[HORIZON_KEY] = self.days
        txn.record("settings", None, {HORIZON_KEY: [old, self.days]},
                   f"set the recurring horizon to {self.days} days")
        return None


# -- reading workflows (for the CLI list, the TUI screen and the report) ----------------

@dataclass
class Workflow:
    """A recurring template as people see it."""

    id: int
    title: str
    owner: str | None
    rule: str
    rrule: str
    state: str
    """``running``, ``paused``, ``ended`` (template closed), ``no rule`` or ``broken`` (rule unreadable)."""
    next_dates: list[date]
    skipped: list[str]
    instances: int
    open_instances: int
    problem: str = ""


def workflows(snapshot: Any, today: date, *, count: int = 5) -> list[Workflow]:
    """Every recurring template in a snapshot, with its next dates, by id."""
    settings = snapshot.settings
    index = _instances_by_template({str(k): v for k, v in snapshot.docs.items()})
    result = []
    for item_id, doc in sorted(snapshot.docs.items()):
        if doc.get("kind") != "recurring":
            continue
        made = index.get(item_id, {})
        open_count = sum(1 for key in made.values() if settings.is_open(str(snapshot.docs[int(key)].get("status"))))
        skipped = list(doc.get("skipped") or [])
        problem, rrule, coming = "", "", []
        if not doc.get("rule"):
            state, problem = "no rule", f"set one with `worktop recurring edit {item_id} --rule RULE`"
        else:
            try:
                rule = template_rule(doc, today)
                rrule = rule.rrule_text
                floor = max(today, _iso_date(doc.get("generate_from")) or today)
                coming = [d for d in rule.dates(floor, floor + timedelta(days=3660), limit=count + len(skipped))
                          if d.isoformat() not in skipped][:count]
                state = "paused" if doc.get("paused") else "running"
            except BadValue as error:
                state, problem = "broken", str(error)
        if not settings.is_open(str(doc.get("status"))):
            state = "ended"
        result.append(Workflow(item_id, str(doc.get("title", "")), doc.get("owner"), str(doc.get("rule") or ""),
                               rrule, state, coming, skipped, len(made), open_count, problem))
    return result


def templates_changed(previous: Any, snapshot: Any) -> bool:
    """Whether a recurring template may have changed between two snapshots (unknown counts as yes)."""
    if previous is None or previous is snapshot or previous.revision == snapshot.revision:
        return previous is None
    changes = snapshot.changes_since(previous)
    if changes is None:
        return True
    return any(item_id is not None and (snapshot.docs.get(item_id) or {}).get("kind") == "recurring"
               for item_id in changes)


def generate(workspace: Any, template_id: int | None = None) -> tuple[list[int], list[str]]:
    """Make due instances in a workspace now; (ids made, warnings). Writes only if something was made."""
    op = GenerateInstances(template_id)
    result = workspace.apply(op)
    return list(op.created), list(result.warnings)


__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "HORIZON_KEY",
    "CreateRecurring",
    "GenerateInstances",
    "NotFound",
    "Rule",
    "SetHorizon",
    "SetPaused",
    "SetRule",
    "SkipOccurrence",
    "Workflow",
    "generate",
    "horizon_days",
    "instance_title",
    "parse_rule",
    "templates_changed",
    "workflows",
]
