"""Every view shows the same number for the same thing, on a demo workspace (issue 11, bug 9).

Found by a new user: ana's load was 40/30 in the owner picker but 39/30 in the matrix and in
`worktop people` (the picker counted goals); the inbox was 39 in the gaps view (it counted snoozed
items) but 35 in the inbox; "no why" was 9 in the pulse but 12 in the gaps view (the gaps view
counted recurring templates). Each figure now has one definition (data/views/figures.py).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from data.demo import make_demo
from data.views.figures import open_load
from data.views.gaps import FIXABLE_ANSWERS, find_gaps
from data.views.pulse import compute_pulse
from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, wait_for
from tui import cli
from widgets.gaps import GapsView
from widgets.inbox import InboxPane
from widgets.matrix import OwnershipMatrix
from widgets.owner_field import OwnerField

TODAY = date(2026, 11, 25)


async def test_load_inbox_and_gaps_agree_in_every_view(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    path = make_demo(tmp_path / "worktop.json", items=400, seed=1, today=TODAY)
    ws = Workspace(path, actor="ana", today=TODAY)
    snapshot = ws.snapshot()
    # The demo has what made the views disagree: owned goals, snoozed requests, whyless templates.
    assert any(i.kind == "goal" and i.owner for i in snapshot.items.values())
    assert any(i.snoozed_until and i.snoozed_until > TODAY.isoformat() for i in snapshot.items.values())

    app = make_app(ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        matrix = screen.query_one(OwnershipMatrix)
        assert await wait_for(pilot, lambda: matrix.matrix is not None)
        matrix_load = {row.handle: row.open_items for row in matrix.matrix.rows}
        inbox_rows = screen.query_one(InboxPane).list.rows
        await pilot.press("a")  # the accept form's owner picker
        assert await wait_for(pilot, lambda: bool(app.screen.query(OwnerField)))
        picker = app.screen.query_one(OwnerField).load
        await pilot.press("escape")
        await pilot.press("exclamation_mark")
        gaps_view = screen.query_one(GapsView)
        assert await wait_for(pilot, lambda: gaps_view.gaps is not None)
        shown = gaps_view.gaps

    # The app made the recurring instances due (a write): the CLI and the data views read the file after it.
    snapshot = Workspace(path, today=TODAY).snapshot()
    monkeypatch.setenv("WORKTOP_TODAY", TODAY.isoformat())
    monkeypatch.setenv("WORKTOP_USER", "ana")
    assert cli.main(["-w", str(path), "people"]) == 0
    people_cli = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+\S+\s+(\d+)/\d+", capsys.readouterr().out,
                                                                     re.M)}
    pulse = compute_pulse(snapshot, TODAY)
    gaps = find_gaps(snapshot, today=TODAY)
    load = open_load(snapshot)
    for handle in snapshot.people:
        assert matrix_load[handle] == picker.get(handle, 0) == people_cli[handle] == load.get(handle, 0), handle
    assert len(inbox_rows) == gaps.untriaged == shown.untriaged == len(pulse.inbox)
    for answer in FIXABLE_ANSWERS:
        assert gaps.groups[answer] == shown.groups[answer], answer
        if answer in pulse.gaps:  # the pulse counts who, when and why
            assert gaps.groups[answer] == pulse.gaps[answer], answer
