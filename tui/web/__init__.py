"""``worktop serve``: the app in web browsers, through textual-serve.

:mod:`tui.web.server` is the web server (textual-serve's, with worktop's
guards: loopback only unless asked, a secret link, same-origin websockets);
:mod:`tui.web.tab` is what each browser tab runs: its own worktop process on the
workspace, read-only unless the server was started with ``--allow-writes``.

Nothing here is imported by ``worktop`` or the other commands: only ``worktop serve`` loads it.
"""
