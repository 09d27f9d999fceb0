"""Dates people type (``fri``, ``+3d``, ``2026-12-01``) and how due dates read back."""

from __future__ import annotations

from datetime import date

import pytest

from data.model.dates import BadDate, describe_due, parse_date

WEDNESDAY = date(2025, 1, 15)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", date(2025, 1, 15)),
        ("tomorrow", date(2025, 1, 16)),
        ("yesterday", date(2025, 1, 14)),
        ("wed", date(2025, 1, 15)),  # today counts as the next Wednesday
        ("thu", date(2025, 1, 16)),
        ("fri", date(2025, 1, 17)),
        ("mon", date(2025, 1, 20)),
        ("tue", date(2025, 1, 21)),
        ("Friday", date(2025, 1, 17)),
        ("  FRI  ", date(2025, 1, 17)),
        ("+3d", date(2025, 1, 18)),
        ("-2d", date(2025, 1, 13)),
        ("+2w", date(2025, 1, 29)),
        ("+1m", date(2025, 2, 15)),
        ("+12m", date(2026, 1, 15)),
        ("2026-12-01", date(2026, 12, 1)),
    ],
)
def test_accepted_forms(typed: str, expected: date) -> None:
    assert parse_date(typed, WEDNESDAY) == expected


def test_months_clamp_to_the_last_day() -> None:
    assert parse_date("+1m", date(2025, 1, 31)) == date(2025, 2, 28)
    assert parse_date("+1m", date(2024, 1, 31)) == date(2024, 2, 29)
    assert parse_date("-1m", date(2025, 3, 31)) == date(2025, 2, 28)


@pytest.mark.parametrize("typed", ["", "   ", "fri!", "2025-02-30", "+3x", "3d", "someday", "next year"])
def test_rejected_forms_say_what_is_accepted(typed: str) -> None:
    with pytest.raises(BadDate) as error:
        parse_date(typed, WEDNESDAY)
    message = str(error.value)
    assert "YYYY-MM-DD" in message and "+3d" in message


def test_bad_date_is_a_value_error() -> None:
    """Callers that catch ValueError (the CLI's bad-input exit code) catch BadDate."""
    assert issubclass(BadDate, ValueError)


def test_default_today_is_the_local_date() -> None:
    assert parse_date("today") == date.today()


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2025, 1, 15), "today"),
        (date(2025, 1, 16), "tomorrow"),
        (date(2025, 1, 13), "2d late"),
        (date(2025, 1, 17), "fri"),
        (date(2025, 1, 21), "tue"),
        (date(2025, 3, 5), "Mar 5"),
        (date(2026, 2, 1), "2026-02-01"),
    ],
)
def test_describe_due(due: date, expected: str) -> None:
    assert describe_due(due, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dec 24", date(2025, 12, 24)),
        ("24 dec", date(2025, 12, 24)),
        ("December 24", date(2025, 12, 24)),
        ("24 december 2026", date(2026, 12, 24)),
        ("dec 24 2026", date(2026, 12, 24)),
        ("jan 5", date(2026, 1, 5)),  # already past this year: the next one
        ("jan 15", date(2025, 1, 15)),  # today counts
        ("sept 3", date(2025, 9, 3)),
        ("3rd march", date(2025, 3, 3)),
        ("next friday", date(2025, 1, 24)),  # Friday of next week, not the coming one (that is 'fri')
        ("next mon", date(2025, 1, 20)),
        ("next week", date(2025, 1, 20)),
        ("next month", date(2025, 2, 1)),
        ("in 3 days", date(2025, 1, 18)),
        ("in 1 week", date(2025, 1, 22)),
        ("in 2 months", date(2025, 3, 15)),
        ("eow", date(2025, 1, 17)),
        ("eom", date(2025, 1, 31)),
    ],
)
def test_date_words_people_type(typed: str, expected: date) -> None:
    assert parse_date(typed, WEDNESDAY) == expected


@pytest.mark.parametrize("typed", ["31 feb", "fri 3", "mayo 3", "24/12", "next", "in days", "dec"])
def test_near_misses_are_refused_not_guessed(typed: str) -> None:
    with pytest.raises(BadDate):
        parse_date(typed, WEDNESDAY)


def test_the_month_name_parser_is_not_loaded_at_start_up() -> None:
    """python-dateutil's parser costs ~20 ms to import: only a month name typed loads it."""
    import subprocess
    import sys

    code = ("import sys; from datetime import date; from data.model.dates import parse_date; "
            "parse_date('fri', date(2025, 1, 15)); parse_date('+3d', date(2025, 1, 15)); "
            "print('dateutil.parser' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
