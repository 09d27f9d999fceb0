"""What a stored document must look like, checked as a file is read.

A workspace file is written by everyone who shares it and can be edited by
hand, so a document may hold anything JSON can: ``"title": {}``, tags that are
a string, a rank that is a word, an unknown field nested 300 levels deep (which
parses, but can never be written back). Each of those would crash whatever
reads it first — first paint, a live reload, every later write. So every
document is checked once, when the file is read (and each document a change
note brings, when it is applied); a damaged one is a clear error naming the
item, the field and what it holds, and nothing is written.

Fields this version does not know are allowed (a newer worktop may add them)
as long as they nest no deeper than :data:`MAX_DEPTH`, which keeps every file
that can be read writable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

_K = TypeVar("_K")

MAX_DEPTH = 64
"""How deeply an unknown field may nest lists and objects (orjson writes at most 254)."""

_TEXT = (str,)
_OPTIONAL_TEXT = (str, type(None))
_OPTIONAL_ID = (int, type(None))
_NUMBER = (int, float)

ITEM_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "kind": _TEXT,
    "title": _TEXT,
    "body": _OPTIONAL_TEXT,
    "status": _TEXT,
    "owner": _OPTIONAL_TEXT,
    "roles": (dict, type(None)),
    "due": _OPTIONAL_TEXT,
    "snoozed_until": _OPTIONAL_TEXT,
    "checklist": (list, type(None)),
    "parent": _OPTIONAL_ID,
    "goal": _OPTIONAL_ID,
    "why": _OPTIONAL_TEXT,
    "why_log": (list, type(None)),
    "tags": (list, type(None)),
    "priority": _OPTIONAL_ID,
    "requester": _OPTIONAL_TEXT,
    "duplicate_of": _OPTIONAL_ID,
    "decline_reason": _OPTIONAL_TEXT,
    "rank": (int, float, type(None)),
    "created_at": _OPTIONAL_TEXT,
    "created_by": _OPTIONAL_TEXT,
    "updated_at": _OPTIONAL_TEXT,
    "updated_by": _OPTIONAL_TEXT,
    "status_since": _OPTIONAL_TEXT,
    # recurring workflows (data/writes/recurrence.py): templates and their instances
    "rule": _OPTIONAL_TEXT,
    "rule_start": _OPTIONAL_TEXT,
    "generate_from": _OPTIONAL_TEXT,
    "skipped": (list, type(None)),
    "paused": (bool, type(None)),
    "instance_of": _OPTIONAL_ID,
    "occurrence": _OPTIONAL_TEXT,
    # dependencies
    "blocked_by": (list, type(None)),
    # where an imported item came from (data/interchange/apply.py)
    "source": (dict, type(None)),
}
"""The JSON type each known item field may have."""

PERSON_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "handle": _TEXT,
    "name": _OPTIONAL_TEXT,
    "team": _OPTIONAL_TEXT,
    "capacity": (int, type(None)),
}


_STR = frozenset({str})


def _all_text(values: Iterable[Any]) -> bool:
    return _STR.issuperset(map(type, values))  # every value exactly text, in one C-speed pass


def _roles(value: dict[str, Any]) -> str | None:
    return None if _all_text(value) and _all_text(value.values()) else "is not a map of handles to role letters"


def _tags(value: list[Any]) -> str | None:
    return None if _all_text(value) else "is not a list of words"


def _checklist(value: list[Any]) -> str | None:
    for step in value:
        if type(step) is not dict or type(step.get("text")) is not str or type(step.get("done", False)) is not bool:
            return f"holds a step {_show(step)} that is not {{'text': ..., 'done': true/false}}"
        # A step of text and done is two levels deep with the list; only other fields can nest deeper.
        if not step.keys() <= _STEP_KEYS and depth(step, MAX_DEPTH - 1) > MAX_DEPTH - 1:
            return f"is nested more than {MAX_DEPTH} levels deep, too deep to store"
    return None


_STEP_KEYS = frozenset(("text", "done"))
_LOG_KEYS = frozenset(("at", "by", "text", "kind"))


def _why_log(value: list[Any]) -> str | None:
    for entry in value:
        if type(entry) is not dict or not (type(entry.get("at", "")) is str and type(entry.get("by", "")) is str
                                           and type(entry.get("text", "")) is str
                                           and type(entry.get("kind", "")) is str):
            return f"holds an entry {_show(entry)} that is not {{'at', 'by', 'text', 'kind'}} text"
        # Only fields beyond the four texts can nest (the list and the entry are two levels).
        if not entry.keys() <= _LOG_KEYS and depth(entry, MAX_DEPTH - 1) > MAX_DEPTH - 1:
            return f"is nested more than {MAX_DEPTH} levels deep, too deep to store"
    return None


def _source(value: dict[str, Any]) -> str | None:
    """``{"system", "id", "fields", "seen"}``: text, text, any fields a source had (depth-bounded), hashes."""
    if type(value.get("system", "")) is not str or type(value.get("id", "")) is not str:
        return "does not name its system and id as text"
    seen = value.get("seen")
    if seen is not None and (type(seen) is not dict or not _all_text(seen.values())):
        return "holds 'seen' that is not a map of text"
    fields = value.get("fields")
    if fields is not None and (type(fields) is not dict or depth(fields) > MAX_DEPTH - 2):
        return f"holds 'fields' that are not an object nested at most {MAX_DEPTH - 2} levels deep"
    return None


def _ids(value: list[Any]) -> str | None:
    return None if all(type(v) is int for v in value) else "is not a list of item ids"


_CONTAINER_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "roles": _roles,
    "tags": _tags,
    "skipped": _tags,
    "blocked_by": _ids,
    "source": _source,
    "checklist": _checklist,
    "why_log": _why_log,
}


def _show(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number",
            bool: "true/false", type(None): "null"}.get(type(value), type(value).__name__)


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests lists and objects, counting no further than ``limit + 1``."""
    deepest, level, stack = 0, 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if type(node) is dict:
            node = node.values()
        elif type(node) is not list:
            continue
        level += 1
        if level > deepest:
            deepest = level
            if deepest > limit:
                return deepest
        stack.extend((child, level) for child in node if type(child) in (dict, list))
    return deepest


def document_problem(doc: dict[str, Any], types: dict[str, tuple[type, ...]]) -> str | None:
    """What is wrong with one stored document, in words (``"title is {} (an object), not text"``); None if fine."""
    for name, value in doc.items():
        allowed = types.get(name)
        kind = type(value)
        if allowed is None:
            if (kind is dict or kind is list) and depth(value) > MAX_DEPTH:
                return f"{name} is nested more than {MAX_DEPTH} levels deep, too deep to store"
            continue
        if kind not in allowed:
            want = " or ".join(dict.fromkeys(_type_name(t()) if t is not type(None) else "null" for t in allowed))
            return f"{name} is {_show(value)} ({_type_name(value)}), not {want}"
        check = _CONTAINER_CHECKS.get(name)
        if check is not None and value:
            problem = check(value)
            if problem:
                return f"{name} {problem}"
    return None


def first_damaged(docs: Mapping[_K, dict[str, Any]], types: dict[str, tuple[type, ...]]) -> tuple[_K, str] | None:
    """The first document of a table that :func:`document_problem` finds fault with: (key, problem).

    About 1 µs a document: documents of one shape (the same fields in the same
    order, as worktop writes them) share one precomputed tuple of allowed types,
    checked with ``isinstance`` in a C loop; only the lists and maps among them,
    and documents with fields this version does not know, take the slow path.
    """
    shapes: dict[tuple[str, ...], _Shape | None] = {}
    for key, doc in docs.items():
        names = tuple(doc)
        shape = shapes.get(names, _UNSEEN)
        if shape is _UNSEEN:
            shape = shapes[names] = _shape(names, types)
        suspect = shape is None or not all(map(isinstance, doc.values(), shape[0]))
        if not suspect:
            for name, check in shape[1]:  # the lists and maps of this shape (a plain loop: no generator per doc)
                value = doc[name]
                if value and check(value) is not None:
                    suspect = True
                    break
        if suspect:
            problem = document_problem(doc, types)
            if problem is not None:
                return key, problem
    return None


_UNSEEN: Any = object()


_Shape = tuple[tuple[tuple[type, ...], ...], tuple[tuple[str, Callable[[Any], str | None]], ...]]


def _shape(names: tuple[str, ...], types: dict[str, tuple[type, ...]]) -> _Shape | None:
    """Allowed types per field of documents with these fields, and which of them to look inside (with
    the check for each); None: unknown fields."""
    if not all(name in types for name in names):
        return None
    return (tuple(types[name] for name in names),
            tuple((name, _CONTAINER_CHECKS[name]) for name in names if name in _CONTAINER_CHECKS))


__all__ = ["ITEM_FIELD_TYPES", "MAX_DEPTH", "PERSON_FIELD_TYPES", "depth", "document_problem", "first_damaged"]
