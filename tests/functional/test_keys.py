"""The one table of keys (widgets/keys.py): what each pane binds, the palette and help all come from it.

In every pane (every focus chain of the main screen) no key is bound to two actions; every action
but a cursor move is in the palette and runs from it; help lists exactly the table, so what the
footer and the palette offer is in help, with the same words.
"""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.functional.conftest import make_app, screen_text, wait_for
from tui.commands import WorktopCommands
from tui.help import HelpScreen, binding_groups
from tui.main_screen import MainScreen
from widgets.board import Board
from widgets.inbox import InboxPane
from widgets.keys import KEYS, SCOPES, key_display, palette_rows
from widgets.matrix import OwnershipMatrix
from widgets.pulse import PulseView
from widgets.why import WhyPane

TABLE_IDS = {f"{key.scope}.{key.action}" for key in KEYS}


async def _contexts(app, pilot):  # noqa: ANN001, ANN202
    """Focus each place keys can be pressed on the main screen, in turn; yields its name."""
    screen = app.screen
    screen.query_one(InboxPane).list.focus()
    await pilot.pause()
    yield "inbox"
    for column in screen.query_one(Board).columns:
        column.list.focus()
        await pilot.pause()
        yield f"board column {column.status}"
    screen.focus_pane("matrix")
    await pilot.pause()
    yield "matrix"
    await pilot.press("down", "right", "right", "right", "enter")
    assert await wait_for(pilot, lambda: screen.query_one(OwnershipMatrix).cells.display)
    yield "matrix cell items"
    await pilot.press("escape", "exclamation_mark")
    assert await wait_for(pilot, lambda: screen.query_one(OwnershipMatrix).showing_gaps)
    yield "gaps"
    screen.query_one(WhyPane).focus()
    await pilot.pause()
    yield "why"
    screen.query_one(PulseView).focus()
    await pilot.pause()
    yield "pulse"


def _chain_bindings(app) -> dict[str, set[tuple[str, str | None]]]:  # noqa: ANN001
    """key → {(action, binding id)} over the focused widget, its ancestors, the screen and the app."""
    found: dict[str, set[tuple[str, str | None]]] = {}
    for _node, bindings in app.screen._binding_chain:
        for key, key_bindings in bindings.key_to_bindings.items():
            for binding in key_bindings:
                found.setdefault(key, set()).add((binding.action, binding.id))
    return found


async def test_no_pane_binds_a_key_twice(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        async for where in _contexts(app, pilot):
            for key, actions in _chain_bindings(app).items():
                ours = {action for action, binding_id in actions if binding_id in TABLE_IDS}
                assert len({action for action, _ in actions}) == 1 or not ours, (where, key, actions)


async def test_every_binding_in_the_app_comes_from_the_table(team_ws):
    """No hand-written Binding left in worktop's own widgets and screens."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        async for where in _contexts(app, pilot):
            for node, bindings in app.screen._binding_chain:
                if not type(node).__module__.startswith(("tui.", "widgets.")):
                    continue
                own = set(type(node).__dict__.get("BINDINGS", []))
                for key_bindings in bindings.key_to_bindings.values():
                    for binding in key_bindings:
                        if own and binding.id is not None:
                            assert binding.id in TABLE_IDS, (where, type(node).__name__, binding)


def test_only_cursor_moves_and_dialog_keys_are_left_out_of_the_palette():
    for key in KEYS:
        if not key.palette:
            assert key.moves or SCOPES[key.scope].pane is None, key
        if SCOPES[key.scope].pane is None and key.scope != "app":
            assert not key.palette, f"{key}: a dialog's key cannot run from the main screen's palette"


async def test_the_palette_offers_every_action_and_each_runs(team_ws):
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        provider = WorktopCommands(app.screen, None)
        hits = [hit async for hit in provider.discover()]
        assert [hit.text for hit in hits] == [key.command for key in palette_rows()]
        assert len({hit.text for hit in hits}) == len(hits), "two palette commands with one name"
        errors: list[BaseException] = []
        app._handle_exception = errors.append  # an action that raises would otherwise end the app
        for key in palette_rows():
            if key.action == "quit":
                continue
            await app.screen_stack[0].run_key(key)
            await pilot.pause()
            assert not errors, (key, errors)
            while not isinstance(app.screen, MainScreen):
                app.pop_screen()
                await pilot.pause()


async def test_help_lists_exactly_the_table(team_ws):
    listed = {line for _title, lines in binding_groups() for line in lines}
    for key in KEYS:
        assert (key_display(key.keys), key.help_line) in listed, key
    notes = {note for scope in SCOPES.values() for note in scope.notes}
    table = {(key_display(key.keys), key.help_line) for key in KEYS}
    assert listed - table - notes == {("ctrl+p", "Command palette: every action by name, with its key")}
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        assert await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = ""
        for _ in range(6):  # taller than the screen: read it as a person scrolls
            text += screen_text(app)
            await pilot.press("pagedown")
            await pilot.pause()
        for title, _lines in binding_groups():
            assert title in text, title


async def test_what_the_footer_shows_is_in_help(team_ws):
    listed = {line for _title, lines in binding_groups() for line in lines}
    app = make_app(team_ws)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        async for where in _contexts(app, pilot):
            await pilot.pause()
            footer = app.screen.query_one(Footer)
            shown = [(key.action, key.description) for key in footer.query(FooterKey)]
            assert shown, where
            for action, label in shown:
                if action == "command_palette":
                    continue
                rows = [key for key in KEYS if key.action == action and key.label == label]
                assert rows, (where, action, label)
                assert any((key_display(row.keys), row.help_line) in listed for row in rows)


@pytest.mark.parametrize("pane", ["1", "2", "4"])
async def test_r_is_not_a_write_outside_the_matrix_and_says_so_in_it(team_ws, pane):
    """Bug: r opened recurring workflows everywhere but set the Responsible role in the matrix.

    Now R (anywhere) opens recurring workflows; r is bound only in the matrix, where the footer
    names it 'Responsible'. Elsewhere r does nothing at all, so nothing is written."""
    app = make_app(team_ws)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        revision = team_ws.snapshot().revision
        await pilot.press(pane, "r")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and team_ws.snapshot().revision == revision
        await pilot.press("3")
        await pilot.pause()
        footer = {key.key: key.description for key in app.screen.query_one(Footer).query(FooterKey)}
        assert footer.get("r") == "Responsible"
        await pilot.press("R")
        assert await wait_for(pilot, lambda: type(app.screen).__name__ == "RecurringScreen")


def test_every_row_names_an_action_its_widget_has():
    """A row whose action does not exist would bind a key that silently does nothing."""
    from textual.widgets import Input

    from tui.app import WorktopApp
    from tui.conflict import ConflictScreen
    from tui.editor import ItemEditor
    from tui.follow import FollowPicker
    from tui.goto import GotoPrompt
    from tui.help import HelpScreen
    from tui.prompts import QuickPrompt, WhyPrompt
    from tui.recurring_screen import RecurringScreen, RuleForm
    from tui.triage_prompts import AcceptForm, Prompt
    from widgets.cell_items import CellItems
    from widgets.gaps import GapsView
    from widgets.item_list import ItemList
    from widgets.matrix import MatrixTable
    from widgets.owner_field import OwnerField

    owners = {
        "app": WorktopApp, "screen": MainScreen, "lists": ItemList, "inbox": InboxPane, "board": Board,
        "matrix": MatrixTable, "cells": CellItems, "gaps": GapsView, "why": WhyPane, "pulse": PulseView,
        "prompt": QuickPrompt, "text-prompt": WhyPrompt, "triage-prompt": Prompt, "accept": AcceptForm,
        "editor": ItemEditor, "conflict": ConflictScreen, "recurring": RecurringScreen, "rule-form": RuleForm,
        "help": HelpScreen, "follow-picker": FollowPicker, "goto": GotoPrompt, "owner-field": OwnerField,
    }
    assert set(owners) == set(SCOPES)
    for key in KEYS:
        action = key.action
        owner = owners[key.scope]
        if action.startswith("screen."):
            owner, action = MainScreen, action.removeprefix("screen.")
        name = action.split("(")[0]
        assert hasattr(owner, f"action_{name}") or (owner is Prompt and hasattr(Input, f"action_{name}")), key
