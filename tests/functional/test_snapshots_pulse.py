"""Snapshot tests of the pulse view and the recurring screens (clock, theme, size pinned; no watcher).

Update with ``pytest tests/functional/test_snapshots_pulse.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data.writes.recurrence import CreateRecurring
from tests.functional.conftest import make_app, settled
from tests.functional.test_pulse_recurring import history_app
from tests.history_builder import build_history_workspace


async def _settled(pilot) -> None:  # noqa: ANN001
    """Wait for the start-up generation of recurring instances, so the picture never races it."""
    await pilot.pause()
    await settled(pilot.app)
    await pilot.pause()


def test_pulse_view_on_a_known_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snap_compare):
    """160×50, after pressing 5: the pulse replaces the four panes. 'Last 8 weeks since Mon 25 Nov';
    a throughput bar per week: 2 Dec 1, 23 Dec 1, 6 Jan 2, 13 Jan 2 'this week so far', the rest 0;
    cycle time median 2.0 d, 85th percentile 14.0 d from 5 items, 1 finished without a recorded
    start; on time 50% (2 of 4); overdue 1 (#8 Task G); inbox 1 waiting, oldest 10 days (#12 Export
    to CSV please); gaps no owner 1 · no due date 1 · no why 3; work in progress todo 3, doing 1/5,
    review 1/3; by person ana, ben, cy and nobody with bars (█ started, ░ not yet)."""
    ws, _ids = build_history_workspace(tmp_path / "worktop.json", monkeypatch)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await _settled(pilot)
        await pilot.press("5")
        await pilot.pause()

    assert snap_compare(history_app(ws), terminal_size=(160, 50), run_before=run_before)


def test_recurring_screen_and_rule_preview(team_ws, snap_compare):
    """The recurring list over the workspace (one workflow, 'every monday', next Mon 30 Nov,
    Mon 7 Dec, Mon 14 Dec, 2/2 made) with the rule form on top: 'monthly on the 31st' typed, its
    RRULE (BYMONTHDAY=28,29,30,31;BYSETPOS=-1) and the next dates Mon 30 Nov, Thu 31 Dec, Sun 31 Jan
    2027, Sun 28 Feb 2027, … shown before anything is saved."""
    team_ws.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "bo"}))

    async def run_before(pilot) -> None:  # noqa: ANN001
        await _settled(pilot)
        await pilot.press("R", "n")
        await pilot.pause()
        pilot.app.screen.query_one("#r-rule").value = "monthly on the 31st"
        await pilot.pause()

    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=run_before)
