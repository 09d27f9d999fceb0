"""The worktop App: one workspace, watched live, shown in four panes."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.notifications import SeverityLevel

from data.errors import BadValue, Conflict, NotFound, StoreUnavailable, WorkspaceError
from data.model.snapshot import Snapshot
from data.store.atomic import backup_path
from data.writes.ops import Operation
from data.writes.workspace import Result, Workspace
from tui.commands import WorktopCommands
from tui.main_screen import MainScreen
from tui.messages import WorkspaceChanged, WorkspaceProblem
from tui.typeahead import TypeAhead
from widgets.cards import safe
from widgets.keys import bindings

if TYPE_CHECKING:
    from data.writes.undo import UndoHistory


EXIT_BUG = 70
"""Exit code after an unexpected error (EX_SOFTWARE)."""

EXIT_VIEWER_GONE = 74
"""Exit code when the terminal or browser tab went away mid-session (EX_IOERR); nothing is logged."""

CLOCK_TICK = 10.0
"""Seconds between redraws of the relative times on screen (header, inbox ages)."""


class WorktopApp(App):
    """A live view of one workspace file.

    Args:
        workspace: the workspace to show and edit (tests pass a temp one).
        watch: follow changes other processes make to the file.
        clock: "now", for ages in the header and inbox (tests pin it).
        read_only: why this app must change nothing (``worktop serve`` without
            ``--allow-writes``), shown in the header; every write is refused with it.
            None: it writes whenever the file lets it.
        note: a word for the header about how this app runs ("in a browser: writes as ana").
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere still find it
    ESCAPE_TO_MINIMIZE = False  # esc is the screen's Back, which un-zooms in its turn (tui/pane_actions.py)
    TITLE = "worktop"
    COMMANDS = App.COMMANDS | {WorktopCommands}
    BINDINGS = bindings("app")

    def __init__(self, workspace: Workspace, *, watch: bool = True,
                 clock: Callable[[], datetime] | None = None, read_only: str | None = None,
                 note: str | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.watching = watch
        self.now = clock or (lambda: datetime.now(UTC))
        self.snapshot: Snapshot | None = None
        self.problem: str | None = None
        self.read_only_reason = read_only
        """Why this app writes nothing, when it was opened read-only on purpose (None: it may write)."""
        self.note = note
        self.unreachable = False
        """Whether :attr:`problem` is a store out of reach (a server restarting, a network down)."""
        self.read_only = read_only is not None or not workspace.writable
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._undo: UndoHistory | None = None
        self.typeahead = TypeAhead(self)
        """Keys typed while a dialog opens, held for it (tui/typeahead.py)."""
        self._told: set[str] = set()
        self.first_screen_done = False
        """Every pane has drawn once and what waited for that has started (see :meth:`first_screen_shown`)."""

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
            if focused is not None and focused.check_consume_key("a", "a"):
                # A text field: its keys go to it in order. One that is not text (enter, tab) may
                # move the focus on (the next field of a form): what follows waits for that.
                if not event.is_printable:
                    await super().on_event(event)
                    self.typeahead.wait(dialog=False, screen=screen, focused=focused)
                    return
            else:
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
        there as commands. (Not called while a text field has the focus: there every key goes
        the usual way, in order behind the letters typed into it.)
        Uses ``App._check_bindings``, the method Textual's own key handling calls (Textual is pinned).
        """
        self.app_focus = True
        if self.screen is self.screen_stack[0]:
            self.main.pairing.key_pressed(event.key)  # a move key ends following, before it moves you
        if await self._check_bindings(event.key, priority=True):
            return True
        return await self._check_bindings(event.key)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification, from any widget, shows its text inertly.

        Messages quote the workspace (titles, people, errors naming files), so
        they are never read as markup (``[/]`` in a name would crash the app,
        ``[link=…]`` would restyle it) and control characters are shown as
        symbols. ``markup`` is accepted for Textual's signature and ignored.
        """
        super().notify(safe(message), title=safe(title), severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """A bug ends the app with one plain message and a log file, never a traceback on the terminal.

        Everything already saved is on disk (each write is atomic and durable
        before the app moves on). ``WORKTOP_DEBUG=1`` shows Textual's traceback
        instead. Under a test (``run_test``) the error is still re-raised.
        """
        self._stop.set()  # this path skips the app's unmount: the watcher must hear it here
        if os.environ.get("WORKTOP_DEBUG"):
            super()._handle_exception(error)
            return
        if _viewer_gone(error):
            # The terminal or the browser tab went away (an SSH link dropped, `worktop serve` stopped):
            # nobody is there to read a message or a crash log, and everything saved is on disk.
            self._return_code = EXIT_VIEWER_GONE
            self._close_messages_no_wait()
            return
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        log = _crash_log(error)
        self._return_code = EXIT_BUG
        self._exit_renderables.append(Text(
            f"worktop stopped on a problem it did not expect ({type(error).__name__}: {safe(str(error))[:200]}). "
            "Every change saved before is on disk; text typed into an open form was not saved."
            + (f"\nDetails for a bug report: {log}" if log else "")))
        self.bell()
        self._close_messages_no_wait()

    def tell_notices(self, notices: Sequence[str]) -> None:
        """Show what is wrong beside the workspace (an odd lock file, a backup not kept), each once a session."""
        for notice in notices:
            if notice not in self._told:
                self._told.add(notice)
                self.notify(notice, title="Something in the workspace folder needs a look", severity="warning",
                            timeout=12)

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
        if self.read_only_reason is not None:
            self.notify(f"Read-only: {self.read_only_reason}. You can look, not change", severity="warning",
                        timeout=8)
        elif self.read_only:
            reason = self.workspace.store.access_problem()
            self.notify(f"{self.workspace.location} is read-only for you{f' ({reason})' if reason else ''}: "
                        "you can look, not change", severity="warning", timeout=8)
        # Parsed workspaces are frozen out of the cyclic GC (see data.store.layout.parse);
        # a periodic full sweep collects any other garbage cycles frozen with them.
        self.set_interval(120.0, self._sweep_garbage)
        # "5s ago" in the header and the inbox's ages move on while nothing else changes.
        self.set_interval(CLOCK_TICK, self.main.clock_ticked)
        if self.watching:
            self._watch()
            # A safety net for missed events and for snoozed items waking at midnight.
            self.set_interval(2.0, self._check_disk)

    def first_screen_shown(self) -> None:
        """Called by the main screen once every pane has drawn its content for the first time.

        Work the first screen does not show waits until now: making the recurring instances
        due (which reads the workspace again and, only when something is due, takes the lock
        and writes), so it neither delays the first frame nor competes with it.
        """
        self.generate_recurring()
        self.first_screen_done = True

    def _sweep_garbage(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def on_unmount(self) -> None:
        self._stop.set()

    # -- live reload ----------------------------------------------------------
    def _watch(self) -> None:
        """Follow the workspace from a daemon thread of its own.

        Not a thread worker: those run in the loop's executor, which asyncio's shutdown waits
        for, and a watcher nobody told to stop (an exit that skipped the unmount) kept a closed
        app's process alive for good.
        """
        if self._watcher is None:
            self._watcher = threading.Thread(target=self.workspace.store.watch, args=(self._reload_in_thread, self._stop),
                                             name="worktop-watch", daemon=True)
            self._watcher.start()

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
            self.post_message(WorkspaceProblem(str(error), unreachable=isinstance(error, StoreUnavailable)))
            return
        except Exception as error:  # noqa: BLE001 - whatever a hand edit holds, a banner and the last good state
            self.post_message(WorkspaceProblem(f"{self.workspace.location} cannot be read ({type(error).__name__}: "
                                               f"{error})"))
            return
        if self.problem is not None:
            self.post_message(WorkspaceProblem(None))
        current = self.snapshot
        access_changed = self._read_only_now() != self.read_only  # a chmod changes no byte of the file
        if current is None or snapshot.revision != current.revision or snapshot is not current or access_changed:
            self.post_message(WorkspaceChanged(snapshot, force=access_changed))

    def on_workspace_changed(self, message: WorkspaceChanged) -> None:
        if not self.screen_stack or not message.force and self.snapshot is not None and message.snapshot is self.snapshot:
            return  # (no screens: the app is closing, and a watcher's last message arrived late)
        self.show(message.snapshot)

    def on_workspace_problem(self, message: WorkspaceProblem) -> None:
        if not self.screen_stack:
            return
        if message.message is None:
            if self.problem is not None:
                self.problem = None
                self.main.show_problem(None)
                self.notify("Connected to the workspace's server again" if self.unreachable
                            else "The workspace file is readable again", timeout=4)
                self.unreachable = False
            return
        revision = self.snapshot.revision if self.snapshot else "?"
        self.unreachable = message.unreachable
        if message.unreachable:
            text = (f"{message.message}. Showing the last state read (rev {revision}); nothing can be saved until "
                    "the server answers again")
        else:
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
        self.read_only = self._read_only_now()
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
            created, result = generate(self.workspace)
        except (BadValue, WorkspaceError) as error:
            self.call_from_thread(self.notify, f"Recurring instances not made: {error}", severity="error", timeout=8)
            return
        self.call_from_thread(self.tell_notices, result.notices)
        if report_none:
            for warning in result.warnings:
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
    def _read_only_now(self) -> bool:
        """Opened read-only on purpose, or the file is read-only for this user now."""
        return self.read_only_reason is not None or not self.workspace.writable

    def refuse_write(self) -> bool:
        """True (and the person is told why) when this app was opened read-only: nothing may be written."""
        if self.read_only_reason is None:
            return False
        self.notify(f"Nothing was changed: this worktop is read-only ({self.read_only_reason})", severity="error",
                    timeout=8)
        return True

    def apply_ops(self, ops: list[Operation], *, quiet: bool = False, raise_conflict: bool = False) -> Result | None:
        """Apply operations; show errors as notifications; redraw at once on success."""
        if self.refuse_write():
            return None
        if self.problem is not None:
            self.notify("The workspace's server cannot be reached right now; nothing was saved (worktop reconnects "
                        "by itself; what you typed is still there)" if self.unreachable
                        else "The workspace file cannot be read right now; nothing was written", severity="error")
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
        self.tell_notices(result.notices)
        if result.changed:
            from data.writes.undo import UndoStep

            self.undo.record(UndoStep.of_result(result, before=self.snapshot))
            try:
                snapshot = self.workspace.snapshot()
            except WorkspaceError:  # saved, but the store went away at once: the watcher shows the banner
                self._reload_worker()
                return result
            self.show(snapshot)
        return result


def _viewer_gone(error: BaseException) -> bool:
    """Whether ``error`` says the output went away: a closed pipe (a web tab's server gone) or a hung-up terminal."""
    import errno

    return isinstance(error, BrokenPipeError | ConnectionResetError) or (
        isinstance(error, OSError) and error.errno in (errno.EIO, errno.EPIPE))


def _crash_log(error: BaseException) -> str | None:
    """Write the traceback to a new private file in the temp folder; its path, or None if it could not be written."""
    import tempfile
    import traceback

    try:
        fd, name = tempfile.mkstemp(prefix="worktop-crash-", suffix=".log")
        with os.fdopen(fd, "w") as handle:
            handle.write("".join(traceback.format_exception(error)))
    except OSError:
        return None
    return name


def run_app(path: Path | str, *, actor: str | None = None, read_only: str | None = None, note: str | None = None) -> int:
    """Open the TUI on ``path`` (``read_only``, ``note``: see :class:`WorktopApp`); returns the process exit code."""
    import sys

    workspace = Workspace(path, actor=actor)
    try:
        workspace.snapshot()
    except WorkspaceError as error:
        print(f"worktop: {safe(str(error))}", file=sys.stderr)
        return 3
    app = WorktopApp(workspace, read_only=read_only, note=note)
    app.run()
    return app.return_code or 0
