"""``worktop serve``'s guards, against a real server process: loopback only, the secret link, same-origin
websockets, no DNS rebinding, and tabs that end with the server. (The page in a browser: tests/functional.)"""

from __future__ import annotations

import http.client
import time
from pathlib import Path

import pytest

from data.store.presence import PresenceFolder
from data.writes.workspace import Workspace
from tests.support.agents import cli
from tests.support.browser import WAIT, served
from tui.web.server import NotLoopback, check_host

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts_are_served(host: str) -> None:
    check_host(host, public=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "10.0.0.1", "example.com", "localhost.example"])
def test_other_hosts_need_public(host: str) -> None:
    with pytest.raises(NotLoopback, match="ssh -L 8000:localhost:8000"):
        check_host(host, public=False)
    check_host(host, public=True)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_serve_refuses_a_host_other_machines_reach(workspace: Workspace, host: str) -> None:
    done = cli(workspace.path, "serve", "--host", host, "--port", "8000")
    assert done.returncode == 2
    assert done.stderr.startswith(f"worktop: refusing to serve on {host}: other machines could reach it")
    assert "--public" in done.stderr and done.stdout == ""


def request(port: int, path: str, *, host: str | None = None, cookie: str | None = None,
            ) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    headers = {"Host": host or f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_the_page_needs_the_printed_link(workspace: Workspace) -> None:
    with served(workspace.path) as server:
        assert server.link == f"http://127.0.0.1:{server.port}/?token={server.token}"
        bare = request(server.port, "/")
        assert bare.status == 403 and b"open the link `worktop serve` printed" in bare.body
        assert request(server.port, "/?token=guess").status == 403
        assert request(server.port, "/download/x").status == 403
        entry = request(server.port, f"/?token={server.token}&fontsize=20")
        assert entry.status == 302 and entry.headers["Location"] == "/?fontsize=20"
        cookie = entry.headers["Set-Cookie"]
        assert f"worktop-serve-{server.port}={server.token}" in cookie
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = request(server.port, "/", cookie=cookie.split(";")[0], host=f"localhost:{server.port}")
        assert page.status == 200
        assert f'data-session-websocket-url="ws://localhost:{server.port}/ws"'.encode() in page.body
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert "fonts.googleapis.com" not in page.headers["Content-Security-Policy"]  # nothing from elsewhere
        assert request(server.port, "/static/js/textual.js").status == 200  # the library's own files
        # Through `ssh -L 9000:localhost:PORT` the browser asks for localhost:9000: the page connects back there.
        tunnelled = request(server.port, "/", cookie=cookie.split(";")[0], host="localhost:9000")
        assert b'data-session-websocket-url="ws://localhost:9000/ws"' in tunnelled.body


def test_a_name_that_only_resolves_here_is_refused(workspace: Workspace) -> None:
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 gets nothing."""
    with served(workspace.path) as server:
        cookie = f"worktop-serve-{server.port}={server.token}"
        assert request(server.port, "/", cookie=cookie, host=f"evil.example:{server.port}").status == 403
        assert request(server.port, f"/?token={server.token}", host=f"evil.example:{server.port}").status == 403


async def open_tab(server, *, origin: str | None, cookie: bool = True, host: str | None = None):  # noqa: ANN001, ANN201
    import aiohttp

    headers = {"Cookie": f"worktop-serve-{server.port}={server.token}"} if cookie else {}
    if origin is not None:
        headers["Origin"] = origin
    if host is not None:
        headers["Host"] = host
    session = aiohttp.ClientSession()
    try:
        return session, await session.ws_connect(f"{server.base}/ws?width=100&height=30", headers=headers,
                                                 timeout=aiohttp.ClientWSTimeout(ws_close=WAIT))
    except aiohttp.WSServerHandshakeError as error:
        await session.close()
        return None, error.status


@pytest.mark.parametrize(("origin", "cookie"), [("http://evil.example", True), (None, True),
                                                 ("http://127.0.0.1:{port}", False),
                                                 ("http://localhost:{port}", True)])
async def test_a_websocket_from_anywhere_but_its_own_page_is_refused(workspace: Workspace, origin: str | None,
                                                                    cookie: bool) -> None:
    """A page elsewhere cannot drive a tab through the person's browser, nor can another user on this host
    who lacks the link. (The last case is the page's own origin under another name: refused too, since the
    Origin must match the Host the socket was asked for.)"""
    with served(workspace.path) as server:
        _session, status = await open_tab(server, origin=origin and origin.format(port=server.port), cookie=cookie)
        assert status == 403
        assert not PresenceFolder(workspace.path).read(clean=False)  # no app process was started


async def test_the_pages_own_websocket_gets_an_app_that_ends_with_the_server(workspace: Workspace) -> None:
    """(Asked for as an SSH tunnel on another local port delivers it: Host and Origin localhost:9000.)"""
    import aiohttp

    folder = PresenceFolder(workspace.path)
    with served(workspace.path) as server:
        session, socket = await open_tab(server, origin="http://localhost:9000", host="localhost:9000")
        try:
            message = await socket.receive(timeout=WAIT)
            assert message.type == aiohttp.WSMsgType.BINARY and message.data  # the app draws
            deadline = time.monotonic() + WAIT
            while not folder.read(clean=False):  # the tab is its own worktop, present like a terminal
                assert time.monotonic() < deadline, "the tab never announced itself"
                time.sleep(0.1)
            assert [p.user for p in folder.read(clean=False)] == ["ana"]
        finally:
            await socket.close()
            await session.close()
        server.process.terminate()
        assert server.process.wait(timeout=WAIT) == 0
    deadline = time.monotonic() + WAIT
    while folder.read(clean=False):
        assert time.monotonic() < deadline, "a tab outlived the server"
        time.sleep(0.1)
    assert not any(path.suffix == ".json" for path in Path(folder.path).iterdir())
    # The tab's process ends too (it once stayed up for good, its presence gone: asyncio's shutdown
    # waited for the file watcher's thread, which nothing had told to stop).
    while tab_processes(workspace.path):
        assert time.monotonic() < deadline, f"a tab's process outlived the server: {tab_processes(workspace.path)}"
        time.sleep(0.1)


def tab_processes(path: Path) -> list[int]:
    """Pids of the tab processes (python -m tui.web.tab) serving ``path``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"tui.web.tab" in words and str(path).encode() in words:
            found.append(int(entry.name))
    return found


def test_a_tab_whose_server_vanished_ends_quietly(workspace: Workspace, tmp_path: Path) -> None:
    """The server killed outright (no word to its tabs): the tab's next frame meets a closed pipe.

    That BrokenPipeError went to the crash net, which wrote a crash log and closed the app without
    its unmount, so nothing told the file watcher to stop; asyncio's shutdown then waited for the
    watcher's thread for good — a tab process per browser tab left running (found as orphans of
    the serve tests). Now: no crash log (nobody is there to read one; everything saved is on
    disk), and the process ends.
    """
    import os
    import subprocess
    import sys

    from tests.tmux_server import ROOT

    crash_logs = tmp_path / "tmp"
    crash_logs.mkdir()
    env = {**os.environ, "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "COLUMNS": "120", "ROWS": "40",
           "TMPDIR": str(crash_logs), "PYTHONPATH": str(ROOT)}
    env.pop("WORKTOP_DEBUG", None)
    tab = subprocess.Popen([sys.executable, "-m", "tui.web.tab", str(workspace.path)], cwd=ROOT, env=env,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert tab.stdout is not None and tab.stdin is not None
        assert tab.stdout.read(1)  # it draws
        folder = PresenceFolder(workspace.path)
        deadline = time.monotonic() + WAIT
        while not folder.read(clean=False):  # the first screen is done: presence, the watcher running
            assert time.monotonic() < deadline, "the tab never announced itself"
            time.sleep(0.1)
        tab.stdout.close()  # the server is gone: nobody reads what the tab draws, nobody writes to it
        tab.stdin.close()
        cli(workspace.path, "add", "A change to redraw")  # the tab's watcher sees it and draws into the closed pipe
        try:
            tab.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            pytest.fail("the tab's process outlived its server")
        assert list(crash_logs.iterdir()) == []
    finally:
        if tab.poll() is None:
            tab.kill()
            tab.wait()
