"""What every command shares on the way out: exit codes, errors, and text or JSON output.

Exit codes:
    0  ok
    1  bad input: unknown id, bad date, bad status, unknown field, bad query, a file that will not import
    2  usage: unknown command or option, missing argument
    3  the workspace is missing, unreadable or read-only
    4  conflict: someone else changed what the command expected; nothing was written

Errors are one line on stderr, ``worktop: <message>``, never a traceback.

Text output prints titles and notes verbatim, except that on a terminal control
characters are replaced with visible symbols (:func:`data.model.items.display_width_safe`),
so a shared workspace cannot drive the reader's terminal. ``--json`` gives the
stored values as they are.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from data.model.items import Item
    from data.model.snapshot import Snapshot
    from data.writes.workspace import Result, Workspace

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_WORKSPACE, EXIT_CONFLICT = 0, 1, 2, 3, 4


class CliError(Exception):
    """An error the CLI reports as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def exit_code_for(error: Exception) -> int | None:
    """The exit code for an error from the data layer, or None if it is unexpected (a bug)."""
    from data.errors import Conflict, NotFound, ReadOnlyWorkspace, WorkspaceError, WorkspaceMissing, WorkspaceUnreadable

    if isinstance(error, Conflict):
        return EXIT_CONFLICT
    if isinstance(error, NotFound | ValueError):  # BadValue, BadQuery, BadDate, BadSource
        return EXIT_BAD_INPUT
    if isinstance(error, WorkspaceMissing | WorkspaceUnreadable | ReadOnlyWorkspace | WorkspaceError):
        return EXIT_WORKSPACE
    if isinstance(error, PermissionError):
        return EXIT_WORKSPACE
    if isinstance(error, OSError) and error.filename:
        return EXIT_WORKSPACE
    return None


def explain(error: Exception) -> tuple[int, str] | None:
    """The exit code and one-line message for an error a command ended on, or None if it is a bug.

    The CLI prints the message after ``worktop:``; the agent's tools (tui/agent) return it as the tool's error.
    """
    if isinstance(error, CliError):
        return error.code, str(error)
    code = exit_code_for(error)
    return None if code is None else (code, str(error))


def fail(message: str) -> None:
    """One ``worktop: …`` line on stderr; an error may quote the workspace, so control characters show as symbols."""
    from data.model.items import display_width_safe

    sys.stderr.write(f"worktop: {display_width_safe(message)}\n")


def warn(result: Result) -> None:
    """The warnings an operation left (a WIP limit passed, a blocked card moved on, a backup not kept)."""
    for warning in [*result.warnings, *result.notices]:
        fail(f"warning: {warning}")


class Out:
    """Writes text output; on a terminal, stored text is made inert first."""

    def __init__(self) -> None:
        self.stream = sys.stdout
        self.terminal = self.stream.isatty()

    def safe(self, text: str) -> str:
        if not self.terminal:
            return text
        from data.model.items import display_width_safe

        return display_width_safe(text)

    def lines(self, text: str) -> list[str]:
        """Multi-line stored text, one safe line each."""
        return [self.safe(line) for line in text.splitlines()] or [""]

    def write(self, line: str = "") -> None:
        self.stream.write(line + "\n")


def print_json(value: Any) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def table(out: Out, headers: tuple[str, ...], rows: Sequence[tuple[str, ...]], *, number_first: bool = True) -> None:
    """Aligned columns; the last column is left unpadded (it holds titles).

    With ``number_first`` the first column (ids, revisions) is right-aligned.
    """
    widths = [len(h) for h in headers[:-1]]
    for row in rows:
        for index, cell in enumerate(row[:-1]):
            widths[index] = max(widths[index], len(cell))
    for row in (headers, *rows):
        cells = [cell.rjust(widths[0]) if index == 0 and number_first else cell.ljust(widths[index])
                 for index, cell in enumerate(row[:-1])]
        out.write("  ".join([*cells, row[-1]]).rstrip())


def change_json(workspace: Workspace, result: Result, item_id: int | None = None, **extra: Any) -> dict[str, Any]:
    """What a writing command's ``--json`` prints: whether anything changed, the revision, the
    warnings, and the item as it is now (when the command acts on one)."""
    doc: dict[str, Any] = {"changed": result.changed, "revision": result.revision,
                           "warnings": [*result.warnings, *result.notices]}
    if item_id is not None:
        snapshot = workspace.snapshot()
        doc["item"] = item_json(workspace, snapshot, snapshot.item(item_id))
    doc.update(extra)
    return doc


def told_json(args: Any, workspace: Workspace, result: Result, item_id: int | None = None, **extra: Any) -> bool:
    """After a write: its warnings on stderr, and with ``--json`` what changed (:func:`change_json`) on stdout.

    True when the JSON was printed: the command is done (``if told_json(...): return EXIT_OK``).
    """
    warn(result)
    if not getattr(args, "json", False):
        return False
    print_json(change_json(workspace, result, item_id, **extra))
    return True


def item_json(workspace: Workspace, snapshot: Snapshot, item: Item) -> dict[str, Any]:
    """An item as ``--json`` prints it: the stored document, its id and its missing answers."""
    from data.model.items import missing_answers

    return {"id": item.id, **snapshot.docs[item.id],
            "missing": missing_answers(item, snapshot.items, snapshot.settings)}


def due_text(item: Item, snapshot: Snapshot, today: date) -> str:
    """``fri (in 2 days)``-style for open work, the plain date for closed work."""
    from data.model.dates import describe_due

    due = item.due_date()
    if due is None:
        return item.due or ""
    if not snapshot.settings.is_open(item.status):
        return due.isoformat()
    return describe_due(due, today)


def day(value: date) -> str:
    """``Wed 15 Jan 2025``."""
    return f"{value:%a} {value.day} {value:%b} {value.year}"


def short_day(value: date) -> str:
    """``Wed 15 Jan``."""
    return f"{value:%a} {value.day} {value:%b}"
