"""``import`` (Taskwarrior, todo.txt, CSV, GitHub, Trello) and ``export`` (Taskwarrior, todo.txt, CSV, JSON)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from tui.cli.inputs import open_workspace
from tui.cli.output import EXIT_OK, CliError, Out, warn

SHOWN = 12
"""Skips, warnings and updated items listed by name; the rest are counted."""


def _pairs(text: str | None, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in (text or "").split(","):
        if part.strip():
            name, equals, value = part.partition("=")
            if not equals or not name.strip() or not value.strip():
                raise CliError(f"{what} wants NAME=STATUS pairs, e.g. 'Backlog=todo,QA=review' (got {part.strip()!r})")
            pairs[name.strip()] = value.strip()
    return pairs


def run_import(args: argparse.Namespace) -> int:
    from data.interchange import detect, read_source, read_text, workspace_key
    from data.interchange.apply import ImportItems

    workspace = open_workspace(args)
    text, name = read_text(args.file)
    fmt = args.source_format or detect(args.file if args.file != "-" else "", text)
    meta = workspace.meta()
    parsed = read_source(text, name, fmt, mapping=args.map, workspace_key=workspace_key(meta))
    shows_progress = sys.stderr.isatty() and len(parsed.records) >= 1000

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"\r{'checking' if args.dry_run else 'importing'} {done}/{total}…")
        sys.stderr.flush()

    op = ImportItems(parsed, add_people=args.add_people, dry_run=args.dry_run,
                     progress=progress if shows_progress else None, statuses=_pairs(args.statuses, "--statuses"))
    ops: list[Any] = [op]
    if not args.dry_run and any(record.kind == "recurring" for record in parsed.records):
        from data.writes.recurrence import GenerateInstances

        ops.append(GenerateInstances())
    try:
        result = workspace.apply_all(ops)
    finally:
        if shows_progress:
            sys.stderr.write("\r\x1b[K" if os.environ.get("TERM", "dumb") != "dumb" else "\n")
    warn(result)
    _report(Out(), op.report, parsed, name, fmt, dry_run=args.dry_run)
    return EXIT_OK


def _report(out: Out, report: Any, parsed: Any, name: str, fmt: str, *, dry_run: bool) -> None:
    verb = "would import" if dry_run else "imported"
    source = fmt if parsed.system == fmt else f"{fmt}, {parsed.system}"
    out.write(f"{verb} {out.safe(name)} ({source}): {len(report.created)} new, {len(report.updated)} updated, "
              f"{report.unchanged} unchanged, {len(report.skipped)} skipped")
    if report.created and not dry_run:
        first, last = min(report.created), max(report.created)
        out.write(f"  new items: #{first}" + (f" to #{last}" if last != first else ""))
    for item_id, fields in list(report.updated.items())[:SHOWN]:
        out.write(f"  {'would update' if dry_run else 'updated'} #{item_id}: {', '.join(fields)}")
    if len(report.updated) > SHOWN:
        out.write(f"  … and {len(report.updated) - SHOWN} more updated")
    for skip in report.skipped[:SHOWN]:
        out.write(f"  skipped {out.safe(skip.where)}: {out.safe(skip.reason)}")
    if len(report.skipped) > SHOWN:
        out.write(f"  … and {len(report.skipped) - SHOWN} more skipped")
    if report.templates and not dry_run:
        out.write(f"  recurring workflows: {' '.join(f'#{i}' for i in report.templates)} "
                  "(their instances are made ahead; `worktop recurring` lists them)")
    if report.added_people:
        out.write(f"  {'would add' if dry_run else 'added'} people: {', '.join(map(out.safe, report.added_people))}")
    if report.missing_people:
        listed = ", ".join(out.safe(h) + (f" ({out.safe(n)})" if n else "") for h, n in report.missing_people.items())
        out.write(f"  not in this workspace, so their work has no owner yet: {listed}")
        out.write("  (--add-people adds them; importing again then sets the owners)")
    for note in [*parsed.notes, *report.warnings][:SHOWN]:
        out.write(f"  note: {out.safe(note)}")
    extra = len(parsed.notes) + len(report.warnings) - SHOWN
    if extra > 0:
        out.write(f"  … and {extra} more notes")
    if dry_run:
        out.write("(dry run: nothing was written)")


def run_export(args: argparse.Namespace) -> int:
    from data.interchange import workspace_key, write_export

    workspace = open_workspace(args)
    snapshot = workspace.snapshot()
    items = list(snapshot.items.values())
    text = " ".join(args.query)
    if text:
        from data.model.query import parse_query

        query = parse_query(text, me=workspace.actor, today=workspace.today, statuses=snapshot.settings.all_statuses)
        items = query.filter(items, snapshot)
    items.sort(key=lambda item: item.id)
    payload = write_export(items, snapshot, args.to, workspace_key=workspace_key(workspace.meta()))
    if not args.output or args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return EXIT_OK
    _write_file(args.output, payload, workspace.path)
    Out().write(f"exported {len(items)} item{'s' if len(items) != 1 else ''} to {args.output} ({args.to})")
    return EXIT_OK


def _write_file(target: str, payload: bytes, workspace_path: Any) -> None:
    """Write the export beside nothing of the workspace's: never over the workspace file or its sidecars."""
    from pathlib import Path

    path = Path(target).expanduser()
    real = Path(os.path.realpath(path))
    if real == Path(workspace_path) or (real.parent == Path(workspace_path).parent
                                        and real.name.startswith(f".{Path(workspace_path).name}")):
        raise CliError(f"{target} is the workspace file or one of its own files; export somewhere else")
    if real.is_dir():
        raise CliError(f"{target} is a folder; give a file name")
    temp = real.with_name(f".{real.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "xb") as handle:
            handle.write(payload)
        os.replace(temp, real)
    except OSError as error:
        try:
            temp.unlink()
        except OSError:
            pass
        raise CliError(f"cannot write {target}: {error.strerror}") from None
