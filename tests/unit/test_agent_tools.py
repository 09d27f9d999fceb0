"""The agent tools as made from the registry, checked in-process (the stdio server is in test_mcp_server.py).

The tests that call a tool on a workspace run on the file and on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from data.writes.workspace import Workspace
from tests.support.stores import is_pg
from tui.agent.tools import agent_tools, inert_json
from tui.cli.registry import BY_NAME, COMMANDS

pytestmark = pytest.mark.both_stores

TOOLS = {tool.name: tool for tool in agent_tools(actor="agent:test")}


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_each_schema_is_valid_json_schema_for_its_commands_arguments(name: str) -> None:
    tool = TOOLS[name]
    Draft202012Validator.check_schema(tool.schema)
    assert tool.schema["type"] == "object"
    assert set(tool.schema["properties"]) == {arg.key for arg in tool.args}
    assert all(prop.get("description") for prop in tool.schema["properties"].values())
    assert tool.description.startswith(tool.command.answers), "each tool says what it answers first"
    assert tool.json_output or name == "export"  # (its output is the format it is asked for)


def test_a_command_with_actions_is_one_tool_per_action() -> None:
    assert "person" not in TOOLS  # its action is required
    assert TOOLS["person_add"].schema["required"] == ["handle"]
    assert "recurring" in TOOLS and "recurring_skip" in TOOLS
    assert TOOLS["recurring_skip"].schema["required"] == ["id"]
    assert "date" in TOOLS["recurring_skip"].schema["properties"]


def test_a_tool_calls_the_commands_own_code(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKTOP_USER", "agent:test")
    outcome = TOOLS["add"].call(str(workspace.path), {"title": "from a tool", "tag": ["a", "b"], "priority": 2})
    assert outcome.ok, outcome.text
    stored = workspace.snapshot().item(outcome.item_id)
    author = "ana" if is_pg(workspace) else "agent:test"  # on PostgreSQL: the role logged in, whatever is claimed
    assert (stored.title, stored.tags, stored.priority, stored.doc["created_by"]) == (
        "from a tool", ["a", "b"], 2, author)
    assert outcome.status == "todo"


def test_a_bug_in_a_command_is_a_tool_error_not_a_dead_server(workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    import tui.cli.items

    def broken(args: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(tui.cli.items, "run_ls", broken)
    outcome = TOOLS["ls"].call(str(workspace.path), {})
    assert not outcome.ok
    assert outcome.text.startswith("worktop: unexpected error (RuntimeError: boom)")
    assert outcome.structured == {"error": outcome.text, "exit_code": 1, "kind": "bad input"}
    assert "Traceback" in capfd.readouterr().err  # for the server's log
    assert TOOLS["show"].call(str(workspace.path), {"id": "1"}).exit_code == 1  # and the next call still runs


def test_a_missing_workspace_is_the_clis_message(tmp_path: Path) -> None:
    outcome = TOOLS["ls"].call(str(tmp_path / "gone.json"), {})
    assert outcome.exit_code == 3
    assert "gone.json" in outcome.text


@pytest.mark.parametrize("text", ["plain", "tab\tand\nnewline", "\x1b[31m", "\x9b2J", "\u202eabc", "\u200b",
                                  "\U000e0041 tag", "é ü 日本", "\u2028"])
def test_inert_json_is_the_same_value_spelled_printably(text: str) -> None:
    spelled = inert_json({"title": text, "list": [text]})
    assert all(ch.isprintable() or ch == "\n" for ch in spelled)
    assert json.loads(spelled) == {"title": text, "list": [text]}


def test_local_file_options_are_never_offered() -> None:
    report = BY_NAME["report"]
    assert any(arg.kind == "path" for arg in report.args)
    assert all(arg.kind != "path" for tool in TOOLS.values() for arg in tool.args)


def test_every_argument_that_names_a_file_is_marked_so() -> None:
    """A FILE or PATH argument left as plain text would be offered to agents: text an agent read in the
    workspace could then make worktop read (import) or write (export -o) any file this user can."""
    for command in COMMANDS:
        for arg in (*command.args, *(a for sub in command.subcommands for a in sub.args)):
            if (arg.metavar or "").upper() in ("FILE", "PATH") or arg.key in ("file", "output", "path"):
                assert arg.kind == "path" or command.effect not in ("reads", "writes"), (command.name, arg.name)
