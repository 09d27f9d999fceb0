"""The ``worktop`` command: the TUI when run bare, quick non-interactive commands otherwise.

Every command is declared once in :mod:`tui.cli.registry` (name, help,
arguments, what it does to the workspace, its run function); :mod:`tui.cli.parser`
builds argparse from that table, and each group of commands lives in its own
module (:mod:`tui.cli.items`, :mod:`tui.cli.triage`, …). Exit codes and the
output helpers are in :mod:`tui.cli.output`.

An unexpected error (a bug) exits 1 with one line; ``WORKTOP_DEBUG=1`` shows its
traceback. ``WORKTOP_TODAY=YYYY-MM-DD`` pins the date that ``fri`` or ``+3d`` count from.

Only ``argparse``, ``os``, ``sys``, the registry and the parser load up front,
then the one module of the command that runs, and that imports the data modules
it needs when it runs. Only the bare ``worktop`` (the TUI) imports Textual:
``worktop add`` has an 80 ms whole-process budget at 10k items, and Textual
alone takes longer than that to import.
"""

from __future__ import annotations

import gc
import os
import sys

from tui.cli.output import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, CliError, explain, fail
from tui.cli.parser import attach_dash_values, build_parser, command_at, negated_terms, only_workspace_before
from tui.cli.registry import APP, BY_NAME, COMMANDS

__all__ = ["COMMANDS", "CliError", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see :mod:`tui.cli.output`).

    Run as the ``worktop`` program (``argv`` None), a non-interactive command
    ends the process itself once its output is flushed: tearing down a parsed
    10k-item workspace object by object costs ~8 ms of ``add``'s 80 ms, and
    everything it wrote is already durable (fsync'd, lock released).
    """
    words = sys.argv[1:] if argv is None else list(argv)
    at = command_at(words)
    collecting = gc.isenabled()
    try:
        code = _run(words, at)
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


def _run(words: list[str], at: int | None) -> int:
    for number, word in enumerate(words, start=1):
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode reach Python as surrogates
            shown = word.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            fail(f"argument {number} ({shown}) is not valid UTF-8 text; nothing was done")
            return EXIT_USAGE
    try:
        command = BY_NAME[words[at]] if at is not None else None
        if command is not None:
            # A short-lived command: the cyclic GC only slows down parsing a big workspace.
            gc.disable()
        negated: list[str] = []
        if command is not None:
            words = attach_dash_values(command, words, after=at or 0)
        if command is not None and command.query_arg:
            words, negated = negated_terms(command, words, after=at or 0)
        try:
            only = command is not None and only_workspace_before(words, at or 0)
            args = build_parser(command.name if command else None, only=only).parse_args(words)
        except SystemExit as done:  # --help and --version exit through here
            return done.code if isinstance(done.code, int) else EXIT_OK
        if negated and command is not None:
            setattr(args, command.query_arg, [*getattr(args, command.query_arg), *negated])
        chosen = BY_NAME.get(args.command or "", APP)
        return chosen.load()(args) or EXIT_OK
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
        known = explain(error)
        if known is None:
            if os.environ.get("WORKTOP_DEBUG"):
                raise
            fail(f"unexpected error ({type(error).__name__}: {error}); set WORKTOP_DEBUG=1 to see where")
            return EXIT_BAD_INPUT
        fail(known[1])
        return known[0]
