"""The long-running commands: ``mcp`` (an agent's tools over stdio) and ``serve`` (the app in browsers).

Each imports its server, and the library it needs (the ``mcp`` SDK, textual-serve),
only when it runs: no other command pays for them.
"""

from __future__ import annotations

import argparse
import gc

from tui.cli.inputs import open_workspace
from tui.cli.output import EXIT_USAGE, CliError


def run_mcp(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)  # a missing or unreadable workspace fails here, before any agent connects
    gc.enable()  # the CLI turns the GC off for short commands; a server runs for hours
    try:
        from tui.agent.server import serve_stdio
    except ModuleNotFoundError as error:
        raise CliError(f"worktop mcp needs the {error.name} package (pip install 'worktop' brings it): {error}")
    return serve_stdio(workspace.path.resolve(), read_only=args.read_only)


def run_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CliError(f"--port {args.port} is not a port (1 to 65535)", EXIT_USAGE)
    workspace = open_workspace(args)
    gc.enable()
    try:
        from tui.web.server import NotLoopback, serve_browsers
    except ModuleNotFoundError as error:
        raise CliError(f"worktop serve needs the {error.name} package (pip install 'worktop' brings it): {error}")
    try:
        return serve_browsers(workspace.path.resolve(), host=args.host, port=args.port,
                              allow_writes=args.allow_writes, public=args.public)
    except NotLoopback as error:
        raise CliError(str(error), EXIT_USAGE) from None
    except OSError as error:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", EXIT_USAGE) from None
