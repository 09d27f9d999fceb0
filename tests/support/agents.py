"""Talking to ``worktop mcp`` the way an agent client does: the SDK's own client over stdio, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2025-01-15"
WAIT = 60.0
"""Seconds to wait for the server to answer (a loaded 2-core machine starts Python slowly)."""


def worktop_env(**extra: str) -> dict[str, str]:
    """What an agent client passes the server: a few variables on top of its small default environment."""
    env = {"WORKTOP_TODAY": TODAY, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    env.update(extra)
    return env


@asynccontextmanager
async def mcp_session(workspace: Path, *args: str, log: Path, user: str | None = "agent:reviewer",
                      ) -> AsyncIterator[Any]:
    """An initialized ``mcp.ClientSession`` on ``worktop -w WORKSPACE mcp ARGS`` (its stderr goes to ``log``)."""
    import anyio
    from mcp import ClientSession, StdioServerParameters, stdio_client

    env = worktop_env(**({"WORKTOP_USER": user} if user is not None else {}))
    params = StdioServerParameters(command=sys.executable, args=["-m", "tui.cli", "-w", str(workspace), "mcp", *args],
                                   env=env, cwd=str(ROOT))
    with log.open("a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            with anyio.fail_after(WAIT):
                await session.initialize()
            yield session


async def call(session: Any, tool: str, **arguments: Any) -> Any:
    """Call a tool with a generous timeout; returns the ``CallToolResult``."""
    import anyio

    with anyio.fail_after(WAIT):
        return await session.call_tool(tool, arguments)


def cli(workspace: Path, *argv: object, user: str = "ana") -> subprocess.CompletedProcess[str]:
    """``worktop -w WORKSPACE ARGV`` as a person runs it, in its own process."""
    env = dict(os.environ, **worktop_env(WORKTOP_USER=user))
    return subprocess.run([sys.executable, "-m", "tui.cli", "-w", str(workspace), *map(str, argv)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=WAIT)


def cli_json(workspace: Path, *argv: object) -> Any:
    done = cli(workspace, *argv, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
