"""The app in front of what a member left in the shared folder: no crash, no traceback, text shown inertly.

Each test plants something in the workspace or beside it — a presence name
that looks like markup, a folder where the lock should be, a damaged document,
a title full of terminal escape sequences — and checks what the person sees
and what lands on disk. tests/functional/test_tmux_inert.py checks the escape
sequences in a real terminal.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import orjson
import pytest

from data.store.file_store import read_file
from data.store.lock import lock_path
from data.store.presence import Presence, PresenceFolder
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, screen_text, wait_for
from tests.support.aging import to_format_1
from tui.app import WorktopApp, run_app
from tui.editor import ItemEditor
from tui.main_screen import MainScreen
from widgets.safe_text import SafeInput
from widgets.safe_text_area import SafeTextArea

EVIL = "Evil \x1b]52;c;aGFja2Vk\x07 \x1b]2;PWNED\x07 \x1b[2J end"


def notes(app: WorktopApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_peer_named_like_markup_can_be_followed_and_left(team_ws: Workspace) -> None:
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today), watch=True)
    folder = PresenceFolder(team_ws.path)
    folder.ensure()
    now = time.time()
    peer = folder.write(Presence(user="[/]", host=folder.host, pid=os.getpid(), pane="board", started=now, at=now))
    try:
        async with app.run_test(size=(160, 50), notifications=True) as pilot:  # toasts drawn, as for a person
            assert await wait_for(pilot, lambda: "◉[/]" in screen_text(app))
            await pilot.press("f")
            assert await wait_for(pilot, lambda: "Following ◉[/]" in screen_text(app))
            await pilot.press("escape")
            assert await wait_for(pilot, lambda: "Stopped following [/]" in screen_text(app))  # the toast, drawn
            assert app.is_running and isinstance(app.screen, MainScreen)
    finally:
        folder.remove(peer)


async def test_a_lock_replaced_by_a_folder_still_moves_the_card_and_says_what_is_wrong(team_ws: Workspace) -> None:
    """Format 1 is locked through the lock file (format 2 through the workspace file itself)."""
    to_format_1(team_ws.path)
    lock = lock_path(team_ws.path)
    lock.unlink()
    lock.mkdir()
    before = team_ws.snapshot().revision
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2", "shift+right")
        assert await wait_for(pilot, lambda: any(str(lock) in note for note in notes(app)))
        assert app.is_running
    assert Workspace(team_ws.path).snapshot().revision == before + 1


def _damage(path: os.PathLike[str], item: int, **fields: object) -> None:
    with open(path, "rb") as handle:
        data = orjson.loads(handle.read())
    data["items"][str(item)].update(fields)
    with open(path, "w") as handle:
        json.dump(data, handle)


def test_a_damaged_document_stops_start_up_with_a_message_naming_it(team_ws: Workspace,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _damage(team_ws.path, 3, title={})
    assert run_app(team_ws.path) == 3
    err = " ".join(capsys.readouterr().err.split())  # as printed, wrapped to the terminal
    assert "#3" in err and "title" in err and "Traceback" not in err


async def test_a_document_damaged_while_the_app_runs_shows_a_banner_and_keeps_the_last_good_state(
        team_ws: Workspace) -> None:
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today), watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        _damage(team_ws.path, 4, tags="not-a-list")
        assert await wait_for(pilot, lambda: app.problem is not None and "#4" in app.problem)
        assert "Write SAML handler" in screen_text(app)
        assert app.is_running


async def test_the_editor_shows_escape_sequences_inertly_and_saves_the_title_untouched(team_ws: Workspace) -> None:
    item = team_ws.apply(CreateItem(EVIL, fields={"why": "why \x1b[2J here"})).item_id
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2")
        app.screen.select_item(item)
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ItemEditor))
        title = app.screen.query_one("#f-title", SafeInput)
        assert "\x1b" not in title.value and "␛]52;c;" in title.value
        assert "\x1b" not in app.screen.query_one("#f-why", SafeTextArea).text
        app.screen.query_one("#f-body", SafeTextArea).load("a body typed now")
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
    doc = read_file(team_ws.path)[0]["items"][str(item)]
    assert doc["title"] == EVIL and doc["why"] == "why \x1b[2J here"  # not edited: kept as it was
    assert doc["body"] == "a body typed now"


async def test_text_pasted_or_typed_into_a_field_is_shown_inertly(team_ws: Workspace) -> None:
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("n")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ItemEditor))
        field = app.screen.query_one("#f-title", SafeInput)
        field.insert_text_at_cursor("pasted \x1b[2J")
        assert field.value == "pasted ␛[2J" and field.stored == "pasted ␛[2J"


async def test_an_unexpected_error_ends_in_a_message_and_a_log_not_a_traceback(
        team_ws: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WORKTOP_DEBUG", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(self: MainScreen) -> None:
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(MainScreen, "action_help", broken)
    app = make_app(Workspace(team_ws.path, actor="ana", today=team_ws.today))
    with pytest.raises(RuntimeError):  # re-raised for the test; a person sees only the message
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
    assert app.return_code == 70
    err = " ".join(capsys.readouterr().err.split())  # as printed, wrapped to the terminal
    assert "a bug nobody foresaw" in err and "Every change saved before is on disk" in err
    assert "Traceback" not in err and "site-packages" not in err
    logs = [p for p in os.listdir(tmp_path) if p.startswith("worktop-crash-")]
    assert logs and "RuntimeError" in Path(tmp_path, logs[0]).read_text()
