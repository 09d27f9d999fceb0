"""Every user-facing action in the command palette (ctrl+p), through one Provider."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS: list[tuple[str, str, str]] = [
    ("Go to inbox", "Show the inbox pane (1)", "pane('inbox')"),
    ("Go to board", "Show the board pane (2)", "pane('board')"),
    ("Go to ownership matrix", "Show the ownership matrix (3)", "pane('matrix')"),
    ("Go to why", "Show the why pane (4)", "pane('why')"),
    ("Go to pulse", "Throughput, cycle time, on-time rate, work in progress, inbox and gaps (5)", "pane('pulse')"),
    ("Pulse: change the window", "Look at the last 4, 8, 12 or 26 weeks (w in the pulse)", "pulse_window"),
    ("Recurring workflows", "List, skip, pause, resume and edit recurring workflows (r)", "recurring"),
    ("New recurring workflow", "A rule and a template; see the next dates before saving", "new_recurring"),
    ("Make due recurring instances now", "Make the instances up to the workspace's horizon", "generate_recurring"),
    ("Next pane", "Cycle to the next pane (tab)", "cycle_pane(1)"),
    ("New item", "Create an item (n)", "new"),
    ("Edit selected item", "Open the editor on the selected item (enter)", "edit"),
    ("Move card to next column", "Board: move the selected card right (shift+right)", "board_move(1)"),
    ("Move card to previous column", "Board: move the selected card left (shift+left)", "board_move(-1)"),
    ("Move card up in its column", "Board: reorder (shift+up)", "board_reorder(-1)"),
    ("Move card down in its column", "Board: reorder (shift+down)", "board_reorder(1)"),
    ("Toggle matrix rows: people / teams", "Ownership matrix (t)", "matrix_teams"),
    ("Show gaps: work missing an owner, due date or why", "Ownership pane: the gaps view, fixable in place (!)",
     "gaps"),
    ("Matrix: list the items in the cell", "Ownership matrix (enter)", "matrix_cell"),
    ("Matrix: make accountable (owner)", "Ownership matrix: the one owner of the column (a)", "matrix_role('A')"),
    ("Matrix: make responsible", "Ownership matrix (r)", "matrix_role('R')"),
    ("Matrix: make consulted", "Ownership matrix (c)", "matrix_role('C')"),
    ("Matrix: make informed", "Ownership matrix (i)", "matrix_role('I')"),
    ("Matrix: remove the role", "Ownership matrix (x)", "matrix_role(None)"),
    ("Set owner of selected item", "A prompt for the owner (o in the gaps view)", "quick_edit('owner')"),
    ("Set due date of selected item", "A prompt for the due date (d in the gaps view)", "quick_edit('due')"),
    ("Edit why of selected item", "The old why stays in the why log (w)", "quick_edit('why')"),
    ("Add a why note", "A note in the why log; the why stays (N in the why pane)", "quick_edit('note')"),
    ("Link to goal", "Pick the goal the selected item serves (l)", "quick_edit('goal')"),
    ("Blocked by…", "What the selected item waits on: item ids; a cycle is refused (b on a card)",
     "quick_edit('blocked_by')"),
    ("Help: all keys", "Show every binding (?)", "help"),
    ("Triage: accept", "Inbox: accept onto the board with owner, due and why (a)", "triage('accept')"),
    ("Triage: set owner", "Inbox: pick an owner, 'me' first (o)", "triage('owner')"),
    ("Triage: set due date", "Inbox: due date, in the CLI's words (d)", "triage('due')"),
    ("Triage: write why", "Inbox: why this matters (w)", "triage('why')"),
    ("Triage: decline", "Inbox: close with a reason (x)", "triage('decline')"),
    ("Triage: mark duplicate", "Inbox: close as a duplicate of a similar item (D)", "triage('duplicate')"),
    ("Triage: snooze", "Inbox: hide until a date; it comes back by itself (s)", "triage('snooze')"),
    ("Triage: set priority", "Inbox: priority 1-4 (p)", "triage('priority')"),
    ("Triage: tags", "Inbox: add or remove tags (T or #)", "triage('tags')"),
    ("Assign marked cards", "Board: owner for the marked cards, else the current one (o)", "board_cards('owner')"),
    ("Move marked cards to…", "Board: move the marked cards to a column (m)", "board_cards('move')"),
    ("Tag marked cards", "Board: add or remove tags on the marked cards (T)", "board_cards('tags')"),
    ("Snooze marked cards", "Board: back to the inbox, hidden until a date (s)", "board_cards('snooze')"),
    ("Toggle swimlanes by owner", "Board: group cards by owner (L)", "board_lanes"),
    ("Filter", "Filter every pane with a query: owner:me due<fri #ops (/)", "filter"),
    ("Clear filter", "Show everything again (escape)", "clear_filter"),
    ("Undo", "Undo your last change, if nobody changed it since (u, ctrl+z)", "undo"),
    ("Redo", "Redo what you undid (U, ctrl+y)", "redo"),
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
