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

``worktop add`` beside Taskwarrior's ``task add``, the floor (the interpreter
alone) and where each millisecond of ``worktop add`` goes are bench/bench_cli.py's.

Writes the tables to stdout and to ``bench/results/aging.md``.

Usage: ``python bench/bench_aging.py [--items 10000] [--entries 80000] [--repeats 7]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results"

import bench_tui  # noqa: E402
from bench_cli import child_env, worktop_argv  # noqa: E402

from data.demo import make_demo  # noqa: E402
from tests.support.aging import age  # noqa: E402


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


def render(items: int, entries: int, new: dict[str, float], aged: dict[str, float], repeats: int) -> str:
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
    lines += ["", f"Medians of {repeats} runs; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} at the end."]
    return "\n".join(lines) + "\n"


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
    table = render(args.items, args.entries, figures["new"], figures["aged"], args.repeats)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "aging.md").write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
