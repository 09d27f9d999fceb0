"""A workspace with a known history, made through the real operations with a hand-set clock.

Today is Wednesday 2025-01-15; a 4-week pulse window starts on Monday 2024-12-23.
The figures a person computes by hand from it (see tests/unit/test_pulse.py):

=====  ======  =======================  ==========================  ========  =============
item   owner   started (→ doing)        finished (→ done, last)     cycle     due / on time
=====  ======  =======================  ==========================  ========  =============
A      ana     Mon 6 Jan 09:00          Wed 8 Jan 09:00             2.0 d     8 Jan, yes
B      ben     Mon 6 Jan 09:00          Fri 10 Jan 21:00 (review)   4.5 d     7 Jan, no
C      cy      Mon 23 Dec 09:00         Tue 24 Dec 09:00            1.0 d     none
D      ana     never (todo → done)      Tue 14 Jan 09:00            none      20 Jan, yes
E      cy      Mon 30 Dec 09:00         Mon 13 Jan 09:00 (reopened) 14.0 d    12 Jan, no
F      ana     1 Dec                    2 Dec (before the window)   —         —
G      ben     2 Jan, done 3 Jan, reopened 5 Jan: doing, due 14 Jan (overdue)
H      nobody  todo, no due date, no why (the gaps)
I      cy      review, due 16 Jan
R      —       a request in the inbox since 5 Jan (10 days); S: a snoozed request
=====  ======  =======================  ==========================  ========  =============

Throughput per week: 23 Dec 1 (C), 30 Dec 0, 6 Jan 2 (A, B), 13 Jan 2 (D, E).
Cycle times 1.0, 2.0, 4.5, 14.0: median 3.25, 85th percentile (nearest rank 4 of 4) 14.0.
On time: A and D of A, B, D, E: 2 of 4.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from data.model.items import Person
from data.writes.ops import CreateItem, Move, SetFields
from data.writes.recurrence import CreateRecurring
from data.writes.workspace import Workspace

TODAY = date(2025, 1, 15)


def build_history_workspace(path: Path | str, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, dict[str, int]]:
    """The workspace above at ``path`` (a file, or a ``postgresql://`` URL); returns it and the item ids by letter.

    The ``history_workspace`` fixture (tests/conftest.py) makes it on the store a test runs on.
    """
    clock = {"now": "2024-11-30T09:00:00Z"}
    monkeypatch.setattr("data.writes.workspace.now_iso", lambda: clock["now"])
    ws = Workspace.create(path, name="acme", actor="ana", today=TODAY, people=[
        Person("ana", "Ana Alves", "platform", 5), Person("ben", "Ben Brook", "platform", 3),
        Person("cy", "Cy Chen", "ops", 4)])
    ids: dict[str, int] = {}

    def at(stamp: str) -> None:
        clock["now"] = stamp

    def make(letter: str, owner: str | None, due: str | None, why: bool = True) -> None:
        fields = {key: value for key, value in (("owner", owner), ("due", due)) if value}
        if why:
            fields["why"] = f"{letter} keeps the service healthy"
        ids[letter] = ws.apply(CreateItem(f"Task {letter}", fields=fields)).item_id

    def move(letter: str, status: str, stamp: str) -> None:
        at(stamp)
        ws.apply(Move(ids[letter], status))

    ws.apply(CreateItem("Happy customers", kind="goal", fields={"why": "Revenue"}))
    make("F", "ana", None)
    move("F", "doing", "2024-12-01T09:00:00Z")
    move("F", "done", "2024-12-02T09:00:00Z")
    at("2024-12-20T09:00:00Z")
    for letter, owner, due in (("A", "ana", "2025-01-08"), ("B", "ben", "2025-01-07"), ("C", "cy", None),
                               ("D", "ana", "2025-01-20"), ("E", "cy", "2025-01-12"), ("G", "ben", "2025-01-14"),
                               ("I", "cy", "2025-01-16")):
        make(letter, owner, due)
    make("H", None, None, why=False)
    ws.apply(CreateRecurring("Weekly release", "every monday", fields={"owner": "ana"}))
    move("C", "doing", "2024-12-23T09:00:00Z")
    move("C", "done", "2024-12-24T09:00:00Z")
    move("E", "doing", "2024-12-30T09:00:00Z")
    move("E", "done", "2025-01-02T09:00:00Z")
    move("G", "doing", "2025-01-02T09:00:00Z")
    move("E", "doing", "2025-01-03T09:00:00Z")
    move("G", "done", "2025-01-03T09:00:00Z")
    at("2025-01-05T09:00:00Z")
    ids["R"] = ws.apply(CreateItem("Export to CSV please", kind="request", fields={"requester": "dana"})).item_id
    ids["S"] = ws.apply(CreateItem("Dark mode", kind="request", fields={"requester": "eli"})).item_id
    ws.apply(SetFields(ids["S"], {"snoozed_until": "2025-02-01"}))
    move("G", "doing", "2025-01-05T10:00:00Z")
    move("A", "doing", "2025-01-06T09:00:00Z")
    move("B", "doing", "2025-01-06T09:00:00Z")
    move("A", "done", "2025-01-08T09:00:00Z")
    move("B", "review", "2025-01-08T09:00:00Z")
    move("B", "done", "2025-01-10T21:00:00Z")
    move("I", "doing", "2025-01-09T09:00:00Z")
    move("I", "review", "2025-01-10T09:00:00Z")
    move("E", "done", "2025-01-13T09:00:00Z")
    move("D", "done", "2025-01-14T09:00:00Z")
    at("2025-01-15T08:00:00Z")
    return ws, ids
