"""Triage in the inbox by keyboard: each action's effect on screen and on disk.

Apps run with notifications on, so what a toast says is part of the screen checked.

The team workspace's inbox holds three requests, oldest first: #8 "Export to CSV
please" (dana), #9 "Dark mode for the dashboard" (eli) and #10 (fox). ana is
"me"; today is Wed 2026-11-25, so "fri" is 2026-11-27.
"""

from __future__ import annotations

from datetime import date

from data.writes.ops import Archive, CreateItem
from data.writes.workspace import Workspace
from tests.functional.conftest import list_text, make_app, screen_text
from tui.main_screen import MainScreen
from tui.triage_prompts import AcceptForm, DuplicatePrompt, OwnerPrompt, TextPrompt
from widgets.inbox import InboxPane
from widgets.owner_field import OwnerField


def fresh(ws: Workspace):
    """The file as another process would read it now."""
    return Workspace(ws.path).snapshot()


def inbox_of(app) -> InboxPane:  # noqa: ANN001
    return app.screen_stack[0].query_one(InboxPane)


class Keys:
    """Presses keys through the pilot, counting every press that is not typed text."""

    def __init__(self, pilot) -> None:  # noqa: ANN001
        self.pilot = pilot
        self.presses = 0

    async def press(self, *keys: str) -> None:
        for key in keys:
            self.presses += 1
            await self.pilot.press(key)
            await self.pilot.pause()

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)
        await self.pilot.pause()


async def test_accepting_with_owner_due_and_why_takes_at_most_eight_keys(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        keys = Keys(pilot)
        await keys.press("a")
        assert isinstance(app.screen, AcceptForm)
        await keys.type("bo")
        await keys.press("enter")
        await keys.type("fri")
        await keys.press("enter")
        await keys.type("Finance closes the quarter on it")
        await keys.press("enter")
        assert keys.presses <= 8, keys.presses
        assert isinstance(app.screen, MainScreen)
        item = fresh(team_ws).items[8]
        assert (item.status, item.owner, item.due, item.why) == ("todo", "bo", "2026-11-27",
                                                                  "Finance closes the quarter on it")
        inbox = inbox_of(app)
        lines = [line for line in list_text(inbox.list) if line.strip()]
        assert not any("Export to CSV" in line for line in lines)
        assert inbox.list.current_id == 9  # on to the next untriaged request
        assert "2 left" in inbox.border_title and "1 triaged" in inbox.border_title
        assert "Accepted #8 → todo" in screen_text(app)


async def test_accept_as_me_is_four_keys(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        keys = Keys(pilot)
        await keys.press("a", "enter")  # the owner field starts on "me"
        await keys.type("+3d")
        await keys.press("enter", "enter")  # no why yet
        assert keys.presses == 4
        item = fresh(team_ws).items[8]
        assert (item.status, item.owner, item.due, item.why) == ("todo", "ana", "2026-11-28", "")


async def test_owner_picker_puts_me_first_and_moves_on(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OwnerPrompt)
        text = screen_text(app)
        assert "me · ana" in text
        assert "2/4 open" in text and "2/2 open" in text  # who has room: open items against capacity
        assert [m.handle for m in app.screen.query_one(OwnerField).matches if m] == ["ana", "bo", "cy"]
        await pilot.press("c", "enter")  # a prefix picks cy
        await pilot.pause()
        assert fresh(team_ws).items[8].owner == "cy"
        inbox = inbox_of(app)
        assert inbox.list.current_id == 8  # a field set: the cursor stays for the item's next answer
        assert "? when why" in list_text(inbox.list)[0] and "who" not in list_text(inbox.list)[0]


async def test_an_unknown_person_is_offered_and_added(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("o", *"zoe")
        await pilot.pause()
        assert "+ add zoe as a new person" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        snap = fresh(team_ws)
        assert "zoe" in snap.people and snap.items[8].owner == "zoe"
        assert "added zoe" in screen_text(app)


async def test_a_bad_date_keeps_the_field_open_with_the_error(team_ws):
    before = team_ws.path.read_bytes()
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("d", *"someday", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert "not a date: 'someday'" in screen_text(app)
        assert team_ws.path.read_bytes() == before
        await pilot.press(*["backspace"] * 7, *"+3d")
        await pilot.pause()
        assert "→ Sat 28 Nov 2026" in screen_text(app)  # what the words mean, before enter
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert fresh(team_ws).items[8].due == "2026-11-28"


async def test_why_is_written_and_logged(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("w", *"Dana's team reconciles invoices in Excel", "enter")
        await pilot.pause()
        item = fresh(team_ws).items[8]
        assert item.why == "Dana's team reconciles invoices in Excel"
        assert item.why_log[-1]["kind"] == "why"
        assert "? who when" in list_text(inbox_of(app).list)[0] and "why" not in list_text(inbox_of(app).list)[0]


async def test_declining_needs_a_reason(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert "declining needs a reason" in screen_text(app)
        assert fresh(team_ws).items[8].status == "inbox"
        await pilot.press(*"CSV export ships next month anyway", "enter")
        await pilot.pause()
        item = fresh(team_ws).items[8]
        assert (item.status, item.decline_reason) == ("declined", "CSV export ships next month anyway")
        assert "1 triaged" in inbox_of(app).border_title


async def test_duplicate_suggests_the_similar_item_and_carries_the_requester(team_ws):
    team_ws.apply(CreateItem("Dashboard dark mode please", kind="request", fields={"requester": "gil"}))
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("G")  # the newest request, at the bottom
        await pilot.pause()
        assert inbox_of(app).list.current_id == 11
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DuplicatePrompt)
        assert app.screen.matches[0].item_id == 9
        assert "Dark mode for the dashboard" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        snap = fresh(team_ws)
        assert snap.items[11].duplicate_of == 9 and snap.items[11].status == "declined"
        assert "requested by gil" in snap.items[9].why_log[-1]["text"]
        assert "Closed #11 as a duplicate of #9" in screen_text(app)


async def test_snoozed_request_hides_and_comes_back_by_itself(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("s", *"mon", "enter")
        await pilot.pause()
        assert fresh(team_ws).items[8].snoozed_until == "2026-11-30"
        inbox = inbox_of(app)
        assert 8 not in inbox.list.rows and "1 snoozed" in inbox.border_subtitle
        team_ws._today = date(2026, 11, 30)  # the day comes
        app._check_disk()
        await pilot.pause()
        assert 8 in inbox.list.rows and inbox.border_subtitle == ""


async def test_priority_and_tags(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("p", "1")
        await pilot.pause()
        assert fresh(team_ws).items[8].priority == 1
        assert inbox_of(app).list.current_id == 8  # still on it
        assert "#8 priority 1" in screen_text(app)
        await pilot.press("j", "T", *"ui dashboard", "enter")
        await pilot.pause()
        assert fresh(team_ws).items[9].tags == ["ui", "dashboard"]
        assert "#9 tags updated" in screen_text(app)
        await pilot.press("T", *"-dashboard", "enter")
        await pilot.pause()
        assert fresh(team_ws).items[9].tags == ["ui"]


async def test_marked_requests_are_declined_in_one_write(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("space", "space")
        await pilot.pause()
        assert "2 marked" in inbox_of(app).border_subtitle
        await pilot.press("x", *"Not this quarter", "enter")
        await pilot.pause()
        snap = fresh(team_ws)
        assert snap.items[8].status == snap.items[9].status == "declined"
        assert snap.items[10].status == "inbox"
        revisions = {e["rev"] for e in team_ws.history(limit=2)}
        assert len(revisions) == 1  # both in one write
        assert inbox_of(app).list.marked == set()


async def test_acting_on_an_item_archived_elsewhere_says_so_and_changes_nothing(team_ws):
    app = make_app(team_ws)  # no watcher: this terminal has not seen the archive yet
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        Workspace(team_ws.path, actor="bo").apply(Archive(8))
        await pilot.press("o", "enter")
        await pilot.pause()
        assert "#8 was archived by bo meanwhile; nothing was changed" in screen_text(app)
        assert fresh(team_ws).items[8].owner is None
        assert 8 not in inbox_of(app).list.rows  # and the screen now shows the truth
        await pilot.press("a", "enter", "enter", "enter")  # accept the next one: it works
        await pilot.pause()
        assert fresh(team_ws).items[9].status == "todo"


async def test_an_open_prompt_says_when_another_terminal_closes_its_item(team_ws):
    from tests.functional.conftest import wait_for
    from tests.functional.test_live import other_process

    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        prompt = app.screen
        other_process(team_ws.path, "ws.apply(Archive(8))")
        assert await wait_for(pilot, lambda: "was moved to archived by bo" in screen_text(app))
        await pilot.press(*"out of scope", "enter")
        await pilot.pause()
        assert app.screen is not prompt
        assert "#8 was archived by bo meanwhile; nothing was changed" in screen_text(app)
        item = fresh(team_ws).items[8]
        assert item.status == "archived" and item.decline_reason == ""
