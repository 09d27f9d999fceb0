"""One browser tab of ``worktop serve``: ``python -m tui.web.tab PATH [--allow-writes]``.

textual-serve starts this once per tab, with Textual's web driver in the
environment, so every tab is its own worktop on the same file: live reload,
presence and follow work between tabs and terminals as between terminals.
Without ``--allow-writes`` the app is read-only on purpose (every write is
refused, and the header says READ-ONLY and why); with it, it writes as the user
who runs the server, and the header says so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

READ_ONLY_REASON = "served to a browser without --allow-writes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.web.tab", description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--allow-writes", action="store_true")
    args = parser.parse_args(argv)
    from data.writes.workspace import current_actor
    from tui.app import run_app

    if args.allow_writes:
        return run_app(args.workspace, note=f"in a browser: writes as {current_actor()}")
    return run_app(args.workspace, read_only=READ_ONLY_REASON, note="in a browser")


if __name__ == "__main__":
    sys.exit(main())
