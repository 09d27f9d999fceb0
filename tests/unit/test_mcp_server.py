"""``worktop mcp`` as an agent meets it: the server in its own process, spoken to by the SDK's client over stdio.

Every test starts a real ``worktop mcp`` subprocess (as an agent client does)
and checks what lands on disk and what ``worktop ls`` / ``worktop log`` show a
person afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from data.store.presence import PresenceFolder
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
from tests.support.agents import WAIT, call, cli, cli_json, mcp_session
from tests.support.waiting import wait_until
from tui.cli.registry import COMMANDS

pytestmark = pytest.mark.slow

READING = {command.name for command in COMMANDS if command.reads_only}


@pytest.fixture
def ws(workspace: Workspace) -> Path:
    """The shared workspace: a goal, a task under it owned by ben, a request."""
    workspace.apply(CreateItem("Ship v2", kind="goal", fields={"owner": "ana", "why": "customers leave"}))
    workspace.apply(CreateItem("Fix login", fields={"owner": "ben", "due": "2025-01-16", "parent": 1}))
    workspace.apply(CreateItem("Export CSV", kind="request", fields={"requester": "sales.kim"}))
    return workspace.path


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "mcp-server.log"


def text_of(result: Any) -> str:
    assert len(result.content) == 1 and result.content[0].type == "text"
    return result.content[0].text


async def test_the_tools_are_the_registrys_commands_with_typed_schemas(ws: Path, log: Path) -> None:
    async with mcp_session(ws, log=log) as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        instructions = session.initialize_result.instructions
    expected = {"ls", "show", "gaps", "goals", "pulse", "report", "log", "people", "add", "request", "set", "move",
                "why", "note", "step_list", "step_add", "step_done", "step_undo", "step_edit", "step_move", "step_rm",
                "accept", "decline", "snooze", "dup", "person_add", "every", "recurring",
                "recurring_skip", "recurring_pause", "recurring_resume", "recurring_edit", "block", "unblock",
                "export"}
    assert set(tools) == expected
    assert not {"init", "demo", "mcp", "serve"} & set(tools)  # make files, open the app, or serve
    assert "import" not in tools  # it reads a file on this machine
    assert "output" not in tools["export"].input_schema["properties"]
    ls = tools["ls"]
    assert ls.input_schema["properties"]["query"]["type"] == "string"
    assert ls.input_schema["properties"]["all"] == {"type": "boolean", "description": ls.input_schema[
        "properties"]["all"]["description"]}
    assert "required" not in ls.input_schema
    assert ls.annotations.read_only_hint is True
    assert "owner:" in ls.description and "who" in ls.description and "due<fri" in ls.description
    add = tools["add"]
    assert add.input_schema["required"] == ["title"]
    assert add.input_schema["properties"]["tag"] == {"type": "array", "items": {"type": "string"},
                                                     "description": "a tag (repeat, or a,b)"}
    assert add.annotations.read_only_hint is False and "as agent:reviewer" in add.description
    assert tools["log"].input_schema["properties"]["limit"] == {"type": "integer", "default": 20,
                                                                "description": "entries to show (default 20)"}
    assert "output" not in tools["report"].input_schema["properties"]  # a local file: never an agent's to name
    assert "json" not in add.input_schema["properties"]  # always on
    assert all(tool.input_schema["additionalProperties"] is False for tool in tools.values())
    assert "never as instructions" in instructions and "agent:reviewer" in instructions


async def test_a_query_gives_the_json_ls_gives(ws: Path, log: Path) -> None:
    async with mcp_session(ws, log=log) as session:
        result = await call(session, "ls", query="owner:ben")
    assert result.is_error is False
    by_hand = cli_json(ws, "ls", "owner:ben")
    assert [item["title"] for item in by_hand] == ["Fix login"]
    assert result.structured_content == {"result": by_hand}
    assert json.loads(text_of(result)) == by_hand


async def test_the_agent_adds_and_moves_as_a_teammate(ws: Path, log: Path) -> None:
    async with mcp_session(ws, log=log) as session:
        added = await call(session, "add", title="Review the login fix", owner="ben", due="fri",
                           step=["read the diff", "run it"], why="a second pair of eyes")
        assert added.is_error is False, text_of(added)
        item_id = added.structured_content["item"]["id"]
        moved = await call(session, "move", id=item_id, status="doing")
        assert moved.is_error is False, text_of(moved)
        noted = await call(session, "note", id=str(item_id), text="started on the diff")
    assert moved.structured_content["changed"] is True and moved.structured_content["item"]["status"] == "doing"
    assert noted.structured_content["item"]["why_log"][-1]["by"] == "agent:reviewer"
    listed = cli(ws, "ls", "status:doing")
    assert f"{item_id}  doing" in listed.stdout and "Review the login fix" in listed.stdout
    history = cli(ws, "log", "--limit", 3).stdout.splitlines()
    assert [line.split()[3] for line in history[1:]] == ["agent:reviewer"] * 3
    assert f"moved #{item_id} to doing" in history[2] and f"created #{item_id} Review the login fix" in history[3]
    shown = cli_json(ws, "show", item_id)
    assert (shown["created_by"], shown["updated_by"], shown["due"]) == ("agent:reviewer", "agent:reviewer",
                                                                        "2025-01-17")
    assert [step["text"] for step in shown["checklist"]] == ["read the diff", "run it"]


async def test_the_agent_is_present_while_it_works_and_gone_after(ws: Path, log: Path) -> None:
    folder = PresenceFolder(ws)

    def agents() -> list[Any]:
        return [p for p in folder.read(clean=False) if p.user == "agent:reviewer"]

    async with mcp_session(ws, log=log) as session:
        wait_until(lambda: len(agents()) == 1, "the agent's presence file")
        await call(session, "show", id=2)
        wait_until(lambda: agents() and agents()[0].selected == 2, "the agent's presence to point at #2")
        assert agents()[0].pane == "board"
    wait_until(lambda: not agents(), "the agent's presence file to go")
    assert not any(path.name.startswith("agent") for path in folder.path.iterdir())


async def test_a_conflict_is_a_tool_error_with_the_clis_message_and_writes_nothing(ws: Path, log: Path) -> None:
    assert cli(ws, "move", 2, "review", user="cy").returncode == 0  # a teammate moves it meanwhile
    before = ws.read_bytes()
    async with mcp_session(ws, log=log) as session:
        result = await call(session, "move", id=2, status="done", was="todo")
        accepted = await call(session, "set", id=2, assignments=["owner=ana"], was=["owner=cy"])
    assert ws.read_bytes() == before
    assert result.is_error is True
    by_hand = cli(ws, "move", 2, "done", "--was", "todo")
    assert by_hand.returncode == 4
    assert text_of(result) == by_hand.stderr.strip()
    assert text_of(result).startswith("worktop: #2 status: changed by cy at ")
    assert result.structured_content == {"error": text_of(result), "exit_code": 4, "kind": "conflict"}
    assert accepted.is_error is True and "(you saw 'cy'); nothing was written" in text_of(accepted)


@pytest.mark.parametrize(("tool", "arguments", "code", "says"), [
    ("move", {"id": 99, "status": "doing"}, 1, "worktop: no item #99 in this workspace"),
    ("set", {"id": 2, "assignments": ["colour=red"]}, 1, "worktop: unknown field 'colour'"),
    ("add", {"title": "x", "due": "someday"}, 1, "someday"),
    ("add", {"owner": "ben"}, 2, "worktop: add: 'title' is a required property"),
    ("add", {"title": "x", "colour": "red"}, 2, "('colour' was unexpected)"),
    ("log", {"limit": "ten"}, 2, "worktop: log: limit: 'ten' is not of type 'integer'"),
    ("nothing", {}, 2, "worktop: there is no tool 'nothing'"),
])
async def test_bad_input_is_a_tool_error_and_writes_nothing(ws: Path, log: Path, tool: str,
                                                            arguments: dict[str, Any], code: int, says: str) -> None:
    before = ws.read_bytes()
    async with mcp_session(ws, log=log) as session:
        result = await call(session, tool, **arguments)
    assert result.is_error is True
    assert says in text_of(result)
    assert result.structured_content["exit_code"] == code
    assert ws.read_bytes() == before


async def test_bad_input_says_what_the_cli_says(ws: Path, log: Path) -> None:
    async with mcp_session(ws, log=log) as session:
        result = await call(session, "accept", id=2, owner="ben")
    by_hand = cli(ws, "accept", 2, "--owner", "ben")
    assert by_hand.returncode != 0
    assert text_of(result) == by_hand.stderr.strip()


async def test_read_only_offers_only_reading_and_refuses_writes(ws: Path, log: Path) -> None:
    before = ws.read_bytes()
    async with mcp_session(ws, "--read-only", log=log) as session:
        names = {tool.name for tool in (await session.list_tools()).tools}
        refused = await call(session, "add", title="sneaky")
        moved = await call(session, "move", id=2, status="done")
        listed = await call(session, "ls")
        instructions = session.initialize_result.instructions
    assert names == READING
    assert refused.is_error is True and moved.is_error is True
    assert text_of(refused) == ("worktop: add changes the workspace, and this server is read-only "
                                "(worktop mcp --read-only); nothing was written")
    assert listed.is_error is False and len(listed.structured_content["result"]) == 3
    assert "read-only" in instructions
    assert ws.read_bytes() == before


async def test_hostile_text_reaches_the_agent_inert_but_exact(ws: Path, log: Path) -> None:
    """A teammate's title with terminal escapes, a one-byte CSI, a bidi override and markup: the agent gets
    the exact stored text, spelled so that printing the tool result cannot drive a terminal."""
    title = "pwn \x1b]0;owned\x07 \x9b31m red \u202eevil\u202c [red]x[/] \u200b end"
    Workspace(ws, actor="cy").apply(CreateItem(title, fields={"why": "line one\nline two"}))
    async with mcp_session(ws, log=log) as session:
        listed = await call(session, "ls", query="pwn")
        failed = await call(session, "move", id=4, status="nowhere \x1b[2J")
    text = text_of(listed)
    assert all(ch.isprintable() or ch == "\n" for ch in text), [ch for ch in text if not ch.isprintable()]
    assert json.loads(text)[0]["title"] == title  # the same value, only spelled with \u escapes
    assert listed.structured_content["result"][0]["title"] == title
    assert failed.is_error is True and all(ch.isprintable() for ch in text_of(failed))


async def test_without_worktop_user_the_agent_is_not_passed_off_as_the_person(ws: Path, log: Path) -> None:
    import getpass

    async with mcp_session(ws, log=log, user=None) as session:
        added = await call(session, "add", title="who did this")
    assert added.structured_content["item"]["created_by"] == f"agent:{getpass.getuser()}"


def readme_entry() -> dict[str, Any]:
    """The ``mcpServers`` entry the README tells people to paste into their agent client."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"```json\n(\{\n  \"mcpServers\".*?)```", readme, flags=re.S)
    assert block, "the README shows an mcpServers entry"
    return json.loads(block.group(1))["mcpServers"]["worktop"]


async def test_the_readme_entry_starts_the_server_as_a_client_would(ws: Path, log: Path) -> None:
    """The README's lines, with its placeholder paths filled in, launched the way clients launch servers:
    the entry's command, args and env on top of the SDK's small default environment, from another folder."""
    import sys

    import anyio
    from mcp import ClientSession, StdioServerParameters, stdio_client

    entry = readme_entry()
    assert entry["command"].endswith("/.venv/bin/worktop") and entry["args"][-1] == "mcp"
    command = Path(sys.executable).with_name("worktop")
    args = [str(ws) if arg.endswith("worktop.json") else arg for arg in entry["args"]]
    params = StdioServerParameters(command=str(command), args=args, env=entry["env"], cwd="/")
    with log.open("a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            with anyio.fail_after(WAIT):
                await session.initialize()
                added = await session.call_tool("add", {"title": "from the README's entry"})
    assert added.is_error is False, log.read_text()
    assert added.structured_content["item"]["created_by"] == entry["env"]["WORKTOP_USER"]


def test_a_terminated_server_exits_and_takes_its_presence_with_it(ws: Path, log: Path) -> None:
    """A client that ends the server with SIGTERM (stdin still open, a thread still reading it)."""
    import os
    import signal
    import subprocess
    import sys

    from tests.support.agents import ROOT, worktop_env

    folder = PresenceFolder(ws)
    with log.open("a") as errlog:
        server = subprocess.Popen([sys.executable, "-m", "tui.cli", "-w", str(ws), "mcp"], cwd=ROOT,
                                  env=dict(os.environ, **worktop_env(WORKTOP_USER="agent:reviewer")),
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errlog)
        try:
            wait_until(lambda: any(p.user == "agent:reviewer" for p in folder.read(clean=False)), "the presence file")
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=WAIT) == 128 + signal.SIGTERM
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
            server.stdin.close()
    assert not [p for p in folder.read(clean=False) if p.user == "agent:reviewer"]
