"""argparse, built from :mod:`tui.cli.registry`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from tui.cli.output import EXIT_USAGE, CliError
from tui.cli.registry import BY_NAME, COMMANDS, Command

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


def terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it (``COLUMNS``, then stdout's terminal, then 80).

    Not shutil itself: argparse imports it (and with it bz2, lzma and zlib, ~2.5 ms) in every formatter
    it makes, and it makes one for each argument it defines, on every command, help or not.
    """
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _TerminalWidth:
    """argparse's formatter at the terminal's width (:func:`terminal_columns`, less argparse's own margin of 2)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,  # type: ignore[call-arg]
                         terminal_columns() - 2 if width is None else width)


class HelpFormatter(_TerminalWidth, argparse.HelpFormatter):
    pass


class RawDescriptionHelpFormatter(_TerminalWidth, argparse.RawDescriptionHelpFormatter):
    pass


class UsageParser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 through :func:`tui.cli.main`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)", EXIT_USAGE)


def build_parser(command_name: str | None = None, *, only: bool = False) -> argparse.ArgumentParser:
    """The whole command line.

    Args:
        command_name: when given, only that command's arguments are defined (the
            others are listed, for ``--help``, but left empty).
        only: with ``command_name``, the other commands are left out altogether: a
            parser for the command about to run, where nothing lists them (no
            ``--help`` before the command word). Each empty command is still a whole
            ``ArgumentParser``; thirty of them cost ~7 ms of ``worktop add``'s 80.
    """
    parser = UsageParser(
        prog="worktop",
        description="A team's work — who, what, by when, how and why — in one shared workspace file. "
        "Run with no command to open the app.",
        epilog=EPILOG,
        formatter_class=RawDescriptionHelpFormatter,
    )
    parser.add_argument("-w", "--workspace", metavar="PATH", help="the workspace file")
    # -w also works after the command (`worktop ls -w x.json`); SUPPRESS keeps the global one.
    common = UsageParser(add_help=False)
    common.add_argument("-w", "--workspace", metavar="PATH", default=argparse.SUPPRESS, help="the workspace file")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        if only and command.name != command_name:
            continue
        extra: dict[str, Any] = {"epilog": command.epilog} if command.epilog else {}
        sub = commands.add_parser(command.name, help=command.help, description=command.help, parents=[common],
                                  formatter_class=RawDescriptionHelpFormatter, **extra)
        if command_name is None or command_name == command.name:
            _define(sub, common, command)
    return parser


def _define(parser: argparse.ArgumentParser, common: argparse.ArgumentParser, command: Command) -> None:
    for arg in command.args:
        arg.add_to(parser)
    if not command.subcommands:
        return
    actions = parser.add_subparsers(dest=command.subcommand_key, metavar="ACTION",
                                    required=command.subcommand_required)
    for subcommand in command.subcommands:
        action = actions.add_parser(subcommand.name, help=subcommand.help, parents=[common])
        for arg in subcommand.args:
            arg.add_to(action)


def only_workspace_before(argv: list[str], at: int) -> bool:
    """Whether the words before the command at ``at`` are only ``-w PATH`` (no ``--help`` that lists every command)."""
    words = iter(argv[:at])
    for word in words:
        if word in ("-w", "--workspace"):
            next(words, None)
        elif not (word.startswith("--workspace=") or word.startswith("-w") and len(word) > 2):
            return False  # -h, --help, an abbreviation, an unknown option: the whole parser says what it is
    return True


def command_at(argv: list[str]) -> int | None:
    """Where the command word is in ``argv`` (skipping ``-w PATH``), if it is one we know."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
        elif word in ("-w", "--workspace"):
            skip = True
        elif not word.startswith("-"):
            return index if word in BY_NAME else None
    return None


def attach_dash_values(command: Command, words: list[str], *, after: int) -> list[str]:
    """``--since -2w`` → ``--since=-2w``: a value that starts with a dash is not an option.

    argparse reads ``-2w`` as an unknown option and reports ``expected one argument`` (the
    help's own example failed). Only an option that takes a value, followed by a word that is a
    dash and a digit (a relative date: ``-2w``, ``-3d``), is joined.
    """
    with_value = {name for arg in command.args if not arg.positional and arg.kind != "flag"
                  for name in (arg.name, *arg.aliases)}
    out = words[:after + 1]
    rest = iter(words[after + 1:])
    for word in rest:
        if word in with_value:
            value = next(rest, None)
            if value is not None and len(value) > 1 and value[0] == "-" and value[1].isdigit():
                out.append(f"{word}={value}")
                continue
            out.append(word)
            if value is not None:
                out.append(value)
            continue
        out.append(word)
    return out


def negated_terms(command: Command, words: list[str], *, after: int) -> tuple[list[str], list[str]]:
    """Take a query's negated terms (``-#ops``, ``-owner:me``) out of ``words``.

    argparse would read them as options, and worse, ``-why:none`` as ``-w hy:none``.
    Only words after the command (at index ``after``) are looked at; ``-w PATH``
    and the command's own options stay.
    """
    flags, with_value = {"-h", "--help"}, {"-w", "--workspace"}
    for arg in command.args:
        if not arg.positional:
            (flags if arg.kind == "flag" else with_value).update((arg.name, *arg.aliases))
    start = after + 1
    kept, negated, value_next = words[:start], [], False
    for word in words[start:]:
        if value_next:
            kept.append(word)
            value_next = False
        elif word in with_value:
            kept.append(word)
            value_next = True
        elif word in flags or word.partition("=")[0] in with_value or not word.startswith("-") or word == "-":
            kept.append(word)
        else:
            negated.append(word)
    return kept, negated
