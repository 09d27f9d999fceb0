"""The PostgreSQL store beside the file store, in one run, at several sizes.

For each size (default 1k, 10k and 100k items; a demo workspace copied into a
private PostgreSQL server this script starts, as the tests do) and each store,
medians of ``--repeats`` runs of:

* ``worktop add``: the whole CLI process (interpreter, imports, connect, write);
* first read: a fresh process's ``Workspace(...).snapshot()`` (what the TUI's
  first paint waits for before it draws);
* another client's change on screen: one process watches (the store's
  ``watch``: inotify for the file, LISTEN for PostgreSQL) and catches up; another
  process commits a title change; measured from the writer's commit returning to
  the watcher holding a snapshot with the new title (the data half of "on
  another screen": bench/bench_pairing.py measures the TUI's frame on top);
* RSS of the watching process after catching up.

Goals (issue 15): a write's cost does not grow with the workspace — 100k within
1.2× of 1k for add and for the change — and the change ≤ 50 ms median at 10k.

Usage: ``python bench/bench_postgres.py [--sizes 1000,10000,100000] [--repeats 7]``
"""

from __future__ import annotations

import argparse
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

from data.demo import make_demo  # noqa: E402
from data.store.copy import copy_workspace  # noqa: E402
from data.store.postgres.location import pointer_text  # noqa: E402
from tests.support.postgres import remove_server, start_server  # noqa: E402

ENV = dict(os.environ, WORKTOP_USER="ana", PYTHONPATH=str(ROOT))

WATCHER = r"""
import json, os, sys, threading, time, resource
from data.writes.workspace import Workspace
ws = Workspace(sys.argv[1])
ws.snapshot()
hits = []
def changed():
    snap = ws.snapshot()
    title = snap.items[1].title if 1 in snap.items else ""
    if title.startswith("bench "):
        hits.append((title, time.time()))
        print(json.dumps([title, time.time()]), flush=True)
stop = threading.Event()
threading.Thread(target=ws.store.watch, args=(changed, stop), daemon=True).start()
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps(["rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]), flush=True)
stop.set()
"""

WRITER = r"""
import json, sys, time
from data.writes.ops import SetFields
from data.writes.workspace import Workspace
ws = Workspace(sys.argv[1])
ws.meta()
for n in range(int(sys.argv[2])):
    sys.stdin.readline()
    ws.apply(SetFields(1, {"title": f"bench {n}"}))
    print(time.time(), flush=True)
"""

FIRST_READ = "import sys, time; t = time.perf_counter(); from data.writes.workspace import Workspace; " \
             "Workspace(sys.argv[1]).snapshot(); print(time.perf_counter() - t)"


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def cli_add(location: str, repeats: int) -> float:
    times = []
    for n in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tui.cli", "-w", location, "add", f"bench add {n}"], env=ENV,
                       cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return median_ms(times)


def first_read(location: str, repeats: int) -> float:
    out = [float(subprocess.run([sys.executable, "-c", FIRST_READ, location], env=ENV, cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout) for _ in range(max(3, repeats // 2))]
    return median_ms(out)


def change_on_other(location: str, repeats: int) -> tuple[float, float]:
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, location], env=ENV, cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, location, str(repeats)], env=ENV, cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert watcher.stdout is not None and watcher.stdin is not None
    assert writer.stdout is not None and writer.stdin is not None
    assert watcher.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    delays = []
    for n in range(repeats):
        writer.stdin.write("\n")
        writer.stdin.flush()
        committed = float(writer.stdout.readline())
        while True:
            title, seen = json.loads(watcher.stdout.readline())
            if title == f"bench {n}":
                break
        delays.append(seen - committed)
        time.sleep(0.2)
    watcher.stdin.write("\n")
    watcher.stdin.flush()
    while True:  # skip late wake-ups' lines: a write may wake the watcher more than once
        line = json.loads(watcher.stdout.readline())
        if line[0] == "rss":
            break
    rss = line[1] / 1024
    for proc in (watcher, writer):
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(30)
    return median_ms(delays), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    server = start_server()
    rows = []
    try:
        folder = Path(tempfile.mkdtemp(prefix="worktop-bench-pg-"))
        for size in sizes:
            path = make_demo(folder / f"w{size}.json", items=size, seed=1)
            url = server.url(f"bench{size}", role="worktop_admin")
            copy_workspace(path, url)
            pointer = folder / f"pg{size}.json"
            pointer.write_bytes(pointer_text(url))
            for kind, location in (("file", str(path)), ("postgres", str(pointer))):
                add = cli_add(location, args.repeats)
                read = first_read(location, args.repeats)
                change, rss = change_on_other(location, args.repeats)
                rows.append({"items": size, "store": kind, "add_ms": add, "first_read_ms": read,
                             "change_ms": change, "rss_mib": rss})
                print(json.dumps(rows[-1]), flush=True)
    finally:
        remove_server(server)
    lines = ["| items | store | `worktop add` | first read | another client's change | RSS (watcher) |",
             "|---:|---|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['items']:,} | {row['store']} | {row['add_ms']:.0f} ms | {row['first_read_ms']:.0f} ms "
                     f"| {row['change_ms']:.1f} ms | {row['rss_mib']:.0f} MiB |")
    for kind in ("file", "postgres"):
        mine = [r for r in rows if r["store"] == kind]
        if len(mine) >= 2:
            lo, hi = mine[0], mine[-1]
            lines.append(f"| {hi['items']:,} ÷ {lo['items']:,} | {kind} | {hi['add_ms'] / lo['add_ms']:.2f}× | "
                         f"{hi['first_read_ms'] / lo['first_read_ms']:.2f}× | "
                         f"{hi['change_ms'] / lo['change_ms']:.2f}× | {hi['rss_mib'] / lo['rss_mib']:.2f}× |")
    table = "\n".join(lines)
    print(table)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "postgres.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
