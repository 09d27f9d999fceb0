"""The daily flows a new user tripped over (issue 11): each test reproduces what they saw.

The team workspace (tests/functional/conftest.py): goal #1, project #2 "SSO login" (two steps),
workstream #3 "On-call rota" (no owner), tasks #4-#7, and three requests in the inbox, oldest
first: #8, #9, #10. ana is "me"; today is Wed 2026-11-25.
"""

from __future__ import annotations

from data.writes.workspace import Workspace
from tests.functional.conftest import make_app, screen_text, wait_for
from tui.editor import ItemEditor
from tui.main_screen import MainScreen
from widgets.board import Board
from widgets.inbox import InboxPane
from widgets.why import WhyPane


def fresh(ws: Workspace):
    return Workspace(ws.path).snapshot()


def why_title(app) -> str:  # noqa: ANN001
    return str(app.screen_stack[0].query_one(WhyPane).border_title)


async def test_the_why_pane_follows_the_inbox_cursor_through_triage(team_ws):
    """Bug: after looking at the matrix, declining in the inbox left the why pane (and the ◉ marker
    others see) on a matrix column while the inbox cursor was on the next request."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("3", "right", "right", "right", "1")
        await pilot.pause()
        main = app.screen
        inbox = main.query_one(InboxPane).list
        assert inbox.current_id == 8 and main.selected_id == 8 and why_title(app) == "4 Why · #8"
        await pilot.press("x", *"no", "enter")
        assert await wait_for(pilot, lambda: fresh(team_ws).items[8].status == "declined")
        await pilot.pause()
        assert inbox.current_id == 9
        assert main.selected_id == 9 and why_title(app) == "4 Why · #9"
        await pilot.press("a", "enter", "enter", "enter")  # accept #9: the cursor goes on to #10
        assert await wait_for(pilot, lambda: fresh(team_ws).items[9].status == "todo")
        await pilot.pause()
        assert inbox.current_id == 10 and main.selected_id == 10 and why_title(app) == "4 Why · #10"


async def test_the_editor_opens_with_the_cursor_after_the_title(team_ws):
    """Bug: the title was selected, so the first key typed replaced it (End + ' [root]' → '[root]')."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ItemEditor))
        title = app.screen.query_one("#f-title")
        before = title.value
        await pilot.press(*" [root]")
        await pilot.pause()
        assert title.value == before + " [root]"
        await pilot.press("tab")  # into the next text field: not selected either
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert any(item.title == before + " [root]" for item in fresh(team_ws).items.values())


async def test_escape_clears_marks_in_every_column(team_ws):
    """Bug: a card marked in todo stayed marked when esc was pressed with the cursor in doing."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "space", "right")
        await pilot.pause()
        board = app.screen.query_one(Board)
        assert sum(len(column.list.marked) for column in board.columns) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert sum(len(column.list.marked) for column in board.columns) == 0
        assert "marked" not in str(board.border_subtitle)


async def test_a_filter_that_hides_everything_says_so(team_ws):
    """Bug: 'owner:zed' (nobody) emptied the inbox and it read 'Inbox zero', and a said 'The inbox is empty'."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"owner:zed", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "Inbox zero" not in text
        assert "No match: 3 waiting are hidden by the filter" in text
        assert "1 Inbox · 0 left (3 hidden by the filter)" in text
        assert "nobody called zed" in text
        await pilot.press("1", "a")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "The inbox is empty" not in screen_text(app)
        assert "Nothing in the inbox matches the filter" in screen_text(app)


async def test_done_work_is_never_late_and_queries_leave_it_out(team_ws):
    """Bug: done cards said '54d late' in red; 'due<fri' brought done cards back onto the board."""
    from data.writes.ops import Move

    team_ws.apply(Move(5, "done"))  # "Design settings page", due 2026-11-20: five days before today
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2", "H")  # finished last week (the clock is pinned): older than the done window
        await pilot.pause()
        board = app.screen.query_one(Board)
        done = next(column for column in board.columns if column.status == "done")
        card = "\n".join(line.text for line in (done.list.render_line(y) for y in range(2)))
        assert "late" not in card and "due Nov 20" in card
        await pilot.press("slash", *"due<fri", "enter")
        await pilot.pause()
        assert done.list.rows == []  # open work only, as `worktop ls due<fri` lists it
        await pilot.press("slash", "ctrl+u", *"due<fri status:done", "enter")
        await pilot.pause()
        assert done.list.rows == [5]


async def test_the_filter_reaches_declined_and_snoozed_work(team_ws):
    """Declined, archived and snoozed items showed nowhere; now a filter that asks lists them."""
    from data.writes.ops import Move
    from data.writes.triage import Snooze

    team_ws.apply(Move(8, "declined", reason="out of scope"))
    team_ws.apply(Snooze(9, "+1w"))
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        inbox = app.screen.query_one(InboxPane)
        assert inbox.list.rows == [10]
        await pilot.press("slash", *"status:declined", "enter")
        await pilot.pause()
        assert 8 in inbox.list.rows and "also matching" in screen_text(app)
        await pilot.press("slash", "ctrl+u", *"snoozed", "enter")
        await pilot.pause()
        assert [row for row in inbox.list.rows if row >= 0] == [9]


async def test_go_to_an_item_by_id_from_the_filter_or_the_key(team_ws):
    """'#2' in the filter, or # then 2, selects #2 wherever it is; a goal (on no list) shows in the why pane."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"#6", "enter")
        await pilot.pause()
        assert app.screen.selected_id == 6 and app.screen.current_pane == "board"
        assert app.screen.filtering.query is None  # going somewhere is not a filter
        await pilot.press("number_sign", "1")
        await pilot.pause()
        assert "Keep enterprise customers" in screen_text(app)  # the title shows as you type
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.selected_id == 1 and app.screen.current_pane == "why"
        assert "#1 is a goal" in screen_text(app)


async def test_a_user_who_is_not_a_person_is_never_added_unasked(team_ws):
    """Bug: running as root, the owner picker led with '+ add root as a new person (me)' (and, with
    eight people, dropped one); the README's accept recipe (a enter fri enter why enter) added root."""
    from data.model.items import Person
    from data.writes.people import AddPerson
    from widgets.owner_field import OwnerField

    for handle in ("dee", "eli", "fay", "gus", "hana"):
        team_ws.apply(AddPerson(Person(handle)))
    root = Workspace(team_ws.path, actor="root", today=team_ws.today)
    app = make_app(root)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        assert await wait_for(pilot, lambda: bool(app.screen.query(OwnerField)))
        await pilot.pause()
        field = app.screen.query_one(OwnerField)
        lines = [None if m is None else m.handle for m in field.matches]
        assert lines == [None, "ana", "bo", "cy", "dee", "eli", "fay", "gus", "hana", "root"]
        assert field.matches[-1].is_new and field.highlighted is None  # the highlight is on "nobody"
        await pilot.press("enter", *"fri", "enter", *"renewal", "enter")
        assert await wait_for(pilot, lambda: fresh(team_ws).items[8].status == "todo")
    after = fresh(team_ws)
    assert "root" not in after.people and after.items[8].owner is None and after.items[8].why == "renewal"


async def test_ids_and_gap_marks_are_readable_in_a_light_theme(team_ws):
    """Bug: in a light theme item ids were drawn in fixed white (an 'auto' colour with nothing to contrast
    with) and the amber gap marks were hard to read: each text colour must stand out from its background."""
    from textual.color import Color

    def luminance(colour: Color) -> float:  # WCAG relative luminance
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)

    def contrast(a: Color, b: Color) -> float:
        la, lb = luminance(a) + 0.05, luminance(b) + 0.05
        return max(la, lb) / min(la, lb)

    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        inbox = app.screen.query_one(InboxPane).list
        background = inbox.styles.background if inbox.styles.background.a else app.screen.styles.background
        row = inbox.render_line(1)  # #9: not under the cursor
        for segment in row:
            text = segment.text.strip()
            if text.startswith("#9") or text.startswith("?"):
                colour = Color.from_rich_color(segment.style.color)
                assert contrast(colour, background) >= 3.0, (text, colour, background)


async def test_the_snooze_prompt_never_suggests_what_it_refuses(team_ws):
    """Bug: the snooze prompt suggested 'today', then refused it; after a bad entry the old error stayed
    beside a valid preview."""
    from tui.triage_prompts import TextPrompt

    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        prompt = app.screen

        def preview() -> str:
            return prompt.query_one("#prompt-preview").render().plain

        def error() -> str:
            return prompt.query_one("#prompt-error").render().plain

        words = preview() + " " + prompt.query_one("#prompt-input").placeholder
        assert "today" not in words.replace("after today", "") and "tomorrow" in words
        await pilot.press(*"today")
        await pilot.pause()
        assert "not after today" in preview()  # said before enter, not only after
        await pilot.press("enter")
        await pilot.pause()
        assert "not after today" in error()
        await pilot.press("ctrl+u", *"+3d")
        await pilot.pause()
        assert preview().startswith("→ Sat 28 Nov 2026") and error() == ""
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: fresh(team_ws).items[8].snoozed_until == "2026-11-28")


async def test_steps_are_edited_in_the_editor_one_a_line(team_ws):
    """How (the steps) is one of the five answers: the editor has a steps field, [x] marks one done."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "enter")  # SSO login, the first todo card
        assert await wait_for(pilot, lambda: isinstance(app.screen, ItemEditor))
        area = app.screen.query_one("#f-checklist")
        assert area.text == "[ ] SAML flow\n[ ] Admin settings page"
        area.text = "[x] SAML flow\n[ ] Admin settings page\nAudit log"
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        steps = fresh(team_ws).items[2].checklist
        assert steps == [{"text": "SAML flow", "done": True}, {"text": "Admin settings page", "done": False},
                         {"text": "Audit log", "done": False}]
        board = app.screen.query_one(Board)
        await pilot.press("z")  # zoomed, so the card's second line is not cut
        await pilot.pause()
        card = board.columns[0].list.render_line(1).text
        assert "☑ 1/3" in card  # done/total on the card
        await pilot.press("escape")
        await pilot.press("u")  # one undo puts the steps back as they were
        assert await wait_for(pilot, lambda: len(fresh(team_ws).items[2].checklist) == 2)


async def test_steps_are_ticked_added_moved_and_removed_in_the_why_pane(team_ws):
    """In the why pane, on SSO login's steps: space ticks, a adds after the cursor, shift+down moves,
    delete removes; each change is one write, in the history, and u undoes it."""
    from tui.prompts import StepPrompt

    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(2)
        await pilot.press("4")
        await pilot.pause()
        why = app.screen.query_one(WhyPane)
        assert why.step_cursor == 0 and "Steps  0/2 done" in why.query_one("#why-steps").render().plain

        def texts() -> list[tuple[str, bool]]:
            return [(s["text"], s["done"]) for s in fresh(team_ws).items[2].checklist]

        await pilot.press("space")
        assert await wait_for(pilot, lambda: texts()[0] == ("SAML flow", True))
        assert "Steps  1/2 done" in why.query_one("#why-steps").render().plain
        await pilot.press("a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, StepPrompt))
        await pilot.press(*"Metadata endpoint", "enter", "enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert [t for t, _ in texts()] == ["SAML flow", "Metadata endpoint", "Admin settings page"]
        await pilot.press("shift+down")  # the cursor is still on SAML flow: it moves down, and the cursor with it
        assert await wait_for(pilot, lambda: [t for t, _ in texts()][:2] == ["Metadata endpoint", "SAML flow"])
        assert why.step_cursor == 1
        await pilot.press("delete")
        assert await wait_for(pilot, lambda: [t for t, _ in texts()] == ["Metadata endpoint", "Admin settings page"])
        await pilot.press("u")
        assert await wait_for(pilot, lambda: "SAML flow" in [t for t, _ in texts()])
        summaries = [e["summary"] for e in team_ws.history(2, limit=6)]
        assert "removed step 2 of #2" in summaries and "ticked off step 1 of #2" in summaries


async def test_z_zooms_the_pane_to_the_whole_screen_and_back(team_ws):
    """Board titles were cut at ~18 characters at 160 columns; zoomed, the board has the whole width."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        board = app.screen.query_one(Board)
        before = board.region.width
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is board and board.region.width > 150 > before
        assert "Design settings page" in screen_text(app)  # cut to 'Design settings pa…' before
        assert "worktop acme" in screen_text(app).splitlines()[0]  # the header stays, on top
        await pilot.press("3")  # another pane: zoomed out first, so it is seen
        await pilot.pause()
        assert app.screen.maximized is None and app.screen.current_pane == "matrix"
        await pilot.press("z", "escape")
        await pilot.pause()
        assert app.screen.maximized is None


async def test_matrix_columns_that_would_read_the_same_get_their_ids(team_ws):
    """Two matrix columns were both labelled 'Invoice history' (titles cut at 16 characters)."""
    from data.writes.ops import CreateItem
    from widgets.matrix import OwnershipMatrix

    one = team_ws.apply(CreateItem("Invoice history page", kind="project", fields={"owner": "bo"})).item_id
    two = team_ws.apply(CreateItem("Invoice history export", kind="project", fields={"owner": "cy"})).item_id
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("3", "z")
        matrix = app.screen.query_one(OwnershipMatrix)
        assert await wait_for(pilot, lambda: matrix.matrix is not None)
        labels = {str(column.key.value): column.label.plain for column in matrix.table.columns.values()}
        assert labels[str(one)].endswith(f" #{one}") and labels[str(two)].endswith(f" #{two}")
        assert labels[str(one)] != labels[str(two)] and len(labels[str(one)]) <= 16
        assert f"#{two}" in screen_text(app)  # zoomed, every column fits


async def test_lists_have_no_sideways_scrollbar(big_workspace):
    """A teal horizontal scrollbar row sat under every list taller than its pane, which never scroll sideways."""
    ws = big_workspace(300)
    app = make_app(ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        for column in app.screen.query_one(Board).columns:
            assert not column.list.show_horizontal_scrollbar, column.status
        todo = app.screen.query_one(Board).columns[0].list
        assert todo.show_vertical_scrollbar  # 300 cards: it does scroll down


async def test_field_by_field_triage_stays_on_the_item_until_it_leaves_the_inbox(team_ws):
    """Field-by-field triage (o, d, w) jumped to the next item after each field, so filling three answers of
    one item cost a k after each. Now a field keeps the cursor on the item; accepting moves on."""
    from tui.triage_prompts import AcceptForm

    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        inbox = app.screen.query_one(InboxPane).list
        await pilot.press("o", *"bo", "enter")
        assert await wait_for(pilot, lambda: fresh(team_ws).items[8].owner == "bo")
        await pilot.press("d", *"fri", "enter")
        assert await wait_for(pilot, lambda: fresh(team_ws).items[8].due == "2026-11-27")
        await pilot.press("w", *"finance needs it", "enter")
        assert await wait_for(pilot, lambda: fresh(team_ws).items[8].why == "finance needs it")
        assert inbox.current_id == 8 and app.screen.selected_id == 8
        await pilot.press("a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, AcceptForm))
        await pilot.press("ctrl+s")  # the form holds what was set
        assert await wait_for(pilot, lambda: fresh(team_ws).items[8].status == "todo")
        item = fresh(team_ws).items[8]
        assert (item.owner, item.due, item.why) == ("bo", "2026-11-27", "finance needs it")
        await pilot.pause()
        assert inbox.current_id == 9


async def test_swimlanes_line_up_across_the_columns_and_scroll_together(tmp_path):
    """A lane is one band through every column (it starts at the same row in each), the columns scroll
    together, and the lane at the top is named above them when its header has scrolled away."""
    from datetime import date

    from data.demo import make_demo
    from widgets.board_rows import PAD

    day = date(2026, 11, 25)
    ws = Workspace(make_demo(tmp_path / "worktop.json", items=400, seed=1, today=day), actor="ana", today=day)
    app = make_app(ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("2", "L")
        await pilot.pause()
        board = app.screen.query_one(Board)
        columns = [column.list for column in board.columns]
        headers = [[i for i, row in enumerate(lst.rows) if PAD < row < 0] for lst in columns]
        assert len(headers[0]) >= 5 and all(h == headers[0] for h in headers)  # same bands, same rows
        assert len({len(lst.rows) for lst in columns}) == 1
        first = columns[0].rows[headers[0][0] + 1]
        assert ws.snapshot().items[first].owner == "ana"  # you first
        for _ in range(3):
            await pilot.press("pagedown")
        await pilot.pause()
        offsets = {lst.scroll_offset.y for lst in columns}
        assert len(offsets) == 1 and offsets != {0}
        (offset,) = offsets
        bar = board.query_one("#lane-bar").render().plain
        lane = columns[0].rows[max(i for i in headers[0] if i * 2 <= offset)]
        owner = board._lanes[lane].owner
        assert (f"@{owner}" if owner else "no owner") in bar and "todo" in bar
        await pilot.press("l")  # next column: the cursor stays in the same lane
        await pilot.pause()
        doing = columns[1]
        if doing.current_id is not None:
            assert ws.snapshot().items[doing.current_id].owner == ws.snapshot().items[columns[0].current_id].owner


async def test_done_column_shows_this_weeks_done_and_h_shows_the_rest(tmp_path):
    """The done column held 155 cards of all time; now this week's (the workspace's done_shown), the rest
    counted in its header, H shows them; S sorts the board and the inbox."""
    from datetime import date

    from data.demo import make_demo

    day = date(2026, 11, 25)  # a Wednesday: "this week" is from Monday the 23rd
    ws = Workspace(make_demo(tmp_path / "worktop.json", items=400, seed=1, today=day), actor="ana", today=day)
    app = make_app(ws)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await pilot.pause()
        board = app.screen.query_one(Board)
        done = next(column for column in board.columns if column.status == "done")
        docs = ws.snapshot().docs
        all_done = [i for i, d in docs.items() if d.get("status") == "done" and d.get("kind") not in ("goal",
                                                                                                       "recurring")]
        shown = [row for row in done.list.rows if row >= 0]
        assert shown and len(shown) < len(all_done)
        assert all(docs[i]["status_since"][:10] >= "2026-11-23" for i in shown)
        header = done.query_one(".column-header").render().plain
        assert f"{len(all_done) - len(shown)} older (H)" in header
        await pilot.press("2", "H")
        await pilot.pause()
        assert len([row for row in done.list.rows if row >= 0]) == len(all_done)
        await pilot.press("S")  # board order → soonest due
        await pilot.pause()
        todo = board.columns[0].list.rows
        dues = [docs[i].get("due") or "9999" for i in todo]
        assert dues == sorted(dues) and "by due date" in str(board.border_title)
        await pilot.press("1", "S", "S")  # inbox: age → due → priority
        await pilot.pause()
        inbox = app.screen.query_one(InboxPane)
        levels = [docs[i].get("priority") or 9 for i in inbox.list.rows]
        assert levels == sorted(levels) and "by priority" in str(inbox.border_title)


async def test_the_accept_form_fits_80x24_with_its_item_in_view(team_ws):
    """At 80×24 the accept form scrolled its title and the item it accepts out of view."""
    from tui.triage_prompts import AcceptForm

    app = make_app(team_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        assert await wait_for(pilot, lambda: isinstance(app.screen, AcceptForm))
        await pilot.pause()
        text = screen_text(app)
        for words in ("Accept → todo", "#8", "Export to CSV please", "owner", "due", "why", "ctrl+s: accept now"):
            assert words in text, words
        box = app.screen.query_one(".prompt")
        assert box.max_scroll_y == 0  # nothing scrolled away


async def test_a_step_ticked_in_another_terminal_shows_here(team_ws):
    """Steps are live like every answer: another process ticks one off, this why pane and card follow."""
    from data.writes.steps import ToggleStep

    app = make_app(team_ws, watch=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(2)
        await pilot.pause()
        why = app.screen.query_one(WhyPane)
        assert "0/2 done" in why.query_one("#why-steps").render().plain
        Workspace(team_ws.path, actor="bo", today=team_ws.today).apply(ToggleStep(2, 1, expected_text="Admin settings page"))
        assert await wait_for(pilot, lambda: "1/2 done" in why.query_one("#why-steps").render().plain, timeout=15)
        assert "☑ Admin settings page" in why.query_one("#why-steps").render().plain
