"""Filter queries people type: ``owner:ana due<fri #ops -#later "login page"``.

One grammar for the CLI's ``ls`` and the TUI's filter box. Terms are split like
a shell line (so quotes group words) and all must hold:

=====================  ==========================================================
``owner:ana``          owned by ana; ``owner:none`` unowned; ``owner:me`` yours
``status:doing``       in that status (``status:todo,doing`` for either)
``kind:request``       of that kind
``#ops`` / ``-#ops``   tagged / not tagged ``ops`` (``tag:ops`` also works)
``due<fri``            due before a date; also ``<=``, ``>``, ``>=``, ``=``
``due:none``           no due date (``due:DATE`` means due that day)
``overdue``            open work due before today
``snoozed``            snoozed: hidden from the inbox until a later day
``why:none``           no why on the item nor any parent or goal
``missing:who``        a missing answer: ``who``, ``when``, ``how``, ``why``, ``any``
``requester:bo``       asked for by bo (``none`` and ``me`` work here too)
``parent:12``          directly inside #12 (``parent:none`` for top-level items)
``priority:1``         priority 1 to 4, or ``none``
``blocked``            waiting on open work (any blocker not yet done)
``blocking``           open work that other open work waits on
``blocked_by:15``      waits on #15 (done or not); ``blocked_by:none`` waits on nothing
anything else          a word that the title or body contains, any case
``-TERM``              any term negated: ``-owner:me``, ``-status:done``
=====================  ==========================================================

Closed work (done, declined, archived) and snoozed work are left out unless
the query names a status (``status:done``, ``-status:todo``) or says
``snoozed``: :meth:`Query.in_scope` is that rule, for the CLI's ``ls`` and the
TUI's filter alike.

Comma-separated values mean "any of": ``owner:ana,bo``. Dates use
:func:`data.model.dates.parse_date` (``today``, ``fri``, ``+3d``, ``2026-12-01``).

Parsing does all the work that does not depend on the item (dates resolved,
words lowered, cheap tests ordered first), because the TUI filters every item
on each key press.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from data.model.dates import BadDate, parse_date
from data.model.dependencies import blockers_of, open_blockers
from data.model.items import ANSWERS, KINDS, Item, inherited_why, missing_answers

if TYPE_CHECKING:
    from data.model.snapshot import Snapshot

Test = Callable[[Item, "Snapshot"], bool]
"""One term compiled: does the item satisfy it?"""

KEYS = ("owner", "status", "kind", "tag", "due", "why", "missing", "requester", "parent", "priority", "blocked_by")
"""Keys accepted before a colon."""

_DUE_COMPARE = re.compile(r"^due(<=|>=|<|>|=)(.*)$", re.IGNORECASE)
_KEY_VALUE = re.compile(r"^([A-Za-z_]+):(.*)$", re.DOTALL)
_NONE_WORDS = frozenset({"none", "-", "nobody", "no"})

# Relative costs, so cheap tests reject most items before expensive ones run.
_CHEAP, _MEDIUM, _TEXT, _DERIVED = 0, 1, 2, 3


class BadQuery(ValueError):
    """A query that cannot be understood; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: ``matches`` tells whether an item satisfies every term."""

    text: str
    """The query as typed."""
    tests: tuple[Test, ...] = ()
    """Compiled terms, cheapest first."""
    shows_hidden: bool = False
    """Whether it names a status or says ``snoozed``: then closed and snoozed work is searched too."""
    handles: tuple[str, ...] = ()
    """The people named in ``owner:`` and ``requester:`` terms (not ``me`` or ``none``), lowercase."""
    asks_kinds: frozenset[str] = frozenset()
    """Kinds named in a positive ``kind:`` term."""

    def in_scope(self, item: Item, snapshot: Snapshot, today_iso: str) -> bool:
        """Whether the query looks at the item at all: open, unsnoozed work unless it asks for more."""
        if self.shows_hidden:
            return True
        if not snapshot.settings.is_open(item.status):
            return False
        until = item.snoozed_until
        return not (until and until > today_iso)

    @property
    def is_empty(self) -> bool:
        """True for a blank query, which matches everything."""
        return not self.tests

    def matches(self, item: Item, snapshot: Snapshot) -> bool:
        # A plain loop: all() over a generator costs ~30% more on this hot path.
        for test in self.tests:  # noqa: SIM110
            if not test(item, snapshot):
                return False
        return True

    def filter(self, items: Iterable[Item], snapshot: Snapshot) -> list[Item]:
        """The items that match, in the order given.

        Faster than calling :meth:`matches` per item: each term is one pass over
        what the cheaper terms before it let through.
        """
        result = items if isinstance(items, list) else list(items)
        for test in self.tests:
            result = [item for item in result if test(item, snapshot)]
        return result if result is not items else list(result)


def parse_query(text: str, *, me: str, today: date, statuses: Iterable[str] | None = None) -> Query:
    """Parse what a person typed into a :class:`Query`.

    Args:
        text: the query; blank matches everything.
        me: the handle ``owner:me`` and ``requester:me`` stand for.
        today: the day ``due<fri`` and ``overdue`` are relative to.
        statuses: the workspace's statuses, to reject a mistyped ``status:`` value;
            any value is accepted when omitted.

    Raises:
        BadQuery: unknown key, bad date, unknown kind or status, unbalanced quote.
    """
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise BadQuery(f"{str(error).lower()} in the query {text!r}") from None
    known_statuses = tuple(statuses) if statuses is not None else None
    compiled: list[tuple[float, Test]] = []
    free_words: list[str] = []
    shows_hidden = False
    handles: list[str] = []
    kinds: set[str] = set()
    for word in words:
        negate = len(word) > 1 and word.startswith("-")
        body = word[1:] if negate else word
        lowered = body.lower()
        if lowered.startswith("status:") or lowered == "snoozed":
            shows_hidden = True
        if lowered.startswith(("owner:", "requester:")):
            handles += [h.strip().lstrip("@") for h in lowered.split(":", 1)[1].split(",")
                        if h.strip().lstrip("@") not in ("", "me", *_NONE_WORDS)]
        if lowered.startswith("kind:") and not negate:
            kinds.update(k.strip() for k in lowered.split(":", 1)[1].split(","))
        term = _compile_term(body, me=me, today=today, statuses=known_statuses)
        if term is None:  # a free word
            if negate:
                compiled.append((_TEXT + 0.5, _negated(_text_test([body.lower()]))))
            else:
                free_words.append(body.lower())
            continue
        cost, test = term
        # A negated term lets most items through, so it runs after positive ones of its cost.
        compiled.append((cost + 0.5, _negated(test)) if negate else (cost, test))
    if free_words:
        compiled.append((_TEXT, _text_test(free_words)))
    compiled.sort(key=lambda pair: pair[0])  # stable: same-cost terms keep the typed order
    return Query(text=text, tests=tuple(test for _, test in compiled), shows_hidden=shows_hidden,
                 handles=tuple(dict.fromkeys(handles)), asks_kinds=frozenset(kinds))


def _compile_term(word: str, *, me: str, today: date, statuses: tuple[str, ...] | None) -> tuple[int, Test] | None:
    """Compile one term; ``None`` means it is a free word to search for."""
    if word.startswith("#"):
        return _CHEAP, _tag_test(word[1:], word)
    if word.lower() == "overdue":
        return _MEDIUM, _overdue_test(today.isoformat())
    if word.lower() == "snoozed":
        today_iso = today.isoformat()
        return _CHEAP, lambda item, _snap: bool(until := item.snoozed_until) and str(until) > today_iso
    if word.lower() == "blocked":
        return _MEDIUM, _blocked_test
    if word.lower() == "blocking":
        return _DERIVED, _blocking_test
    compare = _DUE_COMPARE.match(word)
    if compare:
        return _CHEAP, _due_compare_test(compare.group(1), _date(compare.group(2), today, word))
    key_value = _KEY_VALUE.match(word)
    if key_value is None:
        return None
    key, value = key_value.group(1).lower(), key_value.group(2).strip()
    if key not in KEYS:
        raise BadQuery(f"unknown key {key_value.group(1)!r} in {word!r}; keys: {', '.join(KEYS)}, or #tag, due<DATE, overdue")
    if not value:
        raise BadQuery(f"{word!r} needs a value, e.g. {_EXAMPLES[key]}")
    values = [part.strip() for part in value.split(",") if part.strip()]
    if key in ("owner", "requester"):
        return _CHEAP, _handle_test(key, values, me)
    if key == "status":
        if statuses is not None:
            for status in values:
                if status.lower() not in statuses:
                    raise BadQuery(f"unknown status {status!r} in {word!r}; statuses: {', '.join(statuses)}")
        wanted = frozenset(v.lower() for v in values)
        return _CHEAP, lambda item, _snap: item.status in wanted
    if key == "kind":
        for kind in values:
            if kind.lower() not in KINDS:
                raise BadQuery(f"unknown kind {kind!r} in {word!r}; kinds: {', '.join(KINDS)}")
        kinds = frozenset(v.lower() for v in values)
        return _CHEAP, lambda item, _snap: item.kind in kinds
    if key == "tag":
        tests = [_tag_test(v.lstrip("#"), word) for v in values]
        return _CHEAP, _any_of(tests)
    if key == "due":
        return _CHEAP, _due_value_test(values, today, word)
    if key == "why":
        if value.lower() not in _NONE_WORDS:
            raise BadQuery(f"{word!r}: only why:none is understood (items with no why, nor on a parent or goal)")
        has_why = _HasWhy()
        return _DERIVED, lambda item, snap: not has_why(item, snap)
    if key == "missing":
        return _DERIVED, _missing_test(values, word)
    if key == "parent":
        return _CHEAP, _id_test("parent", values, word)
    if key == "priority":
        return _CHEAP, _priority_test(values, word)
    if key == "blocked_by":
        return _CHEAP, _blocked_by_test(values, word)
    raise BadQuery(f"unknown key {key!r}")  # pragma: no cover - KEYS and the branches above agree


_EXAMPLES = {
    "owner": "owner:ana, owner:me or owner:none",
    "status": "status:doing",
    "kind": "kind:request",
    "tag": "tag:ops",
    "due": "due:none or due:2026-12-01",
    "why": "why:none",
    "missing": "missing:who (who, when, how, why or any)",
    "requester": "requester:bo",
    "parent": "parent:12",
    "priority": "priority:1",
    "blocked_by": "blocked_by:15 or blocked_by:none",
}


def _date(text: str, today: date, word: str) -> str:
    """A typed date as an ISO string: stored dates are ISO, and ISO strings order as dates."""
    try:
        return parse_date(text, today).isoformat()
    except BadDate as error:
        raise BadQuery(f"in {word!r}: {error}") from None


def _negated(test: Test) -> Test:
    return lambda item, snap: not test(item, snap)


def _any_of(tests: list[Test]) -> Test:
    if len(tests) == 1:
        return tests[0]
    return lambda item, snap: any(test(item, snap) for test in tests)


def _tag_test(tag: str, word: str) -> Test:
    wanted = tag.strip().lower()
    if not wanted:
        raise BadQuery(f"{word!r}: a tag needs a name, e.g. #ops")
    wanted_set = {wanted}
    known = _case_insensitive(wanted_set)

    def test(item: Item, _snap: Snapshot) -> bool:
        tags = item.tags
        if not tags:
            return False
        for stored in tags:
            hit = known.get(stored)
            if hit is None:
                hit = _remember(known, stored, wanted_set)
            if hit:
                return True
        return False

    return test


def _case_insensitive(wanted: set[str]) -> dict[str, bool]:
    """A memo of "is this stored word one of ``wanted`` (lowercase), ignoring case?".

    A workspace has few distinct handles and tags, so each is lowered once
    rather than once per item; callers fill it with :func:`_remember`.
    """
    return {}


def _remember(known: dict[str, bool], stored: str, wanted: set[str]) -> bool:
    hit = known[stored] = stored.lower() in wanted
    return hit


def _handle_test(key: str, values: list[str], me: str) -> Test:
    want_none = False
    handles: set[str] = set()
    for value in values:
        handle = value.lstrip("@").lower()
        if handle in _NONE_WORDS:
            want_none = True
        elif handle == "me":
            handles.add(me.lower())
        else:
            handles.add(handle)
    known = _case_insensitive(handles)
    # The memo lookup is inlined: this is the commonest filter on the hottest path.
    if key == "owner":
        def test(item: Item, _snap: Snapshot) -> bool:
            owner = item.owner
            if not owner:
                return want_none
            hit = known.get(owner)
            return _remember(known, owner, handles) if hit is None else hit
    else:
        def test(item: Item, _snap: Snapshot) -> bool:
            requester = item.requester
            if not requester:
                return want_none
            hit = known.get(requester)
            return _remember(known, requester, handles) if hit is None else hit
    return test


def _overdue_test(today_iso: str) -> Test:
    def test(item: Item, snap: Snapshot) -> bool:
        due = item.due or ""
        return bool(due) and due < today_iso and snap.settings.is_open(item.status)

    return test


def _due_compare_test(op: str, bound: str) -> Test:
    # One attribute read per item: Item fields are properties over the stored dict.
    if op == "<":
        return lambda item, _snap: bool(due := item.due or "") and due < bound
    if op == "<=":
        return lambda item, _snap: bool(due := item.due or "") and due <= bound
    if op == ">":
        return lambda item, _snap: bool(due := item.due or "") and due > bound
    if op == ">=":
        return lambda item, _snap: bool(due := item.due or "") and due >= bound
    return lambda item, _snap: item.due == bound


def _due_value_test(values: list[str], today: date, word: str) -> Test:
    want_none = False
    days: set[str] = set()
    for value in values:
        if value.lower() in _NONE_WORDS:
            want_none = True
        else:
            days.add(_date(value, today, word))
    def test(item: Item, _snap: Snapshot) -> bool:
        due = item.due
        return want_none if not due else due in days

    return test


def _missing_test(values: list[str], word: str) -> Test:
    answers: set[str] = set()
    for value in values:
        answer = value.lower()
        if answer == "any":
            answers.update(a for a in ANSWERS if a != "what")
        elif answer in ANSWERS and answer != "what":
            answers.add(answer)
        else:
            raise BadQuery(f"{word!r}: missing: takes who, when, how, why or any")

    # Cheap necessary conditions first (an answer can only be missing when the
    # item's own field is empty), so the full check runs for few items.
    # tests/unit/test_query.py checks the result agrees with missing_answers.
    has_why = _HasWhy()
    maybe: list[Callable[[Item, Snapshot], bool]] = [_MAYBE_MISSING[a] for a in sorted(answers) if a != "why"]
    if "why" in answers:
        maybe.append(lambda item, snap: not has_why(item, snap))

    def test(item: Item, snap: Snapshot) -> bool:
        for could_be_missing in maybe:
            if could_be_missing(item, snap):
                return not answers.isdisjoint(missing_answers(item, snap.items, snap.settings))
        return False

    return test


_MAYBE_MISSING: dict[str, Callable[[Item, Snapshot], bool]] = {
    "who": lambda item, _snap: not item.owner,
    "when": lambda item, _snap: not item.due,
    "how": lambda item, _snap: not item.checklist and item.kind in ("project", "workstream"),
}


class _HasWhy:
    """Does the item, or a goal or parent above it, say why? (``bool(inherited_why(...))``)

    The answer for each parent is remembered for the snapshot being filtered:
    thousands of tasks share a few hundred parents, and walking every task's
    chain again costs more than the rest of a query.
    """

    __slots__ = ("snapshot", "parents")

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.parents: dict[int, bool] = {}

    def __call__(self, item: Item, snap: Snapshot) -> bool:
        if item.why:
            return True
        items = snap.items
        goal = item.goal
        if goal is not None:
            above = items.get(goal)
            if above is not None and above.why:
                return True
        parent = item.parent
        if parent is None:
            return False
        if snap is not self.snapshot:
            self.snapshot, self.parents = snap, {}
        known = self.parents.get(parent)
        if known is None:
            above = items.get(parent)
            # inherited_why(item) goes on to exactly what inherited_why(parent) walks.
            known = self.parents[parent] = above is not None and bool(inherited_why(above, items))
        return known


def _ids_of(field_name: str, values: list[str], word: str) -> tuple[set[int], bool]:
    """The ids a ``parent:`` or ``blocked_by:`` term names, and whether it also asks for none."""
    want_none = False
    ids: set[int] = set()
    for value in values:
        raw = value.lstrip("#")
        if raw.lower() in _NONE_WORDS:
            want_none = True
        elif raw.isascii() and raw.isdigit() and len(raw) <= 15:
            ids.add(int(raw))
        else:
            raise BadQuery(f"{word!r}: {field_name}: takes an item id like 12 or #12, or none")
    return ids, want_none


def _id_test(field_name: str, values: list[str], word: str) -> Test:
    ids, want_none = _ids_of(field_name, values, word)

    def test(item: Item, _snap: Snapshot) -> bool:
        parent = item.parent
        return want_none if parent is None else parent in ids

    return test


def _priority_test(values: list[str], word: str) -> Test:
    want_none = False
    levels: set[int] = set()
    for value in values:
        raw = value.lower().lstrip("p")
        if raw in _NONE_WORDS:
            want_none = True
        elif raw in ("1", "2", "3", "4"):
            levels.add(int(raw))
        else:
            raise BadQuery(f"{word!r}: priority: takes 1 (highest) to 4, or none")
    def test(item: Item, _snap: Snapshot) -> bool:
        priority = item.priority
        return want_none if priority is None else priority in levels

    return test


def _blocked_test(item: Item, snap: Snapshot) -> bool:
    return bool(item.doc.get("blocked_by")) and bool(open_blockers(item.doc, snap.docs, snap.settings.is_open))


def _blocking_test(item: Item, snap: Snapshot) -> bool:
    is_open = snap.settings.is_open
    if not is_open(item.status):
        return False
    docs = snap.docs
    return any(is_open(str(docs[other].get("status", "inbox"))) for other in snap.blocking(item.id))


def _blocked_by_test(values: list[str], word: str) -> Test:
    ids, want_none = _ids_of("blocked_by", values, word)

    def test(item: Item, _snap: Snapshot) -> bool:
        blockers = blockers_of(item.doc) if item.doc.get("blocked_by") else []
        return want_none if not blockers else not ids.isdisjoint(blockers)

    return test


def _text_test(words: list[str]) -> Test:
    """Every word must appear in the title or the body, ignoring case."""
    if len(words) == 1:
        needle = words[0]

        def one(item: Item, _snap: Snapshot) -> bool:
            if needle in item.title.lower():
                return True
            body = item.body
            return bool(body) and needle in body.lower()

        return one

    def every(item: Item, _snap: Snapshot) -> bool:
        title = item.title.lower()
        body: str | None = None
        for needle in words:
            if needle in title:
                continue
            if body is None:
                body = item.body.lower()
            if needle not in body:
                return False
        return True

    return every


__all__ = ["KEYS", "BadQuery", "Query", "parse_query"]
