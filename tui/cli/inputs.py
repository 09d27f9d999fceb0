"""What every command shares on the way in: the workspace, today, ids, handles and dates."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tui.cli.output import CliError

if TYPE_CHECKING:
    import argparse
    from datetime import date

    from data.writes.workspace import Workspace


def pinned_today() -> date | None:
    """Today, or ``WORKTOP_TODAY`` (YYYY-MM-DD) when set: tests and demos pin the date."""
    from datetime import date

    pinned = os.environ.get("WORKTOP_TODAY", "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise CliError(f"WORKTOP_TODAY={pinned!r} is not a YYYY-MM-DD date") from None
    return None


def open_workspace(args: argparse.Namespace) -> Workspace:
    """Open the workspace the options name, reading it once so a bad file fails early.

    Reading first also means a missing workspace never gets a lock file made beside it.
    """
    from data.writes.workspace import Workspace, resolve_workspace_path

    workspace = Workspace(resolve_workspace_path(args.workspace), today=pinned_today())
    workspace.meta()  # settings only, where the store can: a command that touches one item reads no more
    return workspace


def parse_id(text: str) -> int:
    from data.model.items import parse_item_id

    return parse_item_id(text)


def handle(workspace: Workspace, value: str | None) -> str | None:
    """``me`` in an owner field means whoever runs the command."""
    if value is not None and value.strip().lower() == "me":
        return workspace.actor
    return value


def typed_date(text: str, today: date) -> date:
    """A date as a person types it (``fri``, ``+3d``, ``2026-12-01``), or a one-line error."""
    from data.model.dates import BadDate, parse_date

    try:
        return parse_date(text, today)
    except BadDate as error:
        raise CliError(str(error)) from None
