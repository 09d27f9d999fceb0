"""Recurring workflows: rule dates (month ends, daylight saving), instances made once, skip/pause/edit.

The ``workspace`` fixture is empty with people ana, ben and cy, acting as ana, today Wednesday 2025-01-15.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest

from data.errors import BadValue
from data.writes.ops import Move, SetFields
from data.writes.recurrence import (
    CreateRecurring,
    GenerateInstances,
    SetHorizon,
    SetPaused,
    SetRule,
    SkipOccurrence,
    parse_rule,
    workflows,
)
from data.writes.steps import ToggleStep
from data.writes.workspace import Workspace
from tests.support.stores import as_user, stored

pytestmark = pytest.mark.both_stores


def assert_history_matches_file(ws: Workspace) -> None:
    """Replaying the history (one write may hold several entries) gives what the store holds."""
    data = stored(ws)
    data["meta"] = {"1": data["meta"]}
    entries = Workspace(ws.path).snapshot().history.entries()
    revisions = sorted({e["rev"] for e in entries})
    assert revisions == list(range(1, len(revisions) + 1)), "revisions 1..N with no gap"
    assert [e["rev"] for e in entries] == sorted(e["rev"] for e in entries)
    assert data["meta"]["1"]["revision"] == revisions[-1]
    state: dict[int, dict[str, Any]] = {}
    for entry in entries:
        if entry["item"] is None:
            continue
        doc = state.setdefault(entry["item"], {})
        for name, (old, new) in entry["changes"].items():
            if "." in name:  # a checklist step's done flag
                continue
            assert _norm(doc.get(name)) == _norm(old), f"rev {entry['rev']} #{entry['item']} {name}"
            doc[name] = new
    for item_id, fields in state.items():
        for name, value in fields.items():
            if name != "checklist":
                assert _norm(data["items"][str(item_id)].get(name)) == _norm(value), f"#{item_id} {name}"


def _norm(value: Any) -> Any:
    return None if value in ("", [], {}) else value


def days(*isos: str) -> list[date]:
    return [date.fromisoformat(iso) for iso in isos]


def instances(ws: Workspace, template_id: int) -> dict[str, dict[str, Any]]:
    """occurrence → stored instance doc, as another process reads the file."""
    data = stored(ws)
    found: dict[str, dict[str, Any]] = {}
    for key, doc in data["items"].items():
        if doc.get("instance_of") == template_id:
            assert doc["occurrence"] not in found, f"two instances for {doc['occurrence']}"
            found[doc["occurrence"]] = dict(doc, id=int(key))
    return found


def on_day(ws: Workspace, today: date, actor: str = "ana") -> Workspace:
    return as_user(ws, actor, today=today)


# -- rules ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "start", "expected"), [
    ("every monday", "2025-01-15", ["2025-01-20", "2025-01-27", "2025-02-03"]),
    ("every weekday", "2025-01-17", ["2025-01-17", "2025-01-20", "2025-01-21"]),
    ("every 2 weeks", "2025-01-15", ["2025-01-15", "2025-01-29", "2025-02-12"]),
    ("every other friday", "2025-01-15", ["2025-01-17", "2025-01-31", "2025-02-14"]),
    ("every mon and thu", "2025-01-15", ["2025-01-16", "2025-01-20", "2025-01-23"]),
    ("monthly on the 1st", "2025-01-15", ["2025-02-01", "2025-03-01", "2025-04-01"]),
    ("monthly on the first monday", "2025-01-15", ["2025-02-03", "2025-03-03", "2025-04-07"]),
    ("monthly on the last day", "2025-01-15", ["2025-01-31", "2025-02-28", "2025-03-31"]),
    ("quarterly", "2025-01-15", ["2025-01-15", "2025-04-15", "2025-07-15"]),
    ("every day", "2025-01-15", ["2025-01-15", "2025-01-16", "2025-01-17"]),
    ("FREQ=WEEKLY;BYDAY=TU", "2025-01-15", ["2025-01-21", "2025-01-28", "2025-02-04"]),
    ("RRULE:FREQ=MONTHLY;BYDAY=-1FR", "2025-01-15", ["2025-01-31", "2025-02-28", "2025-03-28"]),
])
def test_rules_give_the_dates_a_person_expects(text: str, start: str, expected: list[str]) -> None:
    rule = parse_rule(text, date.fromisoformat(start))
    assert rule.next_dates(date.fromisoformat(start), 3) == days(*expected)


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months_and_leap_february() -> None:
    rule = parse_rule("monthly on the 31st", date(2027, 11, 1))
    assert rule.dates(date(2027, 11, 1), date(2028, 5, 1)) == days(
        "2027-11-30", "2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30")
    # "monthly" from the 30th keeps the 30th, except in February
    assert parse_rule("monthly", date(2027, 1, 30)).next_dates(date(2027, 1, 30), 3) == days(
        "2027-01-30", "2027-02-28", "2027-03-30")
    # A plain RRULE keeps the RFC's meaning: months without a 31st are skipped.
    assert parse_rule("FREQ=MONTHLY;BYMONTHDAY=31", date(2027, 1, 1)).next_dates(date(2027, 1, 1), 3) == days(
        "2027-01-31", "2027-03-31", "2027-05-31")


def test_rules_across_daylight_saving_changes_keep_their_dates() -> None:
    # 00:30 Berlin time every Sunday; summer time ends on Sunday 25 Oct 2026. A rule counted in
    # UTC hours would land on Saturday 23:30 from then on.
    berlin = parse_rule("DTSTART;TZID=Europe/Berlin:20261011T003000 RRULE:FREQ=WEEKLY", date(2026, 1, 1))
    assert berlin.dates(date(2026, 10, 11), date(2026, 11, 8)) == days(
        "2026-10-11", "2026-10-18", "2026-10-25", "2026-11-01", "2026-11-08")
    # 02:30 New York daily, across the spring-forward night (8 Mar 2026, 02:30 does not exist): no day lost or doubled.
    new_york = parse_rule("DTSTART;TZID=America/New_York:20260306T023000 RRULE:FREQ=DAILY", date(2026, 1, 1))
    assert new_york.dates(date(2026, 3, 6), date(2026, 3, 10)) == days(
        "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10")
    # Friendly rules are dates, not times: a workspace on either side of the change agrees.
    weekly = parse_rule("every sunday", date(2026, 10, 18))
    assert weekly.dates(date(2026, 10, 18), date(2026, 11, 1)) == days("2026-10-18", "2026-10-25", "2026-11-01")
    assert weekly.dates(date(2026, 10, 25), date(2026, 10, 25)) == days("2026-10-25")


@pytest.mark.parametrize(("text", "message"), [
    ("every blue moon", "cannot read the rule"),
    ("", "empty"),
    ("FREQ=HOURLY", "at most one task a day"),
    ("FREQ=WEEKLY;BYDAY=XX", "cannot read the rule"),
    ("monthly on the 32nd", "cannot read the rule"),
])
def test_unreadable_rules_say_what_works(text: str, message: str) -> None:
    with pytest.raises(BadValue, match=message):
        parse_rule(text, date(2025, 1, 15))


def test_a_rule_that_can_never_happen_is_refused(workspace: Workspace) -> None:
    """Unbounded, dateutil searches to the year 9999 (3+ s); the search is bounded (how fast: bench, not here)."""
    with pytest.raises(BadValue, match="gives no date"):
        workspace.apply(CreateRecurring("Feb 31st party", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"))
    assert len(workspace.snapshot().items) == 0


# -- making instances -------------------------------------------------------------------

def test_instances_are_made_up_to_the_horizon_with_the_template_copied(workspace: Workspace) -> None:
    template = workspace.apply(CreateRecurring(
        "Weekly release", "every monday", fields={"owner": "ben", "why": "Customers get fixes weekly", "tags": "ops"},
        checklist=["Cut the branch", "Write the notes"])).item_id
    op = GenerateInstances()
    workspace.apply(op)
    made = instances(workspace, template)
    assert sorted(made) == ["2025-01-20", "2025-01-27"]  # horizon 14 days from Wed 15 Jan
    assert sorted(op.created) == sorted(doc["id"] for doc in made.values())
    first = made["2025-01-20"]
    assert first["title"] == "Weekly release · Mon 20 Jan"
    assert first["owner"] == "ben" and first["due"] == "2025-01-20" and first["tags"] == ["ops"]
    assert first["why"] == "Customers get fixes weekly"
    assert [step["text"] for step in first["checklist"]] == ["Cut the branch", "Write the notes"]
    assert first["status"] == "todo" and first["kind"] == "task"
    history = workspace.history(first["id"])
    assert history[0]["summary"] == f"made #{first['id']} from recurring #{template} for 2025-01-20"
    assert history[0]["changes"]["occurrence"] == [None, "2025-01-20"]
    # Nothing more to make: no write at all.
    revision = workspace.snapshot().revision
    assert workspace.apply(GenerateInstances()).changed is False
    assert workspace.snapshot().revision == revision
    assert_history_matches_file(workspace)


def test_the_horizon_setting_and_later_days_make_more(workspace: Workspace) -> None:
    template = workspace.apply(CreateRecurring("Stand-up notes", "every weekday")).item_id
    workspace.apply_all([SetHorizon(3), GenerateInstances()])
    assert sorted(instances(workspace, template)) == ["2025-01-15", "2025-01-16", "2025-01-17"]
    on_day(workspace, date(2025, 1, 20)).apply(GenerateInstances())
    assert sorted(instances(workspace, template))[-3:] == ["2025-01-21", "2025-01-22", "2025-01-23"]
    assert len(instances(workspace, template)) == 7  # 15,16,17,20,21,22,23: weekends never
    with pytest.raises(BadValue, match="1 to 366"):
        workspace.apply(SetHorizon(0))


def test_a_finished_or_declined_instance_is_never_made_again(workspace: Workspace) -> None:
    template = workspace.apply(CreateRecurring("Access review", "every monday")).item_id
    workspace.apply(GenerateInstances())
    made = instances(workspace, template)
    workspace.apply(Move(made["2025-01-20"]["id"], "done"))
    workspace.apply(Move(made["2025-01-27"]["id"], "archived"))
    assert workspace.apply(GenerateInstances()).changed is False
    assert len(instances(workspace, template)) == 2


def test_paused_makes_nothing_and_resuming_does_not_fill_in_the_paused_weeks(workspace: Workspace) -> None:
    template = workspace.apply(CreateRecurring("Hand over on-call", "every friday")).item_id
    workspace.apply_all([SetPaused(template, True), GenerateInstances()])
    assert instances(workspace, template) == {}
    later = on_day(workspace, date(2025, 2, 5))
    assert later.apply(GenerateInstances()).changed is False
    later.apply_all([SetPaused(template, False), GenerateInstances()])
    assert sorted(instances(workspace, template)) == ["2025-02-07", "2025-02-14"]
    with pytest.raises(BadValue, match="already running"):
        later.apply(SetPaused(template, False))


def test_skip_declines_the_made_instance_and_the_date_is_never_made(workspace: Workspace) -> None:
    template = workspace.apply(CreateRecurring("Weekly release", "every monday")).item_id
    workspace.apply(GenerateInstances())
    skip = SkipOccurrence(template)  # the next one
    workspace.apply(skip)
    assert skip.skipped_day == "2025-01-20"
    made = instances(workspace, template)
    assert made["2025-01-20"]["status"] == "declined"
    assert "skipped" in made["2025-01-20"]["decline_reason"]
    workspace.apply(SkipOccurrence(template, "2025-02-03"))  # not made yet: it never will be
    on_day(workspace, date(2025, 1, 29)).apply(GenerateInstances())
    assert sorted(instances(workspace, template)) == ["2025-01-20", "2025-01-27", "2025-02-10"]
    with pytest.raises(BadValue, match="not a date of recurring"):
        workspace.apply(SkipOccurrence(template, "2025-01-21"))
    with pytest.raises(BadValue, match="already skipped"):
        workspace.apply(SkipOccurrence(template, "2025-02-03"))


def test_template_edits_reach_future_instances_not_started_or_changed_by_hand(workspace: Workspace) -> None:
    template = workspace.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "ben"},
                                               checklist=["Cut the branch"])).item_id
    workspace.apply(SetHorizon(21))
    workspace.apply(GenerateInstances())
    made = instances(workspace, template)
    started, edited, untouched = (made[d]["id"] for d in ("2025-01-20", "2025-01-27", "2025-02-03"))
    workspace.apply(Move(started, "doing"))
    workspace.apply(SetFields(edited, {"owner": "cy"}))
    workspace.apply_all([SetFields(template, {"owner": "ana", "title": "Release train"}), GenerateInstances()])
    made = instances(workspace, template)
    assert made["2025-01-20"]["owner"] == "ben" and made["2025-01-20"]["title"] == "Weekly release · Mon 20 Jan"
    assert made["2025-01-27"]["owner"] == "cy"  # the person's own change wins …
    assert made["2025-01-27"]["title"] == "Release train · Mon 27 Jan"  # … but untouched fields follow
    assert made["2025-02-03"]["owner"] == "ana" and made["2025-02-03"]["title"] == "Release train · Mon 3 Feb"
    # A ticked step is the person's: the checklist is left alone from then on.
    workspace.apply(ToggleStep(untouched, 0))
    workspace.apply_all([SetFields(template, {"owner": "ben"}), GenerateInstances()])
    assert instances(workspace, template)["2025-02-03"]["checklist"][0]["done"] is True
    # A day later, the past instance is not touched by edits any more.
    on_day(workspace, date(2025, 1, 21)).apply_all([SetFields(template, {"tags": "ops"}), GenerateInstances()])
    made = instances(workspace, template)
    assert "tags" not in made["2025-01-20"] and made["2025-02-03"]["tags"] == ["ops"]
    assert_history_matches_file(workspace)


def test_a_new_rule_declines_unstarted_instances_it_no_longer_gives(workspace: Workspace) -> None:
    template = workspace.apply(CreateRecurring("Sync", "every monday")).item_id
    workspace.apply(GenerateInstances())
    workspace.apply_all([SetRule(template, "every tuesday"), GenerateInstances()])
    made = instances(workspace, template)
    assert made["2025-01-20"]["status"] == made["2025-01-27"]["status"] == "declined"
    assert "every tuesday" in made["2025-01-20"]["decline_reason"]
    assert [d for d, doc in sorted(made.items()) if doc["status"] == "todo"] == ["2025-01-21", "2025-01-28"]


def test_workflows_lists_state_and_next_dates(workspace: Workspace) -> None:
    running = workspace.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "ben"})).item_id
    paused = workspace.apply(CreateRecurring("Monthly costs", "monthly on the 1st")).item_id
    workspace.apply_all([SetPaused(paused, True), SkipOccurrence(running, "2025-01-27"), GenerateInstances()])
    listed = {w.id: w for w in workflows(workspace.snapshot(), workspace.today, count=3)}
    assert listed[running].state == "running" and listed[running].owner == "ben"
    assert listed[running].next_dates == days("2025-01-20", "2025-02-03", "2025-02-10")
    assert listed[running].instances == 1 and listed[running].open_instances == 1  # 27 Jan skipped before it was made
    assert listed[paused].state == "paused" and listed[paused].next_dates[0] == date(2025, 2, 1)


# -- at the same moment, from several processes ------------------------------------------------

GENERATOR = """
import sys
from datetime import date, timedelta
from data.writes.recurrence import GenerateInstances
from data.writes.workspace import Workspace

path, number = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
made = []
for step in range(40):
    # every process walks the same days, so each date is contended by all of them
    ws = Workspace(path, actor=f"g{number}", today=date(2025, 1, 15) + timedelta(days=step // 2))
    op = GenerateInstances()
    ws.apply(op)
    made.extend(op.created)
print(" ".join(map(str, made)), flush=True)
"""


@pytest.mark.slow
def test_four_processes_generating_at_once_make_exactly_one_instance_per_date(
        workspace: Workspace, python_children: Any) -> None:
    weekly = workspace.apply(CreateRecurring("Weekly release", "every monday, thursday")).item_id
    daily = workspace.apply(CreateRecurring("Stand-up notes", "every weekday")).item_id
    month_end = workspace.apply(CreateRecurring("Close the books", "monthly on the 31st")).item_id
    generators = [python_children.start(GENERATOR, workspace.path, n, stdin=subprocess.PIPE) for n in range(4)]
    for proc in generators:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    for proc in generators:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    made_by = []
    for proc in generators:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        made_by.append([int(x) for x in out.split()])
    last_day = date(2025, 1, 15) + timedelta(days=19) + timedelta(days=14)
    for template, rule in ((weekly, "every monday, thursday"), (daily, "every weekday"),
                           (month_end, "monthly on the 31st")):
        expected = parse_rule(rule, date(2025, 1, 15)).dates(date(2025, 1, 15), last_day)
        assert sorted(instances(workspace, template)) == [d.isoformat() for d in expected], rule
    everything = [i for ids in made_by for i in ids]
    assert len(everything) == len(set(everything))  # no process claims an instance another made
    total = sum(len(instances(workspace, t)) for t in (weekly, daily, month_end))
    assert len(everything) == total
    assert_history_matches_file(workspace)
    print(json.dumps({"instances": total, "by_process": [len(ids) for ids in made_by]}))
