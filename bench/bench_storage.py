"""Storage benchmark: worktop's workspace file beside stock TinyDB, at 1k / 10k / 50k items.

Three measurements per size, each also done with stock TinyDB (``JSONStorage``,
the default) on a file holding the same items, in the same run, as the baseline:

- **open**: a new ``Workspace`` and its first ``snapshot()`` (parse + build the
  item views). Baseline: ``TinyDB(path)`` and ``table("items").all()``.
- **op**: one durable ``SetFields`` through ``Workspace.apply`` on an already
  open workspace (what a TUI edit costs: lock, freshness check, change,
  history, atomic fsync'd write). Baseline: ``table.update(..., doc_ids=[id])``
  on an open TinyDB (re-reads the file, writes it in place, fsyncs).
- **create op**: the same for ``CreateItem`` (it also finds the next id and the
  bottom of its board column). Baseline: ``table.insert(...)``.
- **cli add**: a whole process, ``worktop -w FILE add TITLE``. Baseline: a
  whole ``python -c`` process that opens TinyDB and inserts one document.

Medians over ``--repeats`` runs; the ratio is worktop ÷ baseline. Budgets from
DESIGN.md are shown at 10k. Child processes run with bytecode caching on (an
installed worktop has its ``.pyc`` files; ``PYTHONDONTWRITEBYTECODE`` would add
the compile time of every module to each run), after one warm-up run.

Writes the table to stdout and to ``bench/results/storage.md``.

Usage: ``python bench/bench_storage.py [--sizes 1000,10000,50000] [--repeats 7]``
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.writes.ops import CreateItem, SetFields  # noqa: E402
from data.writes.workspace import Workspace  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "storage.md"
BUDGETS_10K = {"op": 0.020, "create op": 0.020, "cli add": 0.080}
"""DESIGN.md: an edit durable on disk ≤ 20 ms, CLI ``worktop add`` ≤ 80 ms, both at 10k items."""


def make_workspace(path: Path, items: int) -> None:
    """A realistic workspace: ``data.demo.make_demo`` if present, else a plain generator."""
    try:
        from data.demo import make_demo
    except ImportError:
        _plain_workspace(path, items)
    else:
        make_demo(path, items=items, seed=1, today=date(2025, 1, 15))


def _plain_workspace(path: Path, items: int) -> None:
    import orjson

    from data.store.atomic import write_atomic

    Workspace.create(path, actor="bench")
    data = orjson.loads(path.read_bytes())
    for item_id in range(1, items + 1):
        data["items"][str(item_id)] = {
            "kind": "task", "title": f"task {item_id}: a title of ordinary length for a piece of work",
            "status": ("todo", "doing", "review", "done")[item_id % 4], "rank": float(item_id),
            "why": "because it matters to someone", "tags": ["ops"],
            "created_at": "2025-01-01T09:00:00Z", "created_by": "bench",
            "updated_at": "2025-01-01T09:00:00Z", "updated_by": "bench", "status_since": "2025-01-01T09:00:00Z",
        }
    path.unlink()
    write_atomic(path, orjson.dumps(data), keep_backup=False)


def make_baseline(workspace: Path, path: Path) -> None:
    """A stock TinyDB file holding the same items in an ``items`` table (written by the json module)."""
    import orjson

    items = orjson.loads(workspace.read_bytes())["items"]
    path.write_text(json.dumps({"items": items}))


def median_of(repeats: int, run: Callable[[int], float]) -> float:
    return statistics.median(run(n) for n in range(repeats))


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def worktop_command() -> list[str]:
    script = Path(sys.executable).with_name("worktop")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui.cli"]


BASELINE_ADD = """
import sys
from tinydb import TinyDB
db = TinyDB(sys.argv[1])
print(db.table("items").insert({"kind": "task", "title": sys.argv[2], "status": "todo"}))
"""


def run_process(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=child_env(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_size(items: int, repeats: int, folder: Path) -> list[dict[str, Any]]:
    from tinydb import TinyDB

    path = folder / f"worktop-{items}.json"
    stock = folder / f"tinydb-{items}.json"
    make_workspace(path, items)
    make_baseline(path, stock)
    ids = sorted(int(k) for k in json.loads(stock.read_text())["items"])
    rows = []

    # -- open ------------------------------------------------------------------
    def open_worktop(_: int) -> float:
        gc.collect()
        return timed(lambda: Workspace(path, actor="bench").snapshot())

    def open_tinydb(_: int) -> float:
        gc.collect()

        def work() -> None:
            db = TinyDB(stock)
            db.table("items").all()
            db.close()

        return timed(work)

    rows.append(("open", median_of(repeats, open_worktop), median_of(repeats, open_tinydb)))

    # -- one durable op, in-process ------------------------------------------------
    ws = Workspace(path, actor="bench")
    ws.snapshot()
    ws.apply(SetFields(ids[0], {"title": "warm-up"}))
    db = TinyDB(stock)
    table = db.table("items")

    def op_worktop(n: int) -> float:
        return timed(lambda: ws.apply(SetFields(ids[n % len(ids)], {"title": f"edited by the bench {n}"})))

    def op_tinydb(n: int) -> float:
        return timed(lambda: table.update({"title": f"edited by the bench {n}"}, doc_ids=[ids[n % len(ids)]]))

    rows.append(("op", median_of(repeats, op_worktop), median_of(repeats, op_tinydb)))

    def create_worktop(n: int) -> float:
        return timed(lambda: ws.apply(CreateItem(f"created by the bench {n}")))

    def create_tinydb(n: int) -> float:
        return timed(lambda: table.insert({"kind": "task", "title": f"created by the bench {n}", "status": "todo"}))

    rows.append(("create op", median_of(repeats, create_worktop), median_of(repeats, create_tinydb)))
    db.close()

    # -- whole-process CLI add -----------------------------------------------------
    worktop = [*worktop_command(), "-w", str(path), "add"]
    baseline = [sys.executable, "-c", BASELINE_ADD, str(stock)]
    run_process([*worktop, "warm-up"])  # writes .pyc files for our modules
    run_process([*baseline, "warm-up"])
    rows.append((
        "cli add",
        median_of(repeats, lambda n: run_process([*worktop, f"added by the bench {n}"])),
        median_of(repeats, lambda n: run_process([*baseline, f"added by the bench {n}"])),
    ))

    return [
        {"items": items, "what": what, "worktop": ours, "tinydb": theirs,
         "budget": BUDGETS_10K.get(what) if items == 10_000 else None}
        for what, ours, theirs in rows
    ]


def render(rows: list[dict[str, Any]], repeats: int) -> str:
    lines = [
        "| items | what | worktop (ms) | stock TinyDB (ms) | ratio | budget |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for row in rows:
        budget = row["budget"]
        verdict = ""
        if budget is not None:
            verdict = f"≤ {budget * 1000:.0f} ms {'ok' if row['worktop'] <= budget else 'MISSED'}"
        lines.append(
            f"| {row['items']:,} | {row['what']} | {row['worktop'] * 1000:.1f} | {row['tinydb'] * 1000:.1f} "
            f"| {row['worktop'] / row['tinydb']:.2f}× | {verdict} |"
        )
    lines.append("")
    lines.append(f"Medians of {repeats} runs; Python {platform.python_version()}, {os.cpu_count()} CPUs, "
                 f"{platform.system()} {platform.release()}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated item counts")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="worktop-bench-"))
    try:
        rows = []
        for items in sizes:
            rows += bench_size(items, args.repeats, folder)
            print(f"# {items:,} items done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    table = render(rows, args.repeats)
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("# Storage benchmark\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
