"""Undo (``u``, ctrl+z) and redo (``U``, ctrl+y) of this session's own writes.

The logic is in data/writes/undo.py (Textual-free): here it is only run and reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import WorktopApp


def undo_or_redo(app: WorktopApp, *, redo: bool) -> None:
    """Undo (or redo) this session's newest own write, and say what happened."""
    if app.refuse_write():
        return
    if app.problem is not None:
        app.notify("The workspace file cannot be read right now; nothing was written", severity="error")
        return
    history = app.undo
    outcome = history.redo(app.workspace) if redo else history.undo(app.workspace)
    message = outcome.message
    message = message[:1].upper() + message[1:]
    problem = outcome.error is not None and not outcome.error.startswith("nothing to")
    app.notify(message, title="Redo" if redo else "Undo", severity="warning" if problem or outcome.kept else
               "information", timeout=10 if outcome.kept or problem else 4)
    if outcome.result is not None:
        for warning in outcome.result.warnings:
            app.notify(warning, severity="warning")
    if outcome.result is not None or problem:
        app.show(app.workspace.snapshot())


__all__ = ["undo_or_redo"]
