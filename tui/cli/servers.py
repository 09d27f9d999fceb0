"""The long-running commands: ``mcp`` (an agent's tools over stdio).

Each imports its server, and the library it needs (the ``mcp`` SDK), only when
it runs: no other command pays for them.
"""

from __future__ import annotations

import argparse
import gc

from tui.cli.inputs import open_workspace
from tui.cli.output import CliError


def run_mcp(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)  # a missing or unreadable workspace fails here, before any agent connects
    gc.enable()  # the CLI turns the GC off for short commands; a server runs for hours
    try:
        from tui.agent.server import serve_stdio
    except ModuleNotFoundError as error:
        raise CliError(f"worktop mcp needs the {error.name} package (pip install 'worktop' brings it): {error}")
    return serve_stdio(workspace.path.resolve(), read_only=args.read_only)

