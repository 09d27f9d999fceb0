"""Live reload: real second processes write the file; the app's screen follows."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.functional.conftest import list_text, make_app, wait_for
from widgets.board import Board
from widgets.header import ProblemBanner
from widgets.inbox import InboxPane

ROOT = Path(__file__).resolve().parents[2]


def other_process(path: Path, code: str, actor: str = "bo") -> None:
    """Run ``code`` in a separate Python process with ``ws`` open on the file."""
    script = textwrap.dedent(f"""
        from data.writes.workspace import Workspace
        from data.writes.ops import *
        ws = Workspace({str(path)!r}, actor={actor!r})
    """) + textwrap.dedent(code)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, timeout=30)


async def test_change_by_another_process_shows_without_a_key_press(team_ws):
    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        inbox = app.screen.query_one(InboxPane)
        await pilot.press("down")  # cursor on the second request
        await pilot.pause()
        selected = inbox.list.current_id
        other_process(team_ws.path, 'ws.apply(CreateItem("Add audit log", kind="request", fields={"requester": "gil"}))')
        assert await wait_for(pilot, lambda: any("Add audit log" in line for line in list_text(inbox.list)))
        assert inbox.list.current_id == selected  # the cursor stayed on the same item
        assert "bo" in str(app.screen.query_one("#header").render())


async def test_card_moved_elsewhere_moves_here_and_keeps_cursor(team_ws):
    snap = team_ws.snapshot()
    card = next(i.id for i in snap.items.values() if i.title == "Write SAML handler")
    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        board = app.screen.query_one(Board)
        other_process(team_ws.path, f'ws.apply(Move({card}, "review"))')
        assert await wait_for(pilot, lambda: card in board.columns[2].list.rows)
        assert card not in board.columns[0].list.rows


async def test_broken_file_shows_banner_writes_nothing_and_recovers(team_ws):
    good = team_ws.path.read_bytes()
    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        banner = app.screen.query_one(ProblemBanner)
        assert not banner.has_class("-visible")
        team_ws.path.write_text('{"meta": oops')
        assert await wait_for(pilot, lambda: banner.has_class("-visible"))
        message = str(banner.render())
        assert "not valid JSON" in message and "last good state" in message and "worktop.json.bak" in message
        # The last good state is still on screen, and an edit is refused without touching the file.
        inbox = app.screen.query_one(InboxPane)
        assert any("Export to CSV" in line for line in list_text(inbox.list))
        await pilot.press("2", "shift+right")
        await pilot.pause()
        assert team_ws.path.read_text() == '{"meta": oops'
        # Someone repairs the file: the banner goes and the app carries on.
        team_ws.path.write_bytes(good)
        assert await wait_for(pilot, lambda: not banner.has_class("-visible"))


async def test_vanished_file_shows_banner_and_recovers(team_ws):
    good = team_ws.path.read_bytes()
    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        banner = app.screen.query_one(ProblemBanner)
        team_ws.path.unlink()
        assert await wait_for(pilot, lambda: banner.has_class("-visible"))
        assert "no workspace at" in str(banner.render())
        assert not team_ws.path.exists()  # nothing recreated it behind the user's back
        team_ws.path.write_bytes(good)
        assert await wait_for(pilot, lambda: not banner.has_class("-visible"))


async def test_file_turned_read_only_refuses_edits_with_a_message(team_ws, monkeypatch):
    import os

    real_access = os.access

    def access_as_non_root(path, mode, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        # CI runs as root, which ignores file modes; answer as the OS would for anyone else.
        if mode & os.W_OK and Path(path) == team_ws.path and not os.stat(path).st_mode & 0o222:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr("data.writes.workspace.os.access", access_as_non_root)
    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        team_ws.path.chmod(0o444)
        header = app.screen.query_one("#header")
        assert await wait_for(pilot, lambda: "READ-ONLY" in str(header.render()))
        before = team_ws.path.read_bytes()
        await pilot.press("2", "shift+right")
        await pilot.pause()
        assert team_ws.path.read_bytes() == before
        assert any("read-only" in str(n.message) for n in app._notifications)
    team_ws.path.chmod(0o644)
