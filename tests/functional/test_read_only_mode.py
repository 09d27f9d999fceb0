"""An app opened read-only on purpose (what ``worktop serve`` gives a browser tab without --allow-writes).

The file itself is writable: the app must refuse every write itself, say why,
and show READ-ONLY and the reason in the header.
"""

from __future__ import annotations

import pytest

from tests.functional.conftest import NOW
from tui.app import WorktopApp
from widgets.header import WorkspaceHeader

READ_ONLY_REASON = "served to a browser without --allow-writes"
"""What ``worktop serve`` says (tui/web/tab.py)."""


def served_app(ws, **options) -> WorktopApp:  # noqa: ANN001, ANN003
    app = WorktopApp(ws, watch=False, clock=lambda: NOW, **options)
    app.theme = "textual-dark"
    return app


def told(app: WorktopApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def header_text(app: WorktopApp) -> str:
    return app.screen_stack[0].query_one(WorkspaceHeader).render().plain


async def test_the_header_says_read_only_and_why(team_ws):
    app = served_app(team_ws, read_only=READ_ONLY_REASON, note="in a browser")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        header = header_text(app)
        assert "you: ana (in a browser)" in header
        assert "READ-ONLY (served to a browser without --allow-writes)" in header
        assert "Read-only: served to a browser without --allow-writes. You can look, not change" in told(app)


@pytest.mark.parametrize("keys", [
    ("2", "shift+right"),  # move a card to the next column
    ("2", "shift+down"),  # reorder in the column
    ("2", "m"),  # move to…
    ("2", "o"),  # assign
    ("1", "a"),  # accept a request
    ("1", "x"),  # decline
    ("1", "s"),  # snooze
    ("3", "right", "right", "right", "a"),  # matrix: make owner of the first project
    ("4", "w"),  # edit the why
    ("4", "N"),  # add a note
    ("n",),  # new item
    ("enter",),  # edit
    ("u",),  # undo
], ids=lambda keys: "+".join(keys))
async def test_every_write_key_is_refused_and_the_file_is_untouched(team_ws, keys):
    before = team_ws.path.read_bytes()
    app = served_app(team_ws, read_only=READ_ONLY_REASON)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.press("enter")  # would confirm a prompt, had one opened
        await pilot.pause()
        assert len(app.screen_stack) == 1, f"{keys} opened {app.screen_stack[-1]}"
        assert ("Nothing was changed: this worktop is read-only (served to a browser without --allow-writes)"
                in told(app))
    assert team_ws.path.read_bytes() == before


async def test_with_writes_allowed_the_header_says_whose_and_a_move_lands(team_ws):
    app = served_app(team_ws, note="in a browser: writes as ana")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        assert "you: ana (in a browser: writes as ana)" in header_text(app)
        assert "READ-ONLY" not in header_text(app)
        await pilot.press("2", "shift+right")
        await pilot.pause()
    assert team_ws.snapshot().items[2].status == "doing"


async def test_a_reload_with_nothing_new_redraws_nothing_in_a_read_only_app(team_ws):
    """The file stays writable while the app is read-only on purpose: that is no change of access to redraw
    for (else every watcher event would repaint every pane)."""
    from tui.messages import WorkspaceChanged

    app = served_app(team_ws, read_only=READ_ONLY_REASON)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        posted = []
        real_post = app.post_message
        app.post_message = lambda message: posted.append(message) or real_post(message)
        app._reload_in_thread()
        await pilot.pause()
        assert not [m for m in posted if isinstance(m, WorkspaceChanged)]
