"""Triage commands: ``accept``, ``decline``, ``dup`` and ``snooze``."""

from __future__ import annotations

import argparse

from tui.cli.inputs import handle, open_workspace, parse_id
from tui.cli.output import EXIT_OK, Out, told_json


def run_accept(args: argparse.Namespace) -> int:
    from data.writes.triage import Accept

    item_id = parse_id(args.id)
    workspace = open_workspace(args)
    values = {"owner": handle(workspace, args.owner), "due": args.due, "why": args.why}
    result = workspace.apply(Accept(item_id, {k: v for k, v in values.items() if v is not None}))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    item = workspace.snapshot().item(item_id)
    out = Out()
    details = [f"owner {out.safe(item.owner)}" if item.owner else "no owner yet", f"due {item.due}" if item.due else "no due date yet"]
    out.write(f"#{item_id} accepted → {item.status} ({', '.join(details)})")
    return EXIT_OK


def run_decline(args: argparse.Namespace) -> int:
    from data.writes.ops import Move

    item_id = parse_id(args.id)
    workspace = open_workspace(args)
    result = workspace.apply(Move(item_id, "declined", reason=args.reason))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    Out().write(f"#{item_id} declined" if result.changed else f"#{item_id} was already declined")
    return EXIT_OK


def run_dup(args: argparse.Namespace) -> int:
    from data.writes.triage import MarkDuplicate

    item_id, of_id = parse_id(args.id), parse_id(args.of_id)
    workspace = open_workspace(args)
    result = workspace.apply(MarkDuplicate(item_id, of_id))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    Out().write(f"#{item_id} closed as a duplicate of #{of_id}; its requester and notes are now in #{of_id}'s why log")
    return EXIT_OK


def run_snooze(args: argparse.Namespace) -> int:
    from data.writes.triage import Snooze

    item_id = parse_id(args.id)
    workspace = open_workspace(args)
    result = workspace.apply(Snooze(item_id, args.date))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    until = workspace.snapshot().item(item_id).snoozed_until
    Out().write(f"#{item_id} snoozed until {until}")
    return EXIT_OK
