"""``worktop step``, ``report --since -2w`` and reserved people names, run in-process as a person would.

The ``run`` fixture (tests/unit/conftest.py) runs as ana with today pinned to Wed 2025-01-15; each test runs on
the file and on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_cli import written

pytestmark = pytest.mark.both_stores


def steps(ws: Path, item_id: int) -> list[tuple[str, bool]]:
    from data.writes.workspace import Workspace

    return [(s["text"], s["done"]) for s in Workspace(ws).snapshot().items[item_id].checklist]


def test_step_add_done_undo_edit_move_rm(run: Any, ws: Path) -> None:
    assert run("add", "Launch", "--kind", "project", "--step", "plan", "--step", "build").code == 0
    assert run("step", 1, "add", "ship", "it").out == "#1: step 3 added\n"
    assert run("step", 1, "add", "--at", 1, "kick off").out == "#1: step 1 added\n"
    assert run("step", 1, "done", 2).out == "#1: step 2 done: plan\n"
    assert run("step", 1, "done", 2).out == "#1: step 2 is already done\n"
    run("step", 1, "move", 4, 1)
    run("step", 1, "edit", 2, "kick-off meeting")
    assert steps(ws, 1) == [("ship it", False), ("kick-off meeting", False), ("plan", True), ("build", False)]
    run("step", 1, "undo", 3)
    assert run("step", 1, "rm", 4).out == "#1: step 4 removed: build\n"
    listed = run("step", 1).out
    assert listed.splitlines() == ["#1 Launch · 0/3 steps done", "   1. [ ] ship it", "   2. [ ] kick-off meeting",
                                   "   3. [ ] plan"]
    log = run("log", 1, "--limit", 1).out
    assert "removed step 4 of #1 · checklist: 4 steps (0 done) → 3 steps (0 done)" in log


@pytest.mark.parametrize(("argv", "says"), [
    (["step", 1, "done", 9], "#1 has no step 9 (it has 2"),
    (["step", 1, "add", "--at", 7, "x"], "can go in at 1 to 3"),
    (["step", 1, "add", "  "], "the step is empty"),
    (["step", 1, "move", 1, 5], "can move to 1 to 2"),
    (["step", 99, "done", 1], "99"),
])
def test_step_refuses_clearly_and_changes_nothing(run: Any, ws: Path, argv: list, says: str) -> None:
    run("add", "Launch", "--step", "plan", "--step", "build")
    before = written(ws)
    result = run(*argv)
    assert result.code == 1 and says in result.err and result.err.count("\n") == 1
    assert written(ws) == before


def test_report_since_a_relative_date_with_a_dash(run: Any, ws: Path) -> None:
    """Bug: `worktop report --since -2w` (the help's own example) failed with 'expected one argument'."""
    result = run("report", "--since", "-2w")
    assert result.code == 0, result.err
    assert "Since Wed 1 Jan" in result.out  # two weeks before Wed 15 Jan
    assert run("report", "--since=-3d").code == 0


@pytest.mark.parametrize("name", ["me", "none", "None", "nobody"])
def test_person_add_refuses_words_that_mean_something_else(run: Any, ws: Path, name: str) -> None:
    """Bug: `person add me` and `person add none` succeeded; then --owner me / owner:none meant another thing."""
    before = written(ws)
    result = run("person", "add", name)
    assert result.code == 1 and "cannot be a person's handle" in result.err and "pick another handle" in result.err
    assert written(ws) == before
