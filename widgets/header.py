"""The header line and the problem banner."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from data.model.snapshot import Snapshot
from widgets.cards import age, safe

MAX_PEERS_SHOWN = 6
"""Names shown in the header; the rest are counted (the follow picker lists everyone)."""


class WorkspaceHeader(Static):
    """Workspace name, you, the revision and who changed it last and when."""

    DEFAULT_CSS = """
    WorkspaceHeader { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def show(self, snapshot: Snapshot, *, actor: str, now: datetime, read_only: bool | str = False,
             others: list[str] | None = None, filter_text: str = "", note: str | None = None) -> None:
        """``read_only``: True, or why (shown beside READ-ONLY); ``note``: how this worktop runs."""
        text = Text()
        text.append("worktop ", style="bold")
        text.append(safe(snapshot.settings.name), style="bold reverse")
        text.append(f"  you: {safe(actor)}")
        if note:
            text.append(f" ({safe(note)})", style="bold")
        if read_only:
            text.append("  READ-ONLY", style="bold reverse")
            if isinstance(read_only, str):
                text.append(f" ({safe(read_only)})", style="bold")
        if others:
            text.append("  here: ")
            text.append(" ".join(f"◉{safe(o)[:24]}" for o in others[:MAX_PEERS_SHOWN]), style="bold")
            if len(others) > MAX_PEERS_SHOWN:
                text.append(f" +{len(others) - MAX_PEERS_SHOWN} more", style="bold")
            text.append(" (f follows)", style="dim")
        text.append(f"  rev {snapshot.revision}")
        last = snapshot.last_change
        if last is not None:
            text.append(f" · {safe(last.by)} {age(last.at, now)} ago: ", style="dim")
            text.append(safe(last.summary)[:60], style="dim")
        if filter_text:
            text.append("  filter: ", style="bold")
            text.append(safe(filter_text))
        # One line high and as wide as the screen whatever it says: no layout pass (that would
        # repaint every pane on each live reload).
        self.update(text, layout=False)


class ProblemBanner(Static):
    """Shown while the workspace file is missing or unreadable; hidden otherwise."""

    DEFAULT_CSS = """
    ProblemBanner { height: auto; background: $error; color: $text; padding: 0 1; display: none; }
    ProblemBanner.-visible { display: block; }
    """

    def show_problem(self, message: str | None) -> None:
        if message:
            self.update(Text(safe(message), style="bold"))
        self.set_class(bool(message), "-visible")
