"""Commands on items: ``add``, ``request``, ``ls``, ``show``, ``set``, ``move``, ``why``, ``note``, ``step`` and ``log``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tui.cli.inputs import handle, open_workspace, parse_id
from tui.cli.output import EXIT_OK, CliError, Out, due_text, item_json, print_json, table, told_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from data.model.items import Item
    from data.writes.workspace import Workspace


def run_add(args: argparse.Namespace) -> int:
    from data.writes.ops import CreateItem

    workspace = open_workspace(args)
    fields: dict[str, Any] = {}
    for name in ("due", "why", "parent", "priority", "body"):
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    if args.owner is not None:
        fields["owner"] = handle(workspace, args.owner)
    if args.tag:
        fields["tags"] = ",".join(args.tag)
    op = CreateItem(title=" ".join(args.title), kind=args.kind, status=args.status, fields=fields,
                    checklist=list(args.step))
    result = workspace.apply(op)
    if told_json(args, workspace, result, result.item_id):
        return EXIT_OK
    sys.stdout.write(f"{result.item_id}\n")
    return EXIT_OK


def run_request(args: argparse.Namespace) -> int:
    from data.writes.ops import CreateItem

    workspace = open_workspace(args)
    fields = {"requester": args.requester}
    if args.body:
        fields["body"] = args.body
    result = workspace.apply(CreateItem(title=" ".join(args.title), kind="request", fields=fields))
    if told_json(args, workspace, result, result.item_id):
        return EXIT_OK
    sys.stdout.write(f"{result.item_id}\n")
    return EXIT_OK


def run_ls(args: argparse.Namespace) -> int:

    from data.model.items import missing_answers
    from data.model.query import parse_query

    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    settings = snapshot.settings
    today = workspace.today
    text = " ".join(args.query)
    query = parse_query(text, me=workspace.actor, today=today, statuses=settings.all_statuses)
    # Closed and snoozed work is searched only when the query names a status or says snoozed
    # (Query.in_scope: the TUI's filter follows the same rule).
    everything = args.all or query.shows_hidden
    today_iso = today.isoformat()
    candidates, hidden_closed, hidden_snoozed = [], 0, 0
    for item in snapshot.items.values():
        if not everything:
            if not settings.is_open(item.status):
                hidden_closed += 1
                continue
            if item.snoozed_until and item.snoozed_until > today_iso:
                hidden_snoozed += 1
                continue
        candidates.append(item)
    items = query.filter(candidates, snapshot)
    order = {status: index for index, status in enumerate(settings.all_statuses)}
    items.sort(key=lambda i: (order.get(i.status, len(order)), i.due or "9999", i.priority or 5, i.id))
    matched = len(items)
    if args.limit is not None:
        items = items[:args.limit]
    if args.json:
        print_json([item_json(workspace, snapshot, item) for item in items])
        return EXIT_OK
    out = Out()
    if not items:
        out.write("no items match" + (f" {text!r}" if text else ""))
    else:
        rows = []
        for item in items:
            missing = missing_answers(item, snapshot.items, settings)
            rows.append((item.label, item.status, item.kind, out.safe(item.owner or "-"),
                         due_text(item, snapshot, today) or "-", ",".join(missing) or "-", out.safe(item.title)))
        table(out, ("ID", "STATUS", "KIND", "OWNER", "DUE", "MISSING", "TITLE"), rows)
    hidden = []
    if hidden_closed:
        hidden.append(f"{hidden_closed} done or closed")
    if hidden_snoozed:
        hidden.append(f"{hidden_snoozed} snoozed")
    footer = f"{matched} item{'s' if matched != 1 else ''}"
    if len(items) < matched:
        footer = f"first {len(items)} of {footer}"
    if hidden:
        footer += f" ({' and '.join(hidden)} not shown; --all shows them)"
    out.write(footer)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from data.model.items import chain, inherited_why, missing_answers

    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    item = snapshot.item(parse_id(args.id))
    items = snapshot.items
    if args.json:
        doc = item_json(workspace, snapshot, item)
        doc["why_chain"] = why_chain_json(item, items)
        doc["blocking"] = snapshot.blocking(item.id)
        if item.kind == "goal":
            from data.views.goals import goal_stats

            stats = goal_stats(snapshot)[item.id]
            doc["serves"] = {"open_items": stats.open_items, "no_owner": stats.no_owner, "no_due": stats.no_due}
        print_json(doc)
        return EXIT_OK
    out = Out()
    today = workspace.today
    out.write(f"{item.label} {out.safe(item.title)}")

    def row(name: str, value: str) -> None:
        out.write(f"  {name:<10}{value}")

    row("kind", item.kind)
    row("status", item.status + (f" since {item.status_since[:10]}" if item.status_since else ""))
    if item.status == "declined" and item.decline_reason:
        row("declined", out.safe(item.decline_reason))
    if item.duplicate_of is not None:
        row("duplicate", f"of #{item.duplicate_of}")
    roles = ", ".join(f"{out.safe(h)} {r}" for h, r in sorted(item.roles.items()))
    row("owner", out.safe(item.owner or "— nobody (missing: who)") + (f"  (also: {roles})" if roles else ""))
    if item.due:
        row("due", f"{item.due} ({due_text(item, snapshot, today)})")
    else:
        row("due", "—" + (" (missing: when)" if "when" in missing_answers(item, items, snapshot.settings) else ""))
    if item.snoozed_until:
        row("snoozed", f"until {item.snoozed_until}")
    if item.parent is not None:
        parent = items.get(item.parent)
        row("parent", f"#{item.parent} " + (out.safe(parent.title) if parent else "(missing)"))
    if item.goal is not None:
        goal = items.get(item.goal)
        row("goal", f"#{item.goal} " + (out.safe(goal.title) if goal else "(missing)"))
    if item.kind == "goal":
        from data.views.goals import goal_stats

        row("serves", goal_stats(snapshot)[item.id].summary())
    for name, ids in (("waits on", item.blocked_by), ("blocking", snapshot.blocking(item.id))):
        for index, other_id in enumerate(ids):
            other = items.get(other_id)
            text = f"#{other_id} " + (f"{out.safe(other.title)} ({other.status}, "
                                       + (f"@{out.safe(other.owner)})" if other.owner else "no owner)")
                                       if other else "(missing)")
            row(name if index == 0 else "", text)
    if item.requester:
        row("requester", out.safe(item.requester))
    source = item.doc.get("source")
    if isinstance(source, dict) and source.get("system"):
        row("source", out.safe(f"{source['system']} {source.get('id', '')}".strip())
            + " (`worktop show ID --json` lists the fields kept from it)" * bool(source.get("fields")))
    if item.tags:
        row("tags", " ".join(f"#{out.safe(tag)}" for tag in item.tags))
    if item.priority is not None:
        row("priority", str(item.priority))
    own_why = item.why
    why = own_why or inherited_why(item, items)
    if own_why:
        row("why", out.lines(own_why)[0])
        for line in out.lines(own_why)[1:]:
            row("", line)
    elif why:
        row("why", f"(from above) {out.lines(why)[0]}")
    else:
        row("why", "— (missing: why)")
    missing = missing_answers(item, items, snapshot.settings)
    row("missing", ", ".join(missing) if missing else "nothing: who, when, how and why are answered")
    if item.checklist:
        out.write("  steps")
        for step in item.checklist:
            out.write(f"    [{'x' if step.get('done') else ' '}] {out.safe(str(step.get('text', '')))}")
    if item.body:
        out.write("  body")
        for line in out.lines(item.body):
            out.write(f"    {line}")
    links = chain(item, items)
    if len(links) > 1:
        out.write("  why chain")
        for link in links:
            out.write(f"    #{link.id} {link.kind} {out.safe(link.title)}: {out.lines(link.why)[0] if link.why else '—'}")
    if item.why_log:
        out.write("  why log")
        write_why_log(out, item)
    children = snapshot.children(item.id)
    if children:
        open_children = sum(1 for child in children if snapshot.settings.is_open(items[child].status))
        out.write(f"  contains  {len(children)} items ({open_children} open): `worktop ls parent:{item.id}`")
    return EXIT_OK


def why_chain_json(item: Item, items: Mapping[int, Item]) -> list[dict[str, Any]]:
    """The chain of whys from the item up to its goal, as ``show --json`` and ``why --json`` print it."""
    from data.model.items import chain

    return [{"id": link.id, "kind": link.kind, "title": link.title, "why": link.why} for link in chain(item, items)]


def write_why_log(out: Out, item: Item) -> None:
    for entry in item.why_log:
        text = str(entry.get("text", ""))
        lines = out.lines(text) if text or entry.get("kind") != "why" else ["(cleared the why)"]
        stamp = str(entry.get("at", ""))[:16].replace("T", " ")
        out.write(f"    {stamp}  {out.safe(str(entry.get('by', '?')))} ({entry.get('kind', 'note')}): {lines[0]}")
        for line in lines[1:]:
            out.write(f"      {line}")


def run_set(args: argparse.Namespace) -> int:
    from data.writes.ops import SetFields

    item_id = parse_id(args.id)
    values: dict[str, Any] = {}
    for assignment in args.assignments:
        name, equals, value = assignment.partition("=")
        name = name.strip().lower()
        if not equals or not name:
            raise CliError(f"expected FIELD=VALUE, got {assignment!r} (e.g. owner=ana due=fri)")
        if name == "status":
            raise CliError(f"status changes go through `worktop move {item_id} STATUS`")
        values[name] = value
    workspace = open_workspace(args)
    if "owner" in values:
        values["owner"] = handle(workspace, values["owner"])
    result = workspace.apply(SetFields(item_id, values, expected=_seen(workspace, args.was)))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    out = Out()
    if result.changed:
        out.write(f"#{item_id}: set {', '.join(values)}")
    else:
        out.write(f"#{item_id}: nothing changed (it already had those values)")
    return EXIT_OK


def _seen(workspace: Workspace, was: list[str]) -> dict[str, Any] | None:
    """``--was FIELD=VALUE`` as the stored values the person saw (typed as ``set`` takes them: ``due=fri``)."""
    from data.model.items import coerce_field

    seen: dict[str, Any] = {}
    for assignment in was:
        name, equals, value = assignment.partition("=")
        name = name.strip().lower()
        if not equals or not name:
            raise CliError(f"expected --was FIELD=VALUE, got {assignment!r} (e.g. --was owner=ben)")
        if name == "owner":
            value = handle(workspace, value) or ""
        seen[name] = coerce_field(name, value, today=workspace.today)
    return seen or None


def run_move(args: argparse.Namespace) -> int:
    from data.writes.ops import Move

    item_id = parse_id(args.id)
    status = args.status.strip().lower()
    if status == "declined":
        raise CliError(f"declining needs a reason: `worktop decline {item_id} --reason TEXT`")
    workspace = open_workspace(args)
    was = args.was.strip().lower() if args.was is not None else None
    result = workspace.apply(Move(item_id, status, expected_status=was))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    Out().write(f"#{item_id} → {status}" if result.changed else f"#{item_id} is already {status}")
    return EXIT_OK


def run_why(args: argparse.Namespace) -> int:
    from data.model.items import chain, inherited_why

    item_id = parse_id(args.id)
    workspace = open_workspace(args)
    out = Out()
    if args.text and args.log:
        raise CliError("give either a new why or --log, not both")
    if args.text:
        from data.writes.ops import SetFields

        text = " ".join(args.text)
        result = workspace.apply(SetFields(item_id, {"why": text}))
        if told_json(args, workspace, result, item_id):
            return EXIT_OK
        done = "why set" if text.strip() else "why cleared (the why log keeps the old one)"
        out.write(f"#{item_id}: {done}" if result.changed else f"#{item_id}: why unchanged")
        return EXIT_OK
    snapshot = workspace.snapshot()
    item = snapshot.item(item_id)
    if args.json:
        print_json({"id": item.id, "title": item.title, "why": item.why or None,
                    "inherited_why": None if item.why else inherited_why(item, snapshot.items) or None,
                    "why_log": item.why_log, "why_chain": why_chain_json(item, snapshot.items)})
        return EXIT_OK
    if args.log:
        out.write(f"{item.label} {out.safe(item.title)}")
        if item.why_log:
            write_why_log(out, item)
        else:
            out.write("    (no why log yet)")
        out.write("  chain of whys")
        for link in chain(item, snapshot.items):
            out.write(f"    #{link.id} {link.kind} {out.safe(link.title)}: {out.lines(link.why)[0] if link.why else '—'}")
        return EXIT_OK
    why = inherited_why(item, snapshot.items)
    if not why:
        out.write(f"#{item_id} has no why, nor does anything above it; set one with `worktop why {item_id} TEXT`")
    else:
        for line in out.lines(why):
            out.write(line)
        if not item.why:
            out.write("(inherited from above; `worktop why ID --log` shows the chain)")
    return EXIT_OK


def run_note(args: argparse.Namespace) -> int:
    from data.writes.ops import AddWhyNote

    item_id = parse_id(args.id)
    workspace = open_workspace(args)
    result = workspace.apply(AddWhyNote(item_id, " ".join(args.text)))
    if told_json(args, workspace, result, item_id):
        return EXIT_OK
    Out().write(f"#{item_id}: note added")
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    item_id = parse_id(args.id) if args.id is not None else None
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    workspace = open_workspace(args)
    if item_id is not None:
        workspace.snapshot().item(item_id)  # an unknown id is an error, not an empty log
    entries = workspace.history(item_id, limit=args.limit)
    if args.json:
        print_json(entries)
        return EXIT_OK
    out = Out()
    rows = [(str(e.get("rev", "")), str(e.get("at", ""))[:16].replace("T", " "), out.safe(str(e.get("by", ""))),
             out.safe(str(e.get("summary", "")) + from_to(e))) for e in entries]
    table(out, ("REV", "AT (UTC)", "BY", "WHAT"), rows)
    return EXIT_OK


def from_to(entry: dict) -> str:
    """`` · title: 'old' → 'new'; due: — → 2026-12-01`` for a history entry (nothing for a create:
    its summary says it, and every field would be new)."""
    changes = entry.get("changes")
    if entry.get("op") == "create" or not isinstance(changes, dict) or not changes:
        return ""

    def shown(value: object) -> str:
        if value in (None, "", [], {}):
            return "—"
        if isinstance(value, list) and value and all(isinstance(v, dict) and "text" in v for v in value):
            done = sum(1 for step in value if step.get("done"))
            return f"{len(value)} steps ({done} done)"
        text = ", ".join(map(str, value)) if isinstance(value, list) and all(
            isinstance(v, str | int) for v in value) else str(value)
        text = " ".join(text.split())
        text = text[:40] + "…" if len(text) > 40 else text  # a cut value says it is cut
        return repr(text) if isinstance(value, str) else text

    parts = [f"{name}: {shown(pair[0])} → {shown(pair[1])}" for name, pair in changes.items()
             if isinstance(pair, list) and len(pair) == 2]
    return " · " + "; ".join(parts) if parts else ""
