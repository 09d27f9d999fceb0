"""A bare ``worktop``: the app on the workspace (the only command that imports Textual)."""

from __future__ import annotations

import argparse

from tui.cli.output import CliError


def open_app(args: argparse.Namespace) -> int:
    from data.writes.workspace import resolve_workspace_path

    path = resolve_workspace_path(args.workspace)
    try:
        from tui.app import run_app
    except ModuleNotFoundError as error:
        if error.name == "tui.app":
            raise CliError("the interactive app is not installed in this build; "
                           "the commands work: see `worktop --help`") from None
        raise CliError(f"cannot start the app: {error}") from None
    return run_app(path)
