"""Every user-facing action in the command palette (ctrl+p), through one Provider."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS: list[tuple[str, str, str]] = [
    ("Go to inbox", "Show the inbox pane (1)", "pane('inbox')"),
    ("Go to board", "Show the board pane (2)", "pane('board')"),
    ("Go to ownership matrix", "Show the ownership matrix (3)", "pane('matrix')"),
    ("Go to why", "Show the why pane (4)", "pane('why')"),
    ("Next pane", "Cycle to the next pane (tab)", "cycle_pane(1)"),
    ("New item", "Create an item (n)", "new"),
    ("Edit selected item", "Open the editor on the selected item (enter)", "edit"),
    ("Move card to next column", "Board: move the selected card right (shift+right)", "board_move(1)"),
    ("Move card to previous column", "Board: move the selected card left (shift+left)", "board_move(-1)"),
    ("Move card up in its column", "Board: reorder (shift+up)", "board_reorder(-1)"),
    ("Move card down in its column", "Board: reorder (shift+down)", "board_reorder(1)"),
    ("Toggle matrix rows: people / teams", "Ownership matrix (t)", "matrix_teams"),
    ("Help: all keys", "Show every binding (?)", "help"),
    ("Follow someone", "Track another person's pane and selection on this workspace (f)", "follow"),
    ("Stop following", "Move on your own again (esc, or any move key)", "stop_following"),
]
"""(title, help, action on the main screen). Tests check each runs."""


class WorktopCommands(Provider):
    """Offers every worktop action; runs it on the workspace screen."""

    def _target(self):  # noqa: ANN202
        return self.app.screen_stack[0]

    async def discover(self) -> Hits:
        target = self._target()
        for title, help_text, action in ACTIONS:
            yield DiscoveryHit(title, partial(target.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        target = self._target()
        for title, help_text, action in ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(target.run_action, action), help=help_text)
