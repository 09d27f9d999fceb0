"""Keys that arrive in one burst (a paste, a laggy SSH link): nothing typed may be lost, however it arrives.

A real worktop in a private tmux server; each burst is ONE ``tmux send-keys`` call holding the key that
opens a prompt, the text and the enter, so they reach the terminal together. Found by a new user: a
note typed after ``N`` was saved as 'umber…' while the first letters ran as commands on the pane
underneath (u undid, n opened the editor); with enter in the same burst, the why and the note lost
their tail. Skipped, with the reason, where tmux is not installed.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.writes.workspace import Workspace
from tests.functional.conftest import build_team_workspace
from tests.tmux_server import TmuxServer, worktop_command

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.slow,
]

TEXT = "Burst note number one with many words"


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[TmuxServer, Path]]:
    path = tmp_path / "worktop.json"
    build_team_workspace(path)
    tmux = TmuxServer()
    tmux.start("ana", worktop_command(path, "ana"))
    tmux.wait("ana", lambda s: "1 Inbox" in s and "#8" in s)
    yield tmux, path
    tmux.close()


def burst(tmux: TmuxServer, *keys: str) -> None:
    """Everything in one send-keys call: it reaches worktop as one burst."""
    tmux.run("send-keys", "-t", "ana", *keys)


def item(path: Path, item_id: int):  # noqa: ANN201
    return Workspace(path).snapshot().items[item_id]


def wait_until(predicate, timeout: float = 15) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def revision(path: Path) -> int:
    return Workspace(path).snapshot().revision


def test_a_note_typed_in_one_burst_with_its_key_and_enter_is_saved_whole(started):
    tmux, path = started
    tmux.run("send-keys", "-t", "ana", "4")
    tmux.wait("ana", lambda s: "Why log" in s)
    before = revision(path)
    burst(tmux, "N" + TEXT, "Enter")
    assert wait_until(lambda: item(path, 8).why_log), tmux.screen("ana")
    time.sleep(1)  # anything the letters did as commands would be written by now
    assert item(path, 8).why_log[-1]["text"] == TEXT
    assert revision(path) == before + 1, "only the note was written: no letter ran as a command"
    screen = tmux.screen("ana")
    assert "Edit #" not in screen and "New item" not in screen  # n did not open the editor


def test_a_why_typed_in_one_burst_is_saved_whole(started):
    tmux, path = started
    tmux.run("send-keys", "-t", "ana", "4")
    tmux.wait("ana", lambda s: "Why log" in s)
    burst(tmux, "w" + TEXT, "Enter")
    assert wait_until(lambda: item(path, 8).why == TEXT), (item(path, 8).why, tmux.screen("ana"))


def test_triage_why_and_a_filter_typed_in_one_burst_keep_every_letter(started):
    tmux, path = started
    burst(tmux, "w" + TEXT, "Enter")  # the inbox's one-line why prompt
    assert wait_until(lambda: item(path, 8).why == TEXT), (item(path, 8).why, tmux.screen("ana"))
    burst(tmux, "/owner:bo", "Enter")  # the filter bar is made on first use
    screen = tmux.wait("ana", lambda s: "filter: owner:bo" in s)
    assert "2 Board · 2 (filtered)" in screen


def test_the_editor_keeps_a_burst_typed_before_ctrl_s(started):
    tmux, path = started
    title = item(path, 8).title
    burst(tmux, "Enter", "End", " [root]", "C-s")
    assert wait_until(lambda: item(path, 8).title == title + " [root]"), (item(path, 8).title, tmux.screen("ana"))


def test_text_and_enter_in_one_burst_into_an_open_prompt_are_saved_whole(started):
    """The prompt is open already; the text and its enter arrive together (enter is a priority key there)."""
    tmux, path = started
    tmux.run("send-keys", "-t", "ana", "4")
    time.sleep(0.5)
    tmux.run("send-keys", "-t", "ana", "N")
    tmux.wait("ana", lambda s: "Note · #8" in s)
    burst(tmux, TEXT, "C-j", "second line", "Enter")
    assert wait_until(lambda: item(path, 8).why_log), tmux.screen("ana")
    assert item(path, 8).why_log[-1]["text"] == TEXT + "\nsecond line"


def test_the_readme_accept_recipe_typed_in_one_burst(tmp_path: Path) -> None:
    """`a enter fri enter <why> enter` as one burst, by a user who is not a person here: each field's text
    lands in its field (enter moves the focus on a moment later: 'fri' went into the owner field), the
    item is accepted with no owner, due Friday, and the user is not added as a person."""
    path = tmp_path / "worktop.json"
    build_team_workspace(path)
    tmux = TmuxServer()
    try:
        tmux.start("root", worktop_command(path, "root"))
        tmux.wait("root", lambda s: "1 Inbox" in s and "#8" in s)
        tmux.run("send-keys", "-t", "root", "a", "Enter", "fri", "Enter", "finance asked", "Enter")
        assert wait_until(lambda: item(path, 8).status == "todo"), tmux.screen("root")
        accepted = item(path, 8)
        assert (accepted.owner, accepted.why) == (None, "finance asked") and accepted.due
        assert "root" not in Workspace(path).snapshot().people
    finally:
        tmux.close()
