"""Recurring workflows: rules, the dates they give, and how instances are made from them.

A recurring item (kind ``recurring``) is a template. Its title, owner, checklist,
why, tags and priority are copied into a task for each date its rule gives, up
to a horizon ahead of today that the workspace sets (meta key
``recurring_horizon_days``, 14 by default).

Rules (friendly forms like ``every monday`` or RFC 5545 RRULEs) are read by
:mod:`data.model.rules`.

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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from data.errors import BadValue, NotFound
from data.model.dates import BadDate, parse_date
from data.model.items import TITLE_LIMIT, coerce_field
from data.model.rules import Rule, parse_rule
from data.store.transaction import StoreTransaction as Transaction
from data.writes.checks import BOOKKEEPING, touch
from data.writes.ops import CreateItem, Move

if TYPE_CHECKING:
    from data.model.snapshot import Snapshot
    from data.writes.workspace import Result, Workspace

HORIZON_KEY = "recurring_horizon_days"
"""Meta key: how many days ahead instances are made."""

DEFAULT_HORIZON_DAYS = 14
MAX_HORIZON_DAYS = 366

MAX_PER_RUN = 100
"""Most instances one template gets in one generation (a daily rule nobody ran for a year)."""

TEMPLATE_FIELDS = ("title", "owner", "why", "tags", "priority", "checklist")
"""Fields copied from a template into each instance."""

def template_rule(doc: dict[str, Any], today: date) -> Rule:
    """The rule of a stored template (BadValue when it has none or it cannot be read)."""
    start = _iso_date(doc.get("rule_start")) or today
    return parse_rule(str(doc.get("rule") or ""), start)


def horizon_days(meta: Mapping[str, Any]) -> int:
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


def _instances_by_template(items: dict[int, dict[str, Any]]) -> dict[int, dict[str, int]]:
    """template id → {occurrence ISO date → instance id}, over every item whatever its status."""
    index: dict[int, dict[str, int]] = {}
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

    ``fields`` are typed values as for :class:`~data.writes.ops.CreateItem` (owner, why,
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

    def apply(self, txn: Transaction) -> int | None:
        self.created = []
        items = dict(txn.docs())
        settings = txn.settings
        today = txn.today
        until = today + timedelta(days=horizon_days(txn.meta))
        index = _instances_by_template(items)
        templates = [(key, doc) for key, doc in items.items()
                     if doc.get("kind") == "recurring" and doc.get("rule")
                     and (self.template_id is None or key == self.template_id)]
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
                    made[iso] = self._make(txn, template_id, doc, day)
                self._sync(txn, template_id, doc, rule, made, skipped, until)
            except BadValue as error:  # e.g. the template's owner is not a person here any more
                txn.warnings.append(f"recurring #{template_id}: {error}; no instances made")
        return self.created[-1] if self.created else None

    def _make(self, txn: Transaction, template_id: int, doc: dict[str, Any], day: date) -> int:
        """Store one instance, as :class:`~data.writes.ops.CreateItem` would store the same task.

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
        new.update(created_at=txn.now, created_by=txn.actor, updated_at=txn.now, updated_by=txn.actor,
                   status_since=txn.now, rank=txn.bottom_rank(), instance_of=template_id, occurrence=day.isoformat(),
                   made_from=values)
        item_id = txn.add_item(new)
        txn.record("create", item_id, {k: [None, v] for k, v in new.items() if k not in BOOKKEEPING},
                   f"made #{item_id} from recurring #{template_id} for {day.isoformat()}")
        self.created.append(item_id)
        return item_id

    def _sync(self, txn: Transaction, template_id: int, doc: dict[str, Any], rule: Any,
              made: dict[str, int], skipped: set[str], until: date) -> None:
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
            instance = txn.doc(key)
            if instance is None or instance.get("status") != first_column:
                continue
            if iso not in valid or iso in skipped:
                reason = f"not a date of recurring #{template_id} any more (its rule is now {rule.text!r})"
                Move(key, "declined", reason=reason).apply(txn)
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
            instance = txn.raw_item(key)
            for name, (_old, new) in changes.items():
                if new in (None, "", []):
                    instance.pop(name, None)
                else:
                    instance[name] = new
            made_from = {**before, **{name: current[name] for name in changes}}
            summary = f"updated #{key} from recurring #{template_id} ({', '.join(changes)})"
            changes["made_from"] = [before, made_from]
            instance["made_from"] = made_from
            touch(txn, instance)
            txn.record("set", key, changes, summary)


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
        items = dict(txn.docs())
        made = _instances_by_template(items).get(self.template_id, {})
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
        touch(txn, doc)
        txn.record("skip", self.template_id, {"skipped": [skipped, new]},
                   f"skipped {iso} of recurring #{self.template_id}")
        if key is not None and instance is not None:
            Move(key, "declined", reason=f"{iso} was skipped in recurring #{self.template_id}").apply(txn)
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
        touch(txn, doc)
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
        touch(txn, doc)
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


def workflows(snapshot: Snapshot, today: date, *, count: int = 5) -> list[Workflow]:
    """Every recurring template in a snapshot, with its next dates, by id."""
    settings = snapshot.settings
    index = _instances_by_template(snapshot.docs)
    result = []
    for item_id, doc in sorted(snapshot.docs.items()):
        if doc.get("kind") != "recurring":
            continue
        made = index.get(item_id, {})
        open_count = sum(1 for key in made.values() if settings.is_open(str(snapshot.docs[key].get("status"))))
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


def templates_changed(previous: Snapshot | None, snapshot: Snapshot) -> bool:
    """Whether a recurring template may have changed between two snapshots (unknown counts as yes)."""
    if previous is None or previous is snapshot or previous.revision == snapshot.revision:
        return previous is None
    changes = snapshot.changes_since(previous)
    if changes is None:
        return True
    return any(item_id is not None and (snapshot.docs.get(item_id) or {}).get("kind") == "recurring"
               for item_id in changes)


def generate(workspace: Workspace, template_id: int | None = None, snapshot: Snapshot | None = None
             ) -> tuple[list[int], Result]:
    """Make due instances in a workspace now; (ids made, the write's Result).

    Tried on ``snapshot`` (or a fresh one) first: when nothing is due, no lock is taken and
    nothing is written; otherwise the lock is taken and the freshest state decides.
    """
    op = GenerateInstances(template_id)
    result = workspace.apply_if_changing([op], snapshot)
    return (list(op.created) if result.changed else []), result


__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "Rule",
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
