"""The footer: the keys of where you are, with help and quit always first.

Textual's footer lists the focused widget's keys first and the app's last, so on a
narrow terminal (or a busy pane) ``? Help`` and ``^q Quit`` fell off the right edge.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST = ("help", "quit")
"""Actions shown first, whatever has the focus."""


class WorktopFooter(Footer):
    """A :class:`~textual.widgets.Footer` that starts with help and quit."""

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        first = [w for action in FIRST for w in widgets
                 if isinstance(w, FooterKey) and w.action == action and not w.has_class("-command-palette")]
        yield from first
        yield from (w for w in widgets if w not in first)
