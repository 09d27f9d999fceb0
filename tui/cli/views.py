"""Views of the whole workspace: ``gaps``, ``goals``, ``pulse`` and ``report``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tui.cli.inputs import open_workspace, typed_date
from tui.cli.output import EXIT_OK, CliError, Out, day, due_text, item_json, print_json, short_day, table


def run_gaps(args: argparse.Namespace) -> int:
    from data.views.gaps import GAP_TITLES, WAITING_TITLE, find_gaps

    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    today = workspace.today
    gaps = find_gaps(snapshot, today=today)
    items = snapshot.items
    if args.json:
        waiting = [item_json(workspace, snapshot, items[item_id])
                   | {"waits_on": [{"id": blocker, "problem": problem} for blocker, problem in problems]}
                   for item_id, problems in gaps.waiting.items()]
        print_json({answer: [item_json(workspace, snapshot, items[item_id]) for item_id in ids]
                     for answer, ids in gaps.groups.items()} | {"blocked": waiting, "untriaged": gaps.untriaged})
        return EXIT_OK
    out = Out()

    def rows_of(ids: list[int]) -> list[tuple[str, ...]]:
        return [(item.label, item.status, item.kind, out.safe(item.owner or "-"),
                 due_text(item, snapshot, today) or "-", out.safe(item.title)) for item in map(items.__getitem__, ids)]

    for answer, ids in gaps.groups.items():
        if not ids:
            continue
        out.write(f"{GAP_TITLES[answer]}: {len(ids)}")
        table(out, ("ID", "STATUS", "KIND", "OWNER", "DUE", "TITLE"), rows_of(ids))
        out.write()
    if gaps.waiting:
        out.write(f"{WAITING_TITLE}: {len(gaps.waiting)}")
        rows = [(*row[:-1], row[-1] + "  ⛔ " + ", ".join(f"#{b} {problem}" for b, problem in gaps.waiting[row_id]))
                for row_id, row in zip(gaps.waiting, rows_of(list(gaps.waiting)), strict=True)]
        table(out, ("ID", "STATUS", "KIND", "OWNER", "DUE", "TITLE  ⛔ WAITS ON"), rows)
        out.write()
    if not gaps.missing and not gaps.waiting:
        out.write("no gaps: all open work on the board has an owner, a due date, steps where needed and a why")
    if gaps.untriaged:
        out.write(f"{gaps.untriaged} item{'s' if gaps.untriaged != 1 else ''} in the inbox still to triage "
                  "(`worktop ls status:inbox`)")
    return EXIT_OK


def run_goals(args: argparse.Namespace) -> int:
    from data.views.goals import goal_stats

    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    stats = goal_stats(snapshot)
    settings = snapshot.settings
    goals = sorted((snapshot.items[goal_id] for goal_id in stats),
                   key=lambda g: (not settings.is_open(g.status), g.id))
    if args.json:
        print_json([{"id": goal.id, "title": goal.title, "status": goal.status, "owner": goal.owner,
                      "why": goal.why, "open_items": stats[goal.id].open_items,
                      "no_owner": stats[goal.id].no_owner, "no_due": stats[goal.id].no_due} for goal in goals])
        return EXIT_OK
    out = Out()
    if not goals:
        out.write("no goals yet; add one with `worktop add TITLE --kind goal --why WHY`, "
                  "then link work to it with `worktop set ID goal=GOAL_ID`")
        return EXIT_OK
    rows = [(goal.label, goal.status, str(stats[goal.id].open_items), str(stats[goal.id].no_owner),
             str(stats[goal.id].no_due), out.safe(goal.title)) for goal in goals]
    table(out, ("ID", "STATUS", "OPEN", "NO OWNER", "NO DUE", "GOAL"), rows)
    out.write("OPEN: open items under the goal or linked to it; NO OWNER / NO DUE: how many of those lack one")
    return EXIT_OK


def _bar(count: int, most: int, width: int = 30) -> str:
    if most <= 0 or count <= 0:
        return ""
    return "█" * max(1, round(count / most * width))


def run_pulse(args: argparse.Namespace) -> int:
    from data.views.pulse import compute_pulse

    if not 1 <= args.weeks <= 104:
        raise CliError("--weeks must be 1 to 104")
    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    today = workspace.today
    pulse = compute_pulse(snapshot, today, weeks=args.weeks)
    if args.json:
        print_json(pulse.as_json())
        return EXIT_OK
    out = Out()
    out.write(f"Pulse of {out.safe(snapshot.settings.name)} · last {args.weeks} weeks "
              f"(since {short_day(pulse.window_start)}) · as of {day(today)}")
    out.write("Throughput (work finished per week)")
    most = max((count for _, count in pulse.weeks), default=0)
    for week, count in pulse.weeks:
        out.write(f"  {short_day(week):<11} {_bar(count, most)} {count}")
    for line in pulse_summary(pulse):
        out.write(line)
    return EXIT_OK


def pulse_summary(pulse: Any) -> list[str]:
    """The figures under the throughput chart, one line each (shared by the CLI and the view)."""
    lines = []
    unstarted = len(pulse.finished) - pulse.cycle_count
    if pulse.cycle_count:
        lines.append(f"Cycle time   median {pulse.cycle_median:.1f} d · 85th percentile {pulse.cycle_p85:.1f} d "
                     f"({pulse.cycle_count} item{'s' if pulse.cycle_count != 1 else ''}"
                     + (f"; {unstarted} finished without a recorded start" if unstarted else "") + ")")
    else:
        lines.append("Cycle time   — (no finished work with a recorded start in this window)")
    if pulse.with_due:
        lines.append(f"On time      {pulse.on_time_rate:.0%} ({pulse.on_time} of {pulse.with_due} "
                     "finished with a due date were done by it)")
    else:
        lines.append("On time      — (no finished work with a due date in this window)")
    wip = " · ".join(f"{status} {count}" + (f"/{pulse.wip_limits[status]}" if status in pulse.wip_limits else "")
                     for status, count in pulse.wip_by_status.items())
    lines.append(f"In progress  {wip}")
    people = " · ".join(f"{handle or 'nobody'} {started + waiting}" + (f" ({started} started)" if started else "")
                        for handle, (started, waiting) in pulse.wip_by_person.items())
    lines.append(f"By person    {people or '—'}")
    lines.append(f"Overdue      {len(pulse.overdue)}" + (" (" + ", ".join(f"#{i}" for i in pulse.overdue[:8])
                                                          + (", …" if len(pulse.overdue) > 8 else "") + ")"
                                                          if pulse.overdue else ""))
    lines.append(f"Blocked      {len(pulse.blocked)}" + (" (" + ", ".join(f"#{i}" for i in pulse.blocked[:8])
                                                          + (", …" if len(pulse.blocked) > 8 else "") + ")"
                                                          if pulse.blocked else "") + " waiting on open work")
    inbox = f"{len(pulse.inbox)} waiting"
    if pulse.inbox_oldest_days is not None:
        inbox += f", oldest {pulse.inbox_oldest_days} day{'s' if pulse.inbox_oldest_days != 1 else ''} (#{pulse.inbox[0]})"
    lines.append(f"Inbox        {inbox}")
    gaps = pulse.gaps
    lines.append(f"Gaps         no owner {len(gaps['who'])} · no due date {len(gaps['when'])} · "
                 f"no why {len(gaps['why'])}")
    return lines


def run_report(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from data.views.report import build_report

    if args.json and args.output:
        raise CliError("give --json or --output, not both")
    workspace = open_workspace(args)
    today = workspace.today
    if args.since:
        since = typed_date(args.since, today)
        if since > today and args.since.strip().lower().rstrip("s") in _WEEKDAY_WORDS:
            since -= timedelta(days=7)  # `--since mon` means the Monday just gone
        if since > today:
            raise CliError(f"--since {since.isoformat()} is after today ({today.isoformat()})")
    else:
        since = today - timedelta(days=7)
    text = build_report(workspace.snapshot(), today, since)
    if args.json:
        print_json({"since": since.isoformat(), "today": today.isoformat(), "format": args.format,
                    "markdown": text})
        return EXIT_OK
    if args.output:
        from pathlib import Path

        target = Path(args.output).expanduser()
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CliError(f"cannot write {target}: {error.strerror}") from None
        Out().write(f"wrote the status update to {target}")
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


_WEEKDAY_WORDS = frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
                            "thursday", "friday", "saturday", "sunday"})
