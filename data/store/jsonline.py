"""JSON for one line of a workspace file or its history, read and written without importing orjson.

A write that touches one item (``worktop add``) reads three small lines (the
settings, the people, the line it touches) and writes three; the stdlib's
C-accelerated ``json`` does each in microseconds. Importing orjson costs ~12 ms
of that command's 80 ms budget (at import it loads dataclasses, inspect, uuid
and platform to recognise their types), more than all the JSON the command
does. Whole files and many lines at once stay orjson's: it parses a 4 MB file
three times as fast.

What is read and written is what orjson reads and writes, so a line means the
same to every worktop process:

* :func:`loads` gives orjson's answer. The ordinary line is parsed by ``json``;
  anything where the two libraries differ — ``NaN`` and ``Infinity``, a number
  out of float range, an integer beyond 64 bits, an escaped surrogate, bytes
  that are not UTF-8, nesting past the recursion limit, or any error at all —
  is handed to orjson, which decides (and words the error).
* :func:`dumps` writes compact UTF-8 JSON, as orjson does; a value ``json``
  refuses (NaN, a lone surrogate, a type it does not know) is handed to orjson,
  which writes or refuses it. What is written differs only where no worktop
  document goes: a few floats are spelled differently (``1e-07`` where orjson
  writes ``1e-7``, the same number to every reader), and json writes integers
  beyond 64 bits and number keys (as text) that orjson refuses to.
"""

from __future__ import annotations

import json
from typing import Any

JSONDecodeError = json.JSONDecodeError
"""What :func:`loads` raises (orjson's own error is a subclass of it)."""

INT_RANGE = range(-(2**63), 2**64)
"""The integers orjson reads as integers (it reads larger ones as floats)."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class _Unusual(Exception):
    """The line holds something orjson reads differently from json: orjson decides."""


def _number(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # 1e400: json reads infinity, orjson refuses the line
        raise _Unusual
    return value


def _integer(text: str) -> int:
    value = int(text)
    if value not in INT_RANGE:
        raise _Unusual
    return value


def _constant(_text: str) -> Any:
    raise _Unusual  # NaN, Infinity, -Infinity: not JSON


_DECODER = json.JSONDecoder(parse_float=_number, parse_int=_integer, parse_constant=_constant)


def loads(data: bytes) -> Any:
    """The JSON value of ``data``, as ``orjson.loads`` reads it.

    Raises:
        orjson.JSONDecodeError: (a subclass of :class:`json.JSONDecodeError`) not JSON, as orjson says.
    """
    if b"\\u" not in data or (b"\\ud" not in data and b"\\uD" not in data):  # surrogate escapes: orjson's rules
        try:
            return _DECODER.decode(data.decode("utf-8"))
        except (ValueError, _Unusual, RecursionError):
            pass
    import orjson

    return orjson.loads(data)


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, as ``orjson.dumps`` writes it.

    Raises:
        orjson.JSONEncodeError: (a :class:`TypeError`) a value orjson does not write either.
    """
    try:
        return _ENCODER.encode(value).encode("utf-8")
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError (a lone surrogate) is a ValueError
        pass
    import orjson

    return orjson.dumps(value)


__all__ = ["JSONDecodeError", "dumps", "loads"]
