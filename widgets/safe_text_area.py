"""The inert ``TextArea`` (see :mod:`widgets.safe_text`), apart so that starting the app does not import ``TextArea``."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import TextArea

from widgets.safe_text import inert_lines


class SafeTextArea(TextArea):
    """A ``TextArea`` whose text never holds a raw control character other than line breaks."""

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        self._original = text
        self._shown = inert_lines(text)
        super().__init__(self._shown, *args, **kwargs)

    def load(self, text: str) -> None:
        """Show ``text`` from the workspace; :attr:`stored` gives it back unchanged until it is edited."""
        self._original = text
        self._shown = inert_lines(text)
        self.text = self._shown

    @property
    def stored(self) -> str:
        """The text to save: the loaded text itself if the area was not edited, else what it shows."""
        return self._original if self.text == self._shown else self.text

    async def _on_paste(self, event: events.Paste) -> None:
        event.text = inert_lines(event.text)
        await super()._on_paste(event)


__all__ = ["SafeTextArea"]
