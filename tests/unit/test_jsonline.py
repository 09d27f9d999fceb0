"""One line's JSON without orjson's import: it reads and writes what orjson reads and writes.

``worktop add`` reads and writes a few lines with the stdlib's json
(data/store/jsonline.py); the app reads whole files with orjson. Both must
agree on every line, or one process would accept what another refuses.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.demo import make_demo
from data.store import jsonline, layout
from data.store.file_store import read_file, read_history
from data.store.history_file import entry_line

VALID = [
    b'{"title":"Fix the login","tags":["ops","web"],"rank":10038.0,"priority":2,"done":false,"parent":null}',
    b'{"title":"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xe2\x80\xa8 \x7f","why":"a\\nb\\tc\\"d\\\\e\\u0001\\u00e9"}',
    b'{"emoji":"\\ud83d\\ude00","upper":"\\uD83D\\uDE00"}',
    b' { "spaced" : [ 1 , 2 ] } ',
    b'{"a":1,"a":2}',
    b'[9223372036854775807,-9223372036854775808,18446744073709551615,-0,0.1,1e16,1E-7,2.5e+3,1e308,5e-324]',
    b'[18446744073709551616,-9223372036854775809,123456789012345678901234567890]',
    b'"\\u0000"',
    b"[" * 500 + b"]" * 500,
]

INVALID = [
    b"", b"NaN", b"[Infinity]", b"[-Infinity]", b"[1e400]", b"[-1e999]", b'"\\ud800"', b'"\\udc00x"', b'"\\uD800"',
    b'"\xff"', b'"\xc3"', b"\xef\xbb\xbf{}", b'{"a":1} x', b'{"a":1,}', b"[01]", b'"\x01"', b"{'a':1}",
    b"[" * 2000 + b"]" * 2000, b'{"a":tru}', b"[1,2", b'"unterminated',
]


@pytest.mark.parametrize("line", VALID, ids=range(len(VALID)))
def test_a_line_reads_as_orjson_reads_it(line: bytes) -> None:
    got = jsonline.loads(line)
    assert got == orjson.loads(line)
    assert repr(got) == repr(orjson.loads(line))  # the same types too: 1.0 is not 1, an int beyond 64 bits a float


@pytest.mark.parametrize("line", INVALID, ids=range(len(INVALID)))
def test_a_line_orjson_refuses_is_refused_in_orjson_s_words(line: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError) as expected:
        orjson.loads(line)
    with pytest.raises(jsonline.JSONDecodeError) as refused:
        jsonline.loads(line)
    assert str(refused.value) == str(expected.value)


VALUES: list[Any] = [
    {"title": "Fix the login", "tags": ["ops"], "rank": 10038.0, "priority": 2, "done": False, "parent": None},
    {"text": "caf\u00e9 \u2014 \U0001f600 \u2028 \x7f \x00 \x1f \n\t\"\\"},
    [0.1, 1e16, 1e22, 123456789.123, -0.0, 5e-324, 1.7976931348623157e308, 9223372036854775807, -(2**63), 2**64 - 1],
    {"nested": {"a": [{"b": [None, True]}]}},
    (1, 2),
    "",
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_a_value_is_written_as_orjson_writes_it(value: Any) -> None:
    assert jsonline.dumps(value) == orjson.dumps(value)


@pytest.mark.parametrize("value", [float("nan"), [float("inf")], date(2025, 1, 15), {"d": date(2025, 1, 15)}],
                         ids=["nan", "inf", "date", "date-in-dict"])
def test_what_json_will_not_write_orjson_writes(value: Any) -> None:
    assert jsonline.dumps(value) == orjson.dumps(value)


@pytest.mark.parametrize("value", ["\ud800", {"k": "a\udc00"}, {"k": {1, 2}}, object()], ids=["lone", "in-dict", "set",
                                                                                            "object"])
def test_what_orjson_will_not_write_is_refused(value: Any) -> None:
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(value)
    with pytest.raises(TypeError):
        jsonline.dumps(value)


def test_small_floats_are_spelled_differently_but_read_the_same() -> None:
    """The one difference in what is written: the same number to every reader."""
    for number in (1e-7, 1e-5, 0.0001, 3.2e-10):
        assert jsonline.dumps(number) == json.dumps(number).encode()
        assert orjson.loads(jsonline.dumps(number)) == number == jsonline.loads(orjson.dumps(number))


def test_a_demo_workspace_s_lines_are_the_bytes_orjson_writes(tmp_path: Path) -> None:
    """Every item, the settings, the people and every history entry of a demo: line for line, byte for byte."""
    path = tmp_path / "w.json"
    make_demo(path, items=600, seed=3, today=date(2025, 1, 15))
    data, _ = read_file(path)
    for key, doc in data["items"].items():
        assert layout.item_line(key, doc) == layout.item_line(key, doc, orjson.dumps)
        assert jsonline.loads(orjson.dumps(doc)) == doc
    assert jsonline.dumps(data["meta"]["1"]) == orjson.dumps(data["meta"]["1"])
    assert jsonline.dumps(data["people"]) == orjson.dumps(data["people"])
    entries = read_history(path)
    assert entries
    for entry in entries:
        assert entry_line(entry) == entry_line(entry, orjson.dumps)
