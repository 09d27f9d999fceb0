"""The worktop App: one workspace, watched live, shown in four panes."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App

from data.model.items import BadValue
from data.store.storage import backup_path
from data.store.watcher import watch_workspace
from data.writes.ops import Operation
from data.writes.workspace import Conflict, NotFound, Result, Snapshot, Workspace, WorkspaceError
from tui.commands import WorktopCommands
from tui.main_screen import MainScreen
from tui.messages import WorkspaceChanged, WorkspaceProblem
from tui.typeahead import TypeAhead
from widgets.keys import bindings

if TYPE_CHECKING:
    from data.writes.undo import UndoHistory


CLOCK_TICK = 10.0
"""Seconds between redraws of the relative times on screen (header, inbox ages)."""


class WorktopApp(App):
    """A live view of one workspace file.

    Args:
        workspace: the workspace to show and edit (tests pass a temp one).
        watch: follow changes other processes make to the file.
        clock: "now", for ages in the header and inbox (tests pin it).
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere still find it
    ESCAPE_TO_MINIMIZE = False  # esc is the screen's Back, which un-zooms in its turn (tui/pane_actions.py)
    TITLE = "worktop"
    COMMANDS = App.COMMANDS | {WorktopCommands}
    BINDINGS = bindings("app")

    def __init__(self, workspace: Workspace, *, watch: bool = True,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.watching = watch
        self.now = clock or (lambda: datetime.now(UTC))
        self.snapshot: Snapshot | None = None
        self.problem: str | None = None
        self.read_only = not workspace.writable
        self._stop = threading.Event()
        self._undo: UndoHistory | None = None
        self.typeahead = TypeAhead(self)
        """Keys typed while a dialog opens, held for it (tui/typeahead.py)."""

    @property
    def undo(self) -> UndoHistory:
        """This session's own writes, for undo (u) and redo (U); see data/writes/undo.py (loaded on first use)."""
        if self._undo is None:
            from data.writes.undo import UndoHistory

            self._undo = UndoHistory()
        return self._undo

    def on_mount(self) -> None:
        self.typeahead.start()

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self.typeahead.focus_moved()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.typeahead.hold(event):
                return
            dialog = self.typeahead.opens_dialog(event.key)
            screen, focused = self.screen, self.focused
            handled = await self._bindings_first(event)
            if handled or dialog:
                self.typeahead.wait(dialog=dialog, screen=screen, focused=focused)
            if handled:
                return
        await super().on_event(event)

    async def _bindings_first(self, event: events.Key) -> bool:
        """Run a bound key's action now, before the app reads the next key.

        Textual hands a key to the focused widget's queue and resolves its binding only when it
        bubbles back, while the app goes on reading keys: in a burst (``4`` then ``N`` then text)
        later keys were handed to the widget that had the focus before ``4`` moved it, and ran
        there as commands. While a text field has the focus every key goes the usual way, in
        order behind the letters typed into it (a save on enter must see them all).
        Uses ``App._check_bindings``, the method Textual's own key handling calls (Textual is pinned).
        """
        focused = self.focused
        if focused is not None and focused.check_consume_key("a", "a"):
            return False
        self.app_focus = True
        if self.screen is self.screen_stack[0]:
            self.main.pairing.key_pressed(event.key)  # a move key ends following, before it moves you
        if await self._check_bindings(event.key, priority=True):
            return True
        return await self._check_bindings(event.key)

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    @property
    def main(self) -> MainScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    def screen_ready(self) -> None:
        """Called by the main screen once its panes exist: first load and draw."""
        try:
            self.snapshot = self.workspace.snapshot()
        except WorkspaceError as error:
            self.exit(return_code=3, message=f"worktop: {error}")
            return
        self.main.show_snapshot(self.snapshot)
        self.generate_recurring()
        if self.read_only:
            from data.store.sharing import access_problem

            reason = access_problem(self.workspace.path)
            self.notify(f"{self.workspace.path} is read-only for you{f' ({reason})' if reason else ''}: "
                        "you can look, not change", severity="warning", timeout=8)
        # Parsed workspaces are frozen out of the cyclic GC (see data.store.storage.parse);
        # a periodic full sweep collects any other garbage cycles frozen with them.
        self.set_interval(120.0, self._sweep_garbage)
        # "5s ago" in the header and the inbox's ages move on while nothing else changes.
        self.set_interval(CLOCK_TICK, self.main.clock_ticked)
        if self.watching:
            self._watch()
            # A safety net for missed events and for snoozed items waking at midnight.
            self.set_interval(2.0, self._check_disk)

    def _sweep_garbage(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
        self._stop.set()

    # -- live reload ----------------------------------------------------------
    @work(thread=True, exclusive=True, group="watch")
    def _watch(self) -> None:
        watch_workspace(self.workspace.path, self._reload_in_thread, self._stop)

    def _check_disk(self) -> None:
        if self.workspace.changed_on_disk() or self.problem:
            self._reload_worker()
        elif self.main.ctx is not None and self.main.ctx.today != self.workspace.today and self.snapshot:
            self.main.show_snapshot(self.snapshot)
            self.generate_recurring()  # a new day: the horizon moved on

    @work(thread=True, exclusive=True, group="reload")
    def _reload_worker(self) -> None:
        self._reload_in_thread()

    def _reload_in_thread(self) -> None:
        """Re-read the file off the UI thread; post one message with what changed."""
        try:
            snapshot = self.workspace.snapshot()
        except WorkspaceError as error:
            self.post_message(WorkspaceProblem(str(error)))
            return
        if self.problem is not None:
            self.post_message(WorkspaceProblem(None))
        current = self.snapshot
        if current is None or snapshot.revision != current.revision or snapshot is not current:
            self.post_message(WorkspaceChanged(snapshot))

    def on_workspace_changed(self, message: WorkspaceChanged) -> None:
        if self.snapshot is not None and message.snapshot is self.snapshot:
            return
        self.show(message.snapshot)

    def on_workspace_problem(self, message: WorkspaceProblem) -> None:
        if message.message is None:
            if self.problem is not None:
                self.problem = None
                self.main.show_problem(None)
                self.notify("The workspace file is readable again", timeout=4)
            return
        revision = self.snapshot.revision if self.snapshot else "?"
        text = (f"{message.message}. Showing the last good state (rev {revision}); nothing will be written "
                f"until the file is readable again. Last good copy: {backup_path(Path(self.workspace.path))}")
        if text != self.problem:
            self.problem = text
            self.main.show_problem(text)

    def show(self, snapshot: Snapshot) -> None:
        """Draw a snapshot on the main screen and tell an open editor about it."""
        from data.writes.recurrence import templates_changed

        previous, self.snapshot = self.snapshot, snapshot
        if templates_changed(previous, snapshot):
            self.generate_recurring()  # template edits reach future instances
        self.read_only = not self.workspace.writable
        self.main.show_snapshot(snapshot)
        for screen in self.screen_stack[1:]:
            handler = getattr(screen, "workspace_changed", None)
            if handler is not None:
                handler(snapshot)

    # -- recurring workflows ----------------------------------------------------
    @work(thread=True, exclusive=True, group="recurring")
    def generate_recurring(self, report_none: bool = False) -> None:
        """Make due recurring instances off the UI thread; posts nothing when nothing was made.

        Runs on start, at the day change and after a template changes; any number
        of terminals doing so at once still make one instance per date.
        """
        from data.writes.recurrence import generate

        if self.read_only or self.problem is not None:
            if report_none:
                self.call_from_thread(self.notify, "The workspace cannot be written now; nothing was made",
                                      severity="warning")
            return
        try:
            created, warnings = generate(self.workspace)
        except (BadValue, WorkspaceError) as error:
            self.call_from_thread(self.notify, f"Recurring instances not made: {error}", severity="error", timeout=8)
            return
        if report_none:
            for warning in warnings:
                self.call_from_thread(self.notify, warning, severity="warning", timeout=8)
        # Generating read the file, which may be newer than the screen even when nothing
        # was made (another terminal made them): show it, or the watcher's stat check,
        # comparing against what was just read, would never see the change.
        self._reload_in_thread()
        if created:
            count = len(created)
            self.call_from_thread(self.notify, f"Made {count} recurring instance{'s' if count != 1 else ''}", timeout=4)
        elif report_none:
            self.call_from_thread(self.notify, "Every recurring instance up to the horizon is already made", timeout=4)

    # -- writing --------------------------------------------------------------
    def apply_ops(self, ops: list[Operation], *, quiet: bool = False, raise_conflict: bool = False) -> Result | None:
        """Apply operations; show errors as notifications; redraw at once on success."""
        if self.problem is not None:
            self.notify("The workspace file cannot be read right now; nothing was written", severity="error")
            return None
        try:
            result = self.workspace.apply_all(ops)
        except Conflict as error:
            if raise_conflict:
                raise
            self.notify(str(error), title="Someone else changed this", severity="warning", timeout=8)
            self._reload_worker()
            return None
        except (BadValue, NotFound, WorkspaceError) as error:
            self.notify(str(error), severity="error", timeout=8)
            if isinstance(error, WorkspaceError) and not isinstance(error, NotFound):
                self._reload_worker()
            return None
        for warning in result.warnings:
            self.notify(warning, severity="warning")
        if result.changed:
            from data.writes.undo import UndoStep

            snapshot = self.workspace.snapshot()
            self.undo.record(UndoStep.of_revision(snapshot, result.revision, before=self.snapshot))
            self.show(snapshot)
        return result


def run_app(path: Path, *, actor: str | None = None) -> int:
    """Open the TUI on ``path``; returns the process exit code."""
    import sys

    from data.store.storage import WorkspaceMissing

    workspace = Workspace(path, actor=actor)
    try:
        workspace.snapshot()
    except WorkspaceMissing as error:
        print(f"worktop: {error}", file=sys.stderr)
        return 3
    except WorkspaceError as error:
        print(f"worktop: {error}", file=sys.stderr)
        return 3
    WorktopApp(workspace).run()
    return 0
