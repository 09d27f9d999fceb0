"""Fixtures for the CLI tests: ``worktop ARGS`` run in-process, as a person at a terminal would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from data.writes.workspace import Workspace
from tests.support.users import Users, make_base, make_users
from tui import cli

TODAY = "2025-01-15"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run as ana, today pinned, from the temp folder, with no workspace named by the environment."""
    monkeypatch.setenv("WORKTOP_USER", "ana")
    monkeypatch.setenv("WORKTOP_TODAY", TODAY)
    monkeypatch.delenv("WORKTOP_WORKSPACE", raising=False)
    monkeypatch.delenv("WORKTOP_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def run(env: None, capsys: pytest.CaptureFixture[str]) -> Any:
    def call(*argv: object) -> Run:
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return call


@pytest.fixture
def ws(workspace: Workspace) -> Path:
    """The conftest workspace's path (tmp_path/worktop.json, found from the cwd too)."""
    return workspace.path


@pytest.fixture
def users() -> Iterator[Users]:
    """A group with two members and one user outside it, all with unique names; removed afterwards (root only)."""
    yield from make_users()


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder outside pytest's private temp tree (which other users cannot enter), removed afterwards."""
    yield from make_base()
