"""Fixtures shared by the unit and functional tests.

A test gets a fresh workspace file in its own temp folder in one line
(``def test_x(workspace): ...``), with a pinned "today" and three people, so
nothing depends on the clock, the login name or another test's file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from data.model.items import Person
from data.writes.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
"""The repository root; subprocesses run from here so ``data`` imports as in the app."""

TODAY = date(2025, 1, 15)
"""A Wednesday; date words like ``fri`` resolve against it in tests."""

PEOPLE = (
    Person("ana", "Ana Alves", "platform", 5),
    Person("ben", "Ben Brook", "platform", 3),
    Person("cy", "Cy Chen", "ops", 4),
)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    """Where the ``workspace`` fixture's file lives (not created by this fixture)."""
    return tmp_path / "worktop.json"


STORE_KINDS = ("file", "postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_stores: run the module's workspace tests on the file and on PostgreSQL")
    config.addinivalue_line("markers", "file_only: a test about files in a both_stores module (runs on the file only)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_stores`` that use a workspace run once per store (``[file]``, ``[postgres]``)."""
    definition = metafunc.definition
    if "store_kind" in metafunc.fixturenames and definition.get_closest_marker("both_stores") \
            and not definition.get_closest_marker("file_only"):
        metafunc.parametrize("store_kind", STORE_KINDS)


@pytest.fixture
def store_kind() -> str:
    """Which store the ``workspace`` fixture makes: the file, unless the test is marked ``both_stores``."""
    return "file"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """This test process's own PostgreSQL server (tests/support/postgres.py), with the worktop schema and
    login roles ana, ben and cy allowed to write; stopped at the end of the session.

    Skipped, with the reason, where PostgreSQL is not installed; under CI a server that does not start fails.
    """
    from tests.support import postgres

    try:
        server = postgres.start_server()
    except Exception as error:  # noqa: BLE001 - a skip or a failure that says why
        if postgres.required():
            pytest.fail(f"the PostgreSQL test server must start under CI but did not: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server for the tests: {error}")
    try:
        Workspace.create(server.url("setup"), name="setup")  # the schema and the worktop_* roles
        for person in PEOPLE:
            server.make_role(person.handle, grant="worktop_writer")
        yield server
    finally:
        postgres.remove_server(server)


@pytest.fixture
def workspace(workspace_path: Path, store_kind: str, request: pytest.FixtureRequest) -> Workspace:
    """A new, empty workspace with people ana, ben and cy, acting as ana, today pinned.

    On PostgreSQL (``store_kind == "postgres"``) it is a workspace of its own in the test server's database,
    opened as role ana, and ``workspace_path`` is a pointer file naming it, so a CLI test that finds
    ``worktop.json`` upward, or passes its path to ``-w``, reaches it too.
    """
    if store_kind == "file":
        return Workspace.create(workspace_path, name="test", actor="ana", people=list(PEOPLE), today=TODAY)
    from data.store.postgres.location import pointer_text

    server = request.getfixturevalue("pg_server")
    url = server.url(server.fresh_name(), role="ana")
    Workspace.create(url, name="test", actor="ana", people=list(PEOPLE), today=TODAY)
    workspace_path.write_bytes(pointer_text(url))
    return Workspace(workspace_path, actor="ana", today=TODAY)


@pytest.fixture
def history_workspace(tmp_path: Path, store_kind: str, monkeypatch: pytest.MonkeyPatch,
                      request: pytest.FixtureRequest) -> tuple[Workspace, dict[str, int]]:
    """The workspace with a known history (tests/history_builder.py) and its item ids by letter, in
    ``tmp_path/h/worktop.json``: the file, or on PostgreSQL (``store_kind``) a pointer file naming it."""
    from tests.history_builder import build_history_workspace

    folder = tmp_path / "h"
    folder.mkdir()
    path = folder / "worktop.json"
    if store_kind == "file":
        return build_history_workspace(path, monkeypatch)
    from data.store.postgres.location import pointer_text

    server = request.getfixturevalue("pg_server")
    url = server.url(server.fresh_name(), role="ana")
    ws, ids = build_history_workspace(url, monkeypatch)
    path.write_bytes(pointer_text(url))
    return Workspace(path, actor="ana", today=ws.today), ids


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python: imports resolve from the repo, output unbuffered."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class PythonChildren:
    """Starts fresh Python interpreters running a snippet, and ends any left running.

    Snippets are dedented, so they can be indented triple-quoted strings; extra
    positional arguments become ``sys.argv[1:]``. Children run from the repo
    root with the same interpreter, so ``data`` imports as it does in the app.
    """

    root = ROOT

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[str]] = []

    def argv(self, code: str, *args: object) -> list[str]:
        return [sys.executable, "-c", textwrap.dedent(code), *map(str, args)]

    def run(self, code: str, *args: object, timeout: float = 60, check: bool = True
            ) -> subprocess.CompletedProcess[str]:
        """Run to completion; with ``check`` a failure shows the child's output."""
        proc = subprocess.run(self.argv(code, *args), cwd=ROOT, env=subprocess_env(), capture_output=True,
                              text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def start(self, code: str, *args: object, **popen: Any) -> subprocess.Popen[str]:
        """Start without waiting; stdout and stderr are pipes unless given."""
        popen.setdefault("stdout", subprocess.PIPE)
        popen.setdefault("stderr", subprocess.PIPE)
        proc = subprocess.Popen(self.argv(code, *args), cwd=ROOT, env=subprocess_env(), text=True, **popen)
        self.started.append(proc)
        return proc

    def end_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture
def python_children() -> Iterator[PythonChildren]:
    """Start child interpreters (``python_children.start(code, *args)``); all are ended after the test."""
    children = PythonChildren()
    yield children
    children.end_all()


def write_items(path: Path, count: int, *, status: str = "todo") -> None:
    """Add ``count`` plain tasks to an existing workspace file by writing its dict directly.

    Much faster than ``count`` operations; the result is what the operations
    would have stored, minus their history entries.
    """
    import orjson

    from data.store.atomic import write_atomic
    from data.store.file_store import read_file
    from data.store.lock import exclusive_lock

    with exclusive_lock(path):
        data, _ = read_file(path)
        _add_tasks(data["items"], count, status)
        write_atomic(path, orjson.dumps(data), keep_backup=False)


def _add_tasks(items: dict[str, Any], count: int, status: str) -> None:
    start = max((int(k) for k in items), default=0) + 1
    for offset in range(count):
        item_id = start + offset
        items[str(item_id)] = {
            "kind": "task", "title": f"task number {item_id} with a title of ordinary length",
            "status": status, "owner": PEOPLE[item_id % len(PEOPLE)].handle, "rank": float(item_id),
            "created_at": "2025-01-01T09:00:00Z", "created_by": "ana",
            "updated_at": "2025-01-01T09:00:00Z", "updated_by": "ana", "status_since": "2025-01-01T09:00:00Z",
        }


@pytest.fixture
def big_workspace(workspace: Workspace) -> Callable[[int], Workspace]:
    """Grow the ``workspace`` fixture to ``count`` items: ``ws = big_workspace(2000)``."""

    def grow(count: int) -> Workspace:
        from tests.support.stores import add_tasks, is_pg

        if is_pg(workspace):
            add_tasks(workspace, count)
        else:
            write_items(workspace.path, count)
        return workspace

    return grow
