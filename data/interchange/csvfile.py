"""CSV with a header: Linear's export, worktop's own export, or any sheet with ``--map``; and CSV written out.

Linear (Settings → Import / Export → Export CSV; columns are found by name, so
older and newer exports both read):

==================  ==========================================================
ID                  the key a re-import finds the item by (``ENG-12``)
Title, Description  title, body
Status              a workspace status of that name (``--statuses`` maps others);
                    else by Linear's defaults: Backlog, Triage → inbox; Todo →
                    the first column; In Progress, In Review → in progress;
                    Done → done; Canceled, Cancelled, Duplicate → declined
Priority            Urgent 1, High 2, Medium 3, Low 4, No priority none
Assignee            owner (a name or an email, made a handle: ``ana.lima``)
Labels              tags (joined by ", ")
Created             created at; Completed / Canceled: when it closed
Due Date            due
Parent issue        parent; Blocked by: blocked by (IDs joined by ", ")
the rest            Team, Estimate, Project, Cycle, … kept in the item's source fields
==================  ==========================================================

A leading ``'`` is taken off a cell (spreadsheets and Linear add one so text
such as ``=SUM(…)`` is not read as a formula).

Any other CSV: columns whose header is a worktop field (title, owner, due, tags,
status, priority, body, why, parent, blocked_by, kind, id) are read as that
field; ``--map title=Name,owner=Who`` names the others. ``id`` (or ``--map
id=Key``) is the key for re-imports; without one a row is known by its title.

Writing (``worktop export --to csv``): a header, one row per item, ISO dates,
RFC 4180 quoting and CRLF line ends (the ``csv`` module's ``excel`` dialect), and
any cell that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) written with a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any

from data.interchange.records import BadSource, Parsed, Record, day_of, fit_title, handle_for, stamp_of, tag_for

if TYPE_CHECKING:
    from data.model.items import Item
    from data.model.snapshot import Snapshot

LINEAR_COLUMNS = ("ID", "Team", "Title", "Description", "Status", "Estimate", "Priority", "Project ID", "Project",
                  "Creator", "Assignee", "Labels", "Cycle Number", "Cycle Name", "Cycle Start", "Cycle End", "Created",
                  "Updated", "Started", "Triaged", "Completed", "Canceled", "Archived", "Due Date", "Parent issue",
                  "Initiatives", "Project Milestone ID", "Project Milestone", "SLA Status", "Roadmaps", "Blocked by")
"""Linear's export header (newer exports add columns; they are kept like the rest)."""

FIELDS = ("id", "title", "kind", "status", "owner", "due", "snoozed_until", "tags", "priority", "parent", "blocked_by",
          "why", "body", "created_at", "finished_at")
"""What ``--map`` can name, and what worktop's own CSV export writes."""

_LINEAR_PRIORITY = {"urgent": 1, "high": 2, "medium": 3, "low": 4, "no priority": None, "none": None, "": None,
                    "0": None, "1": 1, "2": 2, "3": 3, "4": 4}
_LINEAR_STATES = {"backlog": "inbox", "triage": "inbox", "todo": "todo", "unstarted": "todo", "in progress": "started",
                  "started": "started", "in review": "started", "done": "done", "completed": "done",
                  "canceled": "declined", "cancelled": "declined", "duplicate": "declined"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def is_linear(header: list[str]) -> bool:
    return {"ID", "Title", "Status"} <= set(header) and ("Team" in header or "Assignee" in header)


def cell(value: str | None) -> str:
    """A cell's text without the ``'`` a spreadsheet-safe export puts before a formula-looking value."""
    text = (value or "").strip()
    return text[1:] if text.startswith("'") and len(text) > 1 and text[1] in _FORMULA else text.removeprefix("'")


def parse_map(text: str | None) -> dict[str, str]:
    """``title=Name,owner=Who`` → ``{"title": "Name", "owner": "Who"}`` (bad input is a :class:`BadSource`)."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, equals, column = part.partition("=")
        name = name.strip().lower()
        if not equals or not column.strip():
            raise BadSource(f"--map wants FIELD=COLUMN pairs, e.g. title=Name,owner=Who (got {part.strip()!r})")
        if name not in FIELDS:
            raise BadSource(f"--map: {name!r} is not a field; fields: {', '.join(FIELDS)}")
        mapping[name] = column.strip()
    return mapping


def _rows(text: str, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows = list(reader)
    except csv.Error as error:
        raise BadSource(f"{name} line {reader.line_num}: not readable as CSV ({error})") from None
    if not rows or not any(h.strip() for h in rows[0]):
        raise BadSource(f"{name}: no header row; a CSV import needs column names on its first line")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    if len(set(header)) != len(header):
        doubled = sorted({h for h in header if header.count(h) > 1})
        raise BadSource(f"{name} line 1: the header names {', '.join(map(repr, doubled))} twice")
    found = []
    line = 1
    for row in rows[1:]:
        line += 1
        if not any(value.strip() for value in row):
            continue
        if len(row) > len(header):
            raise BadSource(f"{name} row {line}: {len(row)} cells under a header of {len(header)}")
        found.append((line, dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))))
    return header, found


def read_linear(text: str, name: str) -> Parsed:
    header, rows = _rows(text, name)
    if not is_linear(header):
        raise BadSource(f"{name}: not a Linear export (its header has no ID, Title and Status columns)")
    parsed = Parsed("linear")
    used = {"ID", "Title", "Description", "Status", "Priority", "Assignee", "Labels", "Created", "Completed",
            "Canceled", "Due Date", "Parent issue", "Blocked by"}
    for line, row in rows:
        key = cell(row.get("ID"))
        if not key:
            raise BadSource(f"{name} row {line}: no ID")
        title, spill = fit_title(cell(row.get("Title")))
        record = Record(key=key, title=title, where=f"row {line} ({key})")
        record.body = "\n\n".join(part for part in (spill, cell(row.get("Description"))) if part)
        status = cell(row.get("Status"))
        record.status = status
        record.state = _LINEAR_STATES.get(status.lower(), "todo")
        priority = cell(row.get("Priority")).lower()
        if priority not in _LINEAR_PRIORITY:
            parsed.notes.append(f"row {line}: priority {priority!r} is not Linear's; kept in the source fields")
        record.priority = _LINEAR_PRIORITY.get(priority)
        assignee = cell(row.get("Assignee"))
        if assignee:
            record.owner = handle_for(assignee)
            parsed.people.setdefault(record.owner, assignee if "@" not in assignee else "")
        record.tags = [t for t in (tag_for(label) for label in cell(row.get("Labels")).split(",")) if t]
        record.created_at = stamp_of(cell(row.get("Created")))
        record.finished_at = stamp_of(cell(row.get("Completed"))) or stamp_of(cell(row.get("Canceled")))
        due = cell(row.get("Due Date"))
        record.due = day_of(due) if due else None
        if due and record.due is None:
            record.fields["Due Date"] = due
        record.parent = cell(row.get("Parent issue")) or None
        record.blocked_by = [part.strip() for part in cell(row.get("Blocked by")).split(",") if part.strip()]
        record.fields.update({column: cell(value) for column, value in row.items()
                              if column not in used and cell(value)})
        parsed.records.append(record)
    return parsed


def read_mapped(text: str, name: str, mapping: dict[str, str] | None = None) -> Parsed:
    """Any CSV with a header: columns named like worktop's fields, and ``mapping`` (field → column) for the rest."""
    header, rows = _rows(text, name)
    columns = {field: column for field, column in (mapping or {}).items()}
    for column in header:
        field = column.strip().lower().replace(" ", "_")
        if field in FIELDS and field not in columns and column not in columns.values():
            columns[field] = column
    missing = [column for column in columns.values() if column not in header]
    if missing:
        raise BadSource(f"{name} line 1: no column {', '.join(map(repr, missing))}; the header has "
                        + ", ".join(map(repr, header)))
    if "title" not in columns:
        raise BadSource(f"{name} line 1: which column is the title? Name it `title`, or say "
                        f"--map title=COLUMN (the header has {', '.join(map(repr, header))})")
    parsed = Parsed("csv")
    for line, row in rows:
        value = {field: cell(row.get(column)) for field, column in columns.items()}
        title, spill = fit_title(value.get("title", ""))
        key = value.get("id") or f"title:{title}"
        record = Record(key=key, title=title, where=f"row {line} ({title[:40]})")
        record.body = "\n\n".join(part for part in (spill, value.get("body", "")) if part)
        record.why = value.get("why", "")
        if value.get("kind"):
            record.kind = value["kind"].lower()
        if value.get("status"):
            record.status = value["status"]
            record.state = _LINEAR_STATES.get(value["status"].lower(), "todo")
        if value.get("owner"):
            record.owner = handle_for(value["owner"])
            parsed.people.setdefault(record.owner, value["owner"] if " " in value["owner"] else "")
        record.due = day_of(value["due"]) if value.get("due") else None
        record.snoozed_until = day_of(value["snoozed_until"]) if value.get("snoozed_until") else None
        record.tags = [t for t in (tag_for(tag) for tag in re.split(r"[,\s]+", value.get("tags", ""))) if t]
        priority = value.get("priority", "").lower().lstrip("p")
        record.priority = int(priority) if priority in ("1", "2", "3", "4") else _LINEAR_PRIORITY.get(priority)
        record.parent = value.get("parent") or None
        record.blocked_by = [part for part in re.split(r"[,\s]+", value.get("blocked_by", "")) if part]
        record.created_at = stamp_of(value.get("created_at"))
        record.finished_at = stamp_of(value.get("finished_at"))
        record.fields = {column: cell(v) for column, v in row.items() if column not in columns.values() and cell(v)}
        parsed.records.append(record)
    return parsed


# -- writing -----------------------------------------------------------------------------

def safe_cell(value: Any) -> str:
    """A cell as text; one a spreadsheet would run as a formula gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def write(items: list[Item], snapshot: Snapshot) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel")  # RFC 4180: quotes where needed, doubled quotes, CRLF
    writer.writerow(FIELDS)
    for item in items:
        finished = item.status_since if not snapshot.settings.is_open(item.status) else ""
        writer.writerow([safe_cell(value) for value in (
            item.id, item.title, item.kind, item.status, item.owner or "", item.due or "", item.snoozed_until or "",
            ", ".join(item.tags), item.priority or "", item.parent or "",
            ", ".join(map(str, item.blocked_by)), item.why, item.body, item.created_at, finished,
        )])
    return out.getvalue().encode("utf-8")


__all__ = ["FIELDS", "LINEAR_COLUMNS", "cell", "is_linear", "parse_map", "read_linear", "read_mapped", "safe_cell",
           "write"]
