"""Two people, two apps, one file: edits that meet, presence, and follow mode.

Each test runs two ``WorktopApp`` instances at once on the same workspace
file (ana's and bo's), each with its own ``Workspace`` object, live reload
and presence on, as two terminals would; tests/e2e/test_tmux_pairing.py does
the same with two real processes in tmux.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from data.store.presence import PresenceFolder
from data.writes.workspace import Workspace
from tests.functional.conftest import list_text, make_app, screen_text, wait_for
from tui.conflict import ConflictScreen
from tui.editor import ItemEditor
from tui.follow import FollowPicker
from tui.main_screen import MainScreen
from widgets.board import Board
from widgets.presence import FollowBanner
from widgets.why import WhyPane


def fresh(path) -> Workspace:  # noqa: ANN001
    return Workspace(path).snapshot()


@contextlib.asynccontextmanager
async def two_apps(ws: Workspace) -> AsyncIterator[tuple]:
    """ana's app and bo's app on one file, both running; yields (ana_app, ana_pilot, bo_app, bo_pilot)."""
    ana = make_app(Workspace(ws.path, actor="ana", today=ws.today), watch=True)
    bo = make_app(Workspace(ws.path, actor="bo", today=ws.today), watch=True)
    async with ana.run_test(size=(160, 50)) as ana_pilot, bo.run_test(size=(160, 50)) as bo_pilot:
        await ana_pilot.pause()
        await bo_pilot.pause()
        yield ana, ana_pilot, bo, bo_pilot


def card(ws: Workspace, title: str) -> int:
    return next(i.id for i in ws.snapshot().items.values() if i.title == title)


async def open_editor(app, pilot, item_id: int) -> ItemEditor:  # noqa: ANN001
    app.screen.select_item(item_id)
    await pilot.pause()
    await pilot.press("enter")
    assert await wait_for(pilot, lambda: isinstance(app.screen, ItemEditor))
    editor = app.screen
    assert editor.item.id == item_id
    return editor


async def test_two_people_editing_different_fields_of_one_item_both_win(team_ws):
    item_id = card(team_ws, "Write SAML handler")
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        ana_editor = await open_editor(ana, ana_pilot, item_id)
        bo_editor = await open_editor(bo, bo_pilot, item_id)
        ana_editor.query_one("#f-due").value = "2026-12-24"
        bo_editor.query_one("#f-owner").value = "cy"
        bo_editor.query_one("#f-tags").value = "saml, auth"
        await bo_pilot.press("ctrl+s")
        assert await wait_for(bo_pilot, lambda: isinstance(bo.screen, MainScreen))
        await ana_pilot.press("ctrl+s")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, MainScreen))  # no question asked
        item = fresh(team_ws.path).items[item_id]
        assert (item.due, item.owner, item.tags) == ("2026-12-24", "cy", ["saml", "auth"])


async def test_the_second_save_of_one_field_shows_theirs_and_keeping_theirs_saves_the_rest(team_ws):
    item_id = card(team_ws, "Write SAML handler")
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        ana_editor = await open_editor(ana, ana_pilot, item_id)
        bo_editor = await open_editor(bo, bo_pilot, item_id)
        ana_editor.query_one("#f-title").value = "Write the SAML handler (ana)"
        ana_editor.query_one("#f-due").value = "2026-12-24"
        bo_editor.query_one("#f-title").value = "SAML handler, with tests (bo)"
        await bo_pilot.press("ctrl+s")
        assert await wait_for(bo_pilot, lambda: isinstance(bo.screen, MainScreen))

        await ana_pilot.press("ctrl+s")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, ConflictScreen))
        dialog = ana.screen
        assert [c.field for c in dialog.clashes] == ["title"]  # due was only ana's: no question about it
        text = screen_text(ana)
        assert "bo changed #" in text
        assert "Write SAML handler" in text  # what ana started from
        assert "SAML handler, with tests (bo)" in text and "Write the SAML handler (ana)" in text
        assert "Your other changes (due) are saved either way" in text
        assert fresh(team_ws.path).items[item_id].title == "SAML handler, with tests (bo)"  # nothing written yet

        await ana_pilot.press("t")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, MainScreen))
        item = fresh(team_ws.path).items[item_id]
        assert item.title == "SAML handler, with tests (bo)" and item.due == "2026-12-24"


async def test_applying_mine_overwrites_theirs_and_back_keeps_the_form(team_ws):
    item_id = card(team_ws, "Write SAML handler")
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        ana_editor = await open_editor(ana, ana_pilot, item_id)
        bo_editor = await open_editor(bo, bo_pilot, item_id)
        ana_editor.query_one("#f-owner").value = "ana"
        bo_editor.query_one("#f-owner").value = "cy"
        await bo_pilot.press("ctrl+s")
        assert await wait_for(bo_pilot, lambda: isinstance(bo.screen, MainScreen))

        await ana_pilot.press("ctrl+s")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, ConflictScreen))
        await ana_pilot.press("escape")  # back to the form: nothing written, nothing lost
        assert await wait_for(ana_pilot, lambda: ana.screen is ana_editor)
        assert ana_editor.query_one("#f-owner").value == "ana"
        assert "Nothing saved yet" in ana_editor.query_one("#editor-notice").render().plain
        assert fresh(team_ws.path).items[item_id].owner == "cy"

        await ana_pilot.press("ctrl+s")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, ConflictScreen))
        await ana_pilot.press("m")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, MainScreen))
        assert fresh(team_ws.path).items[item_id].owner == "ana"
        history = Workspace(team_ws.path).history(item_id, limit=2)
        assert [(e["by"], e["changes"]["owner"]) for e in history] == [("ana", ["cy", "ana"]), ("bo", ["bo", "cy"])]


async def test_one_stray_escape_does_not_throw_an_edit_away(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        item_id = app.screen.selected_id
        await pilot.press("enter")
        await pilot.pause()
        editor = app.screen
        await pilot.press("end", *" (urgent)")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is editor and editor.query_one("#f-title").value.endswith(" (urgent)")
        assert "esc again discards" in editor.query_one("#editor-notice").render().plain
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert fresh(team_ws.path).items[item_id].title.endswith(" (urgent)")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # nothing changed: one escape closes
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_each_sees_the_other_here_with_a_marker_on_their_card(team_ws):
    item_id = card(team_ws, "Write SAML handler")
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        assert await wait_for(ana_pilot, lambda: "here: ◉bo" in str(ana.screen.query_one("#header").render()))
        assert await wait_for(bo_pilot, lambda: "here: ◉ana" in str(bo.screen.query_one("#header").render()))
        await bo_pilot.press("2")
        bo.screen.select_item(item_id)
        board = ana.screen.query_one(Board)
        todo = board.columns[0].list
        assert await wait_for(ana_pilot, lambda: any(line.startswith("◉bo • Write SAML") for line in list_text(todo)))
        ana.screen.select_item(item_id)
        why = ana.screen.query_one(WhyPane)
        assert await wait_for(ana_pilot, lambda: "◉bo looking at this too" in why.query_one("#why-body").render().plain)


async def test_follow_tracks_the_other_persons_pane_and_selection_until_you_move(team_ws):
    project = card(team_ws, "SSO login")
    task = card(team_ws, "Load test the IdP")
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        assert await wait_for(bo_pilot, lambda: bo.screen.pairing.peers)
        await bo_pilot.press("f")  # the only other person: followed at once
        await bo_pilot.pause()
        banner = bo.screen.query_one(FollowBanner)
        assert "Following ◉ana" in str(banner.render()) and banner.has_class("-visible")
        ana_banner = ana.screen.query_one(FollowBanner)
        assert await wait_for(ana_pilot, lambda: "◉bo follows you" in str(ana_banner.render()))

        await ana_pilot.press("2")
        ana.screen.select_item(project)
        assert await wait_for(bo_pilot, lambda: (bo.screen.current_pane, bo.screen.selected_id) == ("board", project))
        ana.screen.select_item(task)
        assert await wait_for(bo_pilot, lambda: bo.screen.selected_id == task)
        assert f"#{task} Load test the IdP" in str(banner.render())
        doing = bo.screen.query_one(Board).columns[1].list
        assert await wait_for(bo_pilot, lambda: bo.screen.focused is doing)  # the doing column, as ana's
        await ana_pilot.press("shift+right")  # ana moves the card on to review: bo's cursor goes with it
        review = bo.screen.query_one(Board).columns[2].list
        assert await wait_for(bo_pilot, lambda: task in review.rows and review.current_id == task)
        assert await wait_for(bo_pilot, lambda: bo.screen.focused is review and bo.screen.selected_id == task)
        await ana_pilot.press("4")
        assert await wait_for(bo_pilot, lambda: bo.screen.current_pane == "why")

        await bo_pilot.press("1")  # a key that moves bo: follow ends, and bo goes where he asked
        await bo_pilot.pause()
        assert bo.screen.pairing.following is None and not banner.has_class("-visible")
        assert bo.screen.current_pane == "inbox"
        assert await wait_for(ana_pilot, lambda: not ana_banner.has_class("-visible"))
        await ana_pilot.press("3")
        await ana_pilot.pause(0.5)
        assert bo.screen.current_pane == "inbox"


async def test_escape_stops_following_first_then_clears_the_filter(team_ws):
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        assert await wait_for(bo_pilot, lambda: bo.screen.pairing.peers)
        await bo_pilot.press("slash", *"owner:bo", "enter")
        assert await wait_for(bo_pilot, lambda: bo.screen.filtering.query is not None)
        await bo_pilot.press("f")
        assert await wait_for(bo_pilot, lambda: bo.screen.pairing.following is not None)
        await bo_pilot.press("escape")
        assert await wait_for(bo_pilot, lambda: bo.screen.pairing.following is None)
        assert bo.screen.filtering.query is not None  # the filter stays: one escape, one thing undone
        assert "filter: owner:bo" in str(bo.screen.query_one("#header").render())
        await bo_pilot.press("escape")
        assert await wait_for(bo_pilot, lambda: bo.screen.filtering.query is None)


async def test_follow_ends_with_a_message_when_the_other_person_leaves(team_ws):
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        assert await wait_for(bo_pilot, lambda: bo.screen.pairing.peers)
        await bo_pilot.press("f")
        await bo_pilot.pause()
        assert bo.screen.pairing.following is not None
        ana.screen.pairing.stop()  # ana's worktop closes: its presence file goes
        assert await wait_for(bo_pilot, lambda: bo.screen.pairing.following is None)
        assert any("ana left the workspace" in str(n.message) for n in bo._notifications)
        assert "here:" not in str(bo.screen.query_one("#header").render())


async def test_follow_with_nobody_here_says_so(team_ws):
    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert any("Nobody else has this workspace open" in str(n.message) for n in app._notifications)
        assert app.screen.pairing.following is None


async def test_follow_picker_when_several_people_are_here(team_ws):
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        # A third worktop (cy's, in another terminal), as its presence file says.
        folder = PresenceFolder(team_ws.path)
        cy = folder.write(folder.me("cy", pane="why", selected=card(team_ws, "SSO login")))
        assert await wait_for(ana_pilot, lambda: len(ana.screen.pairing.peers) == 2)
        await ana_pilot.press("f")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, FollowPicker))
        text = screen_text(ana)
        assert "Follow whom?" in text and "◉bo  Inbox · #8 Export to CSV please" in text
        assert "◉cy  Why · #2 SSO login" in text
        await ana_pilot.press("down", "enter")
        assert await wait_for(ana_pilot, lambda: isinstance(ana.screen, MainScreen))
        assert ana.screen.pairing.following == cy.key
        assert (ana.screen.current_pane, ana.screen.selected_id) == ("why", cy.selected)
        # What cy's worktop reads: ana follows cy.
        assert await wait_for(ana_pilot, lambda: any(p.user == "ana" and p.following == cy.key
                                                     for p in folder.read()))
        folder.remove(cy)


async def test_matrix_is_not_rebuilt_for_a_card_moving_between_open_columns(team_ws, monkeypatch):
    """The commonest pairing change (a card moved along the board) skips the matrix's pass over
    every item; a card reaching done still updates its owner's load."""
    import widgets.matrix

    builds = []
    real_build = widgets.matrix.build_matrix
    monkeypatch.setattr(widgets.matrix, "build_matrix", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    task = card(team_ws, "Write SAML handler")  # bo's, todo
    async with two_apps(team_ws) as (ana, ana_pilot, bo, bo_pilot):
        matrix = bo.screen.query_one("#matrix")
        assert await wait_for(bo_pilot, lambda: matrix.matrix is not None)
        builds.clear()
        ana.screen.select_item(task)
        await ana_pilot.press("2", "shift+right")  # todo → doing in ana's app
        assert await wait_for(bo_pilot, lambda: task in bo.screen.query_one(Board).columns[1].list.rows)
        assert builds == [], "bo's matrix was rebuilt for a move that cannot change it"
        load = next(r for r in matrix.matrix.rows if r.handle == "bo").open_items
        ana.screen.select_item(task)
        await ana_pilot.press("shift+right", "shift+right")  # doing → review → done
        assert await wait_for(bo_pilot, lambda: task in bo.screen.query_one(Board).columns[3].list.rows)
        assert await wait_for(bo_pilot, lambda: next(r for r in matrix.matrix.rows if r.handle == "bo").open_items
                              == load - 1)


async def test_a_hostile_name_in_a_presence_file_is_shown_inertly(team_ws):
    """Presence files are written by other users: a name with control sequences or markup must not
    reach the terminal as such."""
    from data.store.presence import Presence

    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        target = card(team_ws, "Write SAML handler")
        app.screen.pairing.update((Presence(user="\x1b[2J[red]eve", host="h", pid=1, pane="board", selected=target),))
        await pilot.press("2")
        todo = app.screen.query_one(Board).columns[0].list
        assert await wait_for(pilot, lambda: any(line.startswith("◉␛[2J[red]eve") for line in list_text(todo)))
        assert "here: ◉␛[2J[red]eve" in str(app.screen.query_one("#header").render())
        assert "\x1b" not in screen_text(app)
