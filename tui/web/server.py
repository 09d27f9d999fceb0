"""The web server of ``worktop serve``: textual-serve, with the guards a shared host needs.

textual-serve has no login: whoever opens its page gets an app process. On the
machines worktop is for (several people on one host over SSH), binding to
localhost keeps other machines out but not the other users of this one, and a
web page in the person's own browser may open a websocket to localhost too.
So on top of textual-serve:

- **loopback only** unless ``--public`` is given (:func:`check_host`);
- **a secret link**: every page and websocket needs the token printed at start
  (``/?token=…``), which the first visit swaps for a same-site, HTTP-only cookie
  so the address bar keeps no secret and a reload still works;
- **only the page's own websockets**: a browser always sends ``Origin`` on a
  websocket; one from another site (or none) is refused, so a page elsewhere
  cannot drive a tab through the person's browser;
- **Host checked** (no DNS rebinding: a name that resolves to 127.0.0.1 is
  still not localhost), and the page told to connect back to the address it
  was loaded from, so an SSH tunnel on another local port works;
- a Content-Security-Policy that keeps the page on this server: it loads
  nothing from elsewhere (textual-serve's page asks Google for a font; the
  bundled one is used instead) and cannot be framed.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.server import Server
from yarl import URL

CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
"""textual-serve's page uses an inline script and styles; everything else comes from this server."""


class NotLoopback(ValueError):
    """A host other machines could reach, given without ``--public``."""


def _loopback_name(host: str) -> bool | None:
    """True for 127.0.0.0/8, ::1 and ``localhost``; False for any other address or name; None: only
    ``localhost``, whose addresses :func:`is_loopback` still checks."""
    name = host.strip("[]")
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return None if name.lower() == "localhost" else False  # any other name could resolve elsewhere tomorrow


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only: 127.0.0.0/8, ::1, or ``localhost`` resolving only to those."""
    known = _loopback_name(host)
    if known is not None:
        return known
    name = host.strip("[]")
    try:
        found = socket.getaddrinfo(name, None)
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(str(entry[4][0]).split("%")[0]).is_loopback for entry in found)


def check_host(host: str, *, public: bool) -> None:
    """Refuse a host other machines can reach unless ``public``.

    Raises:
        NotLoopback: with what to do instead.
    """
    if public or is_loopback(host):
        return
    raise NotLoopback(
        f"refusing to serve on {host}: other machines could reach it, and worktop serve speaks plain HTTP with "
        "only its link as the key (whoever sees the traffic can read the workspace, and the link). Keep the "
        "default 127.0.0.1 and tunnel over SSH from your own machine: `ssh -L 8000:localhost:8000 THIS-HOST`, "
        "then open the printed link with localhost. To serve every machine that reaches the port anyway, add --public")


class BrowserServer(Server):
    """textual-serve's server, behind a token, an Origin check and a Host check (see the module docstring)."""

    def __init__(self, command: str, *, host: str, port: int, title: str, public: bool = False,
                 token: str | None = None) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.public = public
        self.token = token or secrets.token_urlsafe(24)
        self.cookie = f"worktop-serve-{port}"
        """Cookies are per host, not per port: two servers on one machine must not share one."""
        self.said_at_start: list[str] = []

    @property
    def link(self) -> str:
        """The address to open, with the token (listening on every address: this machine's name)."""
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/?token={self.token}"

    def initialize_logging(self) -> None:
        """Warnings only: an access log line per request would bury the link, and would print the token."""
        import logging

        logging.basicConfig(level=logging.WARNING, format="worktop serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """(textual-serve prints its banner here, before the port is open: the link waits for :meth:`serve`.)"""

    def serve(self, debug: bool = False) -> None:
        """textual-serve's ``serve``, but the link is printed once the port is open (run_app's ``print``)."""
        import asyncio
        import signal

        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)

        def listening(_banner: str) -> None:
            for line in [*self.said_at_start, f"open {self.link}", "press ctrl+c to stop"]:
                print(line, flush=True)

        web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                    print=listening, access_log=None)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard())
        return app

    def _guard(self) -> Any:
        @web.middleware
        async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
            if not self._host_allowed(request.host):
                raise web.HTTPForbidden(text="worktop serve: this address is not the one the server was started on\n")
            if request.path.startswith("/static/"):
                return self._harden(await handler(request))
            given = request.query.get("token")
            cookie = request.cookies.get(self.cookie, "")
            allowed = _same(cookie, self.token) or (given is not None and _same(given, self.token))
            if request.path == "/ws" and not self._same_origin(request.headers.get("Origin"), request.host):
                raise web.HTTPForbidden(text="worktop serve: only its own page may connect\n")
            if not allowed:
                raise web.HTTPForbidden(
                    text="worktop serve: open the link `worktop serve` printed (it ends in ?token=…)\n")
            if given is not None and request.path == "/":
                rest = request.url.query.copy()
                rest.popall("token")
                response = web.HTTPFound(str(URL.build(path="/", query=rest)))
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
                raise response
            if request.path == "/":
                # The page tells the browser where to connect back: the address it came from (a tunnel's port).
                self.public_url = f"http://{request.host}"
            return self._harden(await handler(request))

        return guard

    @staticmethod
    def _harden(response: web.StreamResponse) -> web.StreamResponse:
        if not response.prepared:
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Cache-Control"] = "no-store"
        return response

    def _host_allowed(self, host: str) -> bool:
        if self.public:
            return True
        return _loopback_name(URL(f"http://{host}").host or "") is not False

    @staticmethod
    def _same_origin(origin: str | None, host: str) -> bool:
        return origin is not None and origin.rstrip("/") in (f"http://{host}", f"https://{host}")


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def tab_command(workspace: Path, *, allow_writes: bool) -> str:
    """The shell command textual-serve runs for each tab (it starts it with a shell)."""
    words = [sys.executable, "-m", "tui.web.tab", str(workspace)]
    if allow_writes:
        words.append("--allow-writes")
    return " ".join(shlex.quote(word) for word in words)


def serve_browsers(workspace: Path, *, host: str, port: int, allow_writes: bool, public: bool,
                   token: str | None = None) -> int:
    """Serve until ctrl+c (or SIGTERM); returns the exit code.

    Raises:
        NotLoopback: ``host`` is reachable from other machines and ``public`` is not set.
        OSError: the port cannot be listened on.
    """
    check_host(host, public=public)
    from data.writes.workspace import current_actor

    server = BrowserServer(tab_command(workspace, allow_writes=allow_writes), host=host, port=port,
                           title=f"worktop · {workspace.name}", public=public, token=token)
    mode = f"writes as {current_actor()}" if allow_writes else "read-only (--allow-writes lets the tabs change it)"
    server.said_at_start.append(f"worktop serve: {workspace}, {mode}")
    if public:
        server.said_at_start.append(f"worktop serve: --public: every machine that reaches {host}:{port} and has "
                                    "the link can " + ("change" if allow_writes else "see") + " the workspace")
    server.serve()
    return 0


__all__ = ["BrowserServer", "NotLoopback", "check_host", "is_loopback", "serve_browsers", "tab_command"]
