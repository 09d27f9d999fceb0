"""Import benchmark: ``worktop import`` of a 10k-task Taskwarrior export, beside ``task import`` of the same file.

The export is made by the real ``task`` binary: a generated file of 10k tasks
(projects three deep, tags, priorities, due dates, annotations, dependencies,
UDAs, a fifth completed and some deleted) is loaded with ``task import`` into a
private Taskwarrior database, and ``task export`` writes what a person would
bring. Then, each repeat, in a fresh folder:

- **worktop import**: the whole process ``worktop -w FILE import tasks.json``
  into a new workspace (parse, map, one atomic write of 10k items + projects).
- **worktop re-import**: the same file again into that workspace (every task
  found by its uuid, nothing to change: the cost of an idempotent re-run).
- **task import** (baseline): ``task import tasks.json`` into a new Taskwarrior database.
- **json parse** (floor): a ``python -c`` process that only parses the file with orjson.

Medians over ``--repeats`` runs; ratios are against ``task import``. Writes the
table to stdout and to ``bench/results/import.md``. Needs Debian's taskwarrior.

Usage: ``python bench/bench_import.py [--tasks 10000] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "import.md"


def taskrc(folder: Path) -> dict[str, str]:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    rc = folder / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=no\nverbose=nothing\nnews.version=2.6.0\n"
                  "uda.estimate.type=numeric\nuda.owner.type=string\n")
    return {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data), "HOME": str(folder)}


def generated_tasks(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    projects = [f"{a}.{b}.{c}" for a in ("ops", "web", "data") for b in ("infra", "api", "ui") for c in ("q1", "q2")]
    words = ["migrate", "deploy", "review", "fix", "write", "test", "document", "plan", "design", "measure"]
    things = ["database", "login", "cache", "pipeline", "dashboard", "invoices", "alerts", "runners", "schema"]
    tasks: list[dict] = []
    for n in range(count):
        task = {"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "description": f"{rng.choice(words).capitalize()} the {rng.choice(things)} #{n}",
                "entry": f"2026{rng.randint(1, 11):02d}{rng.randint(1, 28):02d}T090000Z", "status": "pending",
                "project": rng.choice(projects), "tags": rng.sample(["ops", "db", "ui", "urgent", "later"], 2),
                "estimate": rng.randint(1, 8)}
        if rng.random() < 0.5:
            task["priority"] = rng.choice("HML")
        if rng.random() < 0.6:
            task["due"] = f"2027{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}T000000Z"
        if rng.random() < 0.3:
            task["annotations"] = [{"entry": task["entry"], "description": "Talked it through with the team"}]
        if rng.random() < 0.2 and tasks:
            task["depends"] = [rng.choice(tasks)["uuid"]]
        roll = rng.random()
        if roll < 0.2:
            task.update(status="completed", end="20261120T100000Z")
        elif roll < 0.23:
            task.update(status="deleted", end="20261120T100000Z")
        tasks.append(task)
    return tasks


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stdout}{proc.stderr}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    task = shutil.which("task")
    if task is None:
        print("bench_import: needs taskwarrior's `task` (apt-get install taskwarrior)", file=sys.stderr)
        return 1
    version = subprocess.run([task, "--version"], capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKTOP_USER": "bench"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    worktop = [sys.executable, "-m", "tui.cli"]
    with tempfile.TemporaryDirectory(prefix="worktop-bench-import-") as tmp:
        base = Path(tmp)
        source = base / "generated.json"
        source.write_bytes(orjson.dumps(generated_tasks(args.tasks)))
        maker = base / "maker"
        subprocess.run([task, "import", str(source)], env=taskrc(maker), capture_output=True, check=True)
        export = base / "tasks.json"
        export.write_text(subprocess.run([task, "export"], env=taskrc(maker), capture_output=True, text=True,
                                         check=True).stdout)
        size = export.stat().st_size
        times: dict[str, list[float]] = {"worktop import": [], "worktop re-import": [], "task import": [],
                                         "json parse": []}
        for repeat in range(args.repeats + 1):  # the first round warms caches and bytecode; not counted
            run_dir = base / f"run{repeat}"
            run_dir.mkdir()
            workspace = run_dir / "worktop.json"
            subprocess.run([*worktop, "init", str(workspace)], env=env, cwd=run_dir, check=True, capture_output=True)
            importing = [*worktop, "-w", str(workspace), "import", str(export)]
            parsing = [sys.executable, "-c", f"import orjson; orjson.loads(open({str(export)!r}, 'rb').read())"]
            rounds = [
                ("worktop import", importing, env),
                ("worktop re-import", importing, env),
                ("task import", [task, "import", str(export)], taskrc(run_dir / "tw")),
                ("json parse", parsing, env),
            ]
            for name, argv, child_env in rounds:
                took = timed(argv, child_env, run_dir)
                if repeat:
                    times[name].append(took)
        count = len(orjson.loads(export.read_bytes()))
    baseline = statistics.median(times["task import"])
    lines = [
        f"Importing {count:,} Taskwarrior tasks ({size / 1e6:.1f} MB `task export` from {version}); medians of "
        f"{args.repeats} runs on {platform.node()} (Python {platform.python_version()}, {os.cpu_count()} cores), "
        f"whole processes:",
        "",
        "| what | median (s) | vs task import |",
        "|---|---:|---:|",
    ]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(f"| {name} | {median:.2f} | {median / baseline:.2f}× |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
