"""Pulse figures and the Markdown report, on a history whose figures were worked out by hand
(the table in tests/history_builder.py), on the file and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from data.views.pulse import compute_pulse, percentile_nearest_rank
from data.views.report import build_report, md_escape
from tests.history_builder import TODAY

pytestmark = pytest.mark.both_stores


@pytest.fixture
def built(history_workspace):
    return history_workspace


def test_pulse_figures_equal_the_hand_computed_ones(built) -> None:
    ws, ids = built
    pulse = compute_pulse(ws.snapshot(), TODAY, weeks=4)
    assert pulse.weeks == [(date(2024, 12, 23), 1), (date(2024, 12, 30), 0), (date(2025, 1, 6), 2),
                           (date(2025, 1, 13), 2)]
    by_id = {f.item_id: f for f in pulse.finished}
    assert set(by_id) == {ids[x] for x in "ABCDE"}
    assert {x: by_id[ids[x]].cycle_days for x in "ABCDE"} == {"A": 2.0, "B": 4.5, "C": 1.0, "D": None, "E": 14.0}
    assert pulse.cycle_count == 4
    assert pulse.cycle_median == 3.25
    assert pulse.cycle_p85 == 14.0
    assert (pulse.on_time, pulse.with_due, pulse.on_time_rate) == (2, 4, 0.5)
    assert pulse.wip_by_status == {"todo": 1, "doing": 1, "review": 1}
    assert pulse.wip_limits == {"doing": 5, "review": 3}
    assert pulse.wip_by_person == {"ben": (1, 0), "cy": (1, 0), "": (0, 1)}
    assert pulse.overdue == [ids["G"]]
    assert pulse.inbox == [ids["R"]] and pulse.inbox_oldest_days == 10
    assert pulse.gaps == {"who": [ids["H"]], "when": [ids["H"]], "why": [ids["H"]]}


def test_pulse_json_has_every_figure(built) -> None:
    ws, _ids = built
    data = compute_pulse(ws.snapshot(), TODAY, weeks=4).as_json()
    assert data["cycle_time_days"] == {"median": 3.25, "p85": 14.0, "items": 4, "finished": 5}
    assert data["on_time"] == {"rate": 0.5, "on_time": 2, "with_due": 4}
    assert [w["finished"] for w in data["throughput"]] == [1, 0, 2, 2]
    assert data["inbox"]["size"] == 1 and data["overdue"]["count"] == 1


def test_a_longer_window_counts_older_work() -> None:
    assert percentile_nearest_rank([5.0, 1.0, 3.0], 85) == 5.0
    assert percentile_nearest_rank(list(map(float, range(1, 101))), 85) == 85.0  # not 86: no float drift
    assert percentile_nearest_rank([], 85) is None


def test_an_empty_workspace_has_a_pulse_of_nothing(workspace) -> None:
    pulse = compute_pulse(workspace.snapshot(), workspace.today, weeks=8)
    assert len(pulse.weeks) == 8 and all(count == 0 for _, count in pulse.weeks)
    assert pulse.cycle_median is None and pulse.on_time_rate is None and pulse.inbox_oldest_days is None


def test_report_has_the_sections_and_items_grouped_by_owner(built) -> None:
    ws, ids = built
    report = build_report(ws.snapshot(), TODAY, since=date(2025, 1, 8))
    sections = [line for line in report.splitlines() if line.startswith("#")]
    assert sections == ["## Status update · acme · Wed 15 Jan 2025", "### Done", "### In progress",
                        "### Overdue or blocked", "### Gaps"]
    done = report.split("### Done")[1].split("### In progress")[0]
    # A (8 Jan), B (10 Jan), E (13 Jan), D (14 Jan) since 8 Jan; C (24 Dec) is older.
    assert f"**@ana**\n- #{ids['A']} Task A (finished Wed 8 Jan)\n- #{ids['D']} Task D (finished Tue 14 Jan)" in done
    assert f"**@ben**\n- #{ids['B']} Task B (finished Fri 10 Jan)" in done
    assert f"#{ids['E']} Task E" in done and "Task C" not in done
    progress = report.split("### In progress")[1].split("### Overdue")[0]
    assert f"**@cy**\n- #{ids['I']} Task I · review · due Thu 16 Jan" in progress
    stuck = report.split("### Overdue or blocked")[1].split("### Gaps")[0]
    assert f"**@ben**\n- #{ids['G']} Task G · doing, due Tue 14 Jan, 1 day overdue" in stuck
    gaps = report.split("### Gaps")[1]
    assert f"- No owner (1): #{ids['H']} Task H" in gaps and f"- No why (1): #{ids['H']} Task H" in gaps
    assert "Since Wed 8 Jan: 4 done · 1 in progress · 1 overdue or blocked · 1 with gaps" in report
    assert "Weekly release" not in report  # templates are not work


def test_report_escapes_markdown_in_titles_and_shows_blocked(built) -> None:
    from data.writes.ops import CreateItem, Move

    ws, _ids = built
    item = ws.apply(CreateItem("Fix *all* the [links](x) <b>", fields={"owner": "ana", "tags": "blocked"})).item_id
    ws.apply(Move(item, "doing"))
    report = build_report(ws.snapshot(), TODAY, since=date(2025, 1, 8))
    stuck = report.split("### Overdue or blocked")[1].split("### Gaps")[0]
    assert f"- #{item} Fix \\*all\\* the \\[links\\](x) \\<b\\> · doing, blocked" in stuck
    assert md_escape("a_b`c") == "a\\_b\\`c"


def test_start_and_finish_times_take_the_first_start_and_the_last_finish() -> None:
    """Read as they were one pass over the moves: the first in-progress move that has a time, the last done move
    that has one (a member can write anything into the history: a time that is not one is passed over)."""
    from data.views.pulse import finish_times, start_times, status_times

    statuses = ("inbox", "todo", "doing", "review", "done")
    moves = [(1, "garbage", "doing"), (1, "2025-01-02T09:00:00Z", "doing"), (1, "2025-01-03T09:00:00Z", "review"),
             (1, "2025-01-04T09:00:00Z", "done"), (2, "2025-01-05T09:00:00Z", "doing"),
             (1, "2025-01-06T09:00:00Z", "doing"), (1, "2025-01-07T09:00:00Z", "done"), (1, "2025-13-40T09:00:00Z", "done"),
             (3, "2025-01-08T09:00:00Z", "done")]
    started, finished = status_times(moves, statuses)
    assert {k: v.isoformat() for k, v in started.items()} == {1: "2025-01-02T09:00:00+00:00", 2: "2025-01-05T09:00:00+00:00"}
    assert {k: v.isoformat() for k, v in finished.items()} == {1: "2025-01-07T09:00:00+00:00", 3: "2025-01-08T09:00:00+00:00"}
    assert finish_times(moves, statuses) == finished
    assert start_times(moves, statuses, {2, 3}) == {2: started[2]}


def test_the_history_lines_holding_a_word_are_the_lines_a_split_finds() -> None:
    from data.store.history_file import lines_holding

    needle = b'"status":['
    for raw in (b"", b"x", needle, b"\n" + needle + b"\n", b'a"status":[b\nc\n"status":["x"]\n\n', needle * 2 + b"\nz",
                b"\n".join(b'{"rev":%d,"changes":{"status":["a","b"]}}' % n if n % 3 else b'{"rev":%d}' % n
                           for n in range(50))):
        assert lines_holding(raw, needle) == [line for line in raw.split(b"\n") if needle in line]
