"""The ``worktop`` command: the TUI when run bare, quick non-interactive commands otherwise.

Exit codes:
    0  ok
    1  bad input: unknown id, bad date, bad status, unknown field, bad query
    2  usage: unknown command or option, missing argument
    3  the workspace is missing, unreadable or read-only
    4  conflict: someone else changed what the command expected; nothing was written

Errors are one line on stderr, ``worktop: <message>``, never a traceback. An
unexpected error (a bug) also exits 1; ``WORKTOP_DEBUG=1`` shows its traceback.
``WORKTOP_TODAY=YYYY-MM-DD`` pins the date that ``fri`` or ``+3d`` count from.

Only ``argparse``, ``os`` and ``sys`` load up front. Each command imports the data
modules it needs, and only the bare ``worktop`` (the TUI) imports Textual:
``worktop add`` has an 80 ms whole-process budget at 10k items, and Textual alone
takes longer than that to import.

Text output prints titles and notes verbatim, except that on a terminal control
characters are replaced with visible symbols (:func:`data.model.items.display_width_safe`),
so a shared workspace cannot drive the reader's terminal. ``--json`` gives the
stored values as they are.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from datetime import date

    from data.model.items import Item
    from data.writes.workspace import Result, Snapshot, Workspace

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_WORKSPACE, EXIT_CONFLICT = 0, 1, 2, 3, 4

EPILOG = """\
exit codes:
  0  ok
  1  bad input (unknown id, bad date, bad status, unknown field, bad query)
  2  usage (unknown command or option, missing argument)
  3  workspace missing, unreadable or read-only
  4  conflict: someone else changed it first; nothing was written

workspace: -w PATH, else $WORKTOP_WORKSPACE, else the nearest worktop.json in
this folder or one above it. Run `worktop init` to make one here, or
`worktop demo PATH` for one full of sample work.
"""

QUERY_HELP = """\
query terms (all must hold; quote terms with < > # or spaces for the shell):
  owner:ana  owner:none  owner:me  status:doing  kind:request  #tag  -#tag
  due<fri  due<=+3d  due>2026-12-01  due:none  overdue  why:none
  missing:who|when|how|why|any  requester:bo  parent:12  priority:1
  any other word: in the title or body (any case); -TERM negates a term
example: worktop ls 'owner:me due<fri -#later'
"""


class CliError(Exception):
    """An error the CLI reports as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 through :func:`main`."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)", EXIT_USAGE)


# -- the parser -----------------------------------------------------------------

def build_parser(command_name: str | None = None) -> argparse.ArgumentParser:
    """The whole command line.

    Args:
        command_name: when given, only that command's arguments are defined (the
            others are listed, for ``--help``, but left empty): building all of
            them costs a few of ``worktop add``'s 80 ms.
    """
    parser = _Parser(
        prog="worktop",
        description="A team's work — who, what, by when, how and why — in one shared workspace file. "
        "Run with no command to open the app.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-w", "--workspace", metavar="PATH", help="the workspace file")
    # -w also works after the command (`worktop ls -w x.json`); SUPPRESS keeps the global one.
    common = _Parser(add_help=False)
    common.add_argument("-w", "--workspace", metavar="PATH", default=argparse.SUPPRESS, help="the workspace file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, define, extra) in _SPECS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common],
                                  formatter_class=argparse.RawDescriptionHelpFormatter, **extra)
        if command_name is None or command_name == name:
            define(sub, common)
    return parser


def _command_at(argv: list[str]) -> int | None:
    """Where the command word is in ``argv`` (skipping ``-w PATH``), if it is one we know."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
        elif word in ("-w", "--workspace"):
            skip = True
        elif not word.startswith("-"):
            return index if word in _SPECS else None
    return None


_LS_OPTIONS = frozenset({"-h", "--help", "--all", "--json"})


def _negated_terms(words: list[str], *, after: int) -> tuple[list[str], list[str]]:
    """Take ``ls``'s negated query terms (``-#ops``, ``-owner:me``) out of ``words``.

    argparse would read them as options, and worse, ``-why:none`` as ``-w hy:none``.
    Only words after the command (at index ``after``) are looked at; ``-w PATH``
    and ``ls``'s own options stay.
    """
    start = after + 1
    kept, negated, value_next = words[:start], [], False
    for word in words[start:]:
        if value_next:
            kept.append(word)
            value_next = False
        elif word in ("-w", "--workspace"):
            kept.append(word)
            value_next = True
        elif word in _LS_OPTIONS or word.startswith("--workspace=") or not word.startswith("-") or word == "-":
            kept.append(word)
        else:
            negated.append(word)
    return kept, negated


def _define_init(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="file or folder (default: ./worktop.json); with --shared, a missing PATH that does not "
                   "end in .json is made as a folder")
    p.add_argument("--name", help="workspace name shown in the app (default: the folder's name)")
    p.add_argument("--shared", metavar="GROUP",
                   help="for pairing: give the folder, workspace, lock and presence files to this Unix group, "
                   "group-writable (setgid folder); an existing workspace is shared without being rewritten")
    p.add_argument("--others-read", action="store_true",
                   help="with --shared: users outside the group may read the workspace (they get it read-only)")


def _define_add(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("title", nargs="+", metavar="TITLE")
    p.add_argument("--kind", default="task", help="goal, project, workstream, task, request, recurring, operation")
    p.add_argument("--owner", help="the one accountable person (a handle, or `me`)")
    p.add_argument("--due", help="today, fri, +3d, 2026-12-01, …")
    p.add_argument("--why", help="why the work matters")
    p.add_argument("--parent", metavar="ID", help="the item this one is part of")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="a tag (repeat, or a,b)")
    p.add_argument("--status", help="default: the first board column (the inbox for requests)")
    p.add_argument("--priority", help="1 (highest) to 4")
    p.add_argument("--body", help="longer description")
    p.add_argument("--step", action="append", default=[], metavar="TEXT", help="a checklist step (repeat)")


def _define_request(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("title", nargs="+", metavar="TITLE")
    p.add_argument("--from", dest="requester", required=True, metavar="REQUESTER", help="who asked (a handle)")
    p.add_argument("--body", help="details")


def _define_ls(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--all", action="store_true", help="include done, declined, archived and snoozed items")
    p.add_argument("--json", action="store_true", help="print the stored items as JSON")


def _define_id(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="ID")


def _define_show(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("--json", action="store_true", help="print the stored item as JSON")


def _define_set(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE",
                   help="title, body, kind, owner, due, snoozed_until, parent, goal, why, tags, priority, requester; "
                   "an empty value clears the field")


def _define_move(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("status", metavar="STATUS")


def _define_why(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("text", nargs="*", metavar="TEXT", help="the new why; without it the current one is shown")
    p.add_argument("--log", action="store_true", help="show the why log and the chain of whys up to the goal")


def _define_note(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("text", nargs="+", metavar="TEXT")


def _define_log(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("id", nargs="?", metavar="ID")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="entries to show (default 20)")


def _define_demo(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", help="file or folder; must not exist yet")
    p.add_argument("--items", type=int, default=400, metavar="N", help="how many items (default 400)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="another seed makes different sample work")


def _define_person(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add someone who can own work", parents=[common])
    add.add_argument("handle", metavar="HANDLE")
    add.add_argument("--name", default="", help="full name")
    add.add_argument("--team", default="")
    add.add_argument("--capacity", type=int, default=5, help="open items they can carry (default 5)")


def _define_nothing(_p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    pass


def _define_gaps(p: argparse.ArgumentParser, _common: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print as JSON")


def _define_accept(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("--owner", help="a handle, or `me`")
    p.add_argument("--due", help="today, fri, +3d, 2026-12-01, …")
    p.add_argument("--why")


def _define_decline(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("--reason", required=True, help="why not (required)")


def _define_dup(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("of_id", metavar="OF_ID", help="the original it duplicates")


def _define_snooze(p: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    _define_id(p, common)
    p.add_argument("date", metavar="DATE", help="mon, +1w, 2026-12-01, …")


# -- entry point ----------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring).

    Run as the ``worktop`` program (``argv`` None), a non-interactive command
    ends the process itself once its output is flushed: tearing down a parsed
    10k-item workspace object by object costs ~8 ms of ``add``'s 80 ms, and
    everything it wrote is already durable (fsync'd, lock released).
    """
    words = sys.argv[1:] if argv is None else list(argv)
    at = _command_at(words)
    collecting = gc.isenabled()
    try:
        code = _main(words, at)
    finally:
        if collecting:  # main() is also called in-process (tests); leave the GC as found
            gc.enable()
    if argv is None and at is not None:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (BrokenPipeError, ValueError):
            pass
        os._exit(code)
    return code


def _main(words: list[str], at: int | None) -> int:
    for number, word in enumerate(words, start=1):
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode reach Python as surrogates
            shown = word.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            _fail(f"argument {number} ({shown}) is not valid UTF-8 text; nothing was done")
            return EXIT_USAGE
    try:
        command_name = words[at] if at is not None else None
        if command_name is not None:
            # A short-lived command: the cyclic GC only slows down parsing a big workspace.
            gc.disable()
        negated: list[str] = []
        if command_name == "ls":
            words, negated = _negated_terms(words, after=at)
        try:
            args = build_parser(command_name).parse_args(words)
        except SystemExit as done:  # --help and --version exit through here
            return done.code if isinstance(done.code, int) else EXIT_OK
        if negated:
            args.query = [*args.query, *negated]
        handler = _COMMANDS.get(args.command or "", _open_app)
        return handler(args) or EXIT_OK
    except CliError as error:
        _fail(str(error))
        return error.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `worktop ls | head`: the reader left; stop quietly (and let exit's flush go nowhere).
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - every failure becomes one line, never a traceback
        code = _exit_code(error)
        if code is None:
            if os.environ.get("WORKTOP_DEBUG"):
                raise
            _fail(f"unexpected error ({type(error).__name__}: {error}); set WORKTOP_DEBUG=1 to see where")
            return EXIT_BAD_INPUT
        _fail(str(error))
        return code


def _exit_code(error: Exception) -> int | None:
    """The exit code for an error from the data layer, or None if it is unexpected."""
    from data.store.storage import ReadOnlyWorkspace, WorkspaceError, WorkspaceMissing, WorkspaceUnreadable
    from data.writes.workspace import Conflict, NotFound

    if isinstance(error, Conflict):
        return EXIT_CONFLICT
    if isinstance(error, NotFound | ValueError):  # BadValue, BadQuery, BadDate
        return EXIT_BAD_INPUT
    if isinstance(error, WorkspaceMissing | WorkspaceUnreadable | ReadOnlyWorkspace | WorkspaceError):
        return EXIT_WORKSPACE
    if isinstance(error, PermissionError):
        return EXIT_WORKSPACE
    if isinstance(error, OSError) and error.filename:
        return EXIT_WORKSPACE
    return None


def _fail(message: str) -> None:
    """One line on stderr; an error may quote the workspace, so control characters are shown as symbols."""
    from data.model.items import display_width_safe

    sys.stderr.write(f"worktop: {display_width_safe(message)}\n")


# -- shared pieces --------------------------------------------------------------

def _today() -> date | None:
    """Today, or ``WORKTOP_TODAY`` (YYYY-MM-DD) when set: tests and demos pin the date."""
    from datetime import date

    pinned = os.environ.get("WORKTOP_TODAY", "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise CliError(f"WORKTOP_TODAY={pinned!r} is not a YYYY-MM-DD date") from None
    return None


def _workspace(args: argparse.Namespace) -> Workspace:
    """Open the workspace the options name, reading it once so a bad file fails early.

    Reading first also means a missing workspace never gets a lock file made beside it.
    """
    from data.writes.workspace import Workspace, resolve_workspace_path

    workspace = Workspace(resolve_workspace_path(args.workspace), today=_today())
    workspace.storage.load()
    return workspace


def _id(text: str) -> int:
    from data.model.items import parse_item_id

    return parse_item_id(text)


def _handle(workspace: Workspace, value: str | None) -> str | None:
    """``me`` in an owner field means whoever runs the command."""
    if value is not None and value.strip().lower() == "me":
        return workspace.actor
    return value


class _Out:
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


def _warn(result: Result) -> None:
    for warning in [*result.warnings, *result.notices]:
        _fail(f"warning: {warning}")


def _print_json(value: Any) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def _raw_doc(workspace: Workspace, item_id: int) -> dict[str, Any]:
    return workspace.storage.load()["items"][str(item_id)]


def _item_json(workspace: Workspace, snapshot: Snapshot, item: Item) -> dict[str, Any]:
    from data.model.items import missing_answers

    return {"id": item.id, **_raw_doc(workspace, item.id),
            "missing": missing_answers(item, snapshot.items, snapshot.settings)}


def _due_text(item: Item, snapshot: Snapshot, today: date) -> str:
    from data.model.dates import describe_due

    due = item.due_date()
    if due is None:
        return item.due or ""
    if not snapshot.settings.is_open(item.status):
        return due.isoformat()
    return describe_due(due, today)


def _table(out: _Out, headers: tuple[str, ...], rows: list[tuple[str, ...]], *, number_first: bool = True) -> None:
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


# -- commands -------------------------------------------------------------------

def _open_app(args: argparse.Namespace) -> int:
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


def _cmd_init(args: argparse.Namespace) -> int:
    from pathlib import Path

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
    out = _Out()
    out.write(f"created workspace {out.safe(workspace.snapshot().settings.name)!r} at {workspace.path}")
    out.write("next: `worktop person add HANDLE` for each person, then `worktop add TITLE`")
    return EXIT_OK


def _init_shared(args: argparse.Namespace, path: Any) -> int:
    """``init --shared GROUP PATH``: a new (or existing) workspace the whole group can write."""
    from data.store.sharing import prepare_shared

    setup = prepare_shared(path.absolute(), args.shared, name=args.name, others_read=args.others_read)
    out = _Out()
    verb = "created" if setup.created else "shared the existing"
    out.write(f"{verb} workspace at {setup.workspace} for group {out.safe(setup.group)}")
    for line in setup.changed:
        out.write(f"  {out.safe(line)}")
    others = "may read it (read-only)" if setup.others_read else "cannot see it"
    out.write(f"members of {out.safe(setup.group)} can read and write it; everyone else {others}")
    out.write(f"each person runs: worktop -w {setup.workspace}   (README: 'Pairing over SSH')")
    return EXIT_OK


def _cmd_add(args: argparse.Namespace) -> int:
    from data.writes.ops import CreateItem

    workspace = _workspace(args)
    fields: dict[str, Any] = {}
    for name in ("due", "why", "parent", "priority", "body"):
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    if args.owner is not None:
        fields["owner"] = _handle(workspace, args.owner)
    if args.tag:
        fields["tags"] = ",".join(args.tag)
    op = CreateItem(title=" ".join(args.title), kind=args.kind, status=args.status, fields=fields,
                    checklist=list(args.step))
    result = workspace.apply(op)
    _warn(result)
    sys.stdout.write(f"{result.item_id}\n")
    return EXIT_OK


def _cmd_request(args: argparse.Namespace) -> int:
    from data.writes.ops import CreateItem

    workspace = _workspace(args)
    fields = {"requester": args.requester}
    if args.body:
        fields["body"] = args.body
    result = workspace.apply(CreateItem(title=" ".join(args.title), kind="request", fields=fields))
    _warn(result)
    sys.stdout.write(f"{result.item_id}\n")
    return EXIT_OK


def _cmd_ls(args: argparse.Namespace) -> int:
    import shlex

    from data.model.items import missing_answers
    from data.model.query import parse_query

    workspace = _workspace(args)
    snapshot = workspace.snapshot()
    settings = snapshot.settings
    today = workspace.today
    text = " ".join(args.query)
    query = parse_query(text, me=workspace.actor, today=today, statuses=settings.all_statuses)
    # Asking for a status by name shows it even if it is closed.
    names_status = any(word.lstrip("-").lower().startswith("status:") for word in shlex.split(text))
    everything = args.all or names_status
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
    if args.json:
        _print_json([_item_json(workspace, snapshot, item) for item in items])
        return EXIT_OK
    out = _Out()
    if not items:
        out.write("no items match" + (f" {text!r}" if text else ""))
    else:
        rows = []
        for item in items:
            missing = missing_answers(item, snapshot.items, settings)
            rows.append((item.label, item.status, item.kind, out.safe(item.owner or "-"),
                         _due_text(item, snapshot, today) or "-", ",".join(missing) or "-", out.safe(item.title)))
        _table(out, ("ID", "STATUS", "KIND", "OWNER", "DUE", "MISSING", "TITLE"), rows)
    hidden = []
    if hidden_closed:
        hidden.append(f"{hidden_closed} done or closed")
    if hidden_snoozed:
        hidden.append(f"{hidden_snoozed} snoozed")
    footer = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    if hidden:
        footer += f" ({' and '.join(hidden)} not shown; --all shows them)"
    out.write(footer)
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from data.model.items import chain, inherited_why, missing_answers

    workspace = _workspace(args)
    snapshot = workspace.snapshot()
    item = snapshot.item(_id(args.id))
    items = snapshot.items
    if args.json:
        doc = _item_json(workspace, snapshot, item)
        doc["why_chain"] = [{"id": link.id, "kind": link.kind, "title": link.title, "why": link.why}
                            for link in chain(item, items)]
        if item.kind == "goal":
            from data.views.goals import goal_stats

            stats = goal_stats(snapshot)[item.id]
            doc["serves"] = {"open_items": stats.open_items, "no_owner": stats.no_owner, "no_due": stats.no_due}
        _print_json(doc)
        return EXIT_OK
    out = _Out()
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
        row("due", f"{item.due} ({_due_text(item, snapshot, today)})")
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
    if item.requester:
        row("requester", out.safe(item.requester))
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
        _write_why_log(out, item)
    children = snapshot.children(item.id)
    if children:
        open_children = sum(1 for child in children if snapshot.settings.is_open(items[child].status))
        out.write(f"  contains  {len(children)} items ({open_children} open): `worktop ls parent:{item.id}`")
    return EXIT_OK


def _write_why_log(out: _Out, item: Item) -> None:
    for entry in item.why_log:
        text = str(entry.get("text", ""))
        lines = out.lines(text) if text or entry.get("kind") != "why" else ["(cleared the why)"]
        stamp = str(entry.get("at", ""))[:16].replace("T", " ")
        out.write(f"    {stamp}  {out.safe(str(entry.get('by', '?')))} ({entry.get('kind', 'note')}): {lines[0]}")
        for line in lines[1:]:
            out.write(f"      {line}")


def _cmd_set(args: argparse.Namespace) -> int:
    from data.writes.ops import SetFields

    item_id = _id(args.id)
    values: dict[str, Any] = {}
    for assignment in args.assignments:
        name, equals, value = assignment.partition("=")
        name = name.strip().lower()
        if not equals or not name:
            raise CliError(f"expected FIELD=VALUE, got {assignment!r} (e.g. owner=ana due=fri)")
        if name == "status":
            raise CliError(f"status changes go through `worktop move {item_id} STATUS`")
        values[name] = value
    workspace = _workspace(args)
    if "owner" in values:
        values["owner"] = _handle(workspace, values["owner"])
    result = workspace.apply(SetFields(item_id, values))
    _warn(result)
    out = _Out()
    if result.changed:
        out.write(f"#{item_id}: set {', '.join(values)}")
    else:
        out.write(f"#{item_id}: nothing changed (it already had those values)")
    return EXIT_OK


def _cmd_move(args: argparse.Namespace) -> int:
    from data.writes.ops import Move

    item_id = _id(args.id)
    status = args.status.strip().lower()
    if status == "declined":
        raise CliError(f"declining needs a reason: `worktop decline {item_id} --reason TEXT`")
    workspace = _workspace(args)
    result = workspace.apply(Move(item_id, status))
    _warn(result)
    _Out().write(f"#{item_id} → {status}" if result.changed else f"#{item_id} is already {status}")
    return EXIT_OK


def _cmd_why(args: argparse.Namespace) -> int:
    from data.model.items import chain, inherited_why

    item_id = _id(args.id)
    workspace = _workspace(args)
    out = _Out()
    if args.text and args.log:
        raise CliError("give either a new why or --log, not both")
    if args.text:
        from data.writes.ops import SetFields

        text = " ".join(args.text)
        result = workspace.apply(SetFields(item_id, {"why": text}))
        _warn(result)
        done = "why set" if text.strip() else "why cleared (the why log keeps the old one)"
        out.write(f"#{item_id}: {done}" if result.changed else f"#{item_id}: why unchanged")
        return EXIT_OK
    snapshot = workspace.snapshot()
    item = snapshot.item(item_id)
    if args.log:
        out.write(f"{item.label} {out.safe(item.title)}")
        if item.why_log:
            _write_why_log(out, item)
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


def _cmd_note(args: argparse.Namespace) -> int:
    from data.writes.ops import AddWhyNote

    item_id = _id(args.id)
    workspace = _workspace(args)
    _warn(workspace.apply(AddWhyNote(item_id, " ".join(args.text))))
    _Out().write(f"#{item_id}: note added")
    return EXIT_OK


def _cmd_log(args: argparse.Namespace) -> int:
    item_id = _id(args.id) if args.id is not None else None
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    workspace = _workspace(args)
    if item_id is not None:
        workspace.snapshot().item(item_id)  # an unknown id is an error, not an empty log
    out = _Out()
    entries = workspace.history(item_id, limit=args.limit)
    rows = [(str(e.get("rev", "")), str(e.get("at", ""))[:16].replace("T", " "), out.safe(str(e.get("by", ""))),
             out.safe(str(e.get("summary", "")) + _from_to(e))) for e in entries]
    _table(out, ("REV", "AT (UTC)", "BY", "WHAT"), rows)
    return EXIT_OK


def _from_to(entry: dict) -> str:
    """`` · title: 'old' → 'new'; due: — → 2026-12-01`` for a history entry (nothing for a create:
    its summary says it, and every field would be new)."""
    changes = entry.get("changes")
    if entry.get("op") == "create" or not isinstance(changes, dict) or not changes:
        return ""

    def shown(value: object) -> str:
        if value in (None, "", [], {}):
            return "—"
        text = ", ".join(map(str, value)) if isinstance(value, list) and all(
            isinstance(v, str | int) for v in value) else str(value)
        text = " ".join(text.split())
        return repr(text[:40] + "…" if len(text) > 40 else text) if isinstance(value, str) else text[:40]

    parts = [f"{name}: {shown(pair[0])} → {shown(pair[1])}" for name, pair in changes.items()
             if isinstance(pair, list) and len(pair) == 2]
    return " · " + "; ".join(parts) if parts else ""


def _cmd_demo(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

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
    target = make_demo(path, items=args.items, seed=args.seed, today=_today())
    took = time.perf_counter() - started
    out = _Out()
    out.write(f"made {target} with {args.items} items in {took:.2f}s")
    out.write(f"open it with `worktop -w {target}`")
    return EXIT_OK


def _cmd_person(args: argparse.Namespace) -> int:
    from data.model.items import Person
    from data.writes.ops import AddPerson

    workspace = _workspace(args)
    person = Person(handle=args.handle, name=args.name, team=args.team, capacity=args.capacity)
    workspace.apply(AddPerson(person))
    _Out().write(f"added {args.handle.strip().lstrip('@')}")
    return EXIT_OK


def _cmd_people(args: argparse.Namespace) -> int:
    workspace = _workspace(args)
    snapshot = workspace.snapshot()
    load = dict.fromkeys(snapshot.people, 0)
    for item in snapshot.items.values():
        if item.owner in load and item.kind != "goal" and snapshot.settings.is_open(item.status):
            load[item.owner] += 1
    out = _Out()
    if not snapshot.people:
        out.write("no people yet; add them with `worktop person add HANDLE --name NAME --team TEAM`")
        return EXIT_OK
    rows = []
    for person in sorted(snapshot.people.values(), key=lambda p: (p.team, p.handle)):
        over = load[person.handle] > person.capacity
        rows.append((out.safe(person.handle), out.safe(person.team or "-"),
                     f"{load[person.handle]}/{person.capacity}" + (" over capacity" if over else ""),
                     out.safe(person.name)))
    _table(out, ("HANDLE", "TEAM", "OPEN/CAPACITY", "NAME"), rows, number_first=False)
    return EXIT_OK


def _cmd_gaps(args: argparse.Namespace) -> int:
    from data.views.gaps import GAP_TITLES, find_gaps

    workspace = _workspace(args)
    snapshot = workspace.snapshot()
    gaps = find_gaps(snapshot)
    items = snapshot.items
    if args.json:
        _print_json({answer: [_item_json(workspace, snapshot, items[item_id]) for item_id in ids]
                     for answer, ids in gaps.groups.items()} | {"untriaged": gaps.untriaged})
        return EXIT_OK
    out = _Out()
    today = workspace.today
    for answer, ids in gaps.groups.items():
        if not ids:
            continue
        out.write(f"{GAP_TITLES[answer]}: {len(ids)}")
        rows = [(item.label, item.status, item.kind, out.safe(item.owner or "-"),
                 _due_text(item, snapshot, today) or "-", out.safe(item.title)) for item in map(items.__getitem__, ids)]
        _table(out, ("ID", "STATUS", "KIND", "OWNER", "DUE", "TITLE"), rows)
        out.write()
    if not gaps.missing:
        out.write("no gaps: all open work on the board has an owner, a due date, steps where needed and a why")
    if gaps.untriaged:
        out.write(f"{gaps.untriaged} item{'s' if gaps.untriaged != 1 else ''} in the inbox still to triage "
                  "(`worktop ls status:inbox`)")
    return EXIT_OK


def _cmd_goals(args: argparse.Namespace) -> int:
    from data.views.goals import goal_stats

    workspace = _workspace(args)
    snapshot = workspace.snapshot()
    stats = goal_stats(snapshot)
    settings = snapshot.settings
    goals = sorted((snapshot.items[goal_id] for goal_id in stats),
                   key=lambda g: (not settings.is_open(g.status), g.id))
    if args.json:
        _print_json([{"id": goal.id, "title": goal.title, "status": goal.status, "owner": goal.owner,
                      "why": goal.why, "open_items": stats[goal.id].open_items,
                      "no_owner": stats[goal.id].no_owner, "no_due": stats[goal.id].no_due} for goal in goals])
        return EXIT_OK
    out = _Out()
    if not goals:
        out.write("no goals yet; add one with `worktop add TITLE --kind goal --why WHY`, "
                  "then link work to it with `worktop set ID goal=GOAL_ID`")
        return EXIT_OK
    rows = [(goal.label, goal.status, str(stats[goal.id].open_items), str(stats[goal.id].no_owner),
             str(stats[goal.id].no_due), out.safe(goal.title)) for goal in goals]
    _table(out, ("ID", "STATUS", "OPEN", "NO OWNER", "NO DUE", "GOAL"), rows)
    out.write("OPEN: open items under the goal or linked to it; NO OWNER / NO DUE: how many of those lack one")
    return EXIT_OK


def _cmd_accept(args: argparse.Namespace) -> int:
    from data.writes.ops import Accept

    item_id = _id(args.id)
    workspace = _workspace(args)
    values = {"owner": _handle(workspace, args.owner), "due": args.due, "why": args.why}
    result = workspace.apply(Accept(item_id, {k: v for k, v in values.items() if v is not None}))
    _warn(result)
    item = workspace.snapshot().item(item_id)
    out = _Out()
    details = [f"owner {out.safe(item.owner)}" if item.owner else "no owner yet", f"due {item.due}" if item.due else "no due date yet"]
    out.write(f"#{item_id} accepted → {item.status} ({', '.join(details)})")
    return EXIT_OK


def _cmd_decline(args: argparse.Namespace) -> int:
    from data.writes.ops import Move

    item_id = _id(args.id)
    workspace = _workspace(args)
    result = workspace.apply(Move(item_id, "declined", reason=args.reason))
    _warn(result)
    _Out().write(f"#{item_id} declined" if result.changed else f"#{item_id} was already declined")
    return EXIT_OK


def _cmd_dup(args: argparse.Namespace) -> int:
    from data.writes.ops import MarkDuplicate

    item_id, of_id = _id(args.id), _id(args.of_id)
    workspace = _workspace(args)
    _warn(workspace.apply(MarkDuplicate(item_id, of_id)))
    _Out().write(f"#{item_id} closed as a duplicate of #{of_id}; its requester and notes are now in #{of_id}'s why log")
    return EXIT_OK


def _cmd_snooze(args: argparse.Namespace) -> int:
    from data.writes.ops import Snooze

    item_id = _id(args.id)
    workspace = _workspace(args)
    _warn(workspace.apply(Snooze(item_id, args.date)))
    until = workspace.snapshot().item(item_id).snoozed_until
    _Out().write(f"#{item_id} snoozed until {until}")
    return EXIT_OK


_SPECS: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "init": ("make a new, empty workspace (--shared GROUP: one several Unix users share)", _define_init, {}),
    "add": ("add an item; prints its id", _define_add, {}),
    "request": ("log a request from someone; it lands in the inbox", _define_request, {}),
    "ls": ("list open items, or those matching a query", _define_ls, {"epilog": QUERY_HELP}),
    "show": ("show one item: its answers, steps, why chain and log", _define_show, {}),
    "set": ("set fields: worktop set 12 owner=ana due=fri tags=ops,api", _define_set, {}),
    "move": ("move an item to a status (a board column, done, archived)", _define_move, {}),
    "why": ("show or set why an item matters", _define_why, {}),
    "note": ("add a note to the why log without changing the why", _define_note, {}),
    "log": ("show the history, newest first", _define_log, {}),
    "demo": ("make a workspace full of sample work", _define_demo, {}),
    "person": ("manage people: worktop person add HANDLE", _define_person, {}),
    "people": ("list people with their open load and capacity", _define_nothing, {}),
    "gaps": ("open work missing an owner, a due date, steps or a why", _define_gaps, {}),
    "goals": ("list goals with how much open work serves each, and how much lacks an owner or due date",
              _define_gaps, {}),
    "accept": ("triage: take an inbox item onto the board", _define_accept, {}),
    "decline": ("triage: close an item that will not be done (a reason is required)", _define_decline, {}),
    "dup": ("triage: close an item as a duplicate of another", _define_dup, {}),
    "snooze": ("triage: hide an inbox item until a later day", _define_snooze, {}),
}
"""Each command: its help line, the function defining its arguments, extra parser options."""

_COMMANDS = {
    "init": _cmd_init,
    "add": _cmd_add,
    "request": _cmd_request,
    "ls": _cmd_ls,
    "show": _cmd_show,
    "set": _cmd_set,
    "move": _cmd_move,
    "why": _cmd_why,
    "note": _cmd_note,
    "log": _cmd_log,
    "demo": _cmd_demo,
    "person": _cmd_person,
    "people": _cmd_people,
    "gaps": _cmd_gaps,
    "goals": _cmd_goals,
    "accept": _cmd_accept,
    "decline": _cmd_decline,
    "dup": _cmd_dup,
    "snooze": _cmd_snooze,
}

# Recurring workflows, the pulse and the status report live in their own module.
from tui.cli_workflows import COMMANDS as _WORKFLOW_COMMANDS  # noqa: E402
from tui.cli_workflows import SPECS as _WORKFLOW_SPECS  # noqa: E402

_SPECS.update(_WORKFLOW_SPECS)
_COMMANDS.update(_WORKFLOW_COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
