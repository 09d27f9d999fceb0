"""CLI commands for recurring workflows, the pulse and the status report.

``every``, ``recurring``, ``pulse`` and ``report``; :mod:`tui.cli` adds them to
its command table. Like the rest of the CLI, nothing here imports Textual and
data modules are imported when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from data.writes.workspace import Workspace


def _cli() -> Any:
    """The ``tui.cli`` module, also when it runs as ``python -m tui.cli`` (then it is ``__main__``,
    and importing it again would make a second ``CliError`` class its handler does not catch)."""
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None) == "tui.cli":
        return main
    import tui.cli as cli

    return cli


def _typed_date(text: str, today: date) -> date:
    from data.model.dates import BadDate, parse_date

    try:
        return parse_date(text, today)
    except BadDate as error:
        raise _cli().CliError(str(error)) from None


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b} {value.year}"


def _short_day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


# -- arguments --------------------------------------------------------------------

def _template_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--owner", help="who owns each instance (a handle, or `me`)")
    p.add_argument("--why", help="why the workflow matters (copied into each instance)")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="a tag (repeat, or a,b)")
    p.add_argument("--priority", help="1 (highest) to 4")


def define_every(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("rule", metavar="RULE", help="'every monday', 'every 2 weeks', 'every weekday', "
                   "'monthly on the 1st', 'quarterly', or an RRULE like 'FREQ=WEEKLY;BYDAY=MO'")
    p.add_argument("title", nargs="+", metavar="TITLE")
    _template_options(p)
    p.add_argument("--step", action="append", default=[], metavar="TEXT", help="a checklist step (repeat)")
    p.add_argument("--parent", metavar="ID", help="the project or workstream the instances belong to")
    p.add_argument("--start", metavar="DATE", help="the day the rule counts from (default today)")
    p.add_argument("--preview", action="store_true", help="show the next dates and save nothing")
    p.add_argument("--count", type=int, default=5, metavar="N", help="how many next dates to show (default 5)")


def define_recurring(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the workflows as JSON")
    p.add_argument("--generate", action="store_true", help="make the instances that are due first")
    p.add_argument("--horizon", type=int, metavar="DAYS", help="make instances this many days ahead (workspace setting)")
    actions = p.add_subparsers(dest="recurring_command", metavar="ACTION")
    skip = actions.add_parser("skip", help="skip a date (default: the next one)", parents=[common])
    skip.add_argument("id", metavar="ID")
    skip.add_argument("date", nargs="?", metavar="DATE")
    for name, text in (("pause", "stop making instances"), ("resume", "make instances again, from today on")):
        action = actions.add_parser(name, help=text, parents=[common])
        action.add_argument("id", metavar="ID")
    edit = actions.add_parser("edit", help="change the rule or the template (future instances only)",
                              parents=[common])
    edit.add_argument("id", metavar="ID")
    edit.add_argument("--rule", help="a new rule")
    edit.add_argument("--start", metavar="DATE", help="the day the new rule counts from (default today)")
    edit.add_argument("--title")
    _template_options(edit)
    edit.add_argument("--preview", action="store_true", help="show the new rule's next dates and save nothing")


def define_pulse(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print every figure as JSON")
    p.add_argument("--weeks", type=int, default=8, metavar="N", help="weeks of history to look at (default 8)")


def define_report(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="DATE", help="report work finished since this day (default: a week ago); "
                   "mon, -2w, 2026-11-01, …")
    p.add_argument("--format", choices=("markdown",), default="markdown", help="markdown (the default)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")


# -- every and recurring ------------------------------------------------------------------

def _template_fields(workspace: Workspace, args: argparse.Namespace) -> dict[str, Any]:
    cli = _cli()
    fields: dict[str, Any] = {}
    if args.owner is not None:
        fields["owner"] = cli._handle(workspace, args.owner)
    for name in ("why", "priority"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    if args.tag:
        fields["tags"] = ",".join(args.tag)
    return fields


def _preview(out: Any, rule_text: str, start: date, today: date, count: int) -> None:
    from data.writes.recurrence import parse_rule

    rule = parse_rule(rule_text, start)
    coming = rule.dates(max(start, today), max(start, today).replace(year=max(start, today).year + 10), limit=count)
    out.write(f"rule: {rule.describe()}")
    out.write("next: " + (", ".join(_day(d) for d in coming) if coming else "no date from today on"))


def cmd_every(args: argparse.Namespace) -> int:
    from data.writes.recurrence import CreateRecurring, GenerateInstances, parse_rule

    cli = _cli()
    if args.count < 1:
        raise cli.CliError("--count must be at least 1")
    workspace = cli._workspace(args)
    today = workspace.today
    start = _typed_date(args.start, today) if args.start else today
    out = cli._Out()
    if args.preview:
        _preview(out, args.rule, start, today, args.count)
        out.write("(preview: nothing saved)")
        return cli.EXIT_OK
    fields = _template_fields(workspace, args)
    if args.parent is not None:
        fields["parent"] = args.parent
    generate = GenerateInstances()
    create = CreateRecurring(" ".join(args.title), args.rule, start=args.start, fields=fields,
                             checklist=list(args.step))
    result = workspace.apply_all([create, generate])
    cli._warn(result)
    snapshot = workspace.snapshot()
    template = snapshot.item(create.item_id or 0)
    rule = parse_rule(template.doc["rule"], date.fromisoformat(template.doc["rule_start"]))
    out.write(f"#{template.id} every: {out.safe(template.title)} · {rule.describe()}")
    coming = rule.dates(max(start, today), max(start, today).replace(year=max(start, today).year + 10),
                        limit=args.count)
    out.write("next: " + ", ".join(_day(d) for d in coming))
    mine = [i for i in generate.created if snapshot.docs[i].get("instance_of") == template.id]
    if mine:
        made = ", ".join(f"#{i} ({_short_day(date.fromisoformat(snapshot.docs[i]['occurrence']))})" for i in mine)
        out.write(f"made {made}")
    else:
        out.write("no instance yet: the first date is beyond the horizon")
    others = len(generate.created) - len(mine)
    if others:
        out.write(f"(also made {others} due instance{'s' if others != 1 else ''} of other workflows)")
    return cli.EXIT_OK


def cmd_recurring(args: argparse.Namespace) -> int:
    cli = _cli()
    action = getattr(args, "recurring_command", None)
    if action is not None:
        return _recurring_action(args, action)
    from data.writes.recurrence import GenerateInstances, SetHorizon, horizon_days, workflows

    workspace = cli._workspace(args)
    out = cli._Out()
    ops: list[Any] = []
    if args.horizon is not None:
        ops.append(SetHorizon(args.horizon))
    generate = GenerateInstances()
    if args.generate or args.horizon is not None:
        ops.append(generate)
    if ops:
        result = workspace.apply_all(ops)
        cli._warn(result)
    snapshot = workspace.snapshot()
    listed = workflows(snapshot, workspace.today)
    horizon = horizon_days(workspace.storage.load()["meta"]["1"])
    if args.json:
        cli._print_json({"horizon_days": horizon, "created": generate.created, "workflows": [
            {"id": w.id, "title": w.title, "owner": w.owner, "rule": w.rule, "rrule": w.rrule, "state": w.state,
             "next": [d.isoformat() for d in w.next_dates], "skipped": w.skipped, "instances": w.instances,
             "open_instances": w.open_instances, "problem": w.problem} for w in listed]})
        return cli.EXIT_OK
    if args.horizon is not None:
        out.write(f"instances are now made {horizon} days ahead")
    if args.generate or args.horizon is not None:
        out.write(f"made {len(generate.created)} instance{'s' if len(generate.created) != 1 else ''}"
                  + (": " + " ".join(f"#{i}" for i in generate.created) if generate.created else ""))
    if not listed:
        out.write("no recurring workflows yet; make one with `worktop every \"every monday\" TITLE`")
        return cli.EXIT_OK
    rows = [(f"#{w.id}", w.state, out.safe(w.owner or "-"), out.safe(w.rule) or "-",
             ", ".join(_short_day(d) for d in w.next_dates[:3]) or "-", f"{w.open_instances}/{w.instances}",
             out.safe(w.title) + (f"  ({out.safe(w.problem)})" if w.problem else "")) for w in listed]
    cli._table(out, ("ID", "STATE", "OWNER", "RULE", "NEXT", "OPEN/MADE", "TITLE"), rows)
    out.write(f"instances are made {horizon} days ahead (`worktop recurring --horizon N` changes it)")
    return cli.EXIT_OK


def _recurring_action(args: argparse.Namespace, action: str) -> int:
    from data.writes.recurrence import GenerateInstances, SetPaused, SetRule, SkipOccurrence

    cli = _cli()
    template_id = cli._id(args.id)
    workspace = cli._workspace(args)
    out = cli._Out()
    snapshot = workspace.snapshot()
    template = snapshot.item(template_id)
    if template.kind != "recurring":
        raise cli.CliError(f"#{template_id} is a {template.kind}, not a recurring workflow (see `worktop recurring`)")
    if action == "skip":
        skip = SkipOccurrence(template_id, args.date)
        cli._warn(workspace.apply(skip))
        out.write(f"#{template_id}: skipped {_day(date.fromisoformat(skip.skipped_day or ''))}")
        return cli.EXIT_OK
    if action in ("pause", "resume"):
        ops: list[Any] = [SetPaused(template_id, action == "pause")]
        if action == "resume":
            ops.append(GenerateInstances(template_id))
        cli._warn(workspace.apply_all(ops))
        out.write(f"#{template_id} {'paused: no more instances until resumed' if action == 'pause' else 'resumed'}")
        return cli.EXIT_OK
    # edit
    today = workspace.today
    if args.preview:
        if not args.rule:
            raise cli.CliError("--preview needs --rule")
        start = _typed_date(args.start, today) if args.start else today
        _preview(out, args.rule, start, today, 5)
        out.write("(preview: nothing saved)")
        return cli.EXIT_OK
    from data.writes.ops import SetFields

    values = _template_fields(workspace, args)
    if args.title is not None:
        values["title"] = args.title
    ops = []
    if values:
        ops.append(SetFields(template_id, values))
    if args.rule:
        ops.append(SetRule(template_id, args.rule, start=args.start))
    elif args.start:
        raise cli.CliError("--start goes with --rule")
    if not ops:
        raise cli.CliError("nothing to change: give --rule, --title, --owner, --why, --tag or --priority")
    generate = GenerateInstances(template_id)
    result = workspace.apply_all([*ops, generate])
    cli._warn(result)
    updated = sum(1 for entry in workspace.history(limit=len(ops) + 200)
                  if entry.get("rev") == result.revision and str(entry.get("summary", "")).startswith("updated #"))
    out.write(f"#{template_id}: changed" + (f"; {updated} future instance{'s' if updated != 1 else ''} updated"
                                            if updated else "") + (f"; made {len(generate.created)}"
                                                                   if generate.created else ""))
    return cli.EXIT_OK


# -- pulse and report ----------------------------------------------------------------------

def _bar(count: int, most: int, width: int = 30) -> str:
    if most <= 0 or count <= 0:
        return ""
    return "█" * max(1, round(count / most * width))


def cmd_pulse(args: argparse.Namespace) -> int:
    from data.views.pulse import compute_pulse

    cli = _cli()
    if not 1 <= args.weeks <= 104:
        raise cli.CliError("--weeks must be 1 to 104")
    workspace = cli._workspace(args)
    snapshot = workspace.snapshot()
    today = workspace.today
    pulse = compute_pulse(snapshot, today, weeks=args.weeks)
    if args.json:
        cli._print_json(pulse.as_json())
        return cli.EXIT_OK
    out = cli._Out()
    out.write(f"Pulse of {out.safe(snapshot.settings.name)} · last {args.weeks} weeks "
              f"(since {_short_day(pulse.window_start)}) · as of {_day(today)}")
    out.write("Throughput (work finished per week)")
    most = max((count for _, count in pulse.weeks), default=0)
    for week, count in pulse.weeks:
        out.write(f"  {_short_day(week):<11} {_bar(count, most)} {count}")
    for line in pulse_summary(pulse):
        out.write(line)
    return cli.EXIT_OK


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
    inbox = f"{len(pulse.inbox)} waiting"
    if pulse.inbox_oldest_days is not None:
        inbox += f", oldest {pulse.inbox_oldest_days} day{'s' if pulse.inbox_oldest_days != 1 else ''} (#{pulse.inbox[0]})"
    lines.append(f"Inbox        {inbox}")
    gaps = pulse.gaps
    lines.append(f"Gaps         no owner {len(gaps['who'])} · no due date {len(gaps['when'])} · "
                 f"no why {len(gaps['why'])}")
    return lines


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from data.views.report import build_report

    cli = _cli()
    workspace = cli._workspace(args)
    today = workspace.today
    if args.since:
        since = _typed_date(args.since, today)
        if since > today and args.since.strip().lower().rstrip("s") in _WEEKDAY_WORDS:
            since -= timedelta(days=7)  # `--since mon` means the Monday just gone
        if since > today:
            raise cli.CliError(f"--since {since.isoformat()} is after today ({today.isoformat()})")
    else:
        since = today - timedelta(days=7)
    text = build_report(workspace.snapshot(), today, since)
    if args.output:
        from pathlib import Path

        target = Path(args.output).expanduser()
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise cli.CliError(f"cannot write {target}: {error.strerror}") from None
        cli._Out().write(f"wrote the status update to {target}")
        return cli.EXIT_OK
    sys.stdout.write(text)
    return cli.EXIT_OK


_WEEKDAY_WORDS = frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
                            "thursday", "friday", "saturday", "sunday"})


PULSE_HELP = """\
how the figures are counted (goals and recurring templates are not work):
  finished      the last move into done, for work that is done now
  started       the first move into an in-progress column (after the first board
                column, before done); work moved straight to done has no start
  cycle time    finished - started, in days: the median, and the 85th percentile
                (nearest rank: 85% of work finished within that many days)
  throughput    work finished per week, Monday to Sunday (UTC dates)
  on time       of finished work with a due date, the share done by that date
  in progress   open work on the board per column and per owner
  gaps          open work on the board with no owner, no due date or no why
"""

RECURRING_HELP = """\
rules: every day · every weekday · every monday · every mon, thu · every 2 weeks
  every other friday · weekly on tue · monthly · monthly on the 1st · monthly on
  the 31st (the last day of shorter months) · monthly on the last day · monthly on
  the first monday · quarterly · yearly · or an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO),
  optionally with its own DTSTART;TZID=...
instances are tasks made ahead up to the workspace's horizon (default 14 days),
one per date however many terminals make them at once. Editing the template
changes instances not yet started and dated today or later, except fields someone
changed on the instance itself.
"""

SPECS: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "every": ("make a recurring workflow: worktop every 'every monday' Weekly release --owner ana", define_every,
              {"epilog": RECURRING_HELP}),
    "recurring": ("list recurring workflows; skip, pause, resume or edit one; --generate makes due instances",
                  define_recurring, {"epilog": RECURRING_HELP}),
    "pulse": ("throughput, cycle time, on-time rate, work in progress, inbox and gaps", define_pulse,
              {"epilog": PULSE_HELP}),
    "report": ("a Markdown status update to paste into a channel", define_report, {}),
}
"""Command → (help line, argument definer, parser options), merged into ``tui.cli``'s table."""

COMMANDS = {"every": cmd_every, "recurring": cmd_recurring, "pulse": cmd_pulse, "report": cmd_report}
