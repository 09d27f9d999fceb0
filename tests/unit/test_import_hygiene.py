"""Layering: ``data`` never loads Textual (or the layers above it), nor do the CLI's modules.

Each import runs in a fresh interpreter, because this test process has long
since imported Textual for other tests. The commands that open a workspace run on
the file and on PostgreSQL (through a pointer file).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from data.writes.workspace import Workspace
from tests.conftest import subprocess_env

pytestmark = pytest.mark.both_stores

ROOT = Path(__file__).resolve().parents[2]
DATA_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in (ROOT / "data").rglob("*.py")
)

PROBE = """
import json, sys
import {module}
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("textual", "rich", "tui", "widgets"))))
"""


def loaded_by(module: str, python_children: Any) -> list[str]:
    """The Textual, Rich and upper-layer modules that importing ``module`` loads."""
    out = python_children.run(PROBE.format(module=module)).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_data_modules_are_found() -> None:
    assert {"data.model.items", "data.store.file_store", "data.writes.workspace", "data.writes.ops", "data.store"} <= set(DATA_MODULES)


@pytest.mark.parametrize("module", DATA_MODULES)
def test_data_imports_no_textual(module: str, python_children: Any) -> None:
    loaded = loaded_by(module, python_children)
    assert not any(name.split(".")[0] == "textual" for name in loaded), f"{module} loads Textual: {loaded}"
    assert not any(name.split(".")[0] in ("tui", "widgets") for name in loaded), (
        f"{module} imports an upper layer: {loaded}"
    )


CLI_MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "tui" / "cli").glob("*.py") if p.stem not in ("__main__", "launch")
)


def test_cli_modules_are_found() -> None:
    assert {"tui.cli", "tui.cli.registry", "tui.cli.items", "tui.cli.output"} <= set(CLI_MODULES)


@pytest.mark.parametrize("module", CLI_MODULES)
def test_cli_imports_no_textual(module: str, python_children: Any) -> None:
    """Every CLI module but the one that opens the app stays clear of Textual, Rich and the widgets."""
    loaded = loaded_by(module, python_children)
    assert not any(name.split(".")[0] in ("textual", "rich", "widgets") for name in loaded), (
        f"{module} loads Textual: {loaded}"
    )


def test_a_command_loads_only_its_own_module(python_children: Any, workspace: Workspace) -> None:
    """``worktop add`` has an 80 ms budget: it imports the registry, the parser and the items
    commands, not the other command groups."""
    out = python_children.run(f"""
        import json, sys
        from tui.cli import main
        assert main(["-w", {str(workspace.path)!r}, "add", "x"]) == 0
        print(json.dumps(sorted(name for name in sys.modules if name.startswith("tui."))))
    """).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert loaded == ["tui.cli", "tui.cli.inputs", "tui.cli.items", "tui.cli.output", "tui.cli.parser",
                      "tui.cli.registry"]


ADD_NEVER_LOADS = (
    # The app and what only it, the servers or other commands use.
    "textual", "rich", "widgets", "rapidfuzz", "dateutil", "psycopg", "psycopg_binary", "mcp", "textual_serve",
    "aiohttp", "jsonschema", "tinydb", "watchfiles", "inotify_simple",
    # argparse's formatter would load shutil (and bz2, lzma, zlib); the atomic write makes its own temp names.
    "shutil", "tempfile", "bz2", "lzma",
    # orjson loads uuid, platform and dataclasses at import: a few lines take the stdlib's json (jsonline);
    # the records an append makes (its operation, settings, people, result, lock, file state) are no dataclasses.
    "orjson", "uuid", "platform", "dataclasses", "inspect",
    # Snapshots, views, queries and the other kinds of operation: a write of one new item needs none of them.
    "data.model.snapshot", "data.model.query", "data.views", "data.interchange", "data.writes.steps",
    "data.writes.people", "data.writes.triage", "data.writes.undo", "data.writes.recurrence",
    "data.store.postgres.store", "data.store.watcher", "data.store.presence",
    "tui.app", "tui.agent", "tui.web",
)
"""What ``worktop add`` (80 ms at 10k items, and no slower than Taskwarrior's ``task add``) must not import."""


def test_worktop_add_imports_only_what_an_append_needs(tmp_path: Path) -> None:
    """A real ``python -X importtime -m tui.cli add``, every option an add takes: the modules it imports
    (as importtime lists them, whatever imported them) include none of :data:`ADD_NEVER_LOADS`."""
    from data.model.items import Person
    from data.writes.ops import CreateItem
    from data.writes.workspace import Workspace

    path = tmp_path / "w.json"
    workspace = Workspace.create(path, actor="ana", people=[Person("ana")])
    parent = workspace.apply(CreateItem(title="the project", kind="project")).item_id
    env = subprocess_env(WORKTOP_USER="ana")
    env.pop("WORKTOP_WORKSPACE", None)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui.cli", "-w", str(path), "add", "new", "work",
                           "--owner", "ana", "--due", "fri", "--why", "it matters", "--tag", "ops", "--step", "one",
                           "--parent", str(parent), "--priority", "2"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{parent + 1}\n"
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert {"data.writes.ops", "data.store.file_store", "json"} <= imported  # the list is what was imported
    assert sorted(name for name in imported if any(name == n or name.startswith(f"{n}.") for n in ADD_NEVER_LOADS)) == []
    stored = Workspace(path).snapshot().items[parent + 1]
    assert (stored.title, stored.owner, stored.parent, stored.tags) == ("new work", "ana", parent, ["ops"])


SERVER_LIBRARIES = ("mcp", "mcp_types", "textual_serve", "aiohttp", "jsonschema", "pydantic", "anyio", "starlette",
                    "tui.agent", "tui.web")
"""What ``worktop mcp`` and ``worktop serve`` load; no other command, and not the app, may pay for them."""


@pytest.mark.parametrize("argv", [["ls"], ["add", "x"], ["show", "1"], ["--help"], ["mcp", "--help"],
                                  ["serve", "--help"]])
def test_no_command_but_the_servers_loads_their_libraries(python_children: Any, workspace: Workspace,
                                                         argv: list[str]) -> None:
    """The agent and browser servers are imported only when they run (``python -X importtime -m tui.cli ls``
    shows the same modules as before they existed)."""
    out = python_children.run(f"""
        import json, sys
        from tui.cli import main
        main(["-w", {str(workspace.path)!r}, *{argv!r}])
        print(json.dumps(sorted(sys.modules)))
    """).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert not [name for name in loaded if name.startswith(SERVER_LIBRARIES)]


def test_the_app_loads_none_of_the_servers_libraries(python_children: Any) -> None:
    out = python_children.run("""
        import json, sys
        import tui.app, tui.main_screen
        print(json.dumps(sorted(sys.modules)))
    """).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert not [name for name in loaded if name.startswith(SERVER_LIBRARIES)]


# -- private names stay in their module --------------------------------------------------------

OURS = ("data", "tui", "widgets")


def private_uses(source: str, module: str) -> list[str]:
    """``from x import _name`` and ``x._name`` on an imported worktop module, anywhere in one module's source."""
    tree = ast.parse(source)
    found, module_names = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module != module \
                and node.module.split(".")[0] in OURS:
            found += [f"{node.lineno}: from {node.module} import {alias.name}"
                      for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]
        elif isinstance(node, ast.Import):
            module_names |= {alias.asname or alias.name.split(".")[0] for alias in node.names
                             if alias.name.split(".")[0] in OURS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in module_names:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_private_name_check_finds_both_forms() -> None:
    source = ("import data.writes.ops\nfrom data.writes.ops import _DocsOf, touch\n"
              "def f():\n    from data.store import lock as _lock\n    return data.writes.ops._DocsOf, _lock\n")
    assert private_uses(source, "probe") == ["2: from data.writes.ops import _DocsOf", "5: data.writes.ops._DocsOf"]
    assert private_uses(source, "data.writes.ops") == ["5: data.writes.ops._DocsOf"]


def test_no_module_uses_another_modules_private_names() -> None:
    """A helper two modules share is public (data.writes.checks), not ``from ops import _check_expected``."""
    found = []
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found += [f"{path.relative_to(ROOT)}:{hit}" for hit in private_uses(path.read_text(encoding="utf-8"), module)]
    assert found == []
