"""Recurring workflows: ``every`` and ``recurring`` (list, skip, pause, resume, edit)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from tui.cli.inputs import handle, open_workspace, parse_id, typed_date
from tui.cli.output import EXIT_OK, CliError, Out, change_json, day, print_json, short_day, table, told_json, warn

if TYPE_CHECKING:
    from data.writes.workspace import Workspace


def _template_fields(workspace: Workspace, args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if args.owner is not None:
        fields["owner"] = handle(workspace, args.owner)
    for name in ("why", "priority"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    if args.tag:
        fields["tags"] = ",".join(args.tag)
    return fields


def _preview(out: Any, rule_text: str, start: date, today: date, count: int, *, as_json: bool = False) -> None:
    from data.writes.recurrence import parse_rule

    rule = parse_rule(rule_text, start)
    coming = rule.dates(max(start, today), max(start, today).replace(year=max(start, today).year + 10), limit=count)
    if as_json:
        print_json({"saved": False, "rule": rule.describe(), "next": [d.isoformat() for d in coming]})
        return
    out.write(f"rule: {rule.describe()}")
    out.write("next: " + (", ".join(day(d) for d in coming) if coming else "no date from today on"))
    out.write("(preview: nothing saved)")


def run_every(args: argparse.Namespace) -> int:
    from data.writes.recurrence import CreateRecurring, GenerateInstances, parse_rule

    if args.count < 1:
        raise CliError("--count must be at least 1")
    workspace = open_workspace(args)
    today = workspace.today
    start = typed_date(args.start, today) if args.start else today
    out = Out()
    if args.preview:
        _preview(out, args.rule, start, today, args.count, as_json=args.json)
        return EXIT_OK
    fields = _template_fields(workspace, args)
    if args.parent is not None:
        fields["parent"] = args.parent
    generate = GenerateInstances()
    create = CreateRecurring(" ".join(args.title), args.rule, start=args.start, fields=fields,
                             checklist=list(args.step))
    result = workspace.apply_all([create, generate])
    warn(result)
    snapshot = workspace.snapshot()
    template = snapshot.item(create.item_id or 0)
    rule = parse_rule(template.doc["rule"], date.fromisoformat(template.doc["rule_start"]))
    coming = rule.dates(max(start, today), max(start, today).replace(year=max(start, today).year + 10),
                        limit=args.count)
    mine = [i for i in generate.created if snapshot.docs[i].get("instance_of") == template.id]
    if args.json:
        print_json(change_json(workspace, result, template.id, rule=rule.describe(),
                               next=[d.isoformat() for d in coming], created=generate.created))
        return EXIT_OK
    out.write(f"#{template.id} every: {out.safe(template.title)} · {rule.describe()}")
    out.write("next: " + ", ".join(day(d) for d in coming))
    if mine:
        made = ", ".join(f"#{i} ({short_day(date.fromisoformat(snapshot.docs[i]['occurrence']))})" for i in mine)
        out.write(f"made {made}")
    else:
        out.write("no instance yet: the first date is beyond the horizon")
    others = len(generate.created) - len(mine)
    if others:
        out.write(f"(also made {others} due instance{'s' if others != 1 else ''} of other workflows)")
    return EXIT_OK


def run_recurring(args: argparse.Namespace) -> int:
    action = getattr(args, "recurring_command", None)
    if action is not None:
        return _recurring_action(args, action)
    from data.writes.recurrence import GenerateInstances, SetHorizon, horizon_days, workflows

    workspace = open_workspace(args)
    out = Out()
    ops: list[Any] = []
    if args.horizon is not None:
        ops.append(SetHorizon(args.horizon))
    generate = GenerateInstances()
    if args.generate or args.horizon is not None:
        ops.append(generate)
    if ops:
        result = workspace.apply_all(ops)
        warn(result)
    snapshot = workspace.snapshot()
    listed = workflows(snapshot, workspace.today)
    horizon = horizon_days(workspace.meta())
    if args.json:
        print_json({"horizon_days": horizon, "created": generate.created, "workflows": [
            {"id": w.id, "title": w.title, "owner": w.owner, "rule": w.rule, "rrule": w.rrule, "state": w.state,
             "next": [d.isoformat() for d in w.next_dates], "skipped": w.skipped, "instances": w.instances,
             "open_instances": w.open_instances, "problem": w.problem} for w in listed]})
        return EXIT_OK
    if args.horizon is not None:
        out.write(f"instances are now made {horizon} days ahead")
    if args.generate or args.horizon is not None:
        out.write(f"made {len(generate.created)} instance{'s' if len(generate.created) != 1 else ''}"
                  + (": " + " ".join(f"#{i}" for i in generate.created) if generate.created else ""))
    if not listed:
        out.write("no recurring workflows yet; make one with `worktop every \"every monday\" TITLE`")
        return EXIT_OK
    rows = [(f"#{w.id}", w.state, out.safe(w.owner or "-"), out.safe(w.rule) or "-",
             ", ".join(short_day(d) for d in w.next_dates[:3]) or "-", f"{w.open_instances}/{w.instances}",
             out.safe(w.title) + (f"  ({out.safe(w.problem)})" if w.problem else "")) for w in listed]
    table(out, ("ID", "STATE", "OWNER", "RULE", "NEXT", "OPEN/MADE", "TITLE"), rows)
    out.write(f"instances are made {horizon} days ahead (`worktop recurring --horizon N` changes it)")
    return EXIT_OK


def _recurring_action(args: argparse.Namespace, action: str) -> int:
    from data.writes.recurrence import GenerateInstances, SetPaused, SetRule, SkipOccurrence

    template_id = parse_id(args.id)
    workspace = open_workspace(args)
    out = Out()
    snapshot = workspace.snapshot()
    template = snapshot.item(template_id)
    if template.kind != "recurring":
        raise CliError(f"#{template_id} is a {template.kind}, not a recurring workflow (see `worktop recurring`)")
    if action == "skip":
        skip = SkipOccurrence(template_id, args.date)
        result = workspace.apply(skip)
        if told_json(args, workspace, result, template_id, skipped=skip.skipped_day):
            return EXIT_OK
        out.write(f"#{template_id}: skipped {day(date.fromisoformat(skip.skipped_day or ''))}")
        return EXIT_OK
    if action in ("pause", "resume"):
        ops: list[Any] = [SetPaused(template_id, action == "pause")]
        if action == "resume":
            ops.append(GenerateInstances(template_id))
        result = workspace.apply_all(ops)
        if told_json(args, workspace, result, template_id):
            return EXIT_OK
        out.write(f"#{template_id} {'paused: no more instances until resumed' if action == 'pause' else 'resumed'}")
        return EXIT_OK
    # edit
    today = workspace.today
    if args.preview:
        if not args.rule:
            raise CliError("--preview needs --rule")
        start = typed_date(args.start, today) if args.start else today
        _preview(out, args.rule, start, today, 5, as_json=args.json)
        return EXIT_OK
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
        raise CliError("--start goes with --rule")
    if not ops:
        raise CliError("nothing to change: give --rule, --title, --owner, --why, --tag or --priority")
    generate = GenerateInstances(template_id)
    result = workspace.apply_all([*ops, generate])
    warn(result)
    updated = sum(1 for entry in workspace.history(limit=len(ops) + 200)
                  if entry.get("rev") == result.revision and str(entry.get("summary", "")).startswith("updated #"))
    if args.json:
        print_json(change_json(workspace, result, template_id, instances_updated=updated, created=generate.created))
        return EXIT_OK
    out.write(f"#{template_id}: changed" + (f"; {updated} future instance{'s' if updated != 1 else ''} updated"
                                            if updated else "") + (f"; made {len(generate.created)}"
                                                                   if generate.created else ""))
    return EXIT_OK
