"""Text fields that show workspace text inertly: an ``Input`` and a ``TextArea`` no text can drive the terminal from.

(The ``TextArea`` is in :mod:`widgets.safe_text_area`, loaded when a form needs it.)

Textual's ``Input`` and ``TextArea`` hand their text to the terminal as it is,
so a title holding ``ESC ] 52 ; c ; …`` would set the clipboard of whoever
opens the item, ``ESC ] 2 ;`` their terminal's title, ``ESC [ 2 J`` blank the
screen. These fields show every control character as a visible symbol instead
(``␛``, as the panes do), whether the text was loaded from the workspace,
typed or pasted.

What is saved is the text as it was unless the person edits the field:
:attr:`SafeInput.stored` / :attr:`SafeTextArea.stored` give back the original
(control characters and all) while the field still shows what it was loaded
with, and what the person typed once they change it.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from data.model.items import display_width_safe


def inert_line(text: str) -> str:
    """One line of text with every control character shown as a visible symbol."""
    return display_width_safe(text)


def inert_lines(text: str) -> str:
    """Text of several lines with every control character but the line breaks shown as a visible symbol."""
    if text.isprintable() or all(line.isprintable() for line in text.split("\n")):
        return text
    return "\n".join(display_width_safe(line.replace("\r", "␍")) for line in text.split("\n"))


class SafeInput(Input):
    """An ``Input`` whose value never holds a raw control character (see the module docstring)."""

    def __init__(self, value: str | None = None, *args: Any, **kwargs: Any) -> None:
        self._original = value or ""
        self._shown = inert_line(self._original)
        super().__init__(self._shown if value is not None else None, *args, **kwargs)

    def validate_value(self, value: str) -> str:
        """Every value, however it arrives (loaded, typed, pasted), is shown inertly."""
        return inert_line(value)

    def load(self, text: str) -> None:
        """Show ``text`` from the workspace; :attr:`stored` gives it back unchanged until it is edited."""
        self._original = text
        self._shown = inert_line(text)
        self.value = self._shown

    @property
    def stored(self) -> str:
        """The text to save: the loaded text itself if the field was not edited, else what it shows."""
        return self._original if self.value == self._shown else self.value




__all__ = ["SafeInput", "inert_line", "inert_lines"]
