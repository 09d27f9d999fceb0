"""One definition of each figure more than one view shows, so the views cannot disagree.

A person's load (the owner picker, the ownership matrix, ``worktop people``), the inbox
(the inbox pane, the gaps view's "to triage", the pulse), and which items are board work
that can have gaps (the gaps view, ``worktop gaps``, the pulse) are each decided here
once. tests/unit/test_figures.py checks every view agrees on a demo workspace.
"""

from __future__ import annotations

from typing import Any

from data.model.items import CLOSED_STATUSES, Settings

OFF_BOARD_KINDS = frozenset({"goal", "recurring"})
"""Goals are outcomes and recurring items templates: neither is a card, nor work with gaps or load."""


def closed_statuses(settings: Settings) -> frozenset[str]:
    """Done, declined and archived: work that is over."""
    return frozenset({settings.done, *CLOSED_STATUSES})


def counts_as_load(doc: dict[str, Any], closed: frozenset[str]) -> bool:
    """Whether an item weighs on its owner: owned, not closed, and not a goal (an outcome, not work)."""
    return bool(doc.get("owner")) and doc.get("status") not in closed and doc.get("kind") != "goal"


def open_load(snapshot: Any) -> dict[str, int]:
    """Open items each person owns (goals do not count), for everyone who owns any."""
    closed = closed_statuses(snapshot.settings)
    load: dict[str, int] = {}
    for doc in snapshot.docs.values():
        if counts_as_load(doc, closed):
            owner = doc["owner"]
            load[owner] = load.get(owner, 0) + 1
    return load


def is_waiting(doc: dict[str, Any], inbox: str, today_iso: str) -> bool:
    """In the inbox now: its status is the inbox and it is not snoozed past today."""
    if doc.get("status") != inbox:
        return False
    until = doc.get("snoozed_until")
    return not (until and until > today_iso)


def is_snoozed(doc: dict[str, Any], inbox: str, today_iso: str) -> bool:
    """In the inbox but hidden until a later day."""
    until = doc.get("snoozed_until")
    return doc.get("status") == inbox and bool(until) and str(until) > today_iso


def waiting_ids(snapshot: Any, today_iso: str) -> list[int]:
    """The inbox: items waiting for triage, oldest first."""
    inbox = snapshot.settings.inbox
    found = [(doc.get("created_at") or "", item_id) for item_id, doc in snapshot.docs.items()
             if is_waiting(doc, inbox, today_iso)]
    return [item_id for _, item_id in sorted(found)]


def is_board_work(doc: dict[str, Any], settings: Settings, closed: frozenset[str]) -> bool:
    """Open work past triage: on the board, not a goal or a template. Gaps are counted over these."""
    status = doc.get("status", settings.inbox)
    return status not in closed and status != settings.inbox and doc.get("kind") not in OFF_BOARD_KINDS


__all__ = ["OFF_BOARD_KINDS", "closed_statuses", "counts_as_load", "is_board_work", "is_snoozed", "is_waiting",
           "open_load", "waiting_ids"]
