"""The real ``task`` binary (Debian's taskwarrior) on a private TASKRC and TASKDATA in a temp folder.

``make test`` installs taskwarrior where it is missing and sets
``WORKTOP_REQUIRE_TASK=1``, so there a missing binary fails the tests instead of
skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest


def task_binary() -> str:
    found = shutil.which("task")
    if found is None:
        message = "taskwarrior's `task` is not installed (make test installs it: apt-get install taskwarrior)"
        if os.environ.get("WORKTOP_REQUIRE_TASK"):
            pytest.fail(message)
        pytest.skip(message)
    return found


class Taskwarrior:
    """One private Taskwarrior database; ``run`` is ``task ARGS`` against it."""

    def __init__(self, folder: Path) -> None:
        self.binary = task_binary()
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.rc = folder / "taskrc"
        self.rc.write_text(
            f"data.location={self.data}\nconfirmation=no\nverbose=nothing\nnews.version=2.6.0\n"
            "recurrence.confirmation=no\nuda.estimate.type=numeric\nuda.estimate.label=Estimate\n"
            "uda.reviewer.type=string\nuda.reviewer.label=Reviewer\nuda.owner.type=string\nuda.owner.label=Owner\n"
        )

    def env(self) -> dict[str, str]:
        return {**os.environ, "TASKRC": str(self.rc), "TASKDATA": str(self.data), "HOME": str(self.folder)}

    def run(self, *args: str, stdin: str | None = None) -> str:
        proc = subprocess.run([self.binary, *args], env=self.env(), input=stdin, capture_output=True, text=True,
                              timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"task {' '.join(args)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
        return proc.stdout

    def export(self, *args: str) -> str:
        return self.run(*args, "export")

    def tasks(self) -> list[dict[str, Any]]:
        return orjson.loads(self.export())

    def import_file(self, path: Path) -> str:
        return self.run("import", str(path))
