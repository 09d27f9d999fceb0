"""Every user-facing action in the command palette (ctrl+p), through one Provider.

The commands are the rows of the key table (widgets/keys.py) marked ``palette``:
each runs on the main screen as its key would (:meth:`MainScreen.run_key`), and
its help line names the key, so the palette also teaches the keys.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from widgets.keys import Key, key_display, palette_rows


def command_help(key: Key) -> str:
    """The palette's second line: what it does, and its key."""
    return f"{key.description} ({key_display(key.keys)})" if key.keys else key.description


class WorktopCommands(Provider):
    """Offers every worktop action; runs it on the workspace screen."""

    def _run(self, key: Key):  # noqa: ANN202
        from tui.main_screen import MainScreen

        screen = self.app.screen_stack[0]
        assert isinstance(screen, MainScreen)  # the workspace screen is always the first
        return partial(screen.run_key, key)

    async def discover(self) -> Hits:
        for key in palette_rows():
            yield DiscoveryHit(key.command, self._run(key), help=command_help(key))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key in palette_rows():
            score = matcher.match(key.command)
            if score > 0:
                yield Hit(score, matcher.highlight(key.command), self._run(key), help=command_help(key))
