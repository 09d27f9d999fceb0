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
