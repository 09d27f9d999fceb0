"""``worktop serve`` in a real browser: Debian's headless chromium opens the page a person would.

How the test reads the screen: OCR of chromium's screenshot with Debian's
tesseract. textual-serve's page draws the terminal on a canvas (xterm.js), so its
text is not in the DOM; xterm's accessibility rows exist only in screen-reader
mode, which textual-serve's page does not turn on (and its Terminal object is not
reachable from the page to turn it on); the app process's own state would show
what the app meant to draw, not that it reached the browser. A screenshot is what
a person sees: pixels that went app → web driver → websocket → xterm.js → canvas.
The words looked for are chosen for OCR: upper case, and first in their titles
(board cards cut titles short).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from data.model.items import Person
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
from tests.support.agents import cli
from tests.support.browser import WAIT, chromium, need_browser_tools, read_page_until, served, type_into_terminal
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def board(tmp_path: Path) -> Path:
    need_browser_tools()
    ws = Workspace.create(tmp_path / "worktop.json", name="acme", actor="ana",
                          people=[Person("ana", "Ana Lima", "core", 4), Person("bo", "Bo Chen", "core", 3)])
    ws.apply(CreateItem("ZEPHYR sensors", fields={"owner": "ana", "why": "the lab needs them"}))
    walrus = ws.apply(CreateItem("WALRUS dock", fields={"owner": "bo"})).item_id
    from data.writes.ops import Move

    ws.apply(Move(walrus, "doing"))
    ws.apply(CreateItem("OTTER access", kind="request", fields={"requester": "cy"}))
    return ws.path


def words(text: str) -> str:
    return " ".join(text.upper().split())


def test_the_served_board_is_live_and_read_only(board: Path, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    with served(board) as server, chromium() as browser:
        browser.get(server.link)
        text = read_page_until(browser, shot, lambda t: all(w in words(t) for w in ("ZEPHYR", "WALRUS", "OTTER")),
                               "the board's items")
        assert "WITHOUT --ALLOW-WRITES" in words(text)  # the header says why it is read-only
        assert "token" not in browser.current_url  # the secret went into a cookie, out of the address bar
        browser.execute_script("window.stillTheSamePage = true")

        assert cli(board, "add", "PELICAN launch", "--owner", "bo").returncode == 0  # a person at a terminal
        read_page_until(browser, shot, lambda t: "PELICAN" in words(t), "the CLI's new item on the page")
        assert browser.execute_script("return window.stillTheSamePage === true"), "the page was reloaded"

        before = board.read_bytes()
        type_into_terminal(browser, "2>")  # the board, then move the card under the cursor to the next column
        read_page_until(browser, shot, lambda t: "NOTHING WAS CHANGED" in words(t), "the refusal")
        time.sleep(1)  # had the write gone through, it would be on disk by now
        assert board.read_bytes() == before
        assert Workspace(board).snapshot().items[1].status == "todo"
        browser.save_screenshot(str(tmp_path / "read-only.png"))


def test_with_allow_writes_a_key_in_the_browser_moves_the_card_on_disk(board: Path, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    with served(board, "--allow-writes") as server, chromium() as browser:
        browser.get(server.link)
        text = read_page_until(browser, shot, lambda t: "ZEPHYR" in words(t), "the board")
        assert "WRITES AS ANA" in words(text)
        type_into_terminal(browser, "2>")
        wait_until(lambda: Workspace(board).snapshot().items[1].status == "doing", "the browser's key to move the card",
                   timeout=WAIT)
        entry = Workspace(board).history(1, limit=1)[0]
        assert (entry["by"], entry["summary"]) == ("ana", "moved #1 to doing")
