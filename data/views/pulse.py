"""The pulse: is work getting finished, reliably and on time? Pure functions over a snapshot.

Definitions (the figures a person reads, so they are spelled out):

Work
    Items of every kind except goals (outcomes, not work) and recurring
    templates (they make work; their instances count).

Finished at
    The last time the history records a move into the done status, for items
    that are done now (an item reopened since is not finished). Items done
    without such an entry (a demo, an imported file) use ``status_since``; an
    import's own entries are not read here, since it sets ``status_since`` to
    when the source says the work was finished.

Started at
    The first move into an in-progress status: any workflow status after the
    first board column other than done (``doing``, ``review`` by default).
    Creating an item in such a status starts it too.

Cycle time
    Finished at − started at, in days, for work finished within the window.
    Work that went straight from the inbox or the first column to done never
    showed when it began, so it counts in throughput but has no cycle time
    (the pulse says how many). The median is the middle value (the mean of the
    two middle ones for an even count); the 85th percentile is the nearest-rank
    one: the smallest cycle time that 85% of items took no longer than — "85%
    of work is finished within N days".

Throughput
    Work finished per calendar week (Monday to Sunday, UTC dates), over the
    last ``weeks`` weeks including the current one.

On-time rate
    Of work finished within the window that had a due date, the share finished
    on or before its due date (the UTC date of the finish).

Work in progress
    Open work on the board (every board status but done) per status and per
    owner; the inbox is reported on its own (size, and its oldest item's age),
    not counting snoozed items.

Blocked
    Open work on the board waiting on an item that is still open (its
    ``blocked_by``); the inbox is left to triage.

Gaps
    Open work on the board missing an owner, a due date, or a why (its own or
    inherited), as ``worktop gaps`` counts it; the inbox is left to triage.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any

from data.model.dependencies import open_blockers
from data.model.items import missing_answers
from data.views.figures import OFF_BOARD_KINDS, is_waiting

if TYPE_CHECKING:
    from data.model.snapshot import Snapshot

NOT_WORK = OFF_BOARD_KINDS
"""Kinds that are not work to finish (goals, templates): :data:`data.views.figures.OFF_BOARD_KINDS`."""


@dataclass(slots=True)
class Finished:
    """One finished piece of work."""

    item_id: int
    finished_at: datetime
    started_at: datetime | None
    due: date | None

    @property
    def cycle_days(self) -> float | None:
        if self.started_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds() / 86400)

    @property
    def on_time(self) -> bool | None:
        if self.due is None:
            return None
        return self.finished_at.date() <= self.due


@dataclass
class Pulse:
    """Every figure the pulse view, ``worktop pulse`` and the report show."""

    today: date
    weeks: list[tuple[date, int]]
    """(Monday of the week, work finished that week), oldest first."""
    finished: list[Finished]
    """Work finished within the window, oldest first."""
    cycle_median: float | None
    cycle_p85: float | None
    cycle_count: int
    """How many finished items have a cycle time (the rest never showed a start)."""
    on_time: int
    with_due: int
    wip_by_status: dict[str, int]
    wip_limits: dict[str, int]
    wip_by_person: dict[str, tuple[int, int]]
    """handle ("" for nobody) → (in progress, not started) open items on the board."""
    overdue: list[int]
    """Open work past its due date, most overdue first."""
    inbox: list[int]
    """Inbox items waiting (not snoozed), oldest first."""
    inbox_oldest_days: int | None
    gaps: dict[str, list[int]] = field(default_factory=dict)
    """``who`` / ``when`` / ``why`` → open board items missing it."""
    blocked: list[int] = field(default_factory=list)
    """Open work on the board waiting on open work, in id order."""

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.with_due if self.with_due else None

    @property
    def window_start(self) -> date:
        return self.weeks[0][0]

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "window_start": self.window_start.isoformat(),
            "throughput": [{"week": week.isoformat(), "finished": count} for week, count in self.weeks],
            "cycle_time_days": {"median": _round(self.cycle_median), "p85": _round(self.cycle_p85),
                                "items": self.cycle_count, "finished": len(self.finished)},
            "on_time": {"rate": _round(self.on_time_rate, 3), "on_time": self.on_time, "with_due": self.with_due},
            "wip": {"by_status": self.wip_by_status, "limits": self.wip_limits,
                    "by_person": {handle or "(nobody)": {"in_progress": started, "not_started": waiting}
                                  for handle, (started, waiting) in self.wip_by_person.items()}},
            "overdue": {"count": len(self.overdue), "items": self.overdue},
            "inbox": {"size": len(self.inbox), "oldest_days": self.inbox_oldest_days, "items": self.inbox},
            "gaps": {answer: {"count": len(ids), "items": ids} for answer, ids in self.gaps.items()},
            "blocked": {"count": len(self.blocked), "items": self.blocked},
        }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def parse_stamp(stamp: Any) -> datetime | None:
    """A stored ``2026-11-20T09:00:00Z`` timestamp, or None.

    ``fromisoformat`` (about 20 times faster than ``strptime``, which a year of
    history calls tens of thousands of times) after checking the exact shape.
    """
    if not (isinstance(stamp, str) and len(stamp) == 20 and stamp[10] == "T" and stamp[19] == "Z"):
        return None
    try:
        return datetime.fromisoformat(stamp[:19]).replace(tzinfo=UTC)
    except ValueError:
        return None


def percentile_nearest_rank(values: list[float], percent: int) -> float | None:
    """The smallest value that at least ``percent``% of ``values`` are at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))  # ceil in integers: 0.85 * 100 is 85.00000000000001
    return ordered[rank - 1]


def status_times(moves: list[tuple[int, str, str]], statuses: tuple[str, ...]
                 ) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """(started at, finished at) per item id, from the history's status moves (oldest first).

    ``statuses`` is the workflow: inbox, board columns…, done.
    """
    return start_times(moves, statuses), finish_times(moves, statuses)


def start_times(moves: list[tuple[int, str, str]], statuses: tuple[str, ...], of: Container[int] | None = None
                ) -> dict[int, datetime]:
    """When each item (of ``of``, or all) first moved into an in-progress column, from the status moves.

    A year of history moves most items; the pulse asks only for the work finished in its window, and
    reading a timestamp is most of the cost.
    """
    started: dict[int, datetime] = {}
    in_progress = frozenset(statuses[2:-1])
    for item_id, stamp, new in moves:
        if new in in_progress and item_id not in started and (of is None or item_id in of):
            at = parse_stamp(stamp)
            if at is not None:
                started[item_id] = at
    return started


def finish_times(moves: list[tuple[int, str, str]], statuses: tuple[str, ...]) -> dict[int, datetime]:
    """When each item last moved to done, from the status moves (read newest first: one timestamp an item)."""
    finished: dict[int, datetime] = {}
    done = statuses[-1]
    for item_id, stamp, new in reversed(moves):
        if new == done and item_id not in finished:
            at = parse_stamp(stamp)
            if at is not None:
                finished[item_id] = at
    return finished


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def compute_pulse(snapshot: Snapshot, today: date, *, weeks: int = 8) -> Pulse:
    """All pulse figures for a snapshot (see the module docstring for each definition)."""
    settings = snapshot.settings
    statuses = settings.statuses
    done, inbox_status = settings.done, settings.inbox
    board_open = tuple(s for s in settings.board_statuses if s != done)
    first_column = settings.board_statuses[0]
    moves = snapshot.history.status_moves()
    finished_at = finish_times(moves, statuses)
    first_week = week_start(today) - timedelta(weeks=max(1, weeks) - 1)
    counts = dict.fromkeys((first_week + timedelta(weeks=n) for n in range(max(1, weeks))), 0)
    finished: list[Finished] = []
    wip_by_status = dict.fromkeys(board_open, 0)
    wip_by_person: dict[str, list[int]] = {}
    overdue: list[tuple[str, int]] = []
    inbox: list[tuple[str, int]] = []
    gaps: dict[str, list[int]] = {"who": [], "when": [], "why": []}
    blocked: list[int] = []
    docs = snapshot.docs
    today_iso = today.isoformat()
    items = snapshot.items
    for item_id, doc in snapshot.docs.items():
        if doc.get("kind") in NOT_WORK:
            continue
        status = doc.get("status")
        if status == done:
            at = finished_at.get(item_id) or parse_stamp(doc.get("status_since"))
            if at is None or at.date() < first_week or at.date() > today:
                continue
            counts[week_start(at.date())] += 1
            finished.append(Finished(item_id, at, None, _iso(doc.get("due"))))
            continue
        if not settings.is_open(str(status)):
            continue
        due_iso = doc.get("due")
        if due_iso and str(due_iso) < today_iso:
            overdue.append((str(due_iso), item_id))
        if status == inbox_status:
            if is_waiting(doc, inbox_status, today_iso):
                inbox.append((str(doc.get("created_at") or ""), item_id))
            continue
        if status in wip_by_status:
            wip_by_status[status] += 1
        if doc.get("blocked_by") and open_blockers(doc, docs, settings.is_open):
            blocked.append(item_id)
        counts_for = wip_by_person.setdefault(doc.get("owner") or "", [0, 0])
        counts_for[0 if status != first_column else 1] += 1
        missing = missing_answers(items[item_id], items, settings)
        for answer in ("who", "when", "why"):
            if answer in missing:
                gaps[answer].append(item_id)
    started = start_times(moves, statuses, {f.item_id for f in finished})
    for entry in finished:
        start = started.get(entry.item_id)
        entry.started_at = start if start is not None and start <= entry.finished_at else None
    finished.sort(key=lambda f: (f.finished_at, f.item_id))
    cycles = [f.cycle_days for f in finished if f.cycle_days is not None]
    dues = [f.on_time for f in finished if f.on_time is not None]
    overdue.sort()
    inbox.sort()
    oldest = None
    if inbox:
        created = parse_stamp(inbox[0][0])
        oldest = (today - created.date()).days if created is not None else None
    people = dict(sorted(wip_by_person.items(), key=lambda kv: (-sum(kv[1]), kv[0] == "", kv[0])))
    return Pulse(
        today=today,
        weeks=list(counts.items()),
        finished=finished,
        cycle_median=median(cycles) if cycles else None,
        cycle_p85=percentile_nearest_rank(cycles, 85),
        cycle_count=len(cycles),
        on_time=sum(1 for ok in dues if ok),
        with_due=len(dues),
        wip_by_status=wip_by_status,
        wip_limits={s: n for s, n in settings.wip.items() if s in wip_by_status},
        wip_by_person={handle: (pair[0], pair[1]) for handle, pair in people.items()},
        overdue=[item_id for _, item_id in overdue],
        inbox=[item_id for _, item_id in inbox],
        inbox_oldest_days=oldest,
        gaps={answer: sorted(ids) for answer, ids in gaps.items()},
        blocked=sorted(blocked),
    )


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


__all__ = ["NOT_WORK", "Finished", "Pulse", "compute_pulse", "finish_times", "percentile_nearest_rank", "start_times",
           "status_times", "week_start"]
