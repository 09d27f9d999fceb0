"""Taskwarrior: ``task export`` read (2.6 and 3.x, a JSON array or one object a line) and written for ``task import``.

Reading, per task:

==============================  =========================================================
``description``                 title (a long or multi-line one spills into the body)
``status`` pending              the first board column; with ``start`` the first
                                in-progress column; with ``wait`` in the future
                                (2.6, or status ``waiting`` before it) the inbox,
                                snoozed until then (hidden, as Taskwarrior hides it)
``status`` completed / deleted  done / archived, finished at ``end``
``status`` recurring            a recurring workflow (``recur``: ``weekly``, ``3wks``,
                                ``monthly``, ``weekdays``, …; ``until`` ends it); its
                                instances (tasks with ``parent``) are skipped: the
                                workflow makes its own
``annotations``                 why-log notes, with their dates
``depends``                     blocked by (a list of uuids, or the older comma-separated
                                string)
``project`` ``ops.security``    a project ``ops`` holding a workstream ``security`` that
                                holds the task
``priority`` H / M / L          1 / 2 / 3
``tags``                        tags
``due`` ``wait`` ``entry``      due date, snoozed until, created at; ``scheduled``,
``end`` ``start`` ``until``     ``until`` and every UDA are kept in the item's source fields
UDAs ``owner``, ``why``,        worktop's own export writes these: owner, why, kind,
``kind``, ``body``,             body; ``worktop_id`` with the uuid worktop gave it finds
``worktop_id``                  the item again when imported back into the same workspace
==============================  =========================================================

Dates are ``YYYYMMDDTHHMMSSZ`` (UTC); a due date is the UTC day of its time.

Writing gives what ``task import`` accepts: uuid (the task's own when it came
from Taskwarrior, else one derived from the workspace and the item id, so a
second export updates the same tasks), description, status, entry, modified,
end, due, wait, start, priority, project (the chain of parent titles), tags,
annotations (the why log's notes), depends, and UDAs ``owner``, ``why``,
``body``, ``kind`` and ``worktop_id`` (Taskwarrior keeps UDAs it has no
definition for); the UDAs of an imported task go back out as they came in.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from data.interchange.records import (
    BadSource,
    Note,
    Parsed,
    Record,
    Skip,
    day_of,
    fit_title,
    handle_for,
    stamp_of,
    tag_for,
)

if TYPE_CHECKING:
    from data.model.items import Item
    from data.model.snapshot import Snapshot

SYSTEM = "taskwarrior"

_MAPPED_KEYS = frozenset({"description", "status", "uuid", "entry", "end", "due", "wait", "start", "priority",
                          "project", "tags", "annotations", "depends", "recur", "parent", "owner", "why", "kind",
                          "body", "worktop_id"})
_DERIVED_KEYS = frozenset({"id", "urgency", "imask", "mask", "modified", "rtype"})
"""Computed by Taskwarrior (or its recurrence bookkeeping): not kept."""

_PRIORITY = {"H": 1, "M": 2, "L": 3}

_RECUR_WORDS = {
    "daily": (1, "day"), "day": (1, "day"), "weekdays": (1, "weekday"), "weekly": (1, "week"), "week": (1, "week"),
    "biweekly": (2, "week"), "fortnight": (2, "week"), "monthly": (1, "month"), "month": (1, "month"),
    "bimonthly": (2, "month"), "quarterly": (3, "month"), "semiannual": (6, "month"), "annual": (1, "year"),
    "yearly": (1, "year"), "year": (1, "year"), "biannual": (2, "year"), "biyearly": (2, "year"),
}
_RECUR_UNITS = {"d": "day", "day": "day", "days": "day", "w": "week", "wk": "week", "wks": "week", "week": "week",
                "weeks": "week", "mo": "month", "mos": "month", "mth": "month", "mths": "month", "month": "month",
                "months": "month", "q": "quarter", "qtr": "quarter", "qtrs": "quarter", "quarter": "quarter",
                "quarters": "quarter", "y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year"}
_FREQ = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}


def read(text: str, name: str, workspace_key: str | None = None) -> Parsed:
    """Parse a ``task export`` (see the module docstring). Raises :class:`BadSource` naming the file and record.

    ``workspace_key``: the workspace imported into; a task this workspace exported
    (its uuid derived from that key and its ``worktop_id``) updates that item.
    """
    tasks = _objects(text, name)
    parsed = Parsed(SYSTEM)
    templates: dict[str, str] = {}
    for task, where in tasks:
        if not isinstance(task, dict):
            raise BadSource(f"{name} {where}: a task must be a JSON object, not {type(task).__name__}")
        for key in ("uuid", "description"):
            if not isinstance(task.get(key), str) or not task[key].strip():
                raise BadSource(f"{name} {where}: no {key!r}; is this a Taskwarrior export (`task export`)?")
        if task.get("status") == "recurring":
            templates[task["uuid"]] = task["description"]
    projects: dict[str, Record] = {}
    for task, where in tasks:
        if task.get("parent") and task.get("status") != "recurring":
            template = templates.get(task["parent"])
            reason = (f"an instance of the recurring task {template!r}; the recurring workflow makes its own"
                      if template is not None else "an instance of a recurring task that is not in the file")
            parsed.skipped.append(Skip(f"{where} ({task['description'][:40]})", reason))
            continue
        record = _record(task, where, parsed, projects)
        item_id = record.fields.get("worktop_id")
        if workspace_key is not None and isinstance(item_id, int) and task["uuid"] == export_uuid(workspace_key, item_id):
            record.match_item = item_id
        parsed.records.append(record)
    # A project's own task (worktop's export writes one per project with UDA kind): it stands for the project.
    own = {_path_of(r): r for r in parsed.records if r.kind in ("project", "workstream", "goal")}
    made = []
    for path, node in projects.items():
        mine = own.get(path)
        if mine is None:
            made.append(node)
            continue
        if node.parent and not mine.parent:
            mine.parent = node.parent
        for record in parsed.records:
            if record.parent == node.key:
                record.parent = mine.key
        for other in projects.values():
            if other.parent == node.key:
                other.parent = mine.key
    parsed.records[:0] = made  # projects first, outermost first: the order a person reads them in
    return parsed


def _objects(text: str, name: str) -> list[tuple[Any, str]]:
    """The export's tasks with where each is: a JSON array (the default), or one object a line (``json.array=off``)."""
    stripped = text.lstrip()
    if not stripped:
        return []
    if stripped.startswith("["):
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise BadSource(f"{name}: not valid JSON ({_json_where(text, error)})") from None
        return [(task, f"record {n}") for n, task in enumerate(data, start=1)]
    tasks = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            tasks.append((orjson.loads(line.rstrip(",")), f"line {number}"))
        except orjson.JSONDecodeError as error:
            raise BadSource(f"{name} line {number}: not a JSON object ({error.msg})") from None
    return tasks


def _json_where(text: str, error: orjson.JSONDecodeError) -> str:
    line = text.count("\n", 0, error.pos) + 1
    return f"line {line}: {error.msg}"


def _record(task: dict[str, Any], where: str, parsed: Parsed, projects: dict[str, Record]) -> Record:
    title, spill = fit_title(task["description"])
    record = Record(key=task["uuid"], title=title, where=f"{where} ({task['description'][:40]})", body=spill)
    status = task.get("status", "pending")
    wait = day_of(task.get("wait"))
    if status == "completed":
        record.state = "done"
        record.finished_at = stamp_of(task.get("end"))
    elif status == "deleted":
        record.state = "archived"
        record.finished_at = stamp_of(task.get("end"))
    elif status == "recurring":
        record.kind = "recurring"
        record.rule = recur_rule(str(task.get("recur", "")), task.get("until"))
        record.rule_start = day_of(task.get("due")) or day_of(task.get("entry"))
        if record.rule is None:
            parsed.notes.append(f"{record.where}: recur {task.get('recur')!r} is not understood; imported as a task")
            record.kind = "task"
    else:
        record.state = "started" if task.get("start") else "todo"
        if status == "waiting" or wait:
            record.snoozed_until = wait
    record.created_at = stamp_of(task.get("entry"))
    record.due = day_of(task.get("due")) if status != "recurring" else None
    record.priority = _PRIORITY.get(str(task.get("priority", "")).upper())
    record.tags = [t for t in (tag_for(tag) for tag in task.get("tags") or [] if isinstance(tag, str)) if t]
    if task.get("kind") in ("goal", "project", "workstream", "request", "operation"):
        record.kind = task["kind"]
    if isinstance(task.get("owner"), str) and task["owner"].strip():
        record.owner = handle_for(task["owner"])
        if record.owner:
            parsed.people.setdefault(record.owner, "")
    if isinstance(task.get("why"), str):
        record.why = task["why"]
    if isinstance(task.get("body"), str):
        record.body = (record.body + "\n\n" + task["body"]).strip() if record.body else task["body"]
    for annotation in task.get("annotations") or []:
        if isinstance(annotation, dict) and isinstance(annotation.get("description"), str):
            at = stamp_of(annotation.get("entry")) or record.created_at or ""
            record.notes.append(Note(at, annotation["description"]))
    depends = task.get("depends") or []
    if isinstance(depends, str):  # Taskwarrior before 2.5, or json.depends.array=off
        depends = [part.strip() for part in depends.split(",")]
    record.blocked_by = [d for d in depends if isinstance(d, str) and d]
    project = task.get("project")
    if isinstance(project, str) and project.strip():
        record.parent = _project_node(project.strip(), projects)
        record.fields["project"] = project
    worktop_id = task.get("worktop_id")  # Taskwarrior writes an undefined UDA's number back as "12.000000"
    if isinstance(worktop_id, int | float | str) and re.fullmatch(r"\d+(\.0*)?", str(worktop_id)):
        record.fields["worktop_id"] = int(float(worktop_id))
    for key, value in task.items():
        if key not in _MAPPED_KEYS and key not in _DERIVED_KEYS:
            record.fields[key] = value
    for key in ("start", "end", "entry"):
        if key in task:
            record.fields[key] = task[key]
    return record


def _project_node(path: str, projects: dict[str, Record]) -> str:
    """The key of the record for a dotted project (made once per path: ``ops`` a project, ``ops.x`` a workstream)."""
    parts = [part.strip() for part in path.split(".") if part.strip()]
    key = None
    for depth in range(1, len(parts) + 1):
        sub = ".".join(parts[:depth])
        if sub not in projects:
            title, _ = fit_title(parts[depth - 1])
            projects[sub] = Record(key=f"project:{sub}", title=title, where=f"project {sub}",
                                   kind="project" if depth == 1 else "workstream", parent=key)
        key = projects[sub].key
    return key or f"project:{path}"


def _path_of(record: Record) -> str:
    project = record.fields.get("project")
    name = record.title.replace(".", "_")
    return f"{project}.{name}" if isinstance(project, str) and project else name


def recur_rule(recur: str, until: Any = None) -> str | None:
    """A worktop rule for Taskwarrior's ``recur`` (``weekly``, ``3wks``, ``2mo``, ``P1W``; ``until`` ends it), or None."""
    word = recur.strip().lower()
    number = re.fullmatch(r"(\d+)\s*([a-z]+)", word)
    iso = re.fullmatch(r"p(\d+)([dwmy])", word)
    if word in _RECUR_WORDS:
        count, unit = _RECUR_WORDS[word]
    elif number and number.group(2) in _RECUR_UNITS:
        count, unit = int(number.group(1)), _RECUR_UNITS[number.group(2)]
    elif iso:
        count, unit = int(iso.group(1)), {"d": "day", "w": "week", "m": "month", "y": "year"}[iso.group(2)]
    else:
        return None
    if count < 1:
        return None
    if unit == "quarter":
        count, unit = count * 3, "month"
    end = day_of(until)
    if end is None:
        if unit == "weekday":
            return "every weekday"
        return f"every {count} {unit}s" if count > 1 else f"every {unit}"
    rule = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" if unit == "weekday" else (
        f"FREQ={_FREQ[unit]}" + (f";INTERVAL={count}" if count > 1 else ""))
    return f"{rule};UNTIL={end.replace('-', '')}"


# -- writing -----------------------------------------------------------------------------

_NAMESPACE = uuid.UUID("6b1d5c1e-8f0a-4c59-9a55-0e1a7d2b9c31")


def export_uuid(workspace_key: str, item_id: int) -> str:
    """A stable uuid for an item that did not come from Taskwarrior (the same on every export of this workspace)."""
    return str(uuid.uuid5(_NAMESPACE, f"{workspace_key}#{item_id}"))


def _tw_stamp(value: Any) -> str | None:
    moment = None
    if isinstance(value, str) and value:
        try:
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            try:
                moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
            except ValueError:
                return None
    return moment.strftime("%Y%m%dT%H%M%SZ") if moment else None


def write(items: list[Item], snapshot: Snapshot, workspace_key: str) -> bytes:
    """A JSON array of tasks for ``task import`` (see the module docstring)."""
    settings = snapshot.settings
    in_progress = set(settings.statuses[2:-1])
    uuids = {item.id: _uuid_of(item, workspace_key) for item in snapshot.items.values()}
    recurring = {item.id for item in items if item.kind == "recurring" and tw_recur(item.doc.get("rule"))}
    tasks = []
    for item in items:
        doc = item.doc
        if doc.get("instance_of") in recurring and settings.is_open(item.status) and item.status in (
                settings.board_statuses[0],):
            continue  # Taskwarrior makes its own instances of a recurring task it imports
        source = doc.get("source")
        if not isinstance(source, dict):
            source = {}
        fields = source.get("fields")
        kept = fields if source.get("system") == SYSTEM and isinstance(fields, dict) else {}
        task: dict[str, Any] = {k: v for k, v in kept.items() if k not in _MAPPED_KEYS and k not in ("start", "end")}
        task.update(uuid=uuids[item.id], description=item.title)
        status = item.status
        if status == settings.done:
            task["status"] = "completed"
        elif status in ("archived", "declined"):
            task["status"] = "deleted"
        else:
            task["status"] = "pending"
        entry = _tw_stamp(item.created_at) or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        task["entry"] = entry
        task["modified"] = _tw_stamp(item.updated_at) or entry
        if task["status"] != "pending":
            task["end"] = _tw_stamp(item.status_since) or task["modified"]
        if status in in_progress:
            task["start"] = _tw_stamp(item.status_since) or task["modified"]
        if item.due:
            task["due"] = item.due.replace("-", "") + "T000000Z"
        if item.snoozed_until and task["status"] == "pending":
            task["wait"] = item.snoozed_until.replace("-", "") + "T000000Z"
        if item.priority:
            task["priority"] = {1: "H", 2: "M"}.get(item.priority, "L")
        project = _project_path(item, snapshot)
        if project:
            task["project"] = project
        if item.tags:
            task["tags"] = list(item.tags)
        notes = [entry for entry in item.why_log if entry.get("kind") == "note" and entry.get("text")]
        if notes:
            task["annotations"] = [{"entry": _tw_stamp(n.get("at")) or entry, "description": str(n["text"])}
                                   for n in notes]
        blockers = [uuids[b] for b in item.blocked_by if b in uuids]
        if blockers:
            task["depends"] = blockers
        if item.owner:
            task["owner"] = item.owner
        if item.why:
            task["why"] = item.why
        if item.body:
            task["body"] = item.body
        if item.kind not in ("task", "recurring"):
            task["kind"] = item.kind
        task["worktop_id"] = str(item.id)
        if item.kind == "recurring":
            recur = tw_recur(item.doc.get("rule"))
            if recur is not None and task["status"] == "pending":
                task.update(status="recurring", recur=recur, due=_next_due(item, snapshot) or task.get("due"))
                task.pop("kind", None)
            else:
                task["rule"] = str(item.doc.get("rule") or "")
                task["kind"] = "recurring"
        tasks.append(task)
    return orjson.dumps(tasks, option=orjson.OPT_INDENT_2) + b"\n"


def tw_recur(rule: Any) -> str | None:
    """Taskwarrior's ``recur`` for a worktop rule it can say (``every 2 weeks`` → ``2wks``), or None."""
    if not isinstance(rule, str) or not rule.strip():
        return None
    from datetime import date as _date

    from data.errors import BadValue
    from data.model.rules import parse_rule

    try:
        rrule = parse_rule(rule, _date.today()).rrule_text
    except BadValue:
        return None
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    freq, interval = parts.pop("FREQ", ""), int(parts.pop("INTERVAL", "1") or 1)
    if freq == "WEEKLY" and parts == {"BYDAY": "MO,TU,WE,TH,FR"} and interval == 1:
        return "weekdays"
    # One weekday a week, or one day a month: Taskwarrior counts from the due date, which falls on it.
    if freq == "WEEKLY" and "," not in parts.get("BYDAY", ","):
        parts.pop("BYDAY", None)
    if freq == "MONTHLY" and parts.get("BYMONTHDAY", "").isdigit():
        parts.pop("BYMONTHDAY")
    if parts:
        return None
    unit = {"DAILY": "d", "WEEKLY": "wks", "MONTHLY": "mo", "YEARLY": "y"}.get(freq)
    if unit is None:
        return None
    if interval == 1:
        return {"d": "daily", "wks": "weekly", "mo": "monthly", "y": "yearly"}[unit]
    return f"{interval}{unit}"


def _next_due(item: Item, snapshot: Snapshot) -> str | None:
    """The Taskwarrior due date of a recurring template: its next open instance's date, else the rule's start."""
    dates = sorted(str(other.doc.get("occurrence")) for other in snapshot.items.values()
                   if other.doc.get("instance_of") == item.id and other.doc.get("occurrence"))
    day = dates[0] if dates else item.doc.get("rule_start")
    return str(day).replace("-", "") + "T000000Z" if day else None


def _uuid_of(item: Item, workspace_key: str) -> str:
    source = item.doc.get("source")
    if isinstance(source, dict) and source.get("system") == SYSTEM and isinstance(source.get("id"), str):
        try:
            return str(uuid.UUID(source["id"]))
        except ValueError:
            pass
    return export_uuid(workspace_key, item.id)


def _project_path(item: Item, snapshot: Snapshot) -> str:
    """``ops.security``: the titles of the item's parents, outermost first (dots in a title become ``_``)."""
    names: list[str] = []
    seen = {item.id}
    current = snapshot.items.get(item.parent) if item.parent is not None else None
    while current is not None and current.id not in seen:
        seen.add(current.id)
        names.append(current.title.replace(".", "_").strip())
        current = snapshot.items.get(current.parent) if current.parent is not None else None
    return ".".join(reversed(names))


__all__ = ["SYSTEM", "export_uuid", "read", "recur_rule", "write"]
