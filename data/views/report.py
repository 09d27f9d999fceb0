"""A status update a person pastes into a team channel, written as Markdown.

Sections, each grouped by owner: what was finished since a date, what is in
progress, what is overdue or blocked, then the gaps (open work with no owner,
no due date or no why). "Blocked" is open work waiting on open work (its
``blocked_by``), or tagged ``#blocked``.
Titles are escaped so a ``*`` or ``[link]`` in one cannot restyle the update.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from data.model.dependencies import open_blockers
from data.model.items import missing_answers
from data.views.pulse import NOT_WORK, finish_times, parse_stamp

if TYPE_CHECKING:
    from data.model.snapshot import Snapshot

BLOCKED_TAG = "blocked"
GAP_TITLES = {"who": "No owner", "when": "No due date", "why": "No why"}
GAP_LIST_LIMIT = 10
"""Gaps listed by name per kind; the rest are counted."""

_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: str) -> str:
    """One line of stored text made literal in Markdown (and in Slack-style markup)."""
    from data.model.items import display_width_safe

    # Control characters first: ESC k … or ESC c in a title would drive the terminal of whoever reads the report.
    return _MARKDOWN.sub(r"\\\1", " ".join(display_width_safe(str(text)).split()))


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def _due(doc: dict[str, Any], today: date) -> str:
    try:
        due = date.fromisoformat(str(doc.get("due")))
    except ValueError:
        return ""
    late = (today - due).days
    if late > 0:
        return f"due {_day(due)}, {late} day{'s' if late != 1 else ''} overdue"
    if late == 0:
        return "due today"
    return f"due {_day(due)}"


def build_report(snapshot: Snapshot, today: date, since: date) -> str:
    """The Markdown status update for work since ``since`` (done) and as of ``today`` (the rest)."""
    settings = snapshot.settings
    done = settings.done
    in_progress = frozenset(settings.statuses[2:-1])
    board_open = frozenset(s for s in settings.board_statuses if s != done)
    finished_at = finish_times(snapshot.history.status_moves(), settings.statuses)
    items = snapshot.items
    today_iso = today.isoformat()
    finished: dict[str, list[str]] = {}
    working: dict[str, list[str]] = {}
    stuck: dict[str, list[str]] = {}
    gaps: dict[str, list[tuple[int, str]]] = {answer: [] for answer in GAP_TITLES}
    for item_id in sorted(snapshot.docs):
        doc = snapshot.docs[item_id]
        if doc.get("kind") in NOT_WORK:
            continue
        status = str(doc.get("status"))
        owner = str(doc.get("owner") or "")
        title = f"#{item_id} {md_escape(doc.get('title', ''))}"
        if status == done:
            at = finished_at.get(item_id) or parse_stamp(doc.get("status_since"))
            if at is not None and since <= at.date() <= today:
                finished.setdefault(owner, []).append(f"{title} (finished {_day(at.date())})")
            continue
        if not settings.is_open(status):
            continue
        due = _due(doc, today) if doc.get("due") else ""
        waits_on = open_blockers(doc, snapshot.docs, settings.is_open) if doc.get("blocked_by") else []
        blocked = bool(waits_on) or BLOCKED_TAG in (doc.get("tags") or [])
        if (doc.get("due") and str(doc["due"]) < today_iso) or blocked:
            why_blocked = "blocked by " + ", ".join(f"#{b}" for b in waits_on) if waits_on else "blocked"
            reasons = [status] + ([due] if due and str(doc["due"]) < today_iso else []) + ([why_blocked] if blocked else [])
            stuck.setdefault(owner, []).append(f"{title} · {', '.join(reasons)}")
        elif status in in_progress:
            working.setdefault(owner, []).append(f"{title} · {status}" + (f" · {due}" if due else ""))
        if status in board_open:
            missing = missing_answers(items[item_id], items, settings)
            for answer in GAP_TITLES:
                if answer in missing:
                    gaps[answer].append((item_id, title))
    gap_total = len({item_id for found in gaps.values() for item_id, _ in found})
    lines = [
        f"## Status update · {md_escape(settings.name)} · {_day(today)} {today.year}",
        "",
        f"Since {_day(since)}: {_count(finished)} done · {_count(working)} in progress · "
        f"{_count(stuck)} overdue or blocked · {gap_total} with gaps",
        "",
    ]
    for heading, groups, empty in (("Done", finished, "Nothing finished in this period."),
                                   ("In progress", working, "Nothing in progress."),
                                   ("Overdue or blocked", stuck, "Nothing overdue or blocked.")):
        lines += [f"### {heading}", ""]
        if not groups:
            lines += [f"_{empty}_", ""]
            continue
        for owner in sorted(groups, key=lambda o: (o == "", o)):
            lines.append(f"**@{md_escape(owner)}**" if owner else "**No owner**")
            lines += [f"- {entry}" for entry in groups[owner]]
            lines.append("")
    lines += ["### Gaps", ""]
    if not gap_total:
        lines += ["_Every open item on the board has an owner, a due date and a why._", ""]
    for answer, found in gaps.items():
        if not found:
            continue
        shown = ", ".join(title for _, title in found[:GAP_LIST_LIMIT])
        more = f", and {len(found) - GAP_LIST_LIMIT} more" if len(found) > GAP_LIST_LIMIT else ""
        lines.append(f"- {GAP_TITLES[answer]} ({len(found)}): {shown}{more}")
    return "\n".join(lines).rstrip() + "\n"


def _count(groups: dict[str, list[str]]) -> int:
    return sum(len(entries) for entries in groups.values())


__all__ = ["BLOCKED_TAG", "build_report", "md_escape"]
