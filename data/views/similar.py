"""Fuzzy matching for triage: likely duplicates of a request, and people by a few typed letters.

Both use rapidfuzz (C++, maintained, ~5 ms over 10k titles) rather than a
hand-rolled similarity. Duplicates are scored with ``token_set_ratio``: word
order and extra words ("please", "for accounting") matter little, so
"Export invoices to CSV" and "Export invoices as a CSV file" score ~93 while
unrelated titles sharing one word stay near 50.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.model.items import CLOSED_STATUSES, RESERVED_HANDLES, Person, is_handle, parse_item_id
from data.model.snapshot import Snapshot

DUPLICATE_CUTOFF = 60.0
"""Scores below this (0–100) are not offered as duplicates."""


@dataclass(frozen=True, slots=True)
class Match:
    """An item offered as the original of a duplicate."""

    item_id: int
    score: float
    """Similarity 0–100 (100: same words)."""


def duplicate_candidates(snapshot: Snapshot, exclude: int | None = None) -> dict[int, str]:
    """Titles of the items a duplicate can point at: open work that is not itself a duplicate."""
    closed = {snapshot.settings.done, *CLOSED_STATUSES}
    return {
        item_id: doc.get("title") or ""
        for item_id, doc in snapshot.docs.items()
        if item_id != exclude and doc.get("status") not in closed and doc.get("duplicate_of") is None
    }


def similar_items(snapshot: Snapshot, item_id: int, *, limit: int = 6,
                  cutoff: float = DUPLICATE_CUTOFF) -> list[Match]:
    """The open items whose titles read most like item ``item_id``'s, best first."""
    doc = snapshot.docs.get(item_id)
    if doc is None:
        return []
    return search_items(snapshot, doc.get("title") or "", exclude=item_id, limit=limit, cutoff=cutoff)


def search_items(snapshot: Snapshot, text: str, *, exclude: int | None = None, limit: int = 6,
                 cutoff: float = DUPLICATE_CUTOFF) -> list[Match]:
    """Open items matching typed text: ``#12`` or ``12`` names one item; words match titles."""
    text = text.strip()
    if not text:
        return []
    from rapidfuzz import fuzz, process, utils  # ~12 ms to import: only when someone asks

    choices = duplicate_candidates(snapshot, exclude)
    if text.lstrip("#").isdigit():
        wanted = parse_item_id(text)
        return [Match(wanted, 100.0)] if wanted in choices else []
    found = process.extract(text, choices, scorer=fuzz.token_set_ratio, processor=utils.default_process,
                            limit=limit, score_cutoff=cutoff)
    return [Match(key, score) for _title, score, key in found]


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """One line of the owner picker."""

    handle: str
    is_me: bool = False
    is_new: bool = False
    """Not a person in the workspace yet: choosing it adds them."""


def match_people(people: dict[str, Person], text: str, *, me: str, limit: int = 8) -> list[PersonMatch]:
    """People for the owner picker, best first; "me" leads when it fits what was typed.

    Nothing typed: everyone (you first if you are a person here). Typed: an exact
    handle, then handles starting with the text, then names, then fuzzy matches
    (typos), at most ``limit``, then an offer to add the typed handle as a new
    person when nobody has it (and it does not start anybody's handle or name,
    and is not a word like ``none`` that means something else).
    """
    from rapidfuzz import fuzz, process, utils

    typed = text.strip().lstrip("@")
    low = typed.lower()
    if low in ("", "me"):
        # Everyone (the list scrolls): you first if you are a person here; if you are not, the offer
        # to add you comes last, so enter on the first line never adds anybody by accident.
        ordered = sorted((h for h in people if h != me), key=str.lower)
        if me in people:
            return [PersonMatch(me, is_me=True)] + [PersonMatch(h) for h in ordered]
        offer = [PersonMatch(me, is_me=True, is_new=True)] if is_handle(me) and me.lower() not in RESERVED_HANDLES else []
        return [PersonMatch(h) for h in ordered] + offer
    # The handle, the full name and each word of it are matched on their own, so
    # a typo in a handle is not outscored by a long name that happens to share letters.
    labels: dict[str, list[str]] = {h: [h, p.name, *p.name.split()] for h, p in people.items()}
    labels.setdefault(me, [me])
    scored: dict[str, tuple[int, float]] = {}
    for handle, words in labels.items():
        if handle.lower() == low:
            scored[handle] = (0, 100.0)
        elif handle.lower().startswith(low):
            scored[handle] = (1, 100.0)
        elif any(word.lower().startswith(low) for word in words if word):
            scored[handle] = (2, 100.0)
    choices = {(handle, n): word for handle, words in labels.items() for n, word in enumerate(words) if word}
    for _word, score, (handle, _n) in process.extract(typed, choices, scorer=fuzz.WRatio,
                                                      processor=utils.default_process, limit=None, score_cutoff=60):
        tier, best = scored.get(handle, (3, 0.0))
        scored[handle] = (tier, max(best, score))
    ordered = sorted(scored, key=lambda h: (scored[h][0], -scored[h][1], h != me, h.lower()))[:limit]
    result = [PersonMatch(h, is_me=h == me, is_new=h not in people) for h in ordered]
    starts = any(tier < 3 for tier, _score in scored.values())  # still typing someone's name
    if typed not in people and typed != me and is_handle(typed) and low not in RESERVED_HANDLES and not starts:
        result.append(PersonMatch(typed, is_new=True))
    return result


__all__ = ["DUPLICATE_CUTOFF", "Match", "PersonMatch", "duplicate_candidates", "match_people", "search_items",
           "similar_items"]
