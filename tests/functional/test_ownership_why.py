"""Pilot tests: the ownership matrix's role keys and cell lists, the gaps view fixed in place, and the why pane.

The ``team_ws`` workspace (conftest.py): goal #1 "Keep enterprise customers" (why) ← project #2 "SSO login"
(owner ana, why, steps) ← tasks #4 "Write SAML handler" (bo), #5 "Design settings page" (ana), #6 "Load test
the IdP" (bo, no due date), #7 "Review token expiry" (cy); workstream #3 "On-call rota" with no owner, due
date or why; requests #8–#10 in the inbox. People: ana (core, capacity 4), bo (core, 2), cy (ops, 3).
"""

from __future__ import annotations

import orjson

from data.store.atomic import write_atomic
from data.store.file_store import read_file
from data.store.lock import exclusive_lock
from data.writes.ops import SetFields
from data.writes.workspace import Workspace
from tests.functional.conftest import STAMP, list_text, make_app, wait_for
from tui.main_screen import MainScreen
from tui.prompts import DuePrompt, GoalPicker, NotePrompt, OwnerPrompt, StepPrompt, WhyPrompt
from widgets.gaps import GapsView
from widgets.matrix import OwnershipMatrix
from widgets.why import WhyPane

GOAL, SSO, ROTA, SAML, DESIGN, LOAD, REVIEW = 1, 2, 3, 4, 5, 6, 7


def stored(ws: Workspace, item_id: int) -> dict:
    """The item as another process reads it from the file now."""
    return orjson.loads(ws.path.read_bytes())["items"][str(item_id)]


def row_key(matrix: OwnershipMatrix, name: str) -> str:
    """The matrix table's key of a person's (or, by team, a team's) row, or the flags row's."""
    if name == "__flags__":
        return "flags"
    return f"t:{name}" if matrix.by_team else f"p:{name}"


def cell(matrix: OwnershipMatrix, handle: str, column: str) -> str:
    table = matrix.table
    return table.get_cell(row_key(matrix, handle), column).plain


def put_cursor(matrix: OwnershipMatrix, handle: str, item_id: int) -> None:
    table = matrix.table
    table.move_cursor(row=table.get_row_index(row_key(matrix, handle)), column=table.get_column_index(str(item_id)), animate=False)


def why_pane_text(app) -> str:  # noqa: ANN001
    pane = app.screen.query_one(WhyPane)
    return "\n".join(pane.query_one(f"#why-{part}").render().plain for part in ("body", "chain", "log"))


# -- roles -------------------------------------------------------------------------------------

async def test_role_keys_write_the_role_and_keep_exactly_one_owner(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        matrix = app.screen.query_one(OwnershipMatrix)
        assert await wait_for(pilot, lambda: matrix.matrix is not None)
        put_cursor(matrix, "bo", SSO)
        await pilot.press("a")
        assert await wait_for(pilot, lambda: stored(team_ws, SSO).get("owner") == "bo")
        doc = stored(team_ws, SSO)
        assert doc["owner"] == "bo" and doc["roles"] == {"ana": "R"}  # the old owner is demoted, not a second owner
        assert cell(matrix, "bo", str(SSO)).startswith("A") and cell(matrix, "ana", str(SSO)).startswith("R")
        entry = team_ws.history(SSO, limit=1)[0]
        assert entry["by"] == "ana" and entry["changes"]["owner"] == ["ana", "bo"]

        put_cursor(matrix, "cy", SSO)
        await pilot.press("c")
        assert await wait_for(pilot, lambda: stored(team_ws, SSO)["roles"] == {"ana": "R", "cy": "C"})
        assert cell(matrix, "cy", str(SSO)).startswith("C")

        put_cursor(matrix, "bo", SSO)
        await pilot.press("x")  # taking the owner's role away leaves the column with no owner, flagged
        assert await wait_for(pilot, lambda: "owner" not in stored(team_ws, SSO))
        assert cell(matrix, "__flags__", str(SSO)) == "⚠ no owner"
        assert matrix.table.ordered_columns[matrix.table.get_column_index(str(SSO))].label.plain.startswith("⚠")

        put_cursor(matrix, "ana", SSO)
        await pilot.press("a")
        assert await wait_for(pilot, lambda: stored(team_ws, SSO).get("owner") == "ana")
        doc = stored(team_ws, SSO)
        assert doc["owner"] == "ana" and doc["roles"] == {"cy": "C"}
        assert cell(matrix, "__flags__", str(SSO)) == ""


async def test_a_column_with_two_owners_is_flagged_and_one_key_fixes_it(team_ws):
    with exclusive_lock(team_ws.path):  # an older or hand-edited file: cy marked accountable beside owner ana
        data, _ = read_file(team_ws.path)
        data["items"][str(SSO)]["roles"] = {"cy": "A"}
        write_atomic(team_ws.path, orjson.dumps(data), keep_backup=False)
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        matrix = app.screen.query_one(OwnershipMatrix)
        assert await wait_for(pilot, lambda: matrix.matrix is not None)
        assert cell(matrix, "__flags__", str(SSO)) == "⚠ 2 owners"
        assert cell(matrix, "ana", str(SSO)).startswith("A") and cell(matrix, "cy", str(SSO)).startswith("A")
        put_cursor(matrix, "cy", SSO)
        await pilot.press("a")
        assert await wait_for(pilot, lambda: stored(team_ws, SSO).get("owner") == "cy")
        doc = stored(team_ws, SSO)
        assert doc["owner"] == "cy" and doc["roles"] == {"ana": "R"}
        assert cell(matrix, "__flags__", str(SSO)) == ""
        assert "⚠ 2 owners" not in str(matrix.border_title)


async def test_roles_are_per_person_so_team_rows_refuse_them(team_ws):
    before = team_ws.path.read_bytes()
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        matrix = app.screen.query_one(OwnershipMatrix)
        assert await wait_for(pilot, lambda: matrix.matrix is not None)
        await pilot.press("t")
        await pilot.pause()
        table = matrix.table
        assert [table.get_row_at(i)[0].plain for i in range(table.row_count)] == ["core", "ops", "flags"]
        assert table.get_row(row_key(matrix, "core"))[1].plain.endswith("4/6")  # ana's 2 and bo's 2 against 4 + 2
        put_cursor(matrix, "core", SSO)
        await pilot.press("a")
        await pilot.pause()
        assert any("press t" in n.message for n in app._notifications)
        await pilot.press("t")
        await pilot.pause()
        assert [table.get_row_at(i)[0].plain.split()[0] for i in range(table.row_count)] == ["ana", "bo", "cy",
                                                                                               "flags"]
    assert team_ws.path.read_bytes() == before


async def test_matrix_rows_show_due_soon_and_flag_over_capacity(team_ws):
    from data.writes.ops import CreateItem

    team_ws.apply(CreateItem("One more for bo", fields={"owner": "bo", "due": "2026-11-30"}))
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        matrix = app.screen.query_one(OwnershipMatrix)
        assert await wait_for(pilot, lambda: matrix.matrix is not None)
        table = matrix.table
        bo = [c.plain for c in table.get_row(row_key(matrix, "bo"))]
        assert bo[1].endswith("3/2 over") and bo[2] == "2"  # handler due tomorrow, the new one in 5 days
        ana = [c.plain for c in table.get_row(row_key(matrix, "ana"))]
        assert ana[1].endswith("2/4") and "over" not in ana[1] and ana[2] == "1"  # settings page, overdue
        assert "⚠ 1 over" in str(matrix.border_title)


async def test_enter_lists_the_items_in_a_cell_and_they_drive_the_why_pane(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        matrix = app.screen.query_one(OwnershipMatrix)
        assert await wait_for(pilot, lambda: matrix.matrix is not None)
        put_cursor(matrix, "bo", SSO)
        await pilot.press("enter")
        await pilot.pause()
        cells = matrix.cells
        assert cells.display and cells.list.has_focus
        lines = [line for line in list_text(cells.list) if line.strip()]
        assert len(lines) == 2
        assert "Write SAML handler" in lines[0] and "tomorrow" in lines[0] and "@bo" in lines[0]
        assert "Load test the IdP" in lines[1] and "? when" in lines[1]
        assert app.screen.selected_id == SAML
        await pilot.press("down")
        await pilot.pause()
        assert app.screen.selected_id == LOAD
        assert "Load test the IdP" in why_pane_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not cells.display and matrix.table.has_focus
        table = matrix.table
        table.move_cursor(row=table.get_row_index(row_key(matrix, "ana")), column=table.get_column_index("soon"), animate=False)
        await pilot.press("enter")  # the number under "due 7d": ana's overdue settings page
        await pilot.pause()
        lines = [line for line in list_text(cells.list) if line.strip()]
        assert len(lines) == 1 and "Design settings page" in lines[0] and "5d late" in lines[0]
        assert "ana · due within 7 days" in cells.query_one(".cell-items-title").render().plain


# -- the gaps view -------------------------------------------------------------------------------

async def test_gaps_view_groups_open_work_and_fixes_it_in_place(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        matrix = app.screen.query_one(OwnershipMatrix)
        gaps = app.screen.query_one(GapsView)
        assert matrix.showing_gaps and gaps.list.has_focus and not matrix.table.display
        lines = [line for line in list_text(gaps.list) if line.strip()]
        assert lines[0].startswith("no owner (who) · 1") and "On-call rota" in lines[1]
        assert lines[2].startswith("no due date (when) · 2")
        assert "On-call rota" in lines[3] and "Load test the IdP" in lines[4]
        assert lines[5].startswith("no steps on a project or workstream (how) · 1") and "On-call rota" in lines[6]
        assert lines[7].startswith("no why, here or above (why) · 1") and "On-call rota" in lines[8]
        assert "3 in the inbox to triage" in gaps.query_one("#gaps-summary").render().plain
        assert gaps.list.current_id == ROTA and app.screen.selected_id == ROTA  # the heading is skipped

        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OwnerPrompt)
        await pilot.press("c", "y", "enter")
        assert await wait_for(pilot, lambda: stored(team_ws, ROTA).get("owner") == "cy")
        assert isinstance(app.screen, MainScreen)
        lines = [line for line in list_text(gaps.list) if line.strip()]
        assert lines[0].startswith("no due date (when) · 2")  # the who group is gone
        assert gaps.list.current_id == ROTA and gaps.list.has_focus  # the next thing to fix

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DuePrompt)
        await pilot.press(*"fri")
        await pilot.pause()
        assert "Fri 27 Nov 2026" in app.screen.query_one("#prompt-hint").render().plain
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: stored(team_ws, ROTA).get("due") == "2026-11-27")
        assert gaps.list.current_id == LOAD  # On-call rota left the group; the cursor is on the next item

        await pilot.press("down")  # past the heading of the how group, onto On-call rota
        await pilot.pause()
        assert gaps.list.current_id == ROTA
        await pilot.press("a")  # how: add steps in place, one after another
        assert await wait_for(pilot, lambda: isinstance(app.screen, StepPrompt))
        await pilot.press(*"Draft the rota", "enter")
        assert await wait_for(pilot, lambda: [s["text"] for s in stored(team_ws, ROTA).get("checklist", [])]
                              == ["Draft the rota"])
        await pilot.press(*"Share it", "enter", "enter")  # enter on an empty line closes
        assert await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert [s["text"] for s in stored(team_ws, ROTA)["checklist"]] == ["Draft the rota", "Share it"]
        lines = [line for line in list_text(gaps.list) if line.strip()]
        assert not any("(how)" in line for line in lines)  # the how group is gone
        assert gaps.list.current_id == ROTA  # on the next thing to fix: its why
        await pilot.press("w")
        await pilot.pause()
        app.screen.query_one("#prompt-input").text = "Nobody knows who is on call at night"
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "why" in stored(team_ws, ROTA))
        doc = stored(team_ws, ROTA)
        assert doc["why"] == "Nobody knows who is on call at night"
        assert doc["why_log"][-1] == {"at": STAMP, "by": "ana", "text": doc["why"], "kind": "why"}
        lines = [line for line in list_text(gaps.list) if line.strip()]
        assert len(lines) == 2 and "Load test the IdP" in lines[1]

        await pilot.press("escape")
        await pilot.pause()
        assert not matrix.showing_gaps and matrix.table.display and matrix.table.has_focus


async def test_a_bad_answer_is_explained_in_the_prompt_and_nothing_is_written(team_ws):
    before = team_ws.path.read_bytes()
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark", "o")
        await pilot.pause()
        prompt = app.screen
        await pilot.press(*"zed", "enter")
        await pilot.pause()
        assert app.screen is prompt
        assert "unknown person 'zed'; people: ana, bo, cy" in prompt.query_one("#prompt-error").render().plain
        assert prompt.query_one("#prompt-input").value == "zed"  # what was typed is kept
        prompt.query_one("#prompt-input").value = ""
        await pilot.press("b", "enter")  # a unique start of a handle is enough
        assert await wait_for(pilot, lambda: stored(team_ws, ROTA).get("owner") == "bo")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"someday", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DuePrompt)
        assert "not a date" in app.screen.query_one("#prompt-error").render().plain
        await pilot.press("escape")  # what was typed is not dropped on one escape: it asks first
        await pilot.pause()
        assert isinstance(app.screen, DuePrompt)
        assert "esc again discards" in app.screen.query_one("#prompt-error").render().plain
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert "due" not in stored(team_ws, ROTA)
    assert team_ws.path.read_bytes() != before  # only the owner was written


async def test_a_gap_fixed_by_someone_else_meanwhile_is_a_conflict_not_an_overwrite(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark", "o")
        await pilot.pause()
        prompt = app.screen
        await pilot.press("c", "y")
        Workspace(team_ws.path, actor="bo").apply(SetFields(ROTA, {"owner": "bo"}))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is prompt
        assert "bo changed the owner to 'bo'" in prompt.query_one("#prompt-error").render().plain
        assert stored(team_ws, ROTA)["owner"] == "bo"
        await pilot.press("enter")  # the second save is the person's choice: theirs is replaced
        assert await wait_for(pilot, lambda: stored(team_ws, ROTA)["owner"] == "cy")
        assert isinstance(app.screen, MainScreen)


# -- the why pane ----------------------------------------------------------------------------------

async def test_editing_the_why_keeps_the_old_one_in_the_log(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(SSO)
        await pilot.press("4", "w")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, WhyPrompt)
        area = prompt.query_one("#prompt-input")
        assert area.text == "Three customers asked for SSO; renewal is in January"
        area.text = "Renewal in January depends on it"
        area.move_cursor(area.document.end)
        await pilot.press("ctrl+j")
        await pilot.press(*"and two deals")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: stored(team_ws, SSO)["why"].startswith("Renewal"))
        assert isinstance(app.screen, MainScreen)
        doc = stored(team_ws, SSO)
        assert doc["why"] == "Renewal in January depends on it\nand two deals"
        assert [(e["by"], e["kind"], e["text"]) for e in doc["why_log"]] == [
            ("ana", "why", "Three customers asked for SSO before renewal"),
            ("ana", "why", "Three customers asked for SSO; renewal is in January"),
            ("ana", "note", "Decision: SAML first, OIDC later"),
            ("ana", "why", "Renewal in January depends on it\nand two deals"),
        ]
        body = app.screen.query_one("#why-body").render().plain
        assert "Renewal in January depends on it\nand two deals" in body
        log = app.screen.query_one("#why-log").render().plain.splitlines()
        assert log[1] == "2026-11-20 09:00 ana why: Renewal in January depends on it"
        assert "renewal is in January" in log[4]


async def test_a_note_goes_to_the_log_and_leaves_the_why(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(SAML)
        await pilot.press("4", "N")
        await pilot.pause()
        assert isinstance(app.screen, NotePrompt)
        await pilot.press("enter")  # an empty note is refused in place
        await pilot.pause()
        assert "the note is empty" in app.screen.query_one("#prompt-error").render().plain
        await pilot.press(*"Pairing with cy on this", "enter")
        assert await wait_for(pilot, lambda: "why_log" in stored(team_ws, SAML))
        doc = stored(team_ws, SAML)
        assert "why" not in doc
        assert doc["why_log"] == [{"at": STAMP, "by": "ana", "text": "Pairing with cy on this", "kind": "note"}]
        assert "ana note: Pairing with cy on this" in app.screen.query_one("#why-log").render().plain


async def test_the_chain_is_navigable_from_task_to_goal(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(SAML)
        await pilot.press("4")
        await pilot.pause()
        pane = app.screen.query_one(WhyPane)
        assert pane.has_focus and [level.id for level in pane.levels] == [SAML, SSO, GOAL]
        chain = pane.query_one("#why-chain").render().plain.splitlines()
        assert chain[1].startswith("▸ • #4 Write SAML handler")
        await pilot.press("down")
        await pilot.pause()
        chain = pane.query_one("#why-chain").render().plain.splitlines()
        assert chain[3].startswith("▸   └ ▣ #2 SSO login") and chain[1].startswith("  • #4")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.selected_id == SSO and pane.has_focus
        assert why_pane_text(app).startswith("▣ #2 SSO login")
        # SSO login has two steps: the cursor starts on the first, and goes over them to the chain.
        assert [level.id for level in pane.levels] == [SSO, GOAL] and pane.step_cursor == 0
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert app.screen.selected_id == GOAL
        body = pane.query_one("#why-body").render().plain
        assert body.startswith("◆ #1 Keep enterprise customers")
        # Goal → what serves it: SSO login and its four tasks; the load test has no due date.
        assert "5 open items serve it: 0 without an owner, 1 without a due date" in body
        await pilot.press("up", "enter")  # the top of the chain is the goal itself: nowhere further to go
        await pilot.pause()
        assert app.screen.selected_id == GOAL


async def test_link_to_goal_picks_from_the_goals_and_answers_why(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(ROTA)
        await pilot.press("4")
        await pilot.pause()
        assert "No why anywhere" in why_pane_text(app)
        await pilot.press("l")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, GoalPicker)
        options = picker.query_one("#prompt-goals")
        assert options.option_count == 1 and "Keep enterprise customers" in str(options.get_option_at_index(0).prompt)
        await pilot.press(*"nothing like it")
        await pilot.pause()
        assert options.option_count == 0
        await pilot.press("enter")
        await pilot.pause()
        assert "no goal matches" in picker.query_one("#prompt-error").render().plain
        picker.query_one("#prompt-input").value = "enterprise"
        await pilot.pause()
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: stored(team_ws, ROTA).get("goal") == GOAL)
        assert isinstance(app.screen, MainScreen)
        text = why_pane_text(app)
        assert "(none of its own; #1 says) Enterprise is 60% of revenue" in text
        assert "⤷ ◆ #1 Keep enterprise customers  (goal of #3)" in text


async def test_palette_quick_edits_act_on_the_selected_item(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.screen.select_item(LOAD)
        await app.screen.run_action("quick_edit('due')")
        await pilot.pause()
        assert isinstance(app.screen, DuePrompt) and app.screen.item.id == LOAD
        await pilot.press(*"+3d", "enter")
        assert await wait_for(pilot, lambda: stored(team_ws, LOAD).get("due") == "2026-11-28")
