"""A workspace as it ages: a new 10k-item demo beside the same items after a year of history, in one run.

A team of eight on 10k items makes ~80k changes a year. Both workspaces hold the
same items; the aged one has 80k more history entries, appended as worktop
appends them (tests/support/aging.py). For each, medians of ``--repeats`` runs:

* CLI, whole process: ``worktop add``, ``set``, ``ls owner:ana``, ``pulse``, ``log``;
  peak memory of one ``add``;
* TUI: first paint and every pane drawn (in-process marks, bench_tui.py's probe),
  another process's title edit on screen, RSS after a live reload.

The ratio is aged ÷ new (goal: ≤ 1.3× for all but pulse and log, which read the
history and must stay interactive: ≤ 0.3 s at 80k entries).

Then ``worktop add`` beside Taskwarrior's ``task add`` on a 10k-task database in
the same run (Debian's taskwarrior; skipped, saying so, where ``task`` is
missing), and where each millisecond of ``worktop add`` goes: the interpreter,
the imports, reading the file, the operation, the history append, the file
write (each fsync'd).

Writes the tables to stdout and to ``bench/results/aging.md``.

Usage: ``python bench/bench_aging.py [--items 10000] [--entries 80000] [--repeats 7]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results"

import bench_tui  # noqa: E402

from data.demo import make_demo  # noqa: E402
from tests.support.aging import age  # noqa: E402


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), WORKTOP_USER="bench", **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def worktop_argv() -> list[str]:
    script = Path(sys.executable).with_name("worktop")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


def run_ms(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """(wall ms, peak RSS KiB) of one whole process."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], cwd=ROOT, env=env or child_env(),
                          capture_output=True, text=True, timeout=300)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr}")
    return elapsed, int(done.stderr.strip().splitlines()[-1])


def median(values: list[float]) -> float:
    return statistics.median(values)


def cli_figures(path: Path, repeats: int) -> dict[str, float]:
    worktop = [*worktop_argv(), "-w", str(path)]
    run_ms([*worktop, "ls"])  # warm the page cache and bytecode
    figures: dict[str, list[float]] = {"add": [], "set": [], "ls": [], "pulse": [], "log": [], "add_rss": []}
    for n in range(repeats):
        ms, rss = run_ms([*worktop, "add", f"bench item {n}", "--owner", "ana"])
        figures["add"].append(ms)
        figures["add_rss"].append(rss / 1024)
        figures["set"].append(run_ms([*worktop, "set", "1", f"title=bench title {n}"])[0])
        figures["ls"].append(run_ms([*worktop, "ls", "owner:ana"])[0])
        figures["pulse"].append(run_ms([*worktop, "pulse"])[0])
        figures["log"].append(run_ms([*worktop, "log", "--limit", "20"])[0])
    return {name: median(values) for name, values in figures.items()}


def tui_figures(path: Path, repeats: int) -> dict[str, float]:
    paint, ready = bench_tui.first_paint("worktop", path, repeats)
    reload = asyncio.run(bench_tui.reload_latency(path, repeats * 3, "title"))
    rss, _peak = bench_tui.memory("worktop", path)
    return {"paint": paint, "ready": ready, "reload": median(reload) * 1000 if reload else float("nan"),
            "tui_rss": float(rss)}


TASK_ITEMS = textwrap.dedent("""
    import json, sys, uuid
    count = int(sys.argv[1])
    tasks = [{"uuid": str(uuid.UUID(int=n + 1)), "description": f"task number {n} with a title of ordinary length",
              "status": "pending", "entry": "20250101T090000Z", "project": f"proj{n % 40}",
              "tags": ["work"] if n % 3 else [], "priority": "HML"[n % 3]} for n in range(count)]
    json.dump(tasks, sys.stdout)
""")


def taskwarrior(folder: Path, items: int, repeats: int) -> float | None:
    """Median ms of ``task add`` on a database of ``items`` tasks; None where Taskwarrior is missing."""
    task = shutil.which("task")
    if task is None:
        return None
    data = folder / "taskdata"
    data.mkdir()
    rc = folder / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=no\nverbose=nothing\nhooks=off\nnews.version=2.6.0\n")
    env = dict(os.environ, TASKRC=str(rc), TASKDATA=str(data))
    payload = subprocess.run([sys.executable, "-c", TASK_ITEMS, str(items)], capture_output=True, text=True,
                             check=True).stdout
    subprocess.run([task, "import", "-"], input=payload, env=env, capture_output=True, text=True, check=True,
                   timeout=600)
    subprocess.run([task, "add", "warm up"], env=env, capture_output=True, check=True)
    return median([run_ms([task, "add", f"bench task {n}", "project:bench"], env)[0] for n in range(repeats)])


PHASES = textwrap.dedent("""
    import os, sys, time
    started = time.perf_counter()
    import data.store.atomic as atomic
    import data.store.history_file as history_file
    import data.store.file_store as file_store
    from tui import cli
    from tui.cli import items as cli_items
    from data.writes import ops
    imported = time.perf_counter()
    marks = {}
    def timed(name, real):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                marks[name] = marks.get(name, 0.0) + time.perf_counter() - start
        return wrapper
    file_store.read_bytes = timed("read", file_store.read_bytes)
    history_file.append = timed("history append + fsync", history_file.append)
    file_store.write_atomic = timed("file write + fsync + rename", file_store.write_atomic)
    code = cli.main(["-w", sys.argv[1], "add", "phase probe"])
    done = time.perf_counter()
    marks["imports"] = imported - started
    marks["command"] = done - imported
    print("PHASES", " ".join(f"{k.replace(' ', '_')}={v * 1000:.2f}" for k, v in marks.items()))
""")


def phases(path: Path, repeats: int) -> dict[str, float]:
    """Median ms of each part of ``worktop add``, measured inside the process."""
    samples: dict[str, list[float]] = {}
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", PHASES, str(path)], cwd=ROOT, env=child_env(),
                             capture_output=True, text=True, check=True).stdout
        line = next(line for line in out.splitlines() if line.startswith("PHASES "))
        for pair in line.split()[1:]:
            name, value = pair.split("=")
            samples.setdefault(name.replace("_", " "), []).append(float(value))
    return {name: median(values) for name, values in samples.items()}


def floor(repeats: int) -> dict[str, float]:
    """What any Python command pays: the interpreter alone, and with the venv's site packages."""
    return {"python -S -c pass": median([run_ms([sys.executable, "-S", "-c", "pass"])[0] for _ in range(repeats)]),
            "python -c pass": median([run_ms([sys.executable, "-c", "pass"])[0] for _ in range(repeats)]),
            "worktop --version": median([run_ms([*worktop_argv(), "--version"])[0] for _ in range(repeats)])}


def render(items: int, entries: int, new: dict[str, float], aged: dict[str, float], task_ms: float | None,
           add_ms: float, parts: dict[str, float], base: dict[str, float], repeats: int) -> str:
    rows = [("`worktop add`, whole process", "add", "ms", 1.3), ("`worktop set 1 title=…`", "set", "ms", 1.3),
            ("`worktop ls owner:ana`", "ls", "ms", 1.3), ("`worktop pulse`", "pulse", "ms", None),
            ("`worktop log --limit 20`", "log", "ms", None), ("peak memory of one `add`", "add_rss", "MiB", 1.3),
            ("TUI first frame", "paint", "ms", 1.3), ("TUI every pane drawn", "ready", "ms", 1.3),
            ("another process's edit on screen", "reload", "ms", 1.3), ("TUI RSS after a live reload", "tui_rss", "MiB", 1.3)]
    lines = [f"### {items:,} items: new, and after a year ({entries:,} history entries)", "",
             "| what | new | after a year | ratio | goal |", "|---|---:|---:|---:|---|"]
    for label, key, unit, goal in rows:
        ratio = aged[key] / new[key] if new[key] else float("nan")
        if goal is None:
            verdict = "≤ 300 ms " + ("ok" if aged[key] <= 300 else "MISSED")
        else:
            verdict = f"≤ {goal}× " + ("ok" if ratio <= goal else "MISSED")
        lines.append(f"| {label} | {new[key]:.1f} {unit} | {aged[key]:.1f} {unit} | {ratio:.2f}× | {verdict} |")
    lines += ["", f"### `worktop add` beside Taskwarrior's `task add`, {items:,} items/tasks", "",
              "| | median | ratio |", "|---|---:|---:|"]
    if task_ms is None:
        lines.append("| `task add` | not measured: `task` is not installed | |")
    else:
        lines.append(f"| `task add` (Taskwarrior {task_version()}) | {task_ms:.1f} ms | 1.00× |")
    lines.append(f"| `worktop add` | {add_ms:.1f} ms | {add_ms / task_ms:.2f}× |" if task_ms else
                 f"| `worktop add` | {add_ms:.1f} ms | |")
    lines += ["", "Where `worktop add`'s time goes (medians; inside the process except the floor):", "",
              "| part | ms |", "|---|---:|"]
    for name, value in base.items():
        lines.append(f"| floor: `{name}` | {value:.1f} |")
    for name, value in parts.items():
        lines.append(f"| {name} | {value:.1f} |")
    lines += ["", f"Medians of {repeats} runs; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} at the end."]
    return "\n".join(lines) + "\n"


def task_version() -> str:
    done = subprocess.run(["task", "--version"], capture_output=True, text=True)
    return done.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=80_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="worktop-aging-") as tmp:
        folder = Path(tmp)
        new, aged = folder / "new" / "worktop.json", folder / "aged" / "worktop.json"
        for path in (new, aged):
            path.parent.mkdir()
            make_demo(path, items=args.items, seed=1)
        age(aged, args.entries)
        print(f"made {new} and {aged} ({aged.with_name('worktop.json.history').stat().st_size / 1e6:.1f} MB of "
              "history)", flush=True)
        figures = {}
        for name, path in (("new", new), ("aged", aged)):
            figures[name] = {**cli_figures(path, args.repeats), **tui_figures(path, args.repeats)}
            print(name, json.dumps({k: round(v, 1) for k, v in figures[name].items()}), flush=True)
        task_ms = taskwarrior(folder, args.items, args.repeats)
        add_ms = median([run_ms([*worktop_argv(), "-w", str(new), "add", f"versus task {n}"])[0]
                         for n in range(args.repeats)])
        parts = phases(new, args.repeats)
        base = floor(args.repeats)
    table = render(args.items, args.entries, figures["new"], figures["aged"], task_ms, add_ms, parts, base,
                   args.repeats)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "aging.md").write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
