"""Type-ahead: keys typed in a burst reach what they were typed for, in order.

A key like ``N`` (add a note) opens its prompt a few messages later. Keys that
arrive in the same burst — a paste, a laggy SSH link, a fast typist — used to
reach the pane underneath first and act there as commands: ``u`` undid,
``n`` opened the editor, and the note got the tail of the text. Likewise ``4``
then ``N``: the focus moves a moment after ``4`` runs, and ``N`` went to the
inbox. So after a bound key the app holds the keys that follow until the
action has settled, and after a key whose row in the key table says it
``opens`` a dialog, until the dialog has its field focused (or the focus moved
into a text field); then it hands them on in the order they came. If no dialog
appears (the action said why not), they go on where they would have gone.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Input

from widgets.keys import KEYS

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.timer import Timer

SETTLE_STEP = 0.004
"""Seconds between looks at whether a key's action has settled."""
SETTLE_CHECKS = 250
"""Looks at most (~1 s) before held keys go on regardless."""
DIALOG_WAIT = 3.0
"""Seconds at most to hold keys for a dialog (or the first pane) that has not focused its field yet."""

_OPENING_IDS = frozenset(f"{key.scope}.{key.action}" for key in KEYS if key.opens)
_OPENING_KEYS = frozenset(
    name.strip() for key in KEYS if key.opens for name in key.keys.split(",")
)


def _key_names() -> frozenset[str]:
    from textual.keys import _character_to_key

    return frozenset(_character_to_key(name) if len(name) == 1 else name for name in _OPENING_KEYS)


class TypeAhead:
    """Holds keys for one app while the last key's action settles.

    After a bound key runs (or enter, tab or another key that is not text, in a text field),
    the keys behind it wait until what it set off has run: the messages it posted, the prompt a
    screen pushed for it, the focus change ``Widget.focus`` queues on the app. After a key that
    opens a dialog they wait on, until the dialog has focused its field. Then they go on, in
    the order they came.
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self.held: list[events.Key] | None = []
        """Keys waiting; from the start, until the first pane has the focus (see :meth:`start`)."""
        self._dialog = True
        self._screen: object = None
        self._focused: object = None
        self._settled = False
        self._pending = False
        """The last key ran an action: a key arriving while it still runs is held (see :meth:`hold`)."""
        self._quiet = 0
        self._checks = 0
        self._timer: Timer | None = None
        self._keys = _key_names()

    def start(self) -> None:
        """The app is mounted: keys typed before its pane has the focus wait for that."""
        self._timer = self.app.set_timer(DIALOG_WAIT, self.release)
        self._settled = True

    def hold(self, event: events.Key) -> bool:
        """Called for every key the app reads; True when the key was held (the app must not forward it)."""
        if self.held is None:
            if not self._pending:
                return False
            self._pending = False
            if not self._busy():
                return False  # the last key's action has long settled: nothing to wait for
            self.held = []
            self._dialog = False
            self._quiet = self._checks = 0
            self.app.set_timer(SETTLE_STEP, self._settle)
        self.held.append(events.Key(event.key, event.character))
        return True

    def opens_dialog(self, key: str) -> bool:
        """Whether ``key``, pressed now, runs an action that opens a dialog (a row marked ``opens``)."""
        if key not in self._keys:
            return False
        focused = self.app.focused
        if _is_text_field(focused):
            return False  # typed text, not a command
        active = self.app.screen.active_bindings.get(key)
        return active is not None and active.binding.id in _OPENING_IDS

    def wait(self, *, dialog: bool, screen: object, focused: object) -> None:
        """Hold the keys that follow until the action just run has settled (or its dialog is ready).

        ``screen`` and ``focused``: where the app was before the key ran (a dialog is a change from them).
        """
        self._screen = screen
        self._focused = focused
        if not dialog:
            # Cheap for a key on its own: only a key that arrives while this one's action is still
            # running is held (see :meth:`hold`).
            self._pending = self.held is None
            return
        self.held = self.held or []
        self._dialog = dialog
        self._settled = False
        self._quiet = 0
        self._checks = 0
        self._settle()

    def _busy(self) -> bool:
        """Whether the app or a widget of the screen still has messages to handle (what the key set off).

        A message a widget has taken off its queue but not finished counts too: enter in a form's
        field, then text, in one burst (a paste, a laggy link) found every queue empty while the
        field was still handling enter — it had not yet moved the focus on — and the text went to
        the field it was leaving (the README's accept recipe lost its due date, 1 run in 5 on a
        loaded machine). Called while the app handles a message (a key, a timer): that one is not
        what we wait for.
        """
        app = self.app
        if _unfinished(app) > 1:
            return True
        screen = app.screen
        return any(_unfinished(node) for node in (screen, *screen.walk_children()))

    def _settle(self) -> None:
        """Look again every few ms until every queue has been empty twice running (or for at most 1 s)."""
        if self.held is None:
            return
        self._checks += 1
        self._quiet = 0 if self._busy() else self._quiet + 1
        if self._quiet < 2 and self._checks < SETTLE_CHECKS:
            self.app.set_timer(SETTLE_STEP, self._settle)
            return
        self._after_action()

    def _after_action(self) -> None:
        self._settled = True
        if not self._dialog or self._ready():
            self.release()
        elif self.app.screen is self._screen and self.app.focused is self._focused:
            # Nothing yet: a field made on first use focuses after a refresh (the filter bar). Look
            # again after the next one, behind the focus change it queues on the app.
            self.app.call_after_refresh(self.app.call_later, self._last_look)
        else:
            self._timer = self.app.set_timer(DIALOG_WAIT, self.release)

    def _last_look(self) -> None:
        if self.held is None:
            return
        if self._ready() or (self.app.screen is self._screen and self.app.focused is self._focused):
            self.release()  # ready, or no dialog came (the action said why not): the keys go on
        else:
            self._timer = self.app.set_timer(DIALOG_WAIT, self.release)

    def _ready(self) -> bool:
        focused = self.app.focused
        return focused is not None and focused is not self._focused and (
            self.app.screen is not self._screen or _is_text_field(focused) or self._screen is None)

    def focus_moved(self) -> None:
        """The focus changed (the app saw a widget focused): a dialog or the first pane may be ready."""
        if self.held is not None and self._settled and self._dialog and self._ready():
            self.release()

    def release(self) -> None:
        """Hand the held keys on, in order, to wherever the focus is now."""
        held, self.held = self.held or [], None
        self._dialog = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        for event in held:
            self.app.post_message(event)


def _unfinished(node: MessagePump) -> int:
    """Messages sent to ``node`` and not yet handled to the end: queued, or being handled now; and its
    callbacks due after the current message (``call_next``).

    asyncio.Queue counts a message until ``task_done()``, which Textual calls once the message has
    been dispatched (``MessagePump._process_messages_loop``).
    """
    queue: asyncio.Queue[Any] = node._message_queue
    unfinished: int = getattr(queue, "_unfinished_tasks", queue.qsize())
    return unfinished + len(node._next_callbacks)


def _is_text_field(widget: object) -> bool:
    """An ``Input`` or a ``TextArea`` (not imported for this: no ``TextArea`` exists until a form loads it)."""
    if isinstance(widget, Input):
        return True
    area = sys.modules.get("textual.widgets._text_area")
    return area is not None and isinstance(widget, area.TextArea)


__all__ = ["TypeAhead"]
