"""A small, fixed team workspace and an app on it with the clock, theme and watcher pinned."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from data.model.items import Person
from data.writes.ops import AddWhyNote, CreateItem, Move, SetFields
from data.writes.workspace import Workspace
from tui.app import WorktopApp

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
STAMP = "2026-11-20T09:00:00Z"


def build_team_workspace(path: Path) -> Workspace:
    """Goal → project → tasks, a workstream with no owner, requests in the inbox.

    Timestamps come from the monkeypatched clock, so screens are the same every run.
    """
    ws = Workspace.create(path, name="acme", actor="ana", today=TODAY, people=[
        Person("ana", "Ana Lima", "core", 4),
        Person("bo", "Bo Chen", "core", 2),
        Person("cy", "Cy Park", "ops", 3),
    ])
    goal = ws.apply(CreateItem("Keep enterprise customers", kind="goal",
                               fields={"why": "Enterprise is 60% of revenue"})).item_id
    project = ws.apply(CreateItem("SSO login", kind="project",
                                  fields={"owner": "ana", "parent": goal, "due": "2026-12-15",
                                          "why": "Three customers asked for SSO before renewal"},
                                  checklist=["SAML flow", "Admin settings page"])).item_id
    ws.apply(CreateItem("On-call rota", kind="workstream", fields={"tags": "ops"}))
    ws.apply(CreateItem("Write SAML handler", fields={"owner": "bo", "parent": project, "due": "2026-11-26"}))
    ws.apply(CreateItem("Design settings page", fields={"owner": "ana", "parent": project, "due": "2026-11-20"}))
    task = ws.apply(CreateItem("Load test the IdP", fields={"owner": "bo", "parent": project})).item_id
    ws.apply(Move(task, "doing"))
    review = ws.apply(CreateItem("Review token expiry", fields={"owner": "cy", "parent": project,
                                                              "due": "2026-12-01"})).item_id
    ws.apply(Move(review, "review"))
    ws.apply(SetFields(project, {"why": "Three customers asked for SSO; renewal is in January"}))
    ws.apply(AddWhyNote(project, "Decision: SAML first, OIDC later"))
    ws.apply(CreateItem("Export to CSV please", kind="request", fields={"requester": "dana"}))
    ws.apply(CreateItem("Dark mode for the dashboard", kind="request", fields={"requester": "eli"}))
    ws.apply(CreateItem("[red]Broken[/] \x1b[2J title\x07", kind="request", fields={"requester": "fox"}))
    return ws


@pytest.fixture
def team_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setattr("data.writes.workspace.now_iso", lambda: STAMP)
    return build_team_workspace(tmp_path / "worktop.json")


def make_app(ws: Workspace, *, watch: bool = False) -> WorktopApp:
    app = WorktopApp(ws, watch=watch, clock=lambda: NOW)
    app.theme = "textual-dark"
    return app


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = 8.0) -> bool:  # noqa: ANN001
    """Let the app run until ``predicate()`` holds; False after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await pilot.pause(0.02)
        if predicate():
            return True
    return predicate()


async def settled(app) -> None:  # noqa: ANN001
    """Until the app's first screen is out and the work that waits for it (recurring instances made
    ahead) has finished: what a person sees a moment after opening."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15.0
    while not app.first_screen_done and loop.time() < deadline:
        await asyncio.sleep(0.02)
    assert app.first_screen_done, "the first screen never finished drawing"
    await app.workers.wait_for_complete()


def list_text(item_list) -> list[str]:  # noqa: ANN001
    """What an ItemList shows, line by line (only the visible part)."""
    return [item_list.render_line(y).text.rstrip() for y in range(item_list.size.height)]


def screen_text(app) -> str:  # noqa: ANN001
    """The whole terminal as plain text, as a user would read it."""
    import html
    import re

    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(lines)).replace("\xa0", " ")


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text cursors stay on: a screen (and a snapshot) never depends on where the blink was."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.setattr(TextArea, "cursor_blink", False)
