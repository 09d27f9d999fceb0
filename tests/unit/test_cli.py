"""The ``worktop`` command line: what each command prints and stores, and how it fails.

Most tests call :func:`tui.cli.main` in-process (fast); a few run the real
``python -m tui.cli`` to check exit codes, stderr and imports as a shell sees
them. The ``workspace`` fixture (tests/conftest.py) has people ana, ben and cy;
here the CLI runs as ana with today pinned to Wednesday 2025-01-15.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from data.writes.ops import Move
from data.writes.workspace import Workspace
from tests.conftest import ROOT, subprocess_env
from tests.support import stores
from tests.unit.conftest import TODAY, Run
from tui import cli

pytestmark = pytest.mark.both_stores
"""Every test on the ``ws``/``board`` workspace runs on a file and on PostgreSQL (through a pointer file)."""


def stored(path: Path) -> dict[str, Any]:
    """What the workspace at ``path`` (a file, or a pointer file) stores."""
    return stores.stored(Workspace(path))


def item(path: Path, item_id: int) -> dict[str, Any]:
    return stored(path)["items"][str(item_id)]


def written(path: Path) -> Any:
    """Equal before and after exactly when nothing was written."""
    return stores.fingerprint(Workspace(path))


def one_error_line(result: Run) -> str:
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("worktop: ")
    assert "Traceback" not in result.err
    return lines[0]


# -- help and usage --------------------------------------------------------------------

def test_help_lists_commands_and_exit_codes(run: Any) -> None:
    result = run("--help")
    assert result.code == 0
    for word in ("init", "add", "ls", "accept", "decline", "dup", "snooze", "gaps"):
        assert word in result.out
    assert "exit codes:" in result.out
    assert "4  conflict" in result.out and "3  workspace missing" in result.out


@pytest.mark.parametrize("argv", [["-h", "add"], ["--help", "add"], ["-w", "x.json", "--help", "ls"], ["--he", "add"]])
def test_help_before_a_command_still_lists_every_command(run: Any, argv: list[str]) -> None:
    """A command's run builds only its own parser; a help asked for before the command word is the whole one."""
    result = run(*argv)
    assert result.code == 0
    for word in ("init", "add", "ls", "accept", "decline", "dup", "snooze", "gaps"):
        assert f"\n    {word} " in result.out
    assert "exit codes:" in result.out


def test_help_wraps_at_the_terminal_width(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """argparse's width is found as shutil finds it (COLUMNS first), without importing shutil."""
    widths = {}
    for columns in ("60", "150"):
        monkeypatch.setenv("COLUMNS", columns)
        result = run("add", "--help")
        assert result.code == 0 and "--owner OWNER" in result.out
        widths[columns] = max(map(len, result.out.splitlines()))
    assert widths["60"] <= 58 < widths["150"] <= 148


def test_ls_help_explains_queries(run: Any) -> None:
    result = run("ls", "--help")
    assert result.code == 0
    assert "owner:me" in result.out and "due<fri" in result.out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["add"], "the following arguments are required: TITLE"),
        (["add", "x", "--colour", "red"], "unrecognized arguments: --colour red"),
        (["decline", "1"], "the following arguments are required: --reason"),
        (["request", "Export CSV"], "the following arguments are required: --from"),
        (["log", "--limit", "many"], "invalid int value: 'many'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run: Any, ws: Path, argv: list[str], says: str) -> None:
    before = written(ws)
    result = run(*argv)
    assert result.code == 2
    assert says in one_error_line(result)
    assert written(ws) == before


# -- init, demo, people --------------------------------------------------------------------

def test_init_makes_an_empty_workspace(run: Any, tmp_path: Path) -> None:
    result = run("init", tmp_path / "team.json", "--name", "Platform")
    assert result.code == 0
    assert "created workspace 'Platform'" in result.out
    data = stored(tmp_path / "team.json")
    assert data["meta"]["name"] == "Platform" and data["items"] == {}


def test_init_in_a_folder_and_by_default_writes_worktop_json(run: Any, tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    assert run("init", tmp_path / "proj").code == 0
    assert (tmp_path / "proj" / "worktop.json").is_file()
    assert run("init").code == 0
    assert (tmp_path / "worktop.json").is_file()


def test_init_never_overwrites(run: Any, ws: Path) -> None:
    before = written(ws)
    result = run("init", ws)
    assert result.code == 1
    assert "already exists; nothing was written" in one_error_line(result)
    assert written(ws) == before


def test_demo_makes_sample_work_and_never_overwrites(run: Any, tmp_path: Path) -> None:
    result = run("demo", "--items", 120, "--seed", 3, tmp_path / "demo.json")
    assert result.code == 0
    assert "with 120 items" in result.out and "worktop -w" in result.out
    assert len(stored(tmp_path / "demo.json")["items"]) == 120
    before = (tmp_path / "demo.json").read_bytes()
    again = run("demo", tmp_path / "demo.json")
    assert again.code == 1 and "already exists" in one_error_line(again)
    assert (tmp_path / "demo.json").read_bytes() == before


def test_person_add_and_people(run: Any, ws: Path) -> None:
    result = run("person", "add", "dee", "--name", "Dee Doe", "--team", "ops", "--capacity", 1)
    assert result.code == 0 and result.out == "added dee\n"
    run("add", "one", "--owner", "dee")
    run("add", "two", "--owner", "dee")
    people = run("people").out.splitlines()
    assert people[0].split() == ["HANDLE", "TEAM", "OPEN/CAPACITY", "NAME"]
    dee = next(line for line in people if line.startswith("dee"))
    assert "2/1 over capacity" in dee and "Dee Doe" in dee
    again = run("person", "add", "dee")
    assert again.code == 1 and "already in this workspace" in one_error_line(again)


# -- adding ------------------------------------------------------------------------------

def test_add_prints_the_id_and_stores_every_option(run: Any, ws: Path) -> None:
    parent = run("add", "Billing portal", "--kind", "project").out.strip()
    result = run("add", "Fix", "the", "login", "page", "--owner", "ben", "--due", "fri", "--tag", "ops",
                 "--tag", "api,ui", "--why", "people are locked out", "--parent", f"#{parent}",
                 "--step", "reproduce", "--step", "fix", "--priority", "2", "--body", "500 on submit")
    assert result.code == 0
    assert result.out == "2\n"
    doc = item(ws, 2)
    assert doc["title"] == "Fix the login page"
    assert (doc["owner"], doc["due"], doc["parent"], doc["priority"]) == ("ben", "2025-01-17", 1, 2)
    assert doc["tags"] == ["ops", "api", "ui"]
    assert doc["why"] == "people are locked out"
    assert [s["text"] for s in doc["checklist"]] == ["reproduce", "fix"]
    assert doc["body"] == "500 on submit"
    assert doc["created_by"] == "ana"


def test_owner_me_means_whoever_runs_it(run: Any, ws: Path) -> None:
    run("add", "mine", "--owner", "me")
    assert item(ws, 1)["owner"] == "ana"


def test_request_lands_in_the_inbox(run: Any, ws: Path) -> None:
    result = run("request", "Export invoices to CSV", "--from", "sales.kim", "--body", "for the board pack")
    assert result.code == 0 and result.out == "1\n"
    doc = item(ws, 1)
    assert (doc["kind"], doc["status"], doc["requester"], doc["body"]) == (
        "request", "inbox", "sales.kim", "for the board pack")


def test_workspace_option_works_after_the_command_too(run: Any, tmp_path: Path) -> None:
    run("init", tmp_path / "other.json")
    assert run("add", "elsewhere", "-w", tmp_path / "other.json").code == 0
    assert item(tmp_path / "other.json", 1)["title"] == "elsewhere"


def test_the_environment_and_parent_folders_find_the_workspace(run: Any, ws: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert run("add", "found upward").code == 0
    assert item(ws, 1)["title"] == "found upward"
    run("init", tmp_path / "env.json")
    monkeypatch.setenv("WORKTOP_WORKSPACE", str(tmp_path / "env.json"))
    assert run("add", "from env").code == 0
    assert item(tmp_path / "env.json", 1)["title"] == "from env"


# -- listing and showing ----------------------------------------------------------------------

@pytest.fixture
def board(run: Any, ws: Path) -> Path:
    """A few items: 1 goal (why), 2 task under it (ben, due thu), 3 request, 4 done task, 5 orphan task."""
    run("add", "Ship v2", "--kind", "goal", "--owner", "ana", "--why", "customers leave")
    run("add", "Fix login", "--owner", "ben", "--due", "thu", "--parent", 1, "--tag", "ops")
    run("request", "Export CSV", "--from", "sales.kim")
    run("add", "Old cleanup", "--owner", "cy", "--due", "2025-01-05")
    run("move", 4, "done")
    run("add", "Write runbook", "--due", "2025-01-10")
    return ws


def test_ls_shows_open_work_in_an_aligned_table(run: Any, board: Path) -> None:
    result = run("ls")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "KIND", "OWNER", "DUE", "MISSING", "TITLE"]
    title_column = lines[0].index("TITLE")
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert set(rows) == {"#1", "#2", "#3", "#5"}  # #4 is done
    assert all(line[title_column:] in ("Ship v2", "Fix login", "Export CSV", "Write runbook") for line in rows.values())
    assert rows["#3"].split()[1:6] == ["inbox", "request", "-", "-", "who,when,why"]
    assert rows["#2"].split()[1:6] == ["todo", "task", "ben", "tomorrow", "-"]
    assert rows["#5"].split()[4:7] == ["5d", "late", "who,why"]
    assert [line.split()[0] for line in lines[1:-1]][0] == "#3"  # the inbox comes first
    assert lines[-1] == "4 items (1 done or closed not shown; --all shows them)"


def test_ls_all_and_queries(run: Any, board: Path) -> None:
    assert "#4" in run("ls", "--all").out
    assert [line.split()[0] for line in run("ls", "owner:ben").out.splitlines()[1:-1]] == ["#2"]
    assert [line.split()[0] for line in run("ls", "overdue").out.splitlines()[1:-1]] == ["#5"]
    assert [line.split()[0] for line in run("ls", "why:none", "-kind:request").out.splitlines()[1:-1]] == ["#5"]
    assert [line.split()[0] for line in run("ls", "status:done").out.splitlines()[1:-1]] == ["#4"]
    # Negated terms need no quoting, even ones that look like -w or -h.
    assert [line.split()[0] for line in run("ls", "-#ops", "-kind:goal").out.splitlines()[1:-1]] == ["#3", "#5"]
    assert [line.split()[0] for line in run("ls", "-why:none", "-w", board).out.splitlines()[1:-1]] == ["#2", "#1"]
    assert [line.split()[0] for line in run("ls", "-w", "ls", "-home", "-w", board).out.splitlines()[1:-1]] == [
        "#3", "#5", "#2", "#1"]
    assert run("ls", "nothing-like-this").out.startswith("no items match 'nothing-like-this'")


def test_ls_hides_snoozed_requests_until_their_day(run: Any, board: Path) -> None:
    run("snooze", 3, "mon")
    result = run("ls")
    assert "#3" not in result.out and "1 snoozed" in result.out
    assert "#3" in run("ls", "--all").out


def test_ls_json_gives_stored_values(run: Any, board: Path) -> None:
    result = run("ls", "--json", "owner:ben")
    rows = json.loads(result.out)
    assert len(rows) == 1
    assert rows[0]["id"] == 2
    assert rows[0]["due"] == "2025-01-16" and rows[0]["tags"] == ["ops"] and rows[0]["missing"] == []


def test_show_tells_all_five_answers(run: Any, board: Path) -> None:
    result = run("show", "#2")
    assert result.code == 0
    out = result.out
    assert out.splitlines()[0] == "#2 Fix login"
    assert "owner     ben" in out
    assert "due       2025-01-16 (tomorrow)" in out
    assert "parent    #1 Ship v2" in out
    assert "why       (from above) customers leave" in out
    assert "missing   nothing" in out
    assert "#1 goal Ship v2: customers leave" in out  # the why chain


def test_show_json(run: Any, board: Path) -> None:
    doc = json.loads(run("show", 2, "--json").out)
    assert doc["id"] == 2 and doc["owner"] == "ben"
    assert [link["id"] for link in doc["why_chain"]] == [2, 1]


def test_gaps_groups_open_work_by_what_is_missing(run: Any, board: Path) -> None:
    out = run("gaps").out
    assert "no owner (who): 1" in out
    assert "no why, here or above (why): 1" in out
    assert "#5" in out and "#2" not in out
    assert "1 item in the inbox still to triage" in out
    data = json.loads(run("gaps", "--json").out)
    assert [i["id"] for i in data["who"]] == [5] and data["untriaged"] == 1


def test_gaps_lists_each_group_in_an_aligned_table(run: Any, board: Path) -> None:
    run("add", "On-call", "--kind", "workstream")  # #6: no owner, no due, no steps, no why
    lines = run("gaps").out.splitlines()
    heading = lines.index("no owner (who): 2")
    assert lines[heading + 1].split() == ["ID", "STATUS", "KIND", "OWNER", "DUE", "TITLE"]
    assert [line.split()[0] for line in lines[heading + 2:heading + 4]] == ["#5", "#6"]
    assert "no due date (when): 1" in lines and "no steps on a project or workstream (how): 1" in lines
    assert "no why, here or above (why): 2" in lines
    data = json.loads(run("gaps", "--json").out)
    assert [i["id"] for i in data["how"]] == [6] and data["how"][0]["missing"] == ["who", "when", "how", "why"]


def test_gaps_says_when_there_are_none(run: Any, ws: Path) -> None:
    run("add", "Done right", "--owner", "ana", "--due", "fri", "--why", "because")
    assert run("gaps").out.startswith("no gaps: all open work on the board has an owner")


def test_goals_lists_open_work_serving_each_goal(run: Any, board: Path) -> None:
    run("add", "Second goal", "--kind", "goal")  # #6
    run("add", "Linked work", "--owner", "cy")  # #7, no due date
    run("set", 7, "goal=6")
    run("add", "Under the project", "--parent", 2)  # #8 under #2 under goal #1: no owner, no due
    result = run("goals")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "OPEN", "NO", "OWNER", "NO", "DUE", "GOAL"]
    assert lines[1].split() == ["#1", "todo", "2", "1", "1", "Ship", "v2"]
    assert lines[2].split() == ["#6", "todo", "1", "0", "1", "Second", "goal"]
    data = json.loads(run("goals", "--json").out)
    assert [(g["id"], g["open_items"], g["no_owner"], g["no_due"]) for g in data] == [(1, 2, 1, 1), (6, 1, 0, 1)]
    assert data[0]["why"] == "customers leave"


def test_goals_without_any(run: Any, ws: Path) -> None:
    assert "no goals yet" in run("goals").out


def test_show_a_goal_says_what_serves_it(run: Any, board: Path) -> None:
    out = run("show", 1).out
    assert "serves    1 open item serves it: 0 without an owner, 0 without a due date" in out
    run("set", 5, "goal=1")
    assert "goal      #1 Ship v2" in run("show", 5).out
    doc = json.loads(run("show", 1, "--json").out)
    assert doc["serves"] == {"open_items": 2, "no_owner": 1, "no_due": 0}


# -- changing -------------------------------------------------------------------------------

def test_set_several_fields(run: Any, board: Path) -> None:
    result = run("set", 2, "owner=cy", "due=+1w", "tags=ops,api", "priority=1")
    assert result.code == 0 and result.out == "#2: set owner, due, tags, priority\n"
    doc = item(board, 2)
    assert (doc["owner"], doc["due"], doc["tags"], doc["priority"]) == ("cy", "2025-01-22", ["ops", "api"], 1)
    assert run("set", 2, "owner=cy").out == "#2: nothing changed (it already had those values)\n"
    run("set", 2, "due=")
    assert "due" not in item(board, 2)


def test_move_and_the_wip_warning(run: Any, ws: Path) -> None:
    for n in range(6):
        run("add", f"t{n}")
    for item_id in range(1, 6):
        assert run("move", item_id, "doing").out == f"#{item_id} → doing\n"
    result = run("move", 6, "doing")
    assert result.code == 0
    assert result.err == "worktop: warning: doing is over its WIP limit: 6 cards for 5; moved anyway\n"
    assert run("move", 6, "doing").out == "#6 is already doing\n"


def test_why_set_show_and_log(run: Any, board: Path) -> None:
    assert run("why", 5).out.startswith("#5 has no why")
    assert run("why", 5, "the", "on-call", "needs", "it").out == "#5: why set\n"
    assert run("note", 5, "agreed in planning").out == "#5: note added\n"
    assert run("why", 5).out == "the on-call needs it\n"
    assert "(inherited from above" in run("why", 2).out
    log = run("why", 5, "--log").out
    assert "ana (why): the on-call needs it" in log and "ana (note): agreed in planning" in log
    assert item(board, 5)["why"] == "the on-call needs it"


def test_why_log_keeps_every_change_with_who_and_when(run: Any, board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("why", 5, "first reason")
    stores.become(monkeypatch, board, "ben")
    run("why", 5, "second reason")
    assert run("why", 5, "").out == "#5: why cleared (the why log keeps the old one)\n"
    lines = run("why", 5, "--log").out.splitlines()
    assert lines[0] == "#5 Write runbook"
    log = [line.split(maxsplit=2)[2] for line in lines[1:4]]  # after the date and time
    assert log == ["ana (why): first reason", "ben (why): second reason", "ben (why): (cleared the why)"]
    assert lines[4] == "  chain of whys"
    assert "no why" in run("why", 5).out


def test_log_lists_history_newest_first(run: Any, board: Path) -> None:
    lines = run("log", "--limit", 3).out.splitlines()
    assert lines[0].split() == ["REV", "AT", "(UTC)", "BY", "WHAT"]
    assert len(lines) == 4
    assert lines[1].endswith("created #5 Write runbook")
    item_log = run("log", 4).out.splitlines()
    assert [line.split("  ")[-1] for line in item_log[1:]] == ["finished #4 · status: 'todo' → 'done'",
                                                                "created #4 Old cleanup"]


def test_log_shows_each_field_from_and_to(run: Any, board: Path) -> None:
    run("set", 5, "title=Write the runbook", "due=2026-12-24", "tags=ops,docs")
    line = run("log", 5, "--limit", 1).out.splitlines()[1]
    assert line.endswith("set title, due date, tags of #5 · title: 'Write runbook' → 'Write the runbook'; "
                         "due: '2025-01-10' → '2026-12-24'; tags: — → ops, docs")


# -- triage -----------------------------------------------------------------------------------

def test_accept_sets_fields_and_moves_to_the_board(run: Any, board: Path) -> None:
    result = run("accept", 3, "--owner", "ben", "--due", "fri", "--why", "the CFO asked")
    assert result.code == 0
    assert result.out == "#3 accepted → todo (owner ben, due 2025-01-17)\n"
    doc = item(board, 3)
    assert (doc["status"], doc["owner"], doc["why"]) == ("todo", "ben", "the CFO asked")


def test_decline_needs_a_reason_and_keeps_it(run: Any, board: Path) -> None:
    before = written(board)
    empty = run("decline", 3, "--reason", " ")
    assert empty.code == 1 and "declining needs a reason" in one_error_line(empty)
    assert written(board) == before
    assert run("decline", 3, "--reason", "out of scope").out == "#3 declined\n"
    assert item(board, 3)["decline_reason"] == "out of scope"


def test_dup_closes_and_carries_the_requester_over(run: Any, board: Path) -> None:
    run("request", "Export invoices as CSV", "--from", "cfo")
    run("note", 6, "for the audit")
    result = run("dup", 6, 3)
    assert result.code == 0 and "#6 closed as a duplicate of #3" in result.out
    assert (item(board, 6)["status"], item(board, 6)["duplicate_of"]) == ("declined", 3)
    note = item(board, 3)["why_log"][-1]["text"]
    assert "requested by cfo" in note and "for the audit" in note


def test_snooze(run: Any, board: Path) -> None:
    assert run("snooze", 3, "+1w").out == "#3 snoozed until 2025-01-22\n"
    assert item(board, 3)["snoozed_until"] == "2025-01-22"


# -- bad input: one line, exit 1, nothing written ---------------------------------------------

@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["show", "99"], "no item #99 in this workspace"),
        (["show", "abc"], "not an item id: 'abc'"),
        (["set", "99", "owner=ben"], "no item #99"),
        (["set", "2", "colour=red"], "unknown field 'colour'"),
        (["set", "2", "owner"], "expected FIELD=VALUE, got 'owner'"),
        (["set", "2", "status=done"], "status changes go through `worktop move 2 STATUS`"),
        (["set", "2", "due=someday"], "not a date: 'someday'"),
        (["set", "2", "owner=zed"], "unknown person 'zed'"),
        (["add", "x", "--due", "someday"], "not a date: 'someday'"),
        (["add", "x", "--kind", "epic"], "unknown kind 'epic'"),
        (["add", "x", "--status", "later"], "unknown status 'later'"),
        (["add", "x", "--owner", "zed"], "worktop person add zed"),
        (["add", "x", "--parent", "99"], "parent #99 is not in this workspace"),
        (["add", "x" * 201], "title is 201 characters; the limit is 200"),
        (["add", " "], "title cannot be empty"),
        (["move", "2", "later"], "unknown status 'later'"),
        (["move", "2", "declined"], "declining needs a reason: `worktop decline 2 --reason TEXT`"),
        (["move", "99", "doing"], "no item #99"),
        (["ls", "colour:red"], "unknown key 'colour'"),
        (["ls", "due<someday"], "not a date"),
        (["ls", "status:later"], "unknown status 'later'"),
        (["note", "2", " "], "the note is empty"),
        (["log", "99"], "no item #99"),
        (["accept", "2"], "#2 is not in the inbox (it is todo)"),
        (["accept", "3", "--due", "someday"], "not a date"),
        (["dup", "3", "3"], "cannot be a duplicate of itself"),
        (["dup", "3", "99"], "#99 is not in this workspace"),
        (["snooze", "3", "yesterday"], "is not after today"),
        (["snooze", "3", "someday"], "not a date"),
        (["person", "add", "not a handle"], "is not a handle"),
    ],
)
def test_bad_input_exits_1_with_one_line_and_changes_nothing(run: Any, board: Path, argv: list[str],
                                                             says: str) -> None:
    before = written(board)
    result = run(*argv)
    assert result.code == 1, result
    assert says in one_error_line(result)
    assert result.out == ""
    assert written(board) == before


def test_a_conflict_exits_4_and_names_who(run: Any, board: Path) -> None:
    stores.as_user(Workspace(board), "cy").apply(Move(3, "todo"))
    before = written(board)
    result = run("accept", 3, "--owner", "ben")
    assert result.code == 4
    assert "#3 was already moved to todo by cy" in one_error_line(result)
    assert written(board) == before


# -- the workspace file itself ----------------------------------------------------------------

def test_a_missing_workspace_says_how_to_make_one(run: Any, tmp_path: Path) -> None:
    result = run("ls")
    assert result.code == 3
    line = one_error_line(result)
    assert f"no workspace at {tmp_path / 'worktop.json'}" in line
    assert "worktop init" in line and "worktop demo" in line
    assert not list(tmp_path.iterdir()), "nothing, not even a lock file, is made beside a missing workspace"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"{not json", "is not valid JSON"),
        (b"[1, 2, 3]", "not a worktop workspace"),
        (b'{"meta": {"1": {"format": "something-else"}}}', "not a worktop workspace"),
        (b'{"_default": {"1": {"name": "a tinydb file of another app"}}}', "not a worktop workspace"),
    ],
)
@pytest.mark.parametrize("argv", [["ls"], ["add", "x"], ["show", "1"], ["person", "add", "dee"]])
def test_a_file_that_is_not_a_workspace_is_never_written(run: Any, tmp_path: Path, content: bytes, says: str,
                                                         argv: list[str]) -> None:
    path = tmp_path / "worktop.json"
    path.write_bytes(content)
    result = run(*argv)
    assert result.code == 3
    line = one_error_line(result)
    assert str(path) in line and says in line
    assert path.read_bytes() == content


@pytest.mark.file_only  # a read-only role on PostgreSQL: tests/unit/test_postgres_rights.py
def test_a_read_only_workspace_exits_3(run: Any, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated with os.access, because the tests may run as root, who can write anything."""
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: mode != os.W_OK and real_access(path, mode, **kw))
    before = written(ws)
    result = run("add", "x")
    assert result.code == 3
    assert "read-only for you; nothing was changed" in one_error_line(result)
    assert written(ws) == before


# -- text is stored verbatim and shown safely ---------------------------------------------------

TRICKY = "[bold red]Alarm[/] \x1b[2J\x1b]0;pwned\x07 done"


def test_markup_and_control_characters_are_stored_verbatim(run: Any, ws: Path) -> None:
    assert run("add", TRICKY, "--why", "[link=x]why[/link]").code == 0
    assert item(ws, 1)["title"] == TRICKY
    assert json.loads(run("ls", "--json").out)[0]["title"] == TRICKY
    assert json.loads(run("show", 1, "--json").out)["why"] == "[link=x]why[/link]"
    assert TRICKY in run("show", 1).out  # piped output is verbatim


def test_a_terminal_sees_control_characters_as_symbols(run: Any, ws: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    run("add", TRICKY)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert cli.main(["ls"]) == 0
    assert cli.main(["show", "1"]) == 0
    shown = terminal.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "[bold red]Alarm[/] ␛[2J␛]0;pwned␇ done" in shown


# -- the app, and real processes -------------------------------------------------------------------

def test_no_command_opens_the_app_on_the_workspace(run: Any, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    fake = types.ModuleType("tui.app")
    fake.run_app = lambda path, **_: opened.append(path) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui.app", fake)
    assert run().code == 0
    assert opened == [ws]


def cli_process(*argv: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = subprocess_env(WORKTOP_USER="ana", WORKTOP_TODAY=TODAY)
    env.pop("WORKTOP_WORKSPACE", None)
    return subprocess.run([sys.executable, "-m", "tui.cli", *map(str, argv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_real_process_adds_and_lists(ws: Path) -> None:
    added = cli_process("-w", ws, "add", "From a shell", "--owner", "ben", cwd=ROOT)
    assert (added.returncode, added.stdout, added.stderr) == (0, "1\n", "")
    listed = cli_process("-w", ws, "ls", "owner:ben", cwd=ROOT)
    assert listed.returncode == 0 and "From a shell" in listed.stdout


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["show", "42"], 1), (["nope"], 2), (["-w", "/nonexistent/dir/w.json", "ls"], 3)],
)
def test_a_real_process_exit_codes_and_one_line_errors(ws: Path, argv: list[str], code: int) -> None:
    result = cli_process("-w", ws, *argv, cwd=ROOT) if argv[0] != "-w" else cli_process(*argv, cwd=ROOT)
    assert result.returncode == code
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("worktop: ")
    assert "Traceback" not in result.stderr


def test_non_interactive_commands_never_load_textual(ws: Path) -> None:
    """``worktop add`` has an 80 ms budget; Textual alone takes longer to import."""
    code = f"""
import sys
from tui.cli import main
for argv in (["add", "x"], ["ls"], ["show", "1"], ["gaps"], ["goals"], ["people"], ["log"]):
    assert main(["-w", {str(ws)!r}, *argv]) == 0, argv
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich", "widgets"))
print("LOADED", loaded)
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=subprocess_env(WORKTOP_USER="ana"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED []"
