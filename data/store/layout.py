"""The workspace file's format: one TinyDB JSON file, one document per line.

Format 2 (this one) writes the three tables, settings first, each item on a line
of its own::

    {"meta":{"1":{...settings, revision...}},
    "people":{"1":{...},"2":{...}},
    "items":{
    "1":{...},
    "2":{...}
    }}

It is ordinary JSON, so TinyDB (and ``jq``, and any JSON reader) reads it as
the tables ``meta``, ``people`` and ``items``. The layout is what makes work
cost what it touches rather than what the workspace holds: JSON strings cannot
hold a raw line break, so ``\\n"42":`` begins item 42's line and nothing else,
and

* a command that changes one item (``worktop add``, ``set``) reads the bytes,
  parses the settings and people lines and the lines it touches, and splices
  the new lines in — no parse of the whole file (:class:`Lines`);
* a reader holding the previous version compares lines and parses only the
  ones that changed (:func:`changed_lines`): no change note to trust.

The history is not in this file any more (it grew with every change ever made,
and every write rewrote it): it is appended to ``NAME.history`` beside it
(data/store/history_file.py). Format 1 files (history inside, one line) are
read as before and upgrade themselves on their first write.

Nothing here trusts the bytes: a file that is not in this exact layout (a hand
edit, ``jq .``, another program) is parsed whole and rewritten in the layout
by the next write; every document is checked (data/model/documents.py).
"""

# Annotations are evaluated here, not postponed (no `from __future__ import annotations`): typing.NamedTuple
# compiles each one that is a string, and every write (worktop add's too) defines this module's NamedTuples.
import gc
from collections.abc import Callable, Iterable, Mapping
from itertools import islice, repeat
from pathlib import Path
from typing import Any, NamedTuple

from data.errors import WorkspaceUnreadable
from data.model.documents import ITEM_FIELD_TYPES, MAX_DEPTH, PERSON_FIELD_TYPES, depth, document_problem, first_damaged
from data.store import jsonline
from data.store.safe_open import gc_paused

FORMAT = "worktop"
"""Value of ``meta.format`` that marks a file as a worktop workspace."""

FORMAT_VERSION = 2
"""2: one document per line, history in ``NAME.history``. 1: everything on one line, history inside."""

_META_HEAD = b'{"meta":{"1":'
_META_TAIL = b"},"
_PEOPLE_HEAD = b'"people":'
_ITEMS_HEAD = b'"items":{'
_FOOTER = b"}}"


# -- reading -------------------------------------------------------------------------------------------------------

class Parsed(NamedTuple):
    """A workspace file read whole."""

    meta: dict[str, Any]
    people: dict[str, dict[str, Any]]
    items: dict[str, dict[str, Any]]
    version: int
    history: dict[str, dict[str, Any]] | None
    """A format-1 file's history table, to move out on the first write."""
    other_tables: list[bytes]
    """Lines of the tables worktop does not know (a newer worktop's, another tool's): kept as they are."""


def parse(raw: bytes, path: Path) -> Parsed:
    """Parse and check a whole workspace file.

    Raises:
        WorkspaceUnreadable: not JSON, not a worktop workspace, a newer format, or a
            damaged document (named, with what is wrong).
    """
    import orjson

    if not raw.strip():
        raise WorkspaceUnreadable(f"{path} is empty; it is not a worktop workspace. Nothing was written")
    try:
        with gc_paused():
            data = orjson.loads(raw)
            # Move the new, acyclic data out of the collector's young generation before it is
            # switched back on, or the first allocation after this walks every object just parsed.
            gc.freeze()
    except orjson.JSONDecodeError as error:
        raise WorkspaceUnreadable(f"{path} is not valid JSON ({error}); nothing was written") from None
    data = validate(data, path)
    meta = data["meta"]["1"]
    version = meta.get("format_version", 1)
    try:
        others = [table_line(name, table) for name, table in data.items()
                  if name not in ("meta", "people", "items", "history")]
    except orjson.JSONEncodeError as error:
        raise WorkspaceUnreadable(f"{path}: a table worktop does not know cannot be stored again ({error}); "
                                  "nothing was written") from None
    return Parsed(meta=meta, people=data["people"], items=data["items"], version=version,
                  history=data.get("history") if version < 2 else None, other_tables=others)


def validate(data: Any, path: Path) -> dict[str, Any]:
    """Check that parsed JSON is a worktop workspace, every document included; raise a clear error if not."""
    if not isinstance(data, dict):
        raise WorkspaceUnreadable(
            f"{path} is not a worktop workspace (it holds a JSON {type(data).__name__}, "
            "not an object); nothing was written"
        )
    meta = data.get("meta")
    doc = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise WorkspaceUnreadable(
            f"{path} is JSON but not a worktop workspace (no meta.format = \"worktop\"); "
            "nothing was written"
        )
    if len(meta) != 1:
        raise WorkspaceUnreadable(f"{path}: the meta table holds documents worktop does not know "
                                  f"({', '.join(k for k in meta if k != '1')[:60]}); nothing was written")
    check_meta(doc, path)
    tables = ("items", "people", "history") if doc.get("format_version", 1) < 2 else ("items", "people")
    for table in tables:
        docs = data.setdefault(table, {})  # a missing table is an empty one
        if not isinstance(docs, dict):
            raise WorkspaceUnreadable(f"{path}: table {table!r} is not an object; nothing was written")
        # C-speed checks (about 0.5 ms at 10k items, 7 ms at 50k); the slow loop only names the culprit.
        if not (all_ids(docs) and set(map(type, docs.values())) <= {dict}):
            key = next(k for k, v in docs.items() if type(v) is not dict or not is_id(k))
            raise WorkspaceUnreadable(
                f"{path}: {table} entry {key!r} is not a document with a numeric id; nothing was written"
            )
    for table, types, name in (("items", ITEM_FIELD_TYPES, "item #{}"), ("people", PERSON_FIELD_TYPES, "person {}")):
        damaged = first_damaged(data[table], types)
        if damaged is not None:
            raise WorkspaceUnreadable(damage_message(path, name.format(damaged[0]), damaged[1]))
    return data


MAX_ID_DIGITS = 15
"""Longest document id (below 2**53, so an id plus one is still exact everywhere, JSON readers in browsers too)."""

MAX_STATUSES = 24
"""Most workflow statuses a workspace may have (each is a board column)."""


def is_id(key: str) -> bool:
    """A document id: ASCII digits, at most :data:`MAX_ID_DIGITS` (``"¹"`` is a digit to Python, not a number)."""
    return key.isascii() and key.isdigit() and len(key) <= MAX_ID_DIGITS


def all_ids(keys: Iterable[str]) -> bool:
    """:func:`is_id` for every key, in C loops (a call per key was ~1 µs each: 50 ms at 50k items)."""
    keys = list(keys)
    if not keys:
        return True
    joined = "".join(keys)  # ASCII digits throughout, so every key is; lengths bound each
    return joined.isascii() and joined.isdigit() and min(map(len, keys)) >= 1 and max(map(len, keys)) <= MAX_ID_DIGITS


def check_meta(doc: dict[str, Any], path: Path) -> None:
    """Enough structure in the settings document that the rest of worktop can trust it."""
    version = doc.get("format_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise WorkspaceUnreadable(
            f"{path} was written by a newer worktop (format {version}, this one reads "
            f"{FORMAT_VERSION}); upgrade worktop. Nothing was written"
        )
    revision = doc.get("revision", 0)
    if type(revision) is not int or not 0 <= revision < 2**53:
        raise WorkspaceUnreadable(f"{path}: meta revision {revision!r:.40} is not a revision number; nothing was written")
    statuses = doc.get("statuses")
    if statuses is not None and not (isinstance(statuses, list) and all(isinstance(s, str) and s for s in statuses)):
        raise WorkspaceUnreadable(f"{path}: meta statuses {statuses!r:.60} is not a list of names; nothing was written")
    if statuses is not None and (len(statuses) > MAX_STATUSES or len(set(statuses)) != len(statuses)
                                 or any(len(s) > 40 for s in statuses)):
        raise WorkspaceUnreadable(f"{path}: meta statuses must be at most {MAX_STATUSES} different names of at most "
                                  f"40 characters ({len(statuses)} given); nothing was written")
    if depth(doc) > MAX_DEPTH:
        raise WorkspaceUnreadable(f"{path}: the settings are nested more than {MAX_DEPTH} levels deep, too deep to "
                                  "store; nothing was written")
    wip = doc.get("wip")
    if wip is not None and not (isinstance(wip, dict) and all(type(n) is int for n in wip.values())):
        raise WorkspaceUnreadable(f"{path}: meta wip {wip!r} is not a map of status to number; nothing was written")
    last = doc.get("last_change")
    if last is not None and not (isinstance(last, dict) and all(type(v) in (str, int) for v in last.values())):
        raise WorkspaceUnreadable(f"{path}: meta last_change {last!r:.60} is not a change summary; nothing was written")
    if not isinstance(doc.get("name", ""), str):
        raise WorkspaceUnreadable(f"{path}: meta name {doc['name']!r:.60} is not text; nothing was written")
    for number in ("history_bytes", "item_count", "next_id"):
        value = doc.get(number, 0)
        if type(value) is not int or value < 0:
            raise WorkspaceUnreadable(f"{path}: meta {number} {value!r:.40} is not a count; nothing was written")


def damage_message(path: Path, what: str, problem: str) -> str:
    return f"{path}: {what}: {problem}; nothing was written (fix or remove that document, or restore the backup)"


MAX_TABLE_LINES = 64
"""Tables besides meta and items (people, and any a newer worktop or another tool added) a file may hold."""


def header_lines(raw: bytes) -> list[tuple[int, int]] | None:
    """Where the lines before the items table are: (start, end) of the settings line, then one per table.

    None unless the bytes start with the settings line and reach the ``"items":{`` line within
    :data:`MAX_TABLE_LINES` table lines, each ``"name":{…},``.
    """
    if not raw.startswith(_META_HEAD):
        return None
    spans: list[tuple[int, int]] = []
    start = 0
    for _ in range(MAX_TABLE_LINES + 2):
        end = raw.find(b"\n", start)
        if end < 0:
            return None
        if raw[start:end] == _ITEMS_HEAD:
            return spans if spans and raw[spans[0][1] - len(_META_TAIL):spans[0][1]] == _META_TAIL else None
        if spans and not (raw.startswith(b'"', start) and raw[end - 1:end] == b"," and b'":{' in raw[start:end]):
            return None
        spans.append((start, end))
        start = end + 1
    return None


def in_line_layout(raw: bytes, meta: Mapping[str, Any]) -> bool:
    """Whether ``raw`` is exactly format 2's layout: the header lines, one item per line, the count the settings say.

    Anything else — a hand edit that joined or split lines, ``jq .`` — is read whole.
    """
    heads = header_lines(raw)
    return heads is not None and _layout_items(raw, len(heads), meta.get("item_count")) is not None


def _layout_items(raw: bytes, header_count: int, count: object) -> list[bytes] | None:
    """The item lines (with their commas) when ``raw`` after its header lines is exactly the items table's layout.

    That is: the ``"items":{`` line, ``count`` lines that each start with a key's quote and end with a
    document's ``}`` (and a comma, all but the last), and ``}}``. JSON strings hold no raw line break, so
    this pins one item a line. One split and three C-speed passes (~3 ms at 10k items).
    """
    if type(count) is not int or count < 0 or not raw.endswith(_FOOTER):
        return None
    parts = raw.split(b"\n")
    first = header_count + 1  # parts[header_count] is the "items":{ line
    if len(parts) != first + count + 1 or parts[-1] != _FOOTER:
        return None
    items = parts[first:-1]
    if not items:
        return items
    last = items[-1]
    if not (all(map(bytes.startswith, items, repeat(b'"'))) and all(map(bytes.endswith, islice(items, count - 1),
                                                                      repeat(b"},")))
            and last.endswith(b"}") and not last.endswith(b"},")):
        return None
    return items


# -- the lazy view ---------------------------------------------------------------------------------------------------

class Lines:
    """A format-2 file's bytes, its documents found by line instead of by parsing the whole file.

    Build it only on bytes :func:`in_line_layout` accepted.
    """

    def __init__(self, raw: bytes, path: Path) -> None:
        self.raw = raw
        self.path = path
        heads = header_lines(raw)
        if heads is None:
            raise WorkspaceUnreadable(f"{path} is not in worktop's line layout")
        self._meta_span = heads[0]
        self._header_count = len(heads)
        self.tables: dict[str, tuple[int, int]] = {}
        """Each table line before the items (``people`` and any other) by name: where its line is."""
        for start, end in heads[1:]:
            self.tables[raw[start + 1:raw.index(b'"', start + 1)].decode("utf-8", "replace")] = (start, end)
        self.head_end = heads[-1][1]
        """Offset of the line break before the ``"items":{`` line."""
        self.body = self.head_end + 1 + len(_ITEMS_HEAD)
        """Offset of the line break that ends the items table's header."""
        self.footer = len(raw) - len(_FOOTER) - 1
        """Offset of the line break before the closing ``}}``."""
        self._spans: dict[str, tuple[int, int] | None] = {}
        """Lines already looked for (a write looks for a new id's line twice: is it free, where does it go)."""
        self._items: list[bytes] | None = None
        """The item lines, once :meth:`in_layout` has found the bytes in the layout."""

    def in_layout(self, meta: Mapping[str, Any]) -> bool:
        """:func:`in_line_layout` for these bytes, keeping the item lines it split them into: an id that is not
        in the file (a new item's) is then known without a search through the whole file."""
        self._items = _layout_items(self.raw, self._header_count, meta.get("item_count"))
        return self._items is not None

    def meta(self) -> dict[str, Any]:
        start, end = self._meta_span
        meta = self._loads(self.raw[start + len(_META_HEAD):end - len(_META_TAIL)], "the settings line")
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise WorkspaceUnreadable(f"{self.path}: the settings line is not worktop's; nothing was written")
        check_meta(meta, self.path)
        return meta

    def table_line(self, name: str) -> bytes | None:
        span = self.tables.get(name)
        return None if span is None else self.raw[span[0]:span[1]]

    def people(self) -> dict[str, dict[str, Any]]:
        line = self.table_line("people")
        if line is None:
            return {}
        table = self._loads(line[len(_PEOPLE_HEAD):-1], "the people line")
        if not isinstance(table, dict) or not all(isinstance(d, dict) and is_id(k) for k, d in table.items()):
            raise WorkspaceUnreadable(f"{self.path}: the people table is not a table of documents; nothing was written")
        damaged = first_damaged(table, PERSON_FIELD_TYPES)
        if damaged is not None:
            raise WorkspaceUnreadable(damage_message(self.path, f"person {damaged[0]}", damaged[1]))
        return table

    def other_tables(self) -> list[bytes]:
        """The lines of tables worktop does not know (kept as they are, in their order)."""
        return [self.raw[s:e] for name, (s, e) in self.tables.items() if name != "people"]

    def span(self, key: str) -> tuple[int, int] | None:
        """Where item ``key``'s line is (start, end without the comma); None if there is none.

        A search of the whole file when there is none (~2 ms at 10k items), so each key is looked for once.
        """
        if key in self._spans:
            return self._spans[key]
        head = b'"' + key.encode() + b'":'
        if self._items is not None and not any(map(bytes.startswith, self._items, repeat(head))):
            self._spans[key] = None  # a new id: no item line starts with it (C-speed, where a search reads every byte)
            return None
        at = self.raw.find(b"\n" + head, self.body, self.footer + 1)
        found: tuple[int, int] | None = None
        if at >= 0:
            end = self.raw.find(b"\n", at + 1)
            if self.raw[end - 1:end] == b",":
                end -= 1
            found = (at + 1, end)
        self._spans[key] = found
        return found

    def doc(self, key: str) -> dict[str, Any] | None:
        """Item ``key``'s document, parsed from its line alone and checked; None if there is none."""
        span = self.span(key)
        if span is None:
            return None
        parsed = self._loads(b"{" + self.raw[span[0]:span[1]] + b"}", f"item #{key}'s line")
        doc = parsed.get(key) if isinstance(parsed, dict) and len(parsed) == 1 else None
        if not isinstance(doc, dict):
            raise WorkspaceUnreadable(f"{self.path}: item #{key}'s line is not one document; nothing was written")
        problem = document_problem(doc, ITEM_FIELD_TYPES)
        if problem is not None:
            raise WorkspaceUnreadable(damage_message(self.path, f"item #{key}", problem))
        return doc

    def item_lines(self) -> list[bytes]:
        """Every item's line, without its comma, in file order (C-speed: one split)."""
        if self.footer <= self.body:
            return []
        return self.raw[self.body + 1:self.footer].split(b",\n")

    def _loads(self, text: bytes, what: str) -> Any:
        try:
            return jsonline.loads(text)
        except jsonline.JSONDecodeError as error:
            raise WorkspaceUnreadable(f"{self.path}: {what} is not valid JSON ({error}); nothing was written") from None


def line_key(line: bytes) -> str:
    """The item id an item line starts with (``b'"42":{…}'`` → ``"42"``)."""
    return line[1:line.index(b'"', 1)].decode()


def parse_line(line: bytes, path: Path) -> tuple[str, dict[str, Any]]:
    """One item line, parsed and checked."""
    try:
        parsed = jsonline.loads(b"{" + line + b"}")
    except jsonline.JSONDecodeError as error:
        raise WorkspaceUnreadable(f"{path}: an item line is not valid JSON ({error}); nothing was written") from None
    if not isinstance(parsed, dict) or len(parsed) != 1:
        raise WorkspaceUnreadable(f"{path}: an item line is not one document; nothing was written")
    ((key, doc),) = parsed.items()
    if not is_id(key) or not isinstance(doc, dict):
        raise WorkspaceUnreadable(f"{path}: item line {key!r:.20} is not a document with a numeric id")
    problem = document_problem(doc, ITEM_FIELD_TYPES)
    if problem is not None:
        raise WorkspaceUnreadable(damage_message(path, f"item #{key}", problem))
    return key, doc


# -- writing ---------------------------------------------------------------------------------------------------------

def item_line(key: str, doc: dict[str, Any], dumps: Callable[[Any], bytes] = jsonline.dumps) -> bytes:
    """One item's line; ``dumps``: orjson's where many lines are made at once (:func:`item_lines`)."""
    return b'"' + key.encode() + b'":' + dumps(doc)


def item_lines(items: Iterable[tuple[str, dict[str, Any]]]) -> list[bytes]:
    """The lines of many items (a whole file written): orjson's speed, as a whole file's parse has."""
    import orjson

    return [item_line(key, doc, orjson.dumps) for key, doc in items]


def meta_line(meta: dict[str, Any]) -> bytes:
    return _META_HEAD + jsonline.dumps(meta) + _META_TAIL


def people_line(people: dict[str, dict[str, Any]]) -> bytes:
    return _PEOPLE_HEAD + jsonline.dumps(people) + b","


def table_line(name: str, table: dict[str, Any]) -> bytes:
    """The line of a table worktop does not know (read whole, with orjson: it may be large)."""
    import orjson

    return orjson.dumps(name) + b":" + orjson.dumps(table) + b","


def encode(meta: dict[str, Any], people: dict[str, dict[str, Any]], lines: Iterable[bytes],
           other_tables: Iterable[bytes] = ()) -> bytes:
    """A whole file in format 2's layout from the settings, the people, other tables' lines and the item lines."""
    body = b",\n".join(lines)
    return b"\n".join((meta_line(meta), people_line(people), *other_tables,
                       _ITEMS_HEAD + (b"\n" + body if body else b""), _FOOTER))


SPLICE_LIMIT = 32
"""Changed items above which a write rebuilds the items table from its lines instead of finding each one."""


def splice(lines: Lines, meta: dict[str, Any], people: dict[str, dict[str, Any]] | None,
           changed: Mapping[str, dict[str, Any] | None]) -> bytes:
    """The file with ``changed`` items replaced (None: removed) or added, new settings and (if given) people.

    Few changes touch only their own lines (found with a C-speed search);
    removals and many changes rebuild the table from its lines (one split).
    """
    raw = lines.raw
    # New people, else the old line kept as it is; a file whose people line is gone (a hand edit) gets an
    # empty table again, as encode() writes one.
    old_people = lines.table_line("people")
    people_bytes = people_line(people) if people is not None else old_people or people_line({})
    head = b"\n".join([meta_line(meta), people_bytes, *lines.other_tables()])
    if len(changed) <= SPLICE_LIMIT and all(doc is not None for doc in changed.values()):
        spans: list[tuple[int, int, bytes]] = []
        appended: list[bytes] = []
        for key, doc in changed.items():
            span = lines.span(key)
            assert doc is not None
            if span is None:
                appended.append(item_line(key, doc))
            else:
                spans.append((span[0], span[1], item_line(key, doc)))
        spans.sort()
        view = memoryview(raw)  # slices of the old bytes are copied once, by the join, not once each before it
        parts: list[bytes | memoryview] = [head, view[lines.head_end:spans[0][0] if spans else lines.footer]]
        for index, (_start, end, new) in enumerate(spans):
            parts.append(new)
            parts.append(view[end:spans[index + 1][0] if index + 1 < len(spans) else lines.footer])
        if appended:
            parts.append(b",\n" if lines.footer > lines.body else b"\n")
            parts.append(b",\n".join(appended))
        parts.append(view[lines.footer:])
        return b"".join(parts)
    docs = [(key, doc) for key, doc in changed.items() if doc is not None]
    made = item_lines(docs) if len(docs) > SPLICE_LIMIT else [item_line(key, doc) for key, doc in docs]
    by_key = dict(zip((key for key, _doc in docs), made, strict=True))
    kept = []
    present = set()
    for line in lines.item_lines():
        key = line_key(line)
        present.add(key)
        if key not in changed:
            kept.append(line)
        elif key in by_key:
            kept.append(by_key[key])
    kept.extend(line for key, line in by_key.items() if key not in present)
    return encode(meta, people if people is not None else lines.people(), kept, lines.other_tables())


# -- comparing two versions ------------------------------------------------------------------------------------------

class LineDiff(NamedTuple):
    """What changed between two versions of a file in format 2's layout."""

    set: dict[str, dict[str, Any]]
    """Items whose line is new or different, parsed and checked."""
    removed: list[str]
    """Items whose line is gone."""
    order_kept: bool = True
    """Whether the items still there are in the same order (else a caller rebuilds the order)."""


def changed_lines(old: set[bytes], new: list[bytes], path: Path) -> LineDiff:
    """Compare the item lines of two versions (C-speed set operations); parse only the lines that differ."""
    fresh = [line for line in new if line not in old]
    changed: dict[str, dict[str, Any]] = {}
    for line in fresh:
        key, doc = parse_line(line, path)
        if key in changed:
            raise WorkspaceUnreadable(f"{path}: item #{key} is in the file twice; nothing was written")
        changed[key] = doc
    gone = old.difference(new) if len(new) - len(fresh) != len(old) else set()
    return LineDiff(changed, [key for key in map(line_key, gone) if key not in changed])


__all__ = ["FORMAT", "FORMAT_VERSION", "LineDiff", "Lines", "Parsed", "changed_lines", "encode", "in_line_layout",
           "item_line", "item_lines", "line_key", "meta_line", "parse", "parse_line", "people_line", "splice", "validate"]
