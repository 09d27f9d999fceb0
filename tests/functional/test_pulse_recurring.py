"""The pulse view (key 5) and recurring workflows in the app: what a user sees, what lands on disk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from data.writes.ops import SetFields
from data.writes.recurrence import CreateRecurring, GenerateInstances
from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, screen_text, settled, wait_for
from tests.history_builder import build_history_workspace
from tui.app import WorktopApp
from tui.main_screen import MainScreen
from tui.recurring_screen import RecurringScreen, RuleForm
from widgets.pulse import PulseView

HISTORY_NOW = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


def fresh(ws: Workspace):
    return Workspace(ws.path, today=ws.today).snapshot()


@pytest.fixture
def history_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    ws, _ids = build_history_workspace(tmp_path / "worktop.json", monkeypatch)
    return ws


def history_app(ws: Workspace) -> WorktopApp:
    app = WorktopApp(ws, watch=False, clock=lambda: HISTORY_NOW)
    app.theme = "textual-dark"
    return app


def instances(ws: Workspace, template: int) -> dict[str, dict]:
    return {doc["occurrence"]: doc for doc in fresh(ws).docs.values() if doc.get("instance_of") == template}


async def test_key_5_shows_the_pulse_instead_of_the_four_panes_and_1_brings_them_back(history_ws):
    app = history_app(history_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        await pilot.press("5")
        screen = app.screen
        pulse = screen.query_one(PulseView)
        # layout settles after the key; under load that can take more than one pause
        assert await wait_for(pilot, lambda: pulse.region.width > 150 and pulse.region.height > 40)
        assert all(screen.query_one(f"#{p}").region.width == 0 for p in ("inbox", "board", "matrix", "why"))
        text = screen_text(app)
        # 8 weeks by default, so F (1 day, early December) counts too: 1, 1, 2, 4.5, 14
        assert "Cycle time" in text and "median 2.0 d · 85th percentile 14.0 d" in text
        assert "50%   2 of 4 finished with a due date were done by it" in text
        assert "this week so far" in text
        await pilot.press("1")
        assert await wait_for(pilot, lambda: pulse.region.width == 0 and screen.query_one("#inbox").region.width > 30)
        assert screen.query_one("#board").region.width > 30


async def test_pulse_window_key_changes_the_weeks_shown(history_ws):
    app = history_app(history_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        await pilot.press("5")
        await pilot.pause()
        pulse = app.screen.query_one(PulseView)
        assert len(pulse.pulse.weeks) == 8 and "Last 8 weeks" in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert len(pulse.pulse.weeks) == 12 and "Last 12 weeks" in screen_text(app)


async def test_narrow_layout_has_a_fifth_tab_for_the_pulse(history_ws):
    app = history_app(history_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app)
        await pilot.press("5")
        screen = app.screen
        assert await wait_for(pilot, lambda: screen.query_one(PulseView).region.width > 70)
        assert "5 Pulse" in screen_text(app)
        assert screen.query_one("#inbox").region.width == 0
        await pilot.press("tab")  # cycles round to the inbox
        assert await wait_for(pilot, lambda: screen.query_one(PulseView).region.width == 0)
        assert screen.current_pane == "inbox"


async def test_the_pulse_follows_changes_while_shown(history_ws):
    from data.writes.ops import Move

    app = history_app(history_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        await pilot.press("5")
        await pilot.pause()
        pulse = app.screen.query_one(PulseView)
        before = pulse.pulse.weeks[-1][1]
        todo = next(i for i, d in fresh(history_ws).docs.items() if d.get("status") == "todo" and d["kind"] == "task")
        app.apply_ops([Move(todo, "done")])
        await pilot.pause()
        assert pulse.pulse.weeks[-1][1] == before + 1


async def test_the_app_makes_due_instances_on_start_once(team_ws):
    template = team_ws.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "bo"})).item_id
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        assert await wait_for(pilot, lambda: len(instances(team_ws, template)) == 2)
        await settled(app)
        await pilot.pause()
        assert sorted(instances(team_ws, template)) == ["2026-11-30", "2026-12-07"]
        assert "Weekly release ·" in screen_text(app)  # on the board (the column is narrow)
        revision = fresh(team_ws).revision
    second = make_app(team_ws)  # another terminal starting: nothing more to make, nothing written
    async with second.run_test(size=(160, 50)) as pilot:
        await settled(second)
        await pilot.pause()
        assert fresh(team_ws).revision == revision


async def test_editing_a_template_in_the_editor_updates_future_instances(team_ws):
    template = team_ws.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "bo"})).item_id
    team_ws.apply(GenerateInstances())
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        app.apply_ops([SetFields(template, {"owner": "cy"})])  # what the editor's save does
        assert await wait_for(pilot, lambda: all(d["owner"] == "cy" for d in instances(team_ws, template).values()))


async def test_recurring_screen_lists_workflows_and_skips_and_pauses(team_ws):
    template = team_ws.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "bo"})).item_id
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RecurringScreen)
        text = screen_text(app)
        assert "Recurring workflows  1 · instances are made 14 days ahead" in text
        assert "every monday" in text and "Mon 30 Nov, Mon 7 Dec, Mon 14 Dec" in text and "2/2" in text
        await pilot.press("s")
        await pilot.pause()
        assert instances(team_ws, template)["2026-11-30"]["status"] == "declined"
        assert "skipped: 2026-11-30" in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert fresh(team_ws).docs[template]["paused"] is True
        assert "paused" in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert "paused" not in fresh(team_ws).docs[template]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_rule_form_previews_dates_refuses_a_bad_rule_and_saves(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        await pilot.press("R", "n")
        await pilot.pause()
        assert isinstance(app.screen, RuleForm)
        await pilot.press(*"every blue moon")
        await pilot.pause()
        assert "cannot read the rule 'every blue moon'" in screen_text(app)
        app.screen.query_one("#r-rule").value = "monthly on the 31st"
        await pilot.pause()
        text = screen_text(app)
        assert "means FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1" in text
        assert "next: Mon 30 Nov, Thu 31 Dec, Sun 31 Jan 2027, Sun 28 Feb 2027" in text
        await pilot.press("ctrl+s")  # no title yet: refused, the form stays with what was typed
        await pilot.pause()
        assert isinstance(app.screen, RuleForm) and app.screen.query_one("#r-rule").value == "monthly on the 31st"
        assert not [d for d in fresh(team_ws).docs.values() if d.get("kind") == "recurring"]
        app.screen.query_one("#r-title").value = "Close the books"
        app.screen.query_one("#r-owner").value = "cy"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecurringScreen)
        template = next(i for i, d in fresh(team_ws).docs.items() if d.get("kind") == "recurring")
        assert fresh(team_ws).docs[template]["rule"] == "monthly on the 31st"
        assert sorted(instances(team_ws, template)) == ["2026-11-30"]
        assert instances(team_ws, template)["2026-11-30"]["owner"] == "cy"
        assert "Close the books" in screen_text(app)


async def test_edit_rule_from_the_list(team_ws):
    template = team_ws.apply(CreateRecurring("Sync", "every monday")).item_id
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        await pilot.press("R", "e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RuleForm) and form.query_one("#r-rule").value == "every monday"
        form.query_one("#r-rule").value = "every tuesday"
        await pilot.press("ctrl+s")
        await pilot.pause()
        made = instances(team_ws, template)
        assert made["2026-11-30"]["status"] == "declined" and made["2026-12-01"]["status"] == "todo"


async def test_generating_when_another_terminal_made_everything_still_shows_the_newer_file(team_ws):
    from data.writes.recurrence import SetHorizon

    template = team_ws.apply(CreateRecurring("Weekly release", "every monday")).item_id
    app = make_app(team_ws)  # no watcher: only the generation's own read can bring the change in
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        other = Workspace(team_ws.path, actor="cy", today=team_ws.today)
        other.apply_all([SetHorizon(21), GenerateInstances()])  # another terminal makes 14 Dec
        assert len(instances(team_ws, template)) == 3
        app.generate_recurring()  # finds nothing left to make …
        # … but it read the newer file, so the screen must show it
        assert await wait_for(pilot, lambda: app.snapshot.revision == fresh(team_ws).revision)


async def test_a_new_day_makes_the_instances_the_horizon_now_reaches(team_ws):
    from datetime import date

    template = team_ws.apply(CreateRecurring("Weekly release", "every monday")).item_id
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(app)
        assert sorted(instances(team_ws, template)) == ["2026-11-30", "2026-12-07"]
        team_ws._today = date(2026, 12, 1)  # midnight passes (the workspace's pinned day moves on)
        app._check_disk()  # what the app's 2-second check runs
        assert await wait_for(pilot, lambda: "2026-12-14" in instances(team_ws, template))
        assert await wait_for(pilot, lambda: app.snapshot.revision == fresh(team_ws).revision)
