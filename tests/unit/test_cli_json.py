"""Every command an agent can call has ``--json``, and writing ones say what changed and show the item after.

Also the two commands agents needed that people use too: ``step`` (the checklist)
and ``--was`` on ``set`` and ``move`` (say what you saw: a teammate's change
meanwhile is a conflict, not overwritten). Each test runs on the file and on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from data.writes.ops import Move, SetFields
from data.writes.workspace import Workspace
from tests.support import stores
from tests.unit.test_cli import written
from tui.cli.registry import COMMANDS

pytestmark = pytest.mark.both_stores


@pytest.fixture
def board(run: Any, ws: Path) -> Path:
    """1 goal, 2 a task under it (ben), 3 a request."""
    run("add", "Ship v2", "--kind", "goal", "--owner", "ana", "--why", "customers leave")
    run("add", "Fix login", "--owner", "ben", "--due", "thu", "--parent", 1, "--step", "reproduce")
    run("request", "Export CSV", "--from", "sales.kim")
    return ws


def out_json(result: Any) -> Any:
    assert result.code == 0, result
    return json.loads(result.out)


def test_every_command_that_reads_or_writes_has_json() -> None:
    """The agent tools return this JSON; a command added without it would give agents only text.

    Not needed by ``import`` (it reads a local file, so it is no agent's tool) nor ``export`` (its
    output is the format asked for: ``--to json`` is JSON)."""
    for command in COMMANDS:
        if command.effect not in ("reads", "writes") or command.name in ("import", "export"):
            continue
        bare_lists = any(sub.name == "list" for sub in command.subcommands)  # `step 12` is `step 12 list`
        variants = [command.args] if not (command.subcommand_required or bare_lists) else []
        variants += [(*command.args, *sub.args) for sub in command.subcommands]
        for args in variants:
            assert any(arg.key == "json" for arg in args), command.name


@pytest.mark.parametrize(("argv", "changed"), [
    (["add", "Write docs", "--owner", "cy", "--json"], {"title": "Write docs", "owner": "cy", "status": "todo"}),
    (["request", "More disk", "--from", "bo", "--json"], {"title": "More disk", "status": "inbox"}),
    (["set", 2, "owner=cy", "due=fri", "--json"], {"owner": "cy", "due": "2025-01-17"}),
    (["move", 2, "doing", "--json"], {"status": "doing"}),
    (["why", 2, "login is broken for everyone", "--json"], {"why": "login is broken for everyone"}),
    (["accept", 3, "--owner", "ben", "--json"], {"status": "todo", "owner": "ben"}),
    (["decline", 3, "--reason", "not ours", "--json"], {"status": "declined", "decline_reason": "not ours"}),
    (["snooze", 3, "mon", "--json"], {"snoozed_until": "2025-01-20"}),
    (["dup", 3, 2, "--json"], {"status": "declined", "duplicate_of": 2}),
])
def test_a_write_with_json_says_it_changed_and_shows_the_item_as_show_does(run: Any, board: Path, argv: list[Any],
                                                                          changed: dict[str, Any]) -> None:
    doc = out_json(run(*argv))
    assert doc["changed"] is True
    assert doc["warnings"] == []
    item = doc["item"]
    assert {name: item.get(name) for name in changed} == changed
    shown = out_json(run("show", item["id"], "--json"))
    assert {k: v for k, v in shown.items() if k not in ("why_chain", "serves", "blocking")} == item
    assert doc["revision"] == Workspace(board).snapshot().revision


def test_a_write_that_changes_nothing_says_so(run: Any, board: Path) -> None:
    doc = out_json(run("set", 2, "owner=ben", "--json"))
    assert doc["changed"] is False
    assert doc["item"]["owner"] == "ben"


def test_a_write_warning_is_in_the_json_too(run: Any, board: Path) -> None:
    for index in range(5):  # doing's WIP limit is 5
        run("add", f"busy {index}", "--status", "doing")
    result = run("move", 2, "doing", "--json")
    doc = out_json(result)
    assert any("WIP limit" in warning for warning in doc["warnings"]), doc
    assert "WIP limit" in result.err  # and on stderr, as without --json


def test_reading_commands_give_json(run: Any, board: Path) -> None:
    people = out_json(run("people", "--json"))
    assert [p["handle"] for p in people] == ["cy", "ana", "ben"]  # by team, then handle
    ben = next(p for p in people if p["handle"] == "ben")
    assert (ben["open_items"], ben["capacity"], ben["over_capacity"]) == (1, 3, False)
    log = out_json(run("log", "--limit", 2, "--json"))
    assert [entry["summary"] for entry in log] == ["created #3 Export CSV", "created #2 Fix login"]
    assert log[0]["by"] == "ana" and log[0]["rev"] == Workspace(board).snapshot().revision
    why = out_json(run("why", 2, "--json"))
    assert why["why"] is None and why["inherited_why"] == "customers leave"
    assert [link["id"] for link in why["why_chain"]] == [2, 1]
    report = out_json(run("report", "--json"))
    assert report["since"] == "2025-01-08" and report["markdown"].startswith("#")


def test_report_takes_json_or_a_file_not_both(run: Any, board: Path, tmp_path: Path) -> None:
    result = run("report", "--json", "-o", tmp_path / "r.md")
    assert result.code == 1 and "not both" in result.err
    assert not (tmp_path / "r.md").exists()


def test_steps_are_listed_added_and_ticked(run: Any, board: Path) -> None:
    assert run("step", 2, "add", "write the fix").out == "#2: step 2 added\n"
    assert run("step", 2, "done", 2).out == "#2: step 2 done: write the fix\n"
    assert run("step", 2, "done", 2).out == "#2: step 2 is already done\n"
    assert run("step", 2).out.splitlines()[1:] == ["   1. [ ] reproduce", "   2. [x] write the fix"]
    listed = out_json(run("step", 2, "list", "--json"))
    assert listed["steps"] == [{"number": 1, "text": "reproduce", "done": False},
                               {"number": 2, "text": "write the fix", "done": True}]
    doc = out_json(run("step", 2, "undo", 2, "--json"))
    assert doc["changed"] is True and doc["item"]["checklist"][1] == {"text": "write the fix", "done": False}
    again = out_json(run("step", 2, "undo", 2, "--json"))
    assert again["changed"] is False and again["said"] == "#2: step 2 is already not done"
    assert run("log", 2, "--limit", 1).out.splitlines()[1].endswith(
        "reopened step 2 of #2 · checklist: 2 steps (1 done) → 2 steps (0 done)")


@pytest.mark.parametrize(("argv", "says"), [
    (["step", 2, "done", 5], "#2 has no step 5 (it has 1"),
    (["step", 9, "add", "x"], "no item #9"),
    (["set", 2, "owner=cy", "--was", "owner"], "expected --was FIELD=VALUE"),
])
def test_bad_steps_and_expectations_change_nothing(run: Any, board: Path, argv: list[Any], says: str) -> None:
    before = written(board)
    result = run(*argv)
    assert result.code == 1, result
    assert says in result.err
    assert written(board) == before


def test_set_with_was_writes_when_nothing_changed_meanwhile(run: Any, board: Path) -> None:
    assert run("set", 2, "owner=cy", "--was", "owner=ben", "--was", "due=thu").code == 0
    assert Workspace(board).snapshot().item(2).owner == "cy"


def test_set_with_was_is_a_conflict_after_a_teammates_change(run: Any, board: Path) -> None:
    stores.as_user(Workspace(board), "cy").apply(SetFields(2, {"owner": "cy"}))
    before = written(board)
    result = run("set", 2, "owner=ana", "--was", "owner=ben")
    assert result.code == 4
    assert "#2 owner: changed by cy" in result.err and "(you saw 'ben'); nothing was written" in result.err
    assert written(board) == before


def test_move_with_was_is_a_conflict_after_a_teammates_move(run: Any, board: Path) -> None:
    stores.as_user(Workspace(board), "cy").apply(Move(2, "review"))
    before = written(board)
    result = run("move", 2, "done", "--was", "todo")
    assert result.code == 4
    assert "#2 status: changed by cy" in result.err
    assert written(board) == before
    assert run("move", 2, "done", "--was", "review").code == 0


def test_ls_limit_shows_the_first_and_says_how_many_matched(run: Any, board: Path) -> None:
    for index in range(3):
        run("add", f"more {index}")
    shown = run("ls", "kind:task", "--limit", 2)
    assert shown.out.splitlines()[-1] == "first 2 of 4 items"
    assert len(shown.out.splitlines()) == 4  # the header, two rows, the footer
    assert [item["title"] for item in out_json(run("ls", "kind:task", "--limit", 2, "--json"))] == [
        line.split(maxsplit=6)[-1] for line in shown.out.splitlines()[1:3]]
    assert run("ls", "--limit", 0).code == 1
