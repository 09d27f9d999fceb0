"""Commands that make a new workspace file: ``init`` (empty, or shared with a group) and ``demo``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from tui.cli.inputs import pinned_today
from tui.cli.output import EXIT_OK, CliError, Out


def run_init(args: argparse.Namespace) -> int:
    from data.writes.workspace import DEFAULT_FILENAME, Workspace

    raw = args.path or args.workspace or os.environ.get("WORKTOP_WORKSPACE", "").strip() or DEFAULT_FILENAME
    from data.store.postgres.location import is_postgres

    if is_postgres(str(raw)):
        return _init_postgres(args, str(raw))
    if args.pointer:
        raise CliError("--pointer goes with a postgresql:// location")
    path = Path(raw).expanduser()
    if path.is_dir() or (args.shared and not path.suffix and not path.exists()):
        path = path / DEFAULT_FILENAME
    if args.shared:
        return _init_shared(args, path)
    if args.others_read:
        raise CliError("--others-read goes with --shared GROUP")
    if path.exists():
        raise CliError(f"{path} already exists; nothing was written")
    if not path.absolute().parent.is_dir():
        raise CliError(f"folder {path.absolute().parent} does not exist; nothing was written")
    workspace = Workspace.create(path, name=args.name)
    out = Out()
    out.write(f"created workspace {out.safe(workspace.snapshot().settings.name)!r} at {workspace.path}")
    out.write("next: `worktop person add HANDLE` for each person, then `worktop add TITLE`")
    return EXIT_OK


def _init_postgres(args: argparse.Namespace, url: str) -> int:
    """``init postgresql://…``: the schema where missing, then a new workspace in it; optionally a pointer file."""
    from data.store.postgres.location import has_password, pointer_text
    from data.writes.workspace import Workspace

    if args.shared or args.others_read:
        raise CliError("--shared is about a file's Unix group; on PostgreSQL grant roles instead: "
                       "GRANT worktop_writer TO ROLE (README: PostgreSQL)")
    pointer = Path(args.pointer).expanduser() if args.pointer else None
    if pointer is not None:
        if pointer.is_dir():
            pointer = pointer / "worktop.json"
        if os.path.lexists(pointer):
            raise CliError(f"{pointer} already exists; nothing was written")
        if has_password(url):
            raise CliError("a pointer file may be shared, so it must not hold a password: take it out of the URL "
                           "and put it in ~/.pgpass (or PGPASSFILE)")
    workspace = Workspace.create(url, name=args.name)
    out = Out()
    out.write(f"created workspace {out.safe(workspace.snapshot().settings.name)!r} at {out.safe(workspace.location)}")
    for note in workspace.notes:
        out.write(f"  {out.safe(note)}")
    if pointer is not None:
        try:
            with open(pointer, "xb") as handle:
                handle.write(pointer_text(url))
        except OSError as error:
            raise CliError(f"cannot write the pointer {pointer}: {error.strerror}") from None
        out.write(f"wrote {pointer}: worktop run in {pointer.parent} or below opens this workspace")
    out.write("next: `worktop person add HANDLE` for each person (handles as their database roles), "
              "then `worktop add TITLE`")
    return EXIT_OK


def run_copy(args: argparse.Namespace) -> int:
    from data.store.copy import copy_workspace

    data = copy_workspace(args.source, args.target)
    out = Out()
    out.write(f"copied {len(data.items)} item{'s' if len(data.items) != 1 else ''}, {len(data.people)} "
              f"{'person' if len(data.people) == 1 else 'people'} and {len(data.history)} history "
              f"entr{'y' if len(data.history) == 1 else 'ies'} (revision {data.meta.get('revision', 0)}) "
              f"to {out.safe(_shown(args.target))}")
    return EXIT_OK


def _shown(location: str) -> str:
    from data.store.postgres.location import is_postgres, parse_location

    return parse_location(location).display if is_postgres(location) else location


def _init_shared(args: argparse.Namespace, path: Path) -> int:
    """``init --shared GROUP PATH``: a new (or existing) workspace the whole group can write."""
    from data.store.sharing import prepare_shared
    from data.writes.workspace import Workspace

    setup = prepare_shared(path.absolute(), args.shared, create=lambda new: Workspace.create(new, name=args.name),
                           others_read=args.others_read)
    out = Out()
    verb = "created" if setup.created else "shared the existing"
    out.write(f"{verb} workspace at {setup.workspace} for group {out.safe(setup.group)}")
    for line in setup.changed:
        out.write(f"  {out.safe(line)}")
    others = "may read it (read-only)" if setup.others_read else "cannot see it"
    out.write(f"members of {out.safe(setup.group)} can read and write it; everyone else {others}")
    out.write(f"each person runs: worktop -w {setup.workspace}   (README: 'Pairing over SSH')")
    return EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    import time

    from data.demo import make_demo
    from data.writes.workspace import DEFAULT_FILENAME

    if args.items < 1:
        raise CliError("--items must be at least 1")
    path = Path(args.path).expanduser()
    if path.is_dir():
        path = path / DEFAULT_FILENAME
    if path.exists():
        raise CliError(f"{path} already exists; nothing was written")
    if not path.absolute().parent.is_dir():
        raise CliError(f"folder {path.absolute().parent} does not exist; nothing was written")
    started = time.perf_counter()
    target = make_demo(path, items=args.items, seed=args.seed, today=pinned_today())
    took = time.perf_counter() - started
    out = Out()
    out.write(f"made {target} with {args.items} items in {took:.2f}s")
    out.write(f"open it with `worktop -w {target}`")
    return EXIT_OK
