"""The one table of keys: every binding, its footer label, its palette command and its help row.

Each widget and screen takes its ``BINDINGS`` from :func:`bindings` (its scope's
rows), the command palette (tui/commands.py) offers every row marked
``palette``, and the help screen (tui/help.py) lists every row, so a key's
meaning, its footer label, its palette entry and its help line cannot drift
apart. tests/functional/test_keys.py checks that in every pane no key is bound
to two actions, that every action is in the palette, and that help lists what
the footer and the palette offer.

Keys are written as typed (``?``, ``#``, ``>``); Textual turns single
characters into its key names. A row with no keys is a palette command only.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class Key:
    """One action: where it works, which keys run it, and how the footer, palette and help name it."""

    scope: str
    """Where it works: a key of :data:`SCOPES` (a pane, a list, a dialog)."""
    keys: str
    """Comma-separated keys ("u,ctrl+z"); empty for a palette-only command."""
    action: str
    """The Textual action run on the scope's widget ("triage('accept')", "screen.edit")."""
    label: str
    """The footer's short label."""
    help: str = ""
    """One line for the help screen, the palette and the footer tooltip (default: the label)."""
    title: str = ""
    """The palette command's name (default: "<scope title>: <label>")."""
    show: bool = True
    """Shown in the footer (everything is in help and the palette either way)."""
    priority: bool = False
    palette: bool = True
    """Offered in the command palette. False only for cursor moves and keys of a dialog that is open."""
    moves: bool = False
    """Moves the cursor or the focus (so it ends following someone: tui/follow.py)."""
    opens: bool = False
    """Opens a dialog: keys typed right after it are held for the dialog (tui/typeahead.py)."""

    @property
    def description(self) -> str:
        return self.help or self.label

    @property
    def help_line(self) -> str:
        """What help says it does (a palette-only command is named, as it is found in the palette)."""
        return self.description if self.keys else f"{self.command}: {self.description}"

    @property
    def command(self) -> str:
        return self.title or f"{SCOPES[self.scope].title}: {self.label}"

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label, show=self.show, priority=self.priority,
                       tooltip=self.help, id=f"{self.scope}.{self.action}")


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a group of keys works."""

    title: str
    """Its name in help and in palette commands."""
    pane: str | None = None
    """The main-screen pane the palette shows before running one of its actions (None: a dialog)."""
    notes: tuple[tuple[str, str], ...] = ()
    """(keys, what) lines help shows under the rows: keys a Textual widget handles itself."""


SCOPES: dict[str, Scope] = {
    "app": Scope("Everywhere"),
    "screen": Scope("Everywhere", pane="", notes=(
        ("/ terms", "owner:me status:doing kind:request #tag due<fri overdue why:none missing:who blocked "
                    "blocking blocked_by:15 snoozed status:done, and words; -term negates; #12 goes to #12"),)),
    "lists": Scope("Lists (inbox, board columns, gaps, a cell's items)", pane=""),
    "inbox": Scope("Inbox", pane="inbox", notes=(
        ("", "Triage keys act on the marked items (space), else the one under the cursor"),)),
    "board": Scope("Board", pane="board", notes=(
        ("", "o m T s act on the marked cards (space), else the one under the cursor"),)),
    "matrix": Scope("Ownership matrix", pane="matrix", notes=(("arrows", "Move the cell cursor"),)),
    "cells": Scope("Items in a matrix cell", pane="matrix"),
    "gaps": Scope("Gaps view", pane="matrix"),
    "why": Scope("Why pane", pane="why"),
    "pulse": Scope("Pulse", pane="pulse"),
    "prompt": Scope("Quick prompts (owner, due, goal, step)"),
    "text-prompt": Scope("Why and note text (w, N)"),
    "triage-prompt": Scope("Triage prompts"),
    "owner-field": Scope("Owner picker (o, a)", notes=(("type", "Match people by handle or name"),)),
    "accept": Scope("Accept form (a)", notes=(("enter", "Next field; accepts on the last"),)),
    "editor": Scope("Item editor", notes=(("tab, shift+tab", "Next / previous field"),
                                          ("steps field", "One step a line; [x] in front marks it done"))),
    "conflict": Scope("Edit conflict (someone saved the same field first)"),
    "recurring": Scope("Recurring workflows (R)"),
    "rule-form": Scope("Recurring rule form"),
    "help": Scope("Help"),
    "follow-picker": Scope("Follow picker"),
    "goto": Scope("Go to an item (#)"),
}
"""Every scope, in the order help lists them."""


KEYS: tuple[Key, ...] = (
    # -- everywhere ------------------------------------------------------------------
    Key("app", "ctrl+q", "quit", "Quit", "Quit worktop", priority=True),
    Key("screen", "1", "pane('inbox')", "Inbox", "Show the inbox pane", title="Go to inbox", show=False, moves=True),
    Key("screen", "2", "pane('board')", "Board", "Show the board pane", title="Go to board", show=False, moves=True),
    Key("screen", "3", "pane('matrix')", "Matrix", "Show the ownership matrix", title="Go to ownership matrix",
        show=False, moves=True),
    Key("screen", "4", "pane('why')", "Why", "Show the why pane", title="Go to why", show=False, moves=True),
    Key("screen", "5", "pane('pulse')", "Pulse", "Throughput, cycle time, on-time rate, work in progress, inbox, gaps",
        title="Go to pulse", show=False, moves=True),
    Key("screen", "tab", "cycle_pane(1)", "Next pane", title="Next pane", show=False, priority=True, moves=True),
    Key("screen", "shift+tab", "cycle_pane(-1)", "Previous pane", title="Previous pane", show=False, priority=True,
        moves=True),
    Key("screen", "z", "zoom", "Zoom", "Zoom the pane to the whole screen, or back", title="Zoom pane"),
    Key("screen", "n", "new", "New", "Create an item (in the matrix: inside the column's project)",
        title="New item", opens=True),
    Key("screen", "?", "help", "Help", "Every key, by where it works", title="Help: all keys", opens=True),
    Key("screen", "!", "gaps", "Gaps", "Open work missing an owner, a due date, steps or a why, fixed in place",
        title="Show gaps", moves=True),
    Key("screen", "/", "filter", "Filter", "Filter every pane: owner:me due<fri #ops status:done snoozed … or #12",
        title="Filter", opens=True),
    Key("screen", "#", "goto", "Go to #", "Go to an item by its id, wherever it is (hidden, closed or snoozed too)",
        title="Go to item by id", opens=True),
    Key("screen", "escape", "back", "Back",
        "Stop following, else clear marks, else close a cell list or the gaps view, else un-zoom, else clear "
        "the filter", title="Back / clear"),
    Key("screen", "u,ctrl+z", "undo", "Undo", "Undo your last change, if nobody changed it since", title="Undo"),
    Key("screen", "U,ctrl+y", "redo", "Redo", "Redo what you undid", title="Redo", show=False),
    Key("screen", "R", "recurring", "Recurring", "List, skip, pause, resume and edit recurring workflows",
        title="Recurring workflows", show=False, opens=True),
    Key("screen", "", "new_recurring", "New recurring workflow", "A rule and a template; the next dates shown first",
        title="New recurring workflow"),
    Key("screen", "", "generate_recurring", "Make due recurring instances",
        "Make the instances up to the workspace's horizon now", title="Make due recurring instances now"),
    Key("screen", "f", "follow", "Follow", "Track another person's pane and selection on this workspace",
        title="Follow someone", show=False, opens=True),
    Key("screen", "", "stop_following", "Stop following", "Move on your own again (esc, or any move key)",
        title="Stop following"),
    Key("screen", "", "quick_edit('owner')", "Set owner", "The owner of the selected item",
        title="Set owner of selected item"),
    Key("screen", "", "quick_edit('due')", "Set due date", "The due date of the selected item",
        title="Set due date of selected item"),
    Key("screen", "", "quick_edit('why')", "Edit why", "The why of the selected item; the old one stays in the log",
        title="Edit why of selected item"),
    Key("screen", "", "quick_edit('note')", "Add a why note", "A note in the selected item's why log",
        title="Add a why note to selected item"),
    Key("screen", "", "quick_edit('goal')", "Link to goal", "The goal the selected item serves",
        title="Link selected item to a goal"),
    Key("screen", "", "quick_edit('blocked_by')", "Blocked by", "What the selected item waits on: item ids",
        title="Blocked by… (selected item)", opens=True),
    Key("screen", "", "quick_edit('step')", "Add a step", "A step (how) on the selected item",
        title="Add a step to selected item"),
    # -- lists -----------------------------------------------------------------------
    Key("lists", "up,k", "cursor_up", "Up", show=False, palette=False, moves=True),
    Key("lists", "down,j", "cursor_down", "Down", show=False, palette=False, moves=True),
    Key("lists", "pageup", "page_up", "Page up", show=False, palette=False, moves=True),
    Key("lists", "pagedown", "page_down", "Page down", show=False, palette=False, moves=True),
    Key("lists", "home,g", "first", "First", show=False, palette=False, moves=True),
    Key("lists", "end,G", "last", "Last", show=False, palette=False, moves=True),
    Key("lists", "space", "toggle_mark", "Mark", "Mark the item for one action on all marked items (esc clears)",
        title="Mark or unmark the item under the cursor", show=False),
    # -- inbox -----------------------------------------------------------------------
    Key("inbox", "enter", "screen.edit", "Edit", "Edit every field of the selected item",
        title="Edit selected item", opens=True),
    Key("inbox", "a", "triage('accept')", "Accept", "Accept onto the board with owner, due and why",
        title="Triage: accept", opens=True),
    Key("inbox", "o", "triage('owner')", "Owner", "Pick an owner, 'me' first", title="Triage: set owner", opens=True),
    Key("inbox", "d", "triage('due')", "Due", "A due date, in the CLI's words",
        title="Triage: set due date", opens=True),
    Key("inbox", "w", "triage('why')", "Why", "Why this matters", title="Triage: write why", opens=True),
    Key("inbox", "x", "triage('decline')", "Decline", "Close with a reason (it leaves the inbox)",
        title="Triage: decline", opens=True),
    Key("inbox", "D", "triage('duplicate')", "Duplicate", "Close as a duplicate of a similar item",
        title="Triage: mark duplicate", opens=True),
    Key("inbox", "s", "triage('snooze')", "Snooze", "Hide until a date; it comes back by itself",
        title="Triage: snooze", opens=True),
    Key("inbox", "p", "triage('priority')", "Priority", "Priority 1-4",
        title="Triage: set priority", show=False, opens=True),
    Key("inbox", "T", "triage('tags')", "Tags", "Add or remove tags", title="Triage: tags", show=False, opens=True),
    Key("inbox", "S", "sort", "Sort", "Sort by age, due date or priority", title="Inbox: sort", show=False),
    # -- board -----------------------------------------------------------------------
    Key("board", "enter", "screen.edit", "Edit", "Edit every field of the selected card",
        title="Board: edit card", opens=True),
    Key("board", "left,h", "column(-1)", "◀ Column", "The previous column", show=False, palette=False, moves=True),
    Key("board", "right,l", "column(1)", "Column ▶", "The next column", show=False, palette=False, moves=True),
    Key("board", "shift+right,>", "move(1)", "Move ▶", "Move the card to the next column",
        title="Move card to next column"),
    Key("board", "shift+left,<", "move(-1)", "◀ Move", "Move the card to the previous column",
        title="Move card to previous column"),
    Key("board", "shift+up", "reorder(-1)", "Up in column", "Move the card up in its column",
        title="Move card up in its column", show=False),
    Key("board", "shift+down", "reorder(1)", "Down in column", "Move the card down in its column",
        title="Move card down in its column", show=False),
    Key("board", "o", "cards('owner')", "Assign", "Owner for the marked cards, else the current one",
        title="Assign marked cards", opens=True),
    Key("board", "m", "cards('move')", "Move to…", "Move the marked cards (else the current one) to a column",
        title="Move marked cards to…", opens=True),
    Key("board", "T", "cards('tags')", "Tag", "Add or remove tags on the marked cards, else the current one",
        title="Tag marked cards", opens=True),
    Key("board", "s", "cards('snooze')", "Snooze", "Back to the inbox, hidden until a date",
        title="Snooze marked cards", opens=True),
    Key("board", "b", "blocked_by", "Blocked by", "What this card waits on: item ids (a cycle is refused)",
        title="Board: blocked by…", show=False, opens=True),
    Key("board", "L", "toggle_lanes", "Swimlanes", "Cards in one band per owner, lined up across the columns",
        title="Toggle swimlanes by owner"),
    Key("board", "H", "toggle_done", "Older done", "Show or hide done work older than the done window",
        title="Board: show or hide older done work", show=False),
    Key("board", "S", "sort", "Sort", "Sort columns by rank, due date, priority or age", title="Board: sort",
        show=False),
    # -- ownership matrix (keys of the table: the gaps view and a cell's list have their own) --
    Key("matrix", "enter", "list_cell", "Items in cell",
        "List the open items behind the number under the cursor (they drive the why pane)",
        title="Matrix: list the items in the cell"),
    Key("matrix", "a", "role('A')", "Owner", "Make the person accountable: the one owner (the old one becomes R)",
        title="Matrix: make accountable (owner)"),
    Key("matrix", "r", "role('R')", "Responsible", "Make the person responsible (does the work)",
        title="Matrix: make responsible"),
    Key("matrix", "c", "role('C')", "Consulted", "Make the person consulted (asked before decisions)",
        title="Matrix: make consulted"),
    Key("matrix", "i", "role('I')", "Informed", "Make the person informed (told of progress)",
        title="Matrix: make informed"),
    Key("matrix", "x", "role(None)", "No role", "Take the person's role away (the owner's too)",
        title="Matrix: remove the role"),
    Key("matrix", "t", "toggle_teams", "People/teams", "Rows by person or by team",
        title="Toggle matrix rows: people / teams"),
    Key("cells", "enter", "screen.edit", "Edit", "Edit the item under the cursor",
        title="Cell list: edit item", opens=True),
    # -- gaps view -------------------------------------------------------------------
    Key("gaps", "enter", "screen.edit", "Edit", "Edit every field of the item under the cursor",
        title="Gaps: edit item", opens=True),
    Key("gaps", "o", "fix('owner')", "Owner", "Set the owner of the item under the cursor",
        title="Gaps: set owner", opens=True),
    Key("gaps", "d", "fix('due')", "Due", "Set its due date (fri, +3d, dec 24, …)",
        title="Gaps: set due date", opens=True),
    Key("gaps", "a", "fix('step')", "Add step", "Add a step (how): what done looks like",
        title="Gaps: add a step", opens=True),
    Key("gaps", "w", "fix('why')", "Why", "Write why it matters (kept in its why log)",
        title="Gaps: write why", opens=True),
    Key("gaps", "l", "fix('goal')", "Link goal", "Link it to a goal, whose why then answers for it",
        title="Gaps: link to a goal", opens=True),
    # -- why pane ----------------------------------------------------------------------
    Key("why", "up,k", "cursor(-1)", "Up", "Move up the steps and the chain of whys", show=False, palette=False,
        moves=True),
    Key("why", "down,j", "cursor(1)", "Down", "Move down the steps and the chain of whys", show=False,
        palette=False, moves=True),
    Key("why", "enter", "enter", "Go / edit", "On a chain link: select that item everywhere; on a step: edit it",
        title="Why: go to the link / edit the step", opens=True),
    Key("why", "space", "toggle_step", "Tick", "Tick the step under the cursor off, or back on",
        title="Why: tick a step done / not done"),
    Key("why", "a", "add_step", "Add step", "Add a step after the one under the cursor",
        title="Why: add a step", opens=True),
    Key("why", "e", "edit_step", "Edit step", "Change the text of the step under the cursor",
        title="Why: edit the step", show=False, opens=True),
    Key("why", "shift+up", "move_step(-1)", "Step up", "Move the step up", title="Why: move the step up", show=False),
    Key("why", "shift+down", "move_step(1)", "Step down", "Move the step down", title="Why: move the step down",
        show=False),
    Key("why", "delete,backspace", "remove_step", "Remove step", "Remove the step under the cursor (u undoes)",
        title="Why: remove the step", show=False),
    Key("why", "pageup", "page_up", "Page up", "Scroll the pane", show=False, palette=False, moves=True),
    Key("why", "pagedown", "page_down", "Page down", "Scroll the pane", show=False, palette=False, moves=True),
    Key("why", "w", "edit('why')", "Edit why", "Edit the why; the old one stays in the why log",
        title="Why: edit the why", opens=True),
    Key("why", "N", "edit('note')", "Add note", "Add a note to the why log; the why stays as it is",
        title="Why: add a note", opens=True),
    Key("why", "l", "edit('goal')", "Link goal", "Link the item to a goal it serves",
        title="Why: link to a goal", opens=True),
    # -- pulse -----------------------------------------------------------------------
    Key("pulse", "up,k", "scroll_up", "Up", "Scroll the pulse", show=False, palette=False, moves=True),
    Key("pulse", "down,j", "scroll_down", "Down", "Scroll the pulse", show=False, palette=False, moves=True),
    Key("pulse", "pageup", "page_up", "Page up", show=False, palette=False, moves=True),
    Key("pulse", "pagedown", "page_down", "Page down", show=False, palette=False, moves=True),
    Key("pulse", "w", "window", "Window (weeks)", "Look at the last 4, 8, 12 or 26 weeks",
        title="Pulse: change the window"),
    # -- dialogs (their keys are listed in their own hint line too) -----------------------
    Key("prompt", "enter", "save", "Save", priority=True, palette=False),
    Key("prompt", "escape", "cancel", "Cancel", "Close; with typed text, only on a second esc", palette=False),
    Key("prompt", "down", "move(1)", "Next", "Next goal (goal picker)", show=False, palette=False),
    Key("prompt", "up", "move(-1)", "Previous", "Previous goal (goal picker)", show=False, palette=False),
    Key("text-prompt", "ctrl+j", "newline", "New line", "A new line in the text (enter saves)", priority=True,
        palette=False),
    Key("triage-prompt", "enter", "submit", "OK", "Take the value (or the highlighted line)", palette=False),
    Key("triage-prompt", "escape", "cancel", "Cancel", "Close; with typed text, only on a second esc",
        palette=False),
    Key("triage-prompt", "down", "highlight(1)", "Next", "Next suggestion", show=False, palette=False),
    Key("triage-prompt", "up", "highlight(-1)", "Previous", "Previous suggestion", show=False, palette=False),
    Key("owner-field", "down", "highlight(1)", "Next person", show=False, palette=False),
    Key("owner-field", "up", "highlight(-1)", "Previous person", show=False, palette=False),
    Key("owner-field", "enter", "choose", "Pick", "Pick the highlighted person", show=False, palette=False),
    Key("accept", "ctrl+s", "accept", "Accept", "Accept now with what is filled in", priority=True, palette=False),
    Key("accept", "escape", "cancel", "Cancel", "Close; with typed text, only on a second esc", palette=False),
    Key("editor", "ctrl+s", "save", "Save", priority=True, palette=False),
    Key("editor", "escape", "cancel", "Cancel", "Close; with unsaved changes, only on a second esc", palette=False),
    Key("conflict", "t", "choose('theirs')", "Keep theirs", "Keep their value (your other changes are still saved)",
        palette=False),
    Key("conflict", "m", "choose('mine')", "Apply mine", "Write your value over theirs", palette=False),
    Key("conflict", "escape", "choose_none", "Back to the form", palette=False),
    Key("recurring", "n", "new", "New workflow", palette=False, opens=True),
    Key("recurring", "e", "edit_rule", "Edit rule", "A new rule; the next dates are shown before you save",
        palette=False, opens=True),
    Key("recurring", "enter", "edit_template", "Edit template", "Template edits apply to future instances only",
        palette=False, opens=True),
    Key("recurring", "s", "skip", "Skip next date", palette=False),
    Key("recurring", "p", "pause", "Pause/resume", palette=False),
    Key("recurring", "g", "generate", "Make due now", palette=False),
    Key("recurring", "escape,q", "close", "Close", palette=False),
    Key("rule-form", "ctrl+s", "save", "Save", priority=True, palette=False),
    Key("rule-form", "escape", "cancel", "Cancel", palette=False),
    Key("help", "escape,q,?", "close", "Close", palette=False),
    Key("follow-picker", "escape", "cancel", "Cancel", palette=False),
    Key("goto", "enter", "save", "Go", "Select the item wherever it is", palette=False),
    Key("goto", "escape", "cancel", "Cancel", palette=False),
)
"""Every key worktop binds."""


def rows(scope: str) -> list[Key]:
    """The rows of one scope, in table order."""
    return [key for key in KEYS if key.scope == scope]


def bindings(scope: str) -> list[BindingType]:
    """The ``BINDINGS`` of the widget or screen that owns ``scope``."""
    return [key.binding() for key in rows(scope) if key.keys]


def palette_rows() -> list[Key]:
    """Every row the command palette offers, in table order."""
    return [key for key in KEYS if key.palette]


def move_keys() -> frozenset[str]:
    """Keys that move your cursor or focus (Textual's key names), from the rows marked ``moves``."""
    from textual.keys import _character_to_key

    names = set()
    for key in KEYS:
        if key.moves:
            for name in key.keys.split(","):
                name = name.strip()
                names.add(_character_to_key(name) if len(name) == 1 else name)
    return frozenset(names)


def key_display(keys: str) -> str:
    """Keys as a person reads them in help: ``u, ctrl+z``; ``(palette)`` for a palette-only command."""
    return ", ".join(part.strip() for part in keys.split(",")) if keys else "(palette)"


__all__ = ["KEYS", "SCOPES", "Key", "Scope", "bindings", "key_display", "move_keys", "palette_rows", "rows"]
