"""Every ``worktop`` command, once: its name, help, arguments, what it does to the workspace, and where it runs.

This table is the one place a command is declared. :mod:`tui.cli.parser` builds
argparse from it; an agent interface (the MCP server) can build its tools from
it too: :attr:`Command.effect` says which commands only read, each
:class:`Arg` says its value's type, and :meth:`Command.namespace` turns a dict
of values into what the run function takes.

Nothing here imports a command's module: :meth:`Command.load` does, when the
command runs, so ``worktop add`` pays only for the code of ``add``. The
entries are NamedTuples rather than dataclasses because defining three
dataclasses costs ~2 ms of ``worktop add``'s 80 ms; they are as immutable.
This module's annotations are evaluated, not postponed (no ``from __future__
import annotations``): ``typing.NamedTuple`` compiles every annotation that is
a string, ~1 ms for these three classes on every command.
"""

import argparse
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

Effect = Literal["reads", "writes", "creates", "app", "serves"]
"""What a command does: only reads the workspace; may change it; makes a new file; opens the TUI;
runs a server for others (an agent, browsers) until stopped."""

ValueKind = Literal["text", "int", "flag", "path"]
"""``path``: text naming a file on the machine running the command (never offered to an agent)."""


class Arg(NamedTuple):
    """One argument of a command, in terms an agent's tool schema can use as well as argparse."""

    name: str
    """``title`` (positional) or ``--owner`` (an option)."""
    help: str = ""
    kind: ValueKind = "text"
    """``text``, ``int``, ``flag`` (an option with no value) or ``path`` (a local file)."""
    many: bool = False
    """Takes several values: the words of a positional, or an option given more than once."""
    required: bool | None = None
    """None: positionals are required, options are not."""
    default: Any = None
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    aliases: tuple[str, ...] = ()
    """Other spellings of an option (``-o`` for ``--output``)."""
    dest: str | None = None
    """The attribute the value lands in, when not the name (``--from`` → ``requester``)."""
    words: bool = False
    """The values are the words of one text (a title, a query): an agent gives it as one string."""

    @property
    def positional(self) -> bool:
        return not self.name.startswith("-")

    @property
    def is_required(self) -> bool:
        return self.positional if self.required is None else self.required

    @property
    def key(self) -> str:
        """The attribute of the parsed namespace that holds the value."""
        return self.dest or self.name.lstrip("-").replace("-", "_")

    @property
    def empty(self) -> Any:
        """The value when the argument is not given."""
        if self.kind == "flag":
            return False
        if self.many and self.default is None:
            return []
        return self.default

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        options: dict[str, Any] = {}
        if self.help:
            options["help"] = self.help
        if self.metavar:
            options["metavar"] = self.metavar
        if self.choices:
            options["choices"] = self.choices
        if self.kind == "int":
            options["type"] = int
        if self.positional:
            if self.many:
                options["nargs"] = "+" if self.is_required else "*"
            elif not self.is_required:
                options["nargs"] = "?"
            if self.default is not None:
                options["default"] = self.default
            parser.add_argument(self.name, **options)
            return
        if self.dest:
            options["dest"] = self.dest
        if self.kind == "flag":
            options["action"] = "store_true"
        elif self.many:
            options.update(action="append", default=list(self.default or []))
        elif self.default is not None:
            options["default"] = self.default
        if self.required:
            options["required"] = True
        parser.add_argument(*self.aliases, self.name, **options)


class Subcommand(NamedTuple):
    """An action under a command: ``person add``, ``recurring skip``."""

    name: str
    help: str
    args: tuple[Arg, ...] = ()


class Command(NamedTuple):
    """One ``worktop`` command."""

    name: str
    help: str
    """The line ``worktop --help`` shows; also the command's description."""
    run: str
    """``module:function`` under ``tui.cli``: the function takes the parsed arguments, returns the exit code."""
    effect: Effect
    args: tuple[Arg, ...] = ()
    epilog: str = ""
    """More help under the arguments (query terms, rule words)."""
    subcommands: tuple[Subcommand, ...] = ()
    subcommand_key: str = ""
    """The attribute holding the chosen subcommand's name."""
    subcommand_required: bool = False
    query_arg: str = ""
    """The positional that holds a query, whose negated terms (``-#ops``) must not be read as options."""
    answers: str = ""
    """What it tells or does in terms of who, what, when, how and why: an agent picks its tool by this."""

    @property
    def reads_only(self) -> bool:
        """Safe to run without asking: it changes nothing in the workspace."""
        return self.effect == "reads"

    def load(self) -> Callable[[argparse.Namespace], int]:
        """The run function (imports the command's module)."""
        from importlib import import_module

        module, _, function = self.run.partition(":")
        return getattr(import_module(f"tui.cli.{module}"), function)

    def namespace(self, workspace: str | None = None, subcommand: str | None = None,
                  **values: Any) -> argparse.Namespace:
        """Parsed arguments built from values, as an agent's tool call gives them.

        Missing arguments get their defaults; an unknown or missing required one is an error.
        """
        args = list(self.args)
        if self.subcommands:
            chosen = next((s for s in self.subcommands if s.name == subcommand), None)
            if subcommand is not None and chosen is None:
                raise ValueError(f"{self.name} has no action {subcommand!r}")
            if chosen is None and self.subcommand_required:
                raise ValueError(f"{self.name} needs an action: {', '.join(s.name for s in self.subcommands)}")
            args += list(chosen.args) if chosen else []
        known = {arg.key: arg for arg in args}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"{self.name} takes no {', '.join(sorted(unknown))}")
        fields: dict[str, Any] = {"command": self.name, "workspace": workspace}
        if self.subcommands:
            fields[self.subcommand_key] = subcommand
        for key, arg in known.items():
            if key in values:
                fields[key] = values[key]
            elif arg.is_required:
                raise ValueError(f"{self.name} needs {arg.key}")
            else:
                fields[key] = arg.empty
        return argparse.Namespace(**fields)


# -- help texts ---------------------------------------------------------------------

QUERY_HELP = """\
query terms (all must hold; quote terms with < > # or spaces for the shell):
  owner:ana  owner:none  owner:me  status:doing  kind:request  #tag  -#tag
  due<fri  due<=+3d  due>2026-12-01  due:none  overdue  why:none
  missing:who|when|how|why|any  requester:bo  parent:12  priority:1
  blocked (waits on open work)  blocking (open work others wait on)  blocked_by:15
  any other word: in the title or body (any case); -TERM negates a term
example: worktop ls 'owner:me due<fri -#later'
"""

PULSE_HELP = """\
how the figures are counted (goals and recurring templates are not work):
  finished      the last move into done, for work that is done now
  started       the first move into an in-progress column (after the first board
                column, before done); work moved straight to done has no start
  cycle time    finished - started, in days: the median, and the 85th percentile
                (nearest rank: 85% of work finished within that many days)
  throughput    work finished per week, Monday to Sunday (UTC dates)
  on time       of finished work with a due date, the share done by that date
  in progress   open work on the board per column and per owner
  gaps          open work on the board with no owner, no due date or no why
"""

RECURRING_HELP = """\
rules: every day · every weekday · every monday · every mon, thu · every 2 weeks
  every other friday · weekly on tue · monthly · monthly on the 1st · monthly on
  the 31st (the last day of shorter months) · monthly on the last day · monthly on
  the first monday · quarterly · yearly · or an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO),
  optionally with its own DTSTART;TZID=...
instances are tasks made ahead up to the workspace's horizon (default 14 days),
one per date however many terminals make them at once. Editing the template
changes instances not yet started and dated today or later, except fields someone
changed on the instance itself.
"""

IMPORT_HELP = """\
where each file comes from:
  Taskwarrior  task export > tasks.json                 (2.6 or 3.x; or: task export | worktop import - --from taskwarrior)
  todo.txt     the todo.txt (and done.txt) file itself
  Linear       Settings → Import / Export → Export CSV; any other CSV: --map title=Name,owner=Who,due=Deadline
  GitHub       gh issue list --state all --limit 1000 --json number,title,body,state,labels,assignees,milestone,createdAt,closedAt,url > issues.json
  Trello       board menu → Print, export and share → Export as JSON
the import is one write: all of it or nothing. Importing the same source again
updates what came from it (found by the source's own ids) and never duplicates;
a field changed in worktop stays unless the source changed it too. Fields
worktop has no place for are kept on the item (worktop show --json).
"""

EXPORT_HELP = """\
formats: taskwarrior (for `task import`), todotxt, csv (opens in a spreadsheet:
a header, ISO dates, RFC 4180 quoting, formula-looking cells made safe), json
(the stored items). Every item is exported, done and archived too; a query
(as for ls) narrows it: worktop export --to csv 'owner:ana -status:archived'
"""

COPY_HELP = """\
examples:
  worktop copy worktop.json 'postgresql://db.example.com/work?workspace=web'
  worktop copy 'postgresql:///work?workspace=web' backup.json
items, people, settings and the whole history (who, when, from → to) are copied;
a round trip file → PostgreSQL → file gives the same workspace. On PostgreSQL the
copied history keeps its recorded authors; changes made there from then on are
recorded as the connected role.
"""

IMPORT_FORMATS = ("taskwarrior", "todotxt", "csv", "github", "trello")
EXPORT_FORMATS = ("taskwarrior", "todotxt", "csv", "json")
"""As :mod:`data.interchange` reads and writes them (not imported here: ``worktop add`` would pay for it)."""

MCP_HELP = """\
an agent (Claude Code, Cursor, VS Code, …) starts `worktop mcp` itself and talks to
it over stdin/stdout; register it in the agent's settings (README: "Coding agents").
its tools are these commands, with the same checks and messages; every change is
written as $WORKTOP_USER (default agent:<your login>), so history, pulse and the
header ("◉agent:reviewer") show the agent as a teammate. Nothing that names a
local file is offered (report and export --output, import): an agent cannot make
worktop read or write files. --read-only offers only the tools that read.
"""

SERVE_HELP = """\
open the link it prints (http://127.0.0.1:8000/?token=…) in a browser on this
machine: the token is the only key, so it listens on this machine only. From
another machine, tunnel over SSH instead of --public:
  ssh -L 8000:localhost:8000 HOST    then open the link with localhost
"""

# -- arguments used by several commands ---------------------------------------------------

ID = Arg("id", metavar="ID", help="the item's number (12 or #12)")
JSON = Arg("--json", kind="flag", help="print as JSON")
DUE = Arg("--due", help="today, fri, +3d, 2026-12-01, …")
TEMPLATE = (
    Arg("--owner", help="who owns each instance (a handle, or `me`)"),
    Arg("--why", help="why the workflow matters (copied into each instance)"),
    Arg("--tag", many=True, metavar="T", help="a tag (repeat, or a,b)"),
    Arg("--priority", help="1 (highest) to 4"),
)
WRITE_JSON = Arg("--json", kind="flag", help="print what changed and the item as it is now, as JSON")

# -- the commands -------------------------------------------------------------------------

COMMANDS: tuple[Command, ...] = (
    Command("init", "make a new, empty workspace: a file, or in PostgreSQL (--shared GROUP: a file several Unix "
            "users share)", "workspace_files:run_init", "creates", (
                Arg("path", metavar="PATH", required=False,
                    help="file or folder (default: ./worktop.json), or postgresql://[user@host]/db[?workspace=NAME] "
                    "(makes the schema where missing); with --shared, a missing PATH that does not "
                    "end in .json is made as a folder"),
                Arg("--pointer", metavar="FILE",
                    help="with a postgresql:// location: also write FILE (e.g. worktop.json in a project folder), "
                    "a pointer that opens the database workspace from that folder and below"),
                Arg("--name", help="workspace name shown in the app (default: the folder's name)"),
                Arg("--shared", metavar="GROUP",
                    help="for pairing: give the folder, workspace, lock and presence files to this Unix group, "
                    "group-writable (setgid folder); an existing workspace is shared without being rewritten"),
                Arg("--others-read", kind="flag",
                    help="with --shared: users outside the group may read the workspace (they get it read-only)"),
            )),
    Command("copy", "copy a workspace, history included, between a file and PostgreSQL (either way)",
            "workspace_files:run_copy", "creates", (
                Arg("source", metavar="SRC", help="the workspace to copy: a file, a postgresql:// URL or a pointer file"),
                Arg("target", metavar="DST", help="where the copy goes (must not exist yet): a file or a "
                    "postgresql://…?workspace=NAME URL"),
            ), epilog=COPY_HELP),
    Command("add", "add an item; prints its id", "items:run_add", "writes", (
        Arg("title", many=True, metavar="TITLE", words=True, help="what the work is, in a line"),
        Arg("--kind", default="task", help="goal, project, workstream, task, request, recurring, operation"),
        Arg("--owner", help="the one accountable person (a handle, or `me`)"),
        DUE,
        Arg("--why", help="why the work matters"),
        Arg("--parent", metavar="ID", help="the item this one is part of"),
        Arg("--tag", many=True, metavar="T", help="a tag (repeat, or a,b)"),
        Arg("--status", help="default: the first board column (the inbox for requests)"),
        Arg("--priority", help="1 (highest) to 4"),
        Arg("--body", help="longer description"),
        Arg("--step", many=True, metavar="TEXT", help="a checklist step (repeat)"),
        WRITE_JSON,
    ), answers="Creates a piece of work (what) on the board, with its owner (who), due date (when), steps (how), "
       "why, parent, tags and priority; returns the new item and its id."),
    Command("request", "log a request from someone; it lands in the inbox", "items:run_request", "writes", (
        Arg("title", many=True, metavar="TITLE", words=True, help="what is asked for, in a line"),
        Arg("--from", dest="requester", required=True, metavar="REQUESTER", help="who asked (a handle)"),
        Arg("--body", help="details"),
        WRITE_JSON,
    ), answers="Logs something someone asked for (who asked, what) into the inbox for triage; it has no owner "
       "or due date until accepted."),
    Command("ls", "list open items, or those matching a query", "items:run_ls", "reads", (
        Arg("query", many=True, required=False, metavar="QUERY", words=True,
            help="query terms, all of which must hold (see below); none lists all open work"),
        Arg("--all", kind="flag", help="include done, declined, archived and snoozed items"),
        Arg("--limit", kind="int", metavar="N", help="at most N items, the first in board order (the footer "
            "says how many matched)"),
        Arg("--json", kind="flag", help="print the stored items as JSON"),
    ), epilog=QUERY_HELP, query_arg="query",
        answers="Finds work: which items match a query of who (owner:ana, owner:none, owner:me), when (due<fri, "
        "overdue, due:none), status, kind, tags and words; each item comes with its owner, due date, status and "
        "which answers (who/when/how/why) it is missing. Use it first to find item ids; on a big workspace "
        "narrow it with a query or a limit."),
    Command("show", "show one item: its answers, steps, why chain and log", "items:run_show", "reads", (
        ID, Arg("--json", kind="flag", help="print the stored item as JSON"),
    ), answers="Everything about one item: what it is, who owns it and who else has a role, when it is due, how "
       "(its checklist steps), why it matters (its why, the why log and the chain of whys up to its goal), and "
       "what is missing."),
    Command("set", "set fields: worktop set 12 owner=ana due=fri tags=ops,api", "items:run_set", "writes", (
        ID,
        Arg("assignments", many=True, metavar="FIELD=VALUE",
            help="title, body, kind, owner, due, snoozed_until, parent, goal, why, tags, priority, requester, "
            "blocked_by (ids: 15,16); "
            "an empty value clears the field"),
        Arg("--was", many=True, metavar="FIELD=VALUE",
            help="a value you saw (repeat): if someone has changed it since, nothing is written (exit 4)"),
        WRITE_JSON,
    ), answers="Changes an item's fields: who owns it (owner=ana), when it is due (due=fri), what it is (title, "
       "body, kind), where it belongs (parent, goal), tags and priority. Each assignment is FIELD=VALUE; give "
       "`was` with the values you read so a teammate's change meanwhile is a conflict, not overwritten."),
    Command("step", "steps (how): worktop step 12 add TEXT | done N | undo N | edit N TEXT | move N TO | rm N",
            "steps:run_step", "writes", (ID,), subcommands=(
                Subcommand("list", "list the steps, numbered (also: worktop step 12)", (
                    Arg("--json", kind="flag", help="print the steps as JSON"),
                )),
                Subcommand("add", "add a step (at the end, or before step --at N)", (
                    Arg("text", many=True, metavar="TEXT"),
                    Arg("--at", kind="int", metavar="N", help="put it in as step N"), WRITE_JSON,
                )),
                Subcommand("done", "tick step N off", (Arg("number", kind="int", metavar="N"), WRITE_JSON)),
                Subcommand("undo", "put step N back to not done", (
                    Arg("number", kind="int", metavar="N"), WRITE_JSON,
                )),
                Subcommand("edit", "change the text of step N", (
                    Arg("number", kind="int", metavar="N"), Arg("text", many=True, metavar="TEXT"), WRITE_JSON,
                )),
                Subcommand("move", "move step N to place TO", (
                    Arg("number", kind="int", metavar="N"), Arg("to", kind="int", metavar="TO"), WRITE_JSON,
                )),
                Subcommand("rm", "remove step N", (Arg("number", kind="int", metavar="N"), WRITE_JSON)),
            ), subcommand_key="step_command",
            answers="How an item gets done: its checklist steps. Lists them numbered (list), adds one (add TEXT, "
            "--at N), ticks one off (done N) or back (undo N), rewrites (edit N TEXT), reorders (move N TO) or "
            "removes one (rm N); each change is checked against the step's text, so a step a teammate moved "
            "meanwhile is still the one meant."),
    Command("move", "move an item to a status (a board column, done, archived)", "items:run_move", "writes", (
        ID, Arg("status", metavar="STATUS", help="a board column (todo, doing, review, …), done or archived"),
        Arg("--was", metavar="STATUS",
            help="the status you saw: if someone has moved it since, nothing is written (exit 4)"),
        WRITE_JSON,
    ), answers="Moves a card across the board: starts it, sends it to review, finishes it (done) or archives it; "
       "give `was` with the status you read so a teammate's move meanwhile is a conflict. Declining needs "
       "`decline` (with a reason)."),
    Command("why", "show or set why an item matters", "items:run_why", "writes", (
        ID,
        Arg("text", many=True, required=False, metavar="TEXT", words=True,
            help="the new why; without it the current one is shown"),
        Arg("--log", kind="flag", help="show the why log and the chain of whys up to the goal"),
        Arg("--json", kind="flag", help="print the why, its log and chain (or what changed) as JSON"),
    ), answers="Why an item matters: without text, tells its why (its own or inherited from its parents), the "
       "why log and the chain of whys up to the goal; with text, replaces the why (the old one stays in the log)."),
    Command("note", "add a note to the why log without changing the why", "items:run_note", "writes", (
        ID, Arg("text", many=True, metavar="TEXT", words=True, help="the note"), WRITE_JSON,
    ), answers="Leaves a timestamped note in an item's why log (progress, a decision, a finding) without "
       "replacing its why."),
    Command("log", "show the history, newest first", "items:run_log", "reads", (
        Arg("id", metavar="ID", required=False, help="only this item's history"),
        Arg("--limit", kind="int", default=20, metavar="N", help="entries to show (default 20)"),
        Arg("--json", kind="flag", help="print the history entries as JSON"),
    ), answers="Who changed what and when: the workspace's history (or one item's), newest first, each entry "
       "with its author, time and the fields changed from → to."),
    Command("demo", "make a workspace full of sample work", "workspace_files:run_demo", "creates", (
        Arg("path", metavar="PATH", help="file or folder; must not exist yet"),
        Arg("--items", kind="int", default=400, metavar="N", help="how many items (default 400)"),
        Arg("--seed", kind="int", default=1, metavar="S", help="another seed makes different sample work"),
    )),
    Command("person", "manage people: worktop person add HANDLE", "people:run_person", "writes",
            subcommands=(Subcommand("add", "add someone who can own work", (
                Arg("handle", metavar="HANDLE", help="their handle: letters, digits, . _ -"),
                Arg("--name", default="", help="full name"),
                Arg("--team", default="", help="their team"),
                Arg("--capacity", kind="int", default=5, help="open items they can carry (default 5)"),
                WRITE_JSON,
            )),), subcommand_key="person_command", subcommand_required=True,
            answers="Adds a person (who) who can own work, with their team and how many open items they can carry."),
    Command("people", "list people with their open load and capacity", "people:run_people", "reads", (
        Arg("--json", kind="flag", help="print the people as JSON"),
    ), answers="Who is in the workspace: each person's handle, name, team, open load and capacity, and who is "
       "over capacity."),
    Command("gaps", "open work missing an owner, a due date, steps or a why", "views:run_gaps", "reads", (JSON,),
            answers="What is missing: open work with no owner (who), no due date (when), no steps (how) or no why, "
            "and how much is still untriaged in the inbox."),
    Command("goals", "list goals with how much open work serves each, and how much lacks an owner or due date",
            "views:run_goals", "reads", (JSON,),
            answers="Why the work exists: each goal, its why, how much open work serves it, and how much of that "
            "has no owner or no due date."),
    Command("accept", "triage: take an inbox item onto the board", "triage:run_accept", "writes", (
        ID, Arg("--owner", help="a handle, or `me`"), DUE, Arg("--why", help="why it is worth doing"), WRITE_JSON,
    ), answers="Triage: takes a request from the inbox onto the board, optionally giving it an owner (who), a due "
       "date (when) and a why."),
    Command("decline", "triage: close an item that will not be done (a reason is required)", "triage:run_decline",
            "writes", (ID, Arg("--reason", required=True, help="why not (required)"), WRITE_JSON),
            answers="Triage: closes an item that will not be done, with the reason why not."),
    Command("dup", "triage: close an item as a duplicate of another", "triage:run_dup", "writes", (
        ID, Arg("of_id", metavar="OF_ID", help="the original it duplicates"), WRITE_JSON,
    ), answers="Triage: closes an item as a duplicate of another; its requester and notes move to the original."),
    Command("snooze", "triage: hide an inbox item until a later day", "triage:run_snooze", "writes", (
        ID, Arg("date", metavar="DATE", help="mon, +1w, 2026-12-01, …"), WRITE_JSON,
    ), answers="Triage: hides an item until a later day (when to look at it again)."),
    Command("block", "make an item wait on others: worktop block 12 --by 15 [--by 16] (a cycle is refused)",
            "dependencies:run_block", "writes", (
                ID, Arg("--by", many=True, required=True, metavar="ID", help="an item it waits on (repeat, or 15,16)"),
                WRITE_JSON,
            ), answers="How work depends on other work: makes an item wait on (be blocked by) others; a cycle is "
            "refused."),
    Command("unblock", "stop an item waiting: worktop unblock 12 --by 15 (without --by: on anything)",
            "dependencies:run_unblock", "writes", (
                ID, Arg("--by", many=True, metavar="ID", help="a blocker to take off (repeat, or 15,16)"),
                WRITE_JSON,
            ), answers="How work depends on other work: stops an item waiting on some (or all) of its blockers."),
    Command("import", "bring work in: Taskwarrior, todo.txt, CSV (Linear's, or any with --map), GitHub issues, Trello",
            "interchange:run_import", "writes", (
                Arg("file", metavar="FILE", kind="path", help="the export to read; - reads standard input"),
                Arg("--from", dest="source_format", choices=IMPORT_FORMATS,
                    help="its format (default: told from the file when that is unambiguous)"),
                Arg("--dry-run", kind="flag", help="say what would be new, updated and skipped; write nothing"),
                Arg("--map", metavar="FIELD=COLUMN,…", help="CSV: the column of each field, e.g. title=Name,owner=Who"),
                Arg("--statuses", metavar="NAME=STATUS,…",
                    help="where a source's status or Trello list goes, e.g. 'Backlog=todo,QA=review'"),
                Arg("--add-people", kind="flag", help="add the people the source names as owners (else they are listed)"),
            ), epilog=IMPORT_HELP),
    Command("export", "take work out: Taskwarrior JSON (for task import), todo.txt, CSV or JSON; a query narrows it",
            "interchange:run_export", "reads", (
                Arg("query", many=True, required=False, metavar="QUERY", words=True,
                    help="query terms, as for ls (default: every item)"),
                Arg("--to", required=True, choices=EXPORT_FORMATS, help="the format"),
                Arg("--output", aliases=("-o",), kind="path", metavar="FILE",
                    help="write to FILE (default: standard output)"),
            ), epilog=EXPORT_HELP, query_arg="query",
            answers="All the work, done and archived too (or what a query picks), in another tool's format: "
            "Taskwarrior JSON, todo.txt, CSV or worktop's stored JSON."),
    Command("every", "make a recurring workflow: worktop every 'every monday' Weekly release --owner ana",
            "workflows:run_every", "writes", (
                Arg("rule", metavar="RULE", help="'every monday', 'every 2 weeks', 'every weekday', "
                    "'monthly on the 1st', 'quarterly', or an RRULE like 'FREQ=WEEKLY;BYDAY=MO'"),
                Arg("title", many=True, metavar="TITLE", words=True, help="what each instance is, in a line"),
                *TEMPLATE,
                Arg("--step", many=True, metavar="TEXT", help="a checklist step (repeat)"),
                Arg("--parent", metavar="ID", help="the project or workstream the instances belong to"),
                Arg("--start", metavar="DATE", help="the day the rule counts from (default today)"),
                Arg("--preview", kind="flag", help="show the next dates and save nothing"),
                Arg("--count", kind="int", default=5, metavar="N", help="how many next dates to show (default 5)"),
                WRITE_JSON,
            ), epilog=RECURRING_HELP,
            answers="Makes a recurring workflow (when it repeats: a rule), whose task instances are made ahead with "
            "the template's owner, why and steps; --preview only tells the next dates."),
    Command("recurring", "list recurring workflows; skip, pause, resume or edit one; --generate makes due instances",
            "workflows:run_recurring", "writes", (
                Arg("--json", kind="flag", help="print the workflows (or what changed) as JSON"),
                Arg("--generate", kind="flag", help="make the instances that are due first"),
                Arg("--horizon", kind="int", metavar="DAYS",
                    help="make instances this many days ahead (workspace setting)"),
            ), epilog=RECURRING_HELP, subcommand_key="recurring_command", subcommands=(
                Subcommand("skip", "skip a date (default: the next one)",
                           (ID, Arg("date", metavar="DATE", required=False, help="the date to skip"))),
                Subcommand("pause", "stop making instances", (ID,)),
                Subcommand("resume", "make instances again, from today on", (ID,)),
                Subcommand("edit", "change the rule or the template (future instances only)", (
                    ID,
                    Arg("--rule", help="a new rule"),
                    Arg("--start", metavar="DATE", help="the day the new rule counts from (default today)"),
                    Arg("--title", help="a new title for the instances"),
                    *TEMPLATE,
                    Arg("--preview", kind="flag", help="show the new rule's next dates and save nothing"),
                )),
            ), answers="Recurring workflows: when each repeats, its next dates, owner and instances made; an action "
            "skips a date, pauses, resumes or edits one."),
    Command("pulse", "throughput, cycle time, on-time rate, work in progress, inbox and gaps", "views:run_pulse",
            "reads", (
                Arg("--json", kind="flag", help="print every figure as JSON"),
                Arg("--weeks", kind="int", default=8, metavar="N", help="weeks of history to look at (default 8)"),
            ), epilog=PULSE_HELP,
            answers="How the team is doing: work finished per week, cycle time, the share done on time (when), work "
            "in progress per column and per person (who), overdue work, the inbox and the gaps."),
    Command("report", "a Markdown status update to paste into a channel", "views:run_report", "reads", (
        Arg("--since", metavar="DATE", help="report work finished since this day (default: a week ago); "
            "mon, -2w, 2026-11-01, …"),
        Arg("--format", choices=("markdown",), default="markdown", help="markdown (the default)"),
        Arg("--output", aliases=("-o",), kind="path", metavar="FILE", help="write to FILE instead of printing"),
        Arg("--json", kind="flag", help="print the update and its dates as JSON"),
    ), answers="A status update in Markdown: what was finished since a day and by whom, what is in progress, what "
       "is overdue or blocked, and the gaps (no owner, no due date, no why)."),
    Command("mcp", "serve the workspace to a coding agent (Model Context Protocol over stdio) as $WORKTOP_USER",
            "servers:run_mcp", "serves", (
                Arg("--read-only", kind="flag", help="offer only the tools that read; the agent can change nothing"),
            ), epilog=MCP_HELP),
    Command("serve", "serve the app to web browsers (each tab its own worktop); read-only unless --allow-writes",
            "servers:run_serve", "serves", (
                Arg("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine "
                    "only)"),
                Arg("--port", kind="int", default=8000, help="the port (default 8000)"),
                Arg("--allow-writes", kind="flag",
                    help="let the browser tabs change the workspace, as the user running `worktop serve`"),
                Arg("--public", kind="flag",
                    help="allow a --host other people's machines can reach (there is no login: anyone who "
                    "reaches the port sees the workspace)"),
            ), epilog=SERVE_HELP),
)
"""Every command, in the order ``worktop --help`` lists them."""

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}

APP = Command("", "open the app on the workspace", "launch:open_app", "app")
"""What a bare ``worktop`` runs."""
