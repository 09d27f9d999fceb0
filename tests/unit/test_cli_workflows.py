"""``worktop every``, ``recurring``, ``pulse`` and ``report``: what they print and store, and how they fail.

Run as ana with today pinned to Wednesday 2025-01-15 (fixtures in tests/unit/conftest.py), on the file
and on PostgreSQL (through a pointer file).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, subprocess_env
from tests.unit.test_cli import item, one_error_line, stored, written

pytestmark = pytest.mark.both_stores


def instances_of(path: Path, template: int) -> dict[str, dict]:
    return {doc["occurrence"]: doc for doc in stored(path)["items"].values() if doc.get("instance_of") == template}


def test_every_makes_a_workflow_and_its_instances_at_once(run, ws) -> None:
    result = run("every", "every monday", "Weekly", "release", "--owner", "me", "--why", "Fixes reach customers",
                 "--tag", "ops", "--step", "Cut the branch")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "#1 every: Weekly release · every monday (FREQ=WEEKLY;BYDAY=MO)"
    assert lines[1].startswith("next: Mon 20 Jan 2025, Mon 27 Jan 2025, Mon 3 Feb 2025")
    assert lines[2] == "made #2 (Mon 20 Jan), #3 (Mon 27 Jan)"
    template = item(ws, 1)
    assert template["kind"] == "recurring" and template["rule"] == "every monday" and template["owner"] == "ana"
    made = instances_of(ws, 1)
    assert sorted(made) == ["2025-01-20", "2025-01-27"]
    assert made["2025-01-20"]["title"] == "Weekly release · Mon 20 Jan" and made["2025-01-20"]["tags"] == ["ops"]


def test_every_preview_saves_nothing(run, ws) -> None:
    before = written(ws)
    result = run("every", "monthly on the 31st", "Close the books", "--preview", "--count", "4")
    assert result.code == 0
    assert "next: Fri 31 Jan 2025, Fri 28 Feb 2025, Mon 31 Mar 2025, Wed 30 Apr 2025" in result.out
    assert "(preview: nothing saved)" in result.out
    assert written(ws) == before


def test_a_bad_rule_is_one_line_and_nothing_is_written(run, ws) -> None:
    before = written(ws)
    result = run("every", "every blue moon", "Party")
    assert result.code == 1
    assert "cannot read the rule 'every blue moon'" in one_error_line(result)
    assert written(ws) == before


def test_recurring_lists_generates_skips_pauses_and_edits(run, ws, monkeypatch) -> None:
    run("every", "every monday", "Weekly release", "--owner", "ben")
    result = run("recurring")
    assert result.code == 0
    header, row = result.out.splitlines()[:2]
    assert header.split() == ["ID", "STATE", "OWNER", "RULE", "NEXT", "OPEN/MADE", "TITLE"]
    assert "running" in row and "ben" in row and "Mon 20 Jan, Mon 27 Jan, Mon 3 Feb" in row and "2/2" in row
    assert "instances are made 14 days ahead" in result.out

    result = run("recurring", "skip", "1")
    assert result.out.strip() == "#1: skipped Mon 20 Jan 2025"
    assert instances_of(ws, 1)["2025-01-20"]["status"] == "declined"

    assert run("recurring", "pause", "1").code == 0
    assert stored(ws)["items"]["1"]["paused"] is True
    again = run("recurring", "pause", "1")
    assert again.code == 1 and "already paused" in one_error_line(again)
    assert run("recurring", "resume", "1").code == 0

    result = run("recurring", "edit", "1", "--owner", "cy", "--title", "Release train")
    assert result.code == 0 and "1 future instance updated" in result.out
    assert instances_of(ws, 1)["2025-01-27"]["owner"] == "cy"
    assert instances_of(ws, 1)["2025-01-27"]["title"] == "Release train · Mon 27 Jan"

    result = run("recurring", "--horizon", "28")
    assert "instances are now made 28 days ahead" in result.out and "made 2 instances" in result.out
    assert sorted(instances_of(ws, 1)) == ["2025-01-20", "2025-01-27", "2025-02-03", "2025-02-10"]

    monkeypatch.setenv("WORKTOP_TODAY", "2025-01-29")
    data = json.loads(run("recurring", "--generate", "--json").out)
    assert data["horizon_days"] == 28 and len(data["created"]) == 2  # 17 and 24 Feb
    assert data["workflows"][0]["next"][:2] == ["2025-02-03", "2025-02-10"]
    assert data["workflows"][0]["owner"] == "cy" and data["workflows"][0]["state"] == "running"


def test_recurring_actions_refuse_items_that_are_not_workflows(run, ws) -> None:
    run("add", "Plain task")
    result = run("recurring", "skip", "1")
    assert result.code == 1 and "#1 is a task, not a recurring workflow" in one_error_line(result)
    result = run("recurring", "edit", "1")
    assert result.code == 1


def test_pulse_and_report_on_a_known_history(run, tmp_path, history_workspace) -> None:
    ws, ids = history_workspace
    result = run("pulse", "--weeks", "4", "-w", ws.path)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Pulse of acme · last 4 weeks (since Mon 23 Dec) · as of Wed 15 Jan 2025"
    assert [line.split()[-1] for line in lines[2:6]] == ["1", "0", "2", "2"]
    assert "Cycle time   median 3.2 d · 85th percentile 14.0 d (4 items; 1 finished without a recorded start)" in lines
    assert "On time      50% (2 of 4 finished with a due date were done by it)" in lines
    assert "In progress  todo 1 · doing 1/5 · review 1/3" in lines
    data = json.loads(run("pulse", "--weeks", "4", "--json", "-w", ws.path).out)
    assert data["cycle_time_days"]["median"] == 3.25

    report = run("report", "--since", "2025-01-08", "-w", ws.path)
    assert report.code == 0
    assert report.out.startswith("## Status update · acme · Wed 15 Jan 2025\n")
    assert f"- #{ids['G']} Task G · doing, due Tue 14 Jan, 1 day overdue" in report.out
    target = tmp_path / "update.md"
    written = run("report", "--since", "wed", "-o", target, "-w", ws.path)  # `wed` is today here
    assert written.out.strip() == f"wrote the status update to {target}"
    assert target.read_text().startswith("## Status update")
    future = run("report", "--since", "2025-02-01", "-w", ws.path)
    assert future.code == 1 and "after today" in one_error_line(future)


def test_report_since_a_weekday_means_the_one_just_gone(run, history_workspace) -> None:
    ws, _ids = history_workspace
    result = run("report", "--since", "fri", "-w", ws.path)  # Friday 10 Jan, not 17 Jan
    assert "Since Fri 10 Jan" in result.out


def test_the_real_command_reports_errors_from_these_commands_as_one_line(ws) -> None:
    # As `python -m tui.cli` the CLI module is __main__; its errors must still be caught.
    proc = subprocess.run([sys.executable, "-m", "tui.cli", "recurring", "pause", "99", "-w", str(ws)],
                          cwd=ROOT, env=subprocess_env(WORKTOP_TODAY="2025-01-15"), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == "worktop: no item #99 in this workspace\n"
    proc = subprocess.run([sys.executable, "-m", "tui.cli", "every", "every monday", "X", "--owner", "zed",
                           "-w", str(ws)], cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "unknown person 'zed'" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv", [["every"], ["recurring", "skip"], ["pulse", "--weeks", "0"]])
def test_usage_errors(run, ws, argv) -> None:
    result = run(*argv)
    assert result.code in (1, 2)
    one_error_line(result)
