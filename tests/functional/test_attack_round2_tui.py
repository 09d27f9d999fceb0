"""Round two: what a member can do to a teammate's running app, after the fixes of issue 10.

Each test writes what a member can write — through worktop's own commands where
it can (``person add``), by hand where it cannot (the file and the presence
folder are everyone's) — and checks that the person who has the app open still
has it open: no exit 70, no "worktop stopped on a problem it did not expect".
The CLI side of these is in tests/unit/test_attack_round2.py.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from data.errors import WorkspaceUnreadable
from data.model.items import Person
from data.store.history_file import history_path
from data.store.presence import PresenceFolder, presence_dir
from data.writes.ops import CreateItem
from data.writes.people import AddPerson
from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, screen_text, wait_for
from tui.app import WorktopApp
from tui.follow import FollowPicker
from widgets.board import BoardColumn
from widgets.matrix import OwnershipMatrix


def hand_edit(path: Path, change: Any) -> None:
    """Change the parsed file with ``change(data)`` and put it back atomically, as a member's script would."""
    data = orjson.loads(path.read_bytes())
    change(data)
    tmp = path.with_name("hand-edit.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def app_on(ws: Workspace, *, watch: bool = False) -> WorktopApp:
    return make_app(Workspace(ws.path, actor="ana", today=ws.today), watch=watch)


# -- workflow statuses from the file ----------------------------------------------------------------------------

@pytest.mark.parametrize("statuses", [
    ["inbox", "todo", "in progress", "done"],  # a space: what a team would naturally call a column
    ["inbox", "todo", "QA/review", "done"],
    ["inbox", "todo", "révision", "done"],
    ["inbox", "todo", "todo", "done"],  # the same name twice
])
async def test_board_statuses_that_are_not_widget_ids_do_not_stop_the_app(team_ws: Workspace,
                                                                        statuses: list[str]) -> None:
    """Each board column's widget id is ``column-<status>``: a status that is not a Textual identifier raised
    BadIdentifier, a repeated one MountError, on start-up — and, written while teammates have the app open,
    in every one of their apps at the next reload."""
    hand_edit(team_ws.path, lambda data: data["meta"]["1"].update(statuses=statuses))
    app = app_on(team_ws)
    if len(set(statuses)) != len(statuses):  # two columns of one name cannot be told apart: refused, saying so
        with pytest.raises(WorkspaceUnreadable, match="different names"):
            Workspace(team_ws.path).snapshot()
        return
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2")
        assert await wait_for(pilot, lambda: statuses[2] in screen_text(app))
        assert app.is_running and app.return_code is None


async def test_statuses_changed_while_the_app_runs_do_not_stop_it(team_ws: Workspace) -> None:
    app = app_on(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        hand_edit(team_ws.path, lambda data: data["meta"]["1"].update(statuses=["inbox", "todo", "in progress",
                                                                                  "done"]))
        assert await wait_for(pilot, lambda: "in progress" in screen_text(app) or app.problem is not None
                              or not app.is_running)
        assert app.is_running and app.return_code is None


# -- the ownership matrix's row keys ------------------------------------------------------------------------------

async def test_a_person_called_like_the_matrix_flags_row_does_not_stop_everyones_app(team_ws: Workspace) -> None:
    """The matrix keys its rows by handle and its last row ``__flags__``: ``worktop person add __flags__`` (a
    valid handle) ended every teammate's app with DuplicateKey as soon as the matrix redrew."""
    app = app_on(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        Workspace(team_ws.path, actor="bo").apply(AddPerson(Person("__flags__", "Flags", "core", 3)))
        assert await wait_for(pilot, lambda: "__flags__" in screen_text(app) or not app.is_running)
        assert app.is_running and app.return_code is None


async def test_a_team_named_like_the_no_team_row_does_not_stop_the_by_team_matrix(team_ws: Workspace) -> None:
    """By team, rows are keyed ``team or "(no team)"``: a team really called "(no team)" beside a person with
    no team gave two rows one key (``worktop person add dee --team '(no team)'``)."""
    ws = Workspace(team_ws.path, actor="ana", today=team_ws.today)
    ws.apply(AddPerson(Person("dee", "Dee", "(no team)", 3)))
    ws.apply(AddPerson(Person("eve", "Eve", "", 3)))
    ws.apply(CreateItem("Their project", kind="project", fields={"owner": "eve"}))
    app = app_on(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("t")
        assert await wait_for(pilot, lambda: app.screen.query_one(OwnershipMatrix).by_team or not app.is_running)
        await pilot.pause()
        assert app.is_running and app.return_code is None


# -- presence files --------------------------------------------------------------------------------------------

async def test_two_presence_files_claiming_one_worktop_do_not_stop_the_follow_picker(team_ws: Workspace) -> None:
    """A presence's key is ``user@host.pid`` from its content, not its file name: two files saying the same
    (any member can write both) gave the follow picker two options with one id — DuplicateID on ``f``."""
    folder = PresenceFolder(team_ws.path)
    folder.ensure()
    now = time.time()
    for name in ("cy@one.1.json", "cy@two.1.json"):
        (presence_dir(team_ws.path) / name).write_bytes(orjson.dumps(
            {"user": "cy", "host": folder.host, "pid": 1, "pane": "board", "started": now, "at": now + 20}))
    app = app_on(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        assert await wait_for(pilot, lambda: "◉cy" in screen_text(app))
        await pilot.press("f")
        assert await wait_for(pilot, lambda: isinstance(app.screen, FollowPicker) or "Following" in screen_text(app)
                              or not app.is_running)
        assert app.is_running and app.return_code is None


async def test_a_presence_with_an_impossible_pid_does_not_hide_everyone_else(team_ws: Workspace) -> None:
    """``"pid": 2**40`` made reading presence raise OverflowError; the listener, a worker that fails quietly,
    stopped: the header never showed anyone who came later."""
    folder = PresenceFolder(team_ws.path)
    folder.ensure()
    now = time.time()
    (presence_dir(team_ws.path) / f"zed@{folder.host}.2.json").write_bytes(orjson.dumps(
        {"user": "zed", "host": folder.host, "pid": 2 ** 40, "started": now, "at": now + 20}))
    app = app_on(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.5)
        later = time.time()
        (presence_dir(team_ws.path) / "cy@elsewhere.7.json").write_bytes(orjson.dumps(
            {"user": "cy", "host": "elsewhere", "pid": 7, "pane": "board", "started": later, "at": later + 20}))
        assert await wait_for(pilot, lambda: "◉cy" in screen_text(app))


# -- the file itself, hand-edited while the app runs ------------------------------------------------------------

async def test_a_malformed_history_entry_does_not_stop_the_pulse_pane(team_ws: Workspace) -> None:
    """Pulse reads every history entry's ``changes``: one that is a list ended the app when ``5`` was pressed."""
    history = history_path(team_ws.path)
    lines = history.read_bytes().split(b"\n")
    first = orjson.loads(lines[0])
    first["changes"] = ["status"]
    lines[0] = orjson.dumps(first)
    history.write_bytes(b"\n".join(lines))
    app = app_on(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("5")
        assert await wait_for(pilot, lambda: "Cycle time" in screen_text(app) or not app.is_running)
        assert app.is_running and app.return_code is None


async def test_an_item_id_that_is_not_a_number_arriving_live_shows_a_banner(team_ws: Workspace) -> None:
    """``"¹"`` passes the id check (``str.isdigit``) and then ``int()`` raises in the reload worker: every
    teammate's app ended (WorkerFailed, exit 70) instead of showing the last good state and a banner."""
    app = app_on(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        hand_edit(team_ws.path, lambda data: data["items"].update({"¹": dict(data["items"]["4"])}))
        assert await wait_for(pilot, lambda: app.problem is not None or not app.is_running)
        assert app.is_running and app.return_code is None
        assert "¹" in (app.problem or "")
        assert "Write SAML handler" in screen_text(app)


async def test_a_workflow_of_thousands_of_statuses_does_not_cost_a_widget_each(team_ws: Workspace) -> None:
    """``meta.statuses`` is only checked to be a list of names. 3000 of them: the app took 26 s to first paint,
    held 500 MB and then sat at ~70% of a core while idle (a column of widgets per status, 5000: over a
    minute and 1.7 GB). The board should show a bounded number of columns (or the file be refused, with a
    message saying why)."""
    hand_edit(team_ws.path, lambda data: data["meta"]["1"].update(
        statuses=["inbox", "todo", *(f"s{n}" for n in range(1000)), "done"]))
    app = app_on(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2")
        assert await wait_for(pilot, lambda: bool(app.screen.query(BoardColumn)) or app.return_code is not None,
                              timeout=120)
        if app.return_code is None:
            assert len(app.screen.query(BoardColumn)) <= 64
