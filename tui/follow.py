"""Pairing on one screen: who else is here, their markers on cards, and follow mode.

:class:`Pairing` belongs to the main screen. It starts the presence service
(when the app watches the file), turns the peers it hears about into the
``◉name`` markers the panes draw, the names in the header and the follow
banner, and runs follow mode: your pane and selection track another person's
until you press a key that moves you (or esc), or they leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from data.store.presence import Presence, labels
from widgets.board import Board
from widgets.cards import safe
from widgets.inbox import InboxPane
from widgets.keys import bindings, move_keys
from widgets.matrix import OwnershipMatrix
from widgets.presence import PANE_NAMES, FollowBanner
from widgets.why import WhyPane

if TYPE_CHECKING:
    from tui.main_screen import MainScreen
    from tui.presence import PresenceService

MOVE_KEYS = move_keys()
"""Keys that move your cursor or focus (the key table's rows marked ``moves``): one ends following."""


class Pairing:
    """Presence and follow mode for one main screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.service: PresenceService | None = None
        self.peers: tuple[Presence, ...] = ()
        self.names: dict[str, str] = {}
        """Presence key → the short name shown for it."""
        self.by_item: dict[int, list[str]] = {}
        """Item id → names of the people whose selection it is (the panes' ``RowContext.peers``)."""
        self.following: str | None = None
        """The presence key of the person you follow."""

    # -- presence -------------------------------------------------------------
    def start(self) -> None:
        """Announce this worktop and listen for others (only when the app watches the file)."""
        app = self.screen.app
        if not app.watching or self.service is not None:
            return
        from tui.presence import PeersChanged, PresenceService

        screen = self.screen
        self.service = PresenceService(app, app.workspace.path, app.workspace.actor,
                                       lambda peers: screen.post_message(PeersChanged(peers)),
                                       folder=app.workspace.store.presence())
        self.announce()
        self.service.start()

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None

    @property
    def my_key(self) -> str | None:
        return self.service.key if self.service is not None else None

    def announce(self) -> None:
        """Tell the others where you are (cheap: the file is written off the UI thread)."""
        if self.service is not None:
            self.service.announce(pane=self.screen.current_pane, selected=self.screen.selected_id,
                                  following=self.following)

    def update(self, peers: tuple[Presence, ...]) -> None:
        """New peers from the presence service: redraw markers, header and banner; track the followed."""
        old_ids = set(self.by_item)
        old_names = self.header_names()
        self.peers = peers
        # Names come from files other users write: made inert here, once, for every place they show.
        self.names = {key: safe(name) for key, name in labels(list(peers)).items()}
        by_item: dict[int, list[str]] = {}
        for peer in peers:
            if peer.selected is not None:
                by_item.setdefault(peer.selected, []).append(self.names[peer.key])
        self.by_item.clear()
        self.by_item.update(by_item)
        self._refresh_rows(old_ids | set(by_item))
        if self.header_names() != old_names:  # a header update lays out the whole screen: only when needed
            self.screen.refresh_header()
        if self.following is not None:
            target = self._peer(self.following)
            if target is None:
                name = self.names.get(self.following) or self.following.split("@")[0]
                self.stop_following(f"{name} left the workspace; you are no longer following")
                return
            self._track(target)
        self._show_banner()

    def snapshot_shown(self) -> None:
        """The panes were redrawn from a new snapshot: keep tracking the person you follow.

        A card they moved to another column, or an item they just made, is only
        where they are once this worktop has read the file too. Done after the
        refresh, so the panes' own cursor messages from the redraw come first.
        """
        if self.following is not None:
            self.screen.call_after_refresh(self._retrack)

    def _retrack(self) -> None:
        target = self._peer(self.following) if self.following is not None else None
        if target is not None:
            self._track(target, force=True)

    def header_names(self) -> list[str]:
        return [self.names[peer.key] for peer in self.peers]

    def _peer(self, key: str) -> Presence | None:
        return next((peer for peer in self.peers if peer.key == key), None)

    def _refresh_rows(self, ids: set[int]) -> None:
        screen = self.screen
        if not ids or screen.ctx is None:
            return
        inbox = screen.query_one(InboxPane).list
        columns = [column.list for column in screen.query_one(Board).columns]
        for item_id in ids:
            inbox.refresh_row(item_id)
            for column in columns:
                column.refresh_row(item_id)
        if screen.selected_id in ids:  # its "looking at this too" line
            screen.query_one(WhyPane).show(screen.ctx, screen.selected_id)

    # -- follow mode ----------------------------------------------------------
    def choose(self) -> None:
        """The follow key: stop if following; else follow the only other person, or pick one."""
        if self.following is not None:
            self.stop_following(self.stopped_message())
            return
        if not self.peers:
            message = "Nobody else has this workspace open right now"
            if self.service is None:
                message = "Presence is off in this window (live reload is off), so nobody can be followed"
            self.screen.notify(message, severity="warning")
            return
        if len(self.peers) == 1:
            self.follow(self.peers[0].key)
            return
        self.screen.app.push_screen(FollowPicker(self.peers, self.names, self.screen), self._picked)

    def _picked(self, key: str | None) -> None:
        if key is not None:
            self.follow(key)

    def follow(self, key: str) -> None:
        target = self._peer(key)
        if target is None:
            self.screen.notify("They left before you could follow them", severity="warning")
            return
        self.following = key
        self._track(target)
        self._show_banner()
        self.screen.refresh_bindings()
        self.announce()

    def stop_following(self, message: str | None = None) -> None:
        if self.following is None:
            return
        self.following = None
        self._show_banner()
        self.screen.refresh_bindings()
        self.announce()
        if message:
            self.screen.notify(message, timeout=4)

    def stopped_message(self) -> str:
        name = self.names.get(self.following or "", "them")
        return f"Stopped following {name}"

    def key_pressed(self, key: str) -> None:
        """Any key on the main screen: one that moves you ends follow mode (before it moves you)."""
        if self.following is not None and key in MOVE_KEYS:
            self.stop_following(self.stopped_message())

    def _track(self, target: Presence, *, force: bool = False) -> None:
        """Put your focus and selection where ``target`` has theirs (``force``: even if the id is the same)."""
        screen = self.screen
        if target.pane is not None and target.pane != screen.current_pane:
            screen.focus_pane(target.pane)
        selected = target.selected
        if (selected is not None and (force or selected != screen.selected_id) and screen.snapshot is not None
                and selected in screen.snapshot.items):
            screen.select_item(selected)
            if target.pane == "matrix":
                screen.query_one(OwnershipMatrix).select_column(selected)

    def _show_banner(self) -> None:
        followers = [self.names[peer.key] for peer in self.peers
                     if self.my_key is not None and peer.following == self.my_key]
        following = where = None
        target = self._peer(self.following) if self.following else None
        if target is not None:
            following = self.names.get(target.key, target.user)
            where = self.describe(target)
        self.screen.query_one(FollowBanner).show_follow(following=following, where=where or "", followers=followers)

    def describe(self, peer: Presence) -> str:
        """Their pane and selected item, in words: ``Board · #12 Write SAML handler``."""
        parts = [PANE_NAMES.get(peer.pane or "", "")]
        snapshot = self.screen.snapshot
        if peer.selected is not None:
            item = snapshot.items.get(peer.selected) if snapshot is not None else None
            parts.append(f"#{peer.selected}" + (f" {item.title[:40]}" if item is not None else ""))
        return " · ".join(part for part in parts if part)


class FollowPicker(ModalScreen[str | None]):
    """Pick whom to follow: one line per other worktop on this workspace."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("follow-picker")

    def __init__(self, peers: tuple[Presence, ...], names: dict[str, str], main: MainScreen) -> None:
        super().__init__()
        self.peers = peers
        self.names = names
        self.main = main

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-picker"):
            yield Static(Text("Follow whom?  enter follows · esc cancels", style="bold"))
            options = []
            for peer in self.peers:
                line = Text(f"◉{safe(self.names.get(peer.key, peer.user))}", style="bold")
                line.append(f"  {safe(self.main.pairing.describe(peer))}")
                line.append(f"  ({safe(peer.host)}, pid {peer.pid})", style="dim")
                options.append(Option(line, id=peer.key))
            yield OptionList(*options, id="follow-options")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["MOVE_KEYS", "FollowPicker", "Pairing"]
