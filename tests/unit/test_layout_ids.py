"""The document-id check that reads a whole table in C loops agrees with the one-key check on every kind of key."""

from __future__ import annotations

import pytest

from data.store.layout import MAX_ID_DIGITS, all_ids, is_id

KEYS = ["1", "42", "007", "0", "", "¹", "١٢", "12a", " 1", "1 ", "-1", "1.0", "9" * MAX_ID_DIGITS,
        "9" * (MAX_ID_DIGITS + 1), "１２"]


@pytest.mark.parametrize("key", KEYS)
def test_one_key_among_good_ones_is_judged_as_is_id_judges_it(key: str) -> None:
    assert all_ids(["1", key, "2"]) == is_id(key)
    assert all_ids([key]) == is_id(key)


def test_a_table_of_good_ids_and_an_empty_table_pass() -> None:
    assert all_ids(str(n) for n in range(1, 50_001))
    assert all_ids([])
