"""todo.txt (github.com/todotxt/todo.txt): one task a line, read and written.

Reading, per line::

    x 2026-11-20 2026-11-01 (A) Call the bank +Finance @phone due:2026-12-24 owner:ana

=====================  ===========================================================
``x`` and a date       done, finished that day (the second date is the creation date)
``(A)`` … ``(D)``      priority 1 … 4 (``(E)`` and later are 4); ``pri:A`` on a done line
a date after those     created that day
``+Project``           the first one: a project holding the task; any others are tags
                       (both, like ``@context``, leave the title)
``@context``           a tag
``due:2026-12-24``     the due date; ``t:`` (threshold) snoozes until that day;
                       ``owner:`` the owner; ``why:`` the why; ``status:`` a status;
                       any other ``key:value`` is kept in the item's source fields
=====================  ===========================================================

todo.txt has no ids, so a task is known again by its creation date and its text
without the done mark, the priority and the ``key:value`` words: re-importing the
same file (or one where tasks were marked done, or reprioritised) updates, but a
task whose words were changed comes in as a new one.

Writing gives the same shape back: open work with its priority, done work with
``x``, the finish and creation dates; tags as ``@tag``, the parent as ``+Project``,
and ``due:``, ``owner:`` and ``t:`` (snoozed until).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from data.interchange.records import BadSource, Parsed, Record, fit_title, handle_for, tag_for

if TYPE_CHECKING:
    from data.model.items import Item
    from data.model.snapshot import Snapshot

SYSTEM = "todotxt"

_DATE = r"\d{4}-\d{2}-\d{2}"
_DONE = re.compile(rf"^x (?:({_DATE}) )?(?:({_DATE}) )?")
_PRIORITY = re.compile(r"^\(([A-Z])\) ")
_CREATED = re.compile(rf"^({_DATE}) ")
_KEY_VALUE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(\S+)$")


def read(text: str, name: str) -> Parsed:
    parsed = Parsed(SYSTEM)
    projects: dict[str, Record] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if "\x00" in line:
            raise BadSource(f"{name} line {number}: a NUL byte; is this a todo.txt file?")
        parsed.records.append(_record(line, f"line {number}", parsed, projects))
    parsed.records[:0] = projects.values()
    return parsed


def _record(line: str, where: str, parsed: Parsed, projects: dict[str, Record]) -> Record:
    rest = line
    done_day = created = None
    priority = None
    done = _DONE.match(rest)
    if done:
        done_day, created = done.group(1), done.group(2)
        rest = rest[done.end():]
    mark = _PRIORITY.match(rest)
    if mark:
        priority = mark.group(1)
        rest = rest[mark.end():]
    if created is None:
        made = _CREATED.match(rest)
        if made:
            created = made.group(1)
            rest = rest[made.end():]
    words, tags, fields = [], [], {}
    project = None
    for word in rest.split():
        pair = _KEY_VALUE.match(word)
        if pair and not word.startswith(("http:", "https:")):
            fields[pair.group(1).lower()] = pair.group(2)
            continue
        if word.startswith("+") and len(word) > 1:
            if project is None:
                project = word[1:]
            else:
                tags.append(tag_for(word[1:]))
        elif word.startswith("@") and len(word) > 1:
            tags.append(tag_for(word[1:]))
        words.append(word)
    # +projects and @contexts become the parent and tags; the title keeps the words (as it keeps 2+2).
    text = " ".join(w for w in words if not (len(w) > 1 and w[0] in "+@"))
    if priority is None and "pri" in fields and re.fullmatch(r"[A-Za-z]", fields["pri"]):
        priority = fields.pop("pri").upper()
    identity = f"{created or ''} {' '.join(w for w in rest.split() if not _KEY_VALUE.match(w))}"
    key = "line:" + hashlib.blake2b(identity.encode(), digest_size=8).hexdigest()
    title, spill = fit_title(text or rest or line)
    record = Record(key=key, title=title, where=f"{where} ({line[:40]})", body=spill)
    record.state = "done" if done else "todo"
    if done_day:
        record.finished_at = f"{done_day}T00:00:00Z"
    if created:
        record.created_at = f"{created}T00:00:00Z"
    if priority:
        record.priority = min(4, ord(priority) - ord("A") + 1)
    record.tags = [t for t in tags if t]
    record.due = fields.pop("due", None)
    record.snoozed_until = fields.pop("t", None) if not done else None
    owner = fields.pop("owner", None)
    if owner:
        record.owner = handle_for(owner)
        parsed.people.setdefault(record.owner, "")
    record.why = fields.pop("why", "").replace("_", " ")
    status = fields.pop("status", "")
    if status:
        record.status = status
    if project:
        record.parent = _project(project, projects)
        fields["project"] = project
    record.fields = fields
    return record


def _project(name: str, projects: dict[str, Record]) -> str:
    if name not in projects:
        title, _ = fit_title(name)
        projects[name] = Record(key=f"project:{name}", title=title, where=f"+{name}", kind="project")
    return projects[name].key


# -- writing -----------------------------------------------------------------------------

def write(items: list[Item], snapshot: Snapshot) -> bytes:
    settings = snapshot.settings
    lines = []
    for item in items:
        parts = []
        done = item.status == settings.done or item.status in ("archived", "declined")
        created = item.created_at[:10] if re.match(_DATE, item.created_at or "") else ""
        if done:
            finished = item.status_since[:10] if re.match(_DATE, item.status_since or "") else created
            parts.append("x")
            if finished:
                parts.append(finished)
        elif item.priority:
            parts.append(f"({'ABCD'[item.priority - 1]})")
        if created:
            parts.append(created)
        parts.append(" ".join(item.title.split()))
        parent = snapshot.items.get(item.parent) if item.parent is not None else None
        if parent is not None:
            parts.append("+" + re.sub(r"\s+", "_", parent.title.strip()))
        parts += [f"@{tag}" for tag in item.tags]
        if item.due:
            parts.append(f"due:{item.due}")
        if item.snoozed_until and not done:
            parts.append(f"t:{item.snoozed_until}")
        if item.owner:
            parts.append(f"owner:{item.owner}")
        if done and item.priority:
            parts.append(f"pri:{'ABCD'[item.priority - 1]}")
        if item.status in ("archived", "declined"):
            parts.append(f"status:{item.status}")
        lines.append(" ".join(parts))
    return ("\n".join(lines) + "\n").encode() if lines else b""


__all__ = ["SYSTEM", "read", "write"]
