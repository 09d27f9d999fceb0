"""Snapshot tests for pairing: markers, the follow banner, the picker, the conflict dialog, the editor at 80×24.

Other people are injected as presences (no threads, no files), so each screen
is the same every run. Update with ``--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from data.store.presence import Presence
from tests.functional.conftest import make_app
from tui.conflict import Clash, ConflictScreen
from tui.follow import FollowPicker

ME = "ana@devbox.1000"


class StubPresence:
    """Stands in for the presence service: this worktop's key, and announcements go nowhere."""

    key = ME

    def announce(self, **_where: object) -> None:
        pass

    def stop(self) -> None:
        pass


def item_id(app, title: str) -> int:  # noqa: ANN001
    return next(i.id for i in app.workspace.snapshot().items.values() if i.title == title)


def peers(app, *entries: tuple[str, str, str | None, str | None]) -> tuple[Presence, ...]:  # noqa: ANN001
    """(user, pane, selected title, following key) → presences, oldest first."""
    return tuple(Presence(user=user, host="devbox", pid=2000 + n, pane=pane,
                          selected=item_id(app, title) if title else None, following=following, started=float(n))
                 for n, (user, pane, title, following) in enumerate(entries))


def test_board_with_peer_markers_while_following(team_ws, snap_compare):
    """160×50. Header: 'here: ◉bo ◉cy (f follows)'. A banner under it: 'Following ◉bo · Board ·
    #4 Write SAML handler · esc or a move key stops'. The board has the focus with the cursor on
    'Write SAML handler' (todo), whose card starts '◉bo'; 'SSO login' starts '◉cy'. The why pane
    shows 'Write SAML handler' with '◉bo looking at this too'. The footer shows 'esc Stop following'."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        screen = pilot.app.screen
        screen.pairing.service = StubPresence()
        screen.pairing.update(peers(pilot.app, ("bo", "board", "Write SAML handler", None),
                                    ("cy", "inbox", "SSO login", None)))
        screen.pairing.follow("bo@devbox.2000")
        await pilot.pause()

    assert snap_compare(make_app(team_ws), terminal_size=(160, 50), run_before=run_before)


def test_being_followed_at_80x24(team_ws, snap_compare):
    """80×24, one pane at a time: the inbox. Header: 'you: ana  here: ◉bo (f follows)'. A banner:
    '◉bo follows you'. The first request, the one selected, has no marker (bo is on the board)."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        screen = pilot.app.screen
        screen.pairing.service = StubPresence()
        screen.pairing.update(peers(pilot.app, ("bo", "board", "SSO login", ME)))
        await pilot.pause()

    assert snap_compare(make_app(team_ws), terminal_size=(80, 24), run_before=run_before)


def test_follow_picker(team_ws, snap_compare):
    """The picker over the main screen: 'Follow whom?  enter follows · esc cancels', then
    '◉bo  Board · #4 Write SAML handler  (devbox, pid 2000)' highlighted and
    '◉cy  Why · #2 SSO login  (devbox, pid 2001)'."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        screen = pilot.app.screen
        screen.pairing.service = StubPresence()
        screen.pairing.update(peers(pilot.app, ("bo", "board", "Write SAML handler", None),
                                    ("cy", "why", "SSO login", None)))
        pilot.app.push_screen(FollowPicker(screen.pairing.peers, screen.pairing.names, screen))
        await pilot.pause()

    assert snap_compare(make_app(team_ws), terminal_size=(120, 36), run_before=run_before)


def test_conflict_dialog(team_ws, snap_compare):
    """The edit conflict dialog (warning border): 'bo changed #4 while you were editing it', a
    table with field / when you opened it / theirs now / yours: title 'Write SAML handler',
    'SAML handler with tests  (bo)', 'Write the SAML handler'; owner 'bo', 'cy  (bo)', '(empty)'.
    'Your other changes (due) are saved either way.' Buttons: Keep theirs (t), Apply mine (m),
    Back (esc)."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        clashes = [Clash("title", "Write SAML handler", "SAML handler with tests", "Write the SAML handler", "bo"),
                   Clash("owner", "bo", "cy", None, "bo")]
        pilot.app.push_screen(ConflictScreen(4, clashes, ["due"]))
        await pilot.pause()

    assert snap_compare(make_app(team_ws), terminal_size=(120, 36), run_before=run_before)


def test_editor_at_80x24(team_ws, snap_compare):
    """80×24: the item editor over the inbox for request #8 'Export to CSV please': every field
    one line high with its value or hint (title, kind request ▼, status inbox ▼, owner, due, …),
    why and body as boxes; nothing is drawn zero lines high."""
    assert snap_compare(make_app(team_ws), terminal_size=(80, 24), press=["enter"])
