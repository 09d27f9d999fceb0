"""The CLI's one table of commands: argparse is built from it, and an agent interface can be too."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from tui.cli import build_parser
from tui.cli.registry import BY_NAME, COMMANDS, Command

READ_CALLS = {
    "ls": ["ls", "--all"], "show": ["show", "1"], "log": ["log"], "people": ["people"], "gaps": ["gaps"],
    "goals": ["goals"], "pulse": ["pulse"], "report": ["report"], "export": ["export", "--to", "csv"],
}


def subcommand_names(parser: argparse.ArgumentParser) -> list[str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_the_parser_lists_exactly_the_registry() -> None:
    assert subcommand_names(build_parser()) == [command.name for command in COMMANDS]
    assert subcommand_names(build_parser("add")) == [command.name for command in COMMANDS]
    assert subcommand_names(build_parser("add", only=True)) == ["add"]
    assert len(BY_NAME) == len(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_runs_a_function_of_its_module(command: Command) -> None:
    assert callable(command.load())
    assert command.effect in ("reads", "writes", "creates", "serves")


def test_which_commands_only_read() -> None:
    assert {c.name for c in COMMANDS if c.reads_only} == set(READ_CALLS)


@pytest.mark.parametrize(
    ("argv", "values"),
    [
        (["add", "Fix", "it", "--owner", "ana", "--tag", "a", "--tag", "b"],
         {"title": ["Fix", "it"], "owner": "ana", "tag": ["a", "b"]}),
        (["ls", "owner:me", "--json"], {"query": ["owner:me"], "json": True}),
        (["request", "Help", "--from", "bo"], {"title": ["Help"], "requester": "bo"}),
        (["person", "add", "zed", "--capacity", "3"], {"subcommand": "add", "handle": "zed", "capacity": 3}),
        (["recurring", "skip", "4"], {"subcommand": "skip", "id": "4"}),
        (["recurring", "--generate"], {"generate": True}),
        (["log", "--limit", "3"], {"limit": 3}),
        (["report", "-o", "x.md"], {"output": "x.md"}),
    ],
)
def test_a_namespace_from_values_is_what_the_command_line_parses(argv: list[str], values: dict[str, Any]) -> None:
    """An agent's tool call (a dict of values) reaches the run function as the same arguments."""
    command = BY_NAME[argv[0]]
    parsed = build_parser(argv[0]).parse_args(["-w", "w.json", *argv])
    assert vars(command.namespace(workspace="w.json", **values)) == vars(parsed)
    # The parser a command's run builds (that command alone) reads the words the same way.
    assert vars(build_parser(argv[0], only=True).parse_args(["-w", "w.json", *argv])) == vars(parsed)


def test_a_namespace_refuses_unknown_and_missing_values() -> None:
    with pytest.raises(ValueError, match="takes no colour"):
        BY_NAME["add"].namespace(title=["x"], colour="red")
    with pytest.raises(ValueError, match="needs title"):
        BY_NAME["add"].namespace(owner="ana")
    with pytest.raises(ValueError, match="needs an action"):
        BY_NAME["person"].namespace(handle="zed")


def test_commands_that_only_read_leave_the_workspace_as_it_was(run: Any, ws: Path) -> None:
    assert run("add", "Something", "--owner", "ben", "--due", "fri").code == 0
    before = sorted((p.name, p.read_bytes()) for p in ws.parent.iterdir() if p.is_file())
    for name, argv in READ_CALLS.items():
        assert run(*argv).code == 0, name
    after = sorted((p.name, p.read_bytes()) for p in ws.parent.iterdir() if p.is_file())
    assert after == before


def test_a_command_run_from_the_registry_prints_what_the_command_line_prints(run: Any, ws: Path,
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert run("add", "Ship the API", "--owner", "ben").code == 0
    by_hand = run("ls", "owner:ben").out
    command = BY_NAME["ls"]
    assert command.load()(command.namespace(workspace=str(ws), query=["owner:ben"])) == 0
    assert capsys.readouterr().out == by_hand
