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


@pytest.mark.parametrize("typed", ["", "   ", "next week", "fri!", "2025-02-30", "+3x", "3d", "someday"])
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
