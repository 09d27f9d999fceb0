"""Layering: ``data`` never loads Textual (or the layers above it), nor does the CLI's entry module.

Each import runs in a fresh interpreter, because this test process has long
since imported Textual for other tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
    assert {"data.model.items", "data.store.storage", "data.writes.workspace", "data.writes.ops", "data.store"} <= set(DATA_MODULES)


@pytest.mark.parametrize("module", DATA_MODULES)
def test_data_imports_no_textual(module: str, python_children: Any) -> None:
    loaded = loaded_by(module, python_children)
    assert not any(name.split(".")[0] == "textual" for name in loaded), f"{module} loads Textual: {loaded}"
    assert not any(name.split(".")[0] in ("tui", "widgets") for name in loaded), (
        f"{module} imports an upper layer: {loaded}"
    )


def test_cli_imports_no_textual(python_children: Any) -> None:
    if not (ROOT / "tui" / "cli.py").exists():
        pytest.skip("tui/cli.py is not written yet")
    loaded = loaded_by("tui.cli", python_children)
    assert not any(name.split(".")[0] == "textual" for name in loaded), f"tui.cli loads Textual: {loaded}"
