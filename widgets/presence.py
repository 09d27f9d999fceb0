"""The follow banner: whom you follow, and who follows you; hidden when neither."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from widgets.cards import safe

PANE_NAMES = {"inbox": "Inbox", "board": "Board", "matrix": "Ownership", "why": "Why", "pulse": "Pulse"}


class FollowBanner(Static):
    """One line under the header while you follow someone or someone follows you."""

    DEFAULT_CSS = """
    FollowBanner { height: 1; background: $accent 30%; color: $text; padding: 0 1; display: none; }
    FollowBanner.-visible { display: block; }
    """

    _shown: Text | None = None

    def show_follow(self, *, following: str | None = None, where: str = "", followers: list[str] | None = None) -> None:
        """Update the banner.

        Args:
            following: the name of the person you follow.
            where: their pane and selection, in words.
            followers: names of the people following you.
        """
        text = Text()
        if following:
            text.append("Following ", style="bold")
            text.append(f"◉{safe(following)}", style="bold")
            if where:
                text.append(f" · {safe(where)}")
            text.append(" · esc or a move key stops", style="italic")
        if followers:
            if text:
                text.append("   │   ")
            text.append(", ".join(f"◉{safe(name)}" for name in followers), style="bold")
            text.append(" follow you" if len(followers) > 1 else " follows you")
        visible = bool(text)
        if text == self._shown and visible == self.has_class("-visible"):
            return  # presence updates come often; an unchanged banner costs nothing
        self._shown = text
        # Showing or hiding the banner moves everything below it; changing its text does not.
        self.update(text, layout=visible != self.has_class("-visible"))
        self.set_class(visible, "-visible")


__all__ = ["PANE_NAMES", "FollowBanner"]
