"""The PostgreSQL store beside the file store, in one run, at several sizes.

For each size (default 1k, 10k and 100k items; a demo workspace copied into a
private PostgreSQL server this script starts, as the tests do, then vacuumed and
analyzed as autovacuum would soon after a bulk load) and each store, medians of
``--repeats`` runs of:

* ``worktop add``: the whole CLI process (interpreter, imports, connect, write);
* first read: a fresh process's ``Workspace(...).snapshot()`` (what the TUI's
  first paint waits for before it draws);
* another client's change on screen: one process watches (the store's
  ``watch``: inotify for the file, LISTEN for PostgreSQL) and catches up; another
  process commits a title change; measured from the writer's commit returning to
  the watcher holding a snapshot with the new title (the data half of "on
  another screen": bench/bench_pairing.py measures the TUI's frame on top);
* ``worktop add`` and another client's change over a slow link (PostgreSQL only): the
  add process, or the watching one, reaches the server through a proxy this script runs
  that holds every packet for ``--delay-ms`` each way (default 5: a 10 ms round trip, as
  to another office over a VPN), so each round trip costs what it would across a network
  (the writer of the change stays local: its commit is the start of the clock);
* RSS of the watching process after catching up (``VmRSS``; its peak, ``VmHWM``, beside
  it). Read from ``/proc/self/status``: ``getrusage``'s ``ru_maxrss`` keeps the parent's
  peak across ``fork`` + ``exec``, so it reported this script's own size for every child.

Each measurement alternates between the stores run by run, after one warm-up run of
each, so the machine's load falls on both alike.

``--baseline DIR``: also run every PostgreSQL measurement with the code of another
checkout (``git worktree add DIR main``, or ``git archive main | tar -x -C DIR``; its
``data``, ``tui`` and ``widgets`` compiled), on the same server and workspaces,
alternating with this one: a before/after in one run (rows ``postgres (DIR's name)``).

Goals (issue 15): a write's cost does not grow with the workspace — 100k within
1.2× of 1k for add and for the change — and the change ≤ 50 ms median at 10k.

Usage: ``python bench/bench_postgres.py [--sizes 1000,10000,100000] [--repeats 7] [--delay-ms 5] [--baseline DIR]``
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
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.demo import make_demo  # noqa: E402
from data.store.copy import copy_workspace  # noqa: E402
from data.store.postgres.location import pointer_text  # noqa: E402
from tests.support.postgres import remove_server, start_server  # noqa: E402


def env_for(root: Path) -> dict[str, str]:
    """A child's environment running the code of the checkout at ``root``."""
    return dict(os.environ, WORKTOP_USER="ana", PYTHONPATH=str(root))

WATCHER = r"""
import json, os, sys, threading, time
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
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps(["rss", int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0])]), flush=True)
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


Where = tuple[str, Path]
"""A location and the checkout whose code opens it."""


def alternate(measure: Callable[[str, Path], float], places: dict[str, Where], repeats: int) -> dict[str, float]:
    """Median ms of ``measure(location, root)`` for each kind, run by run in turn, after one warm-up run of each."""
    times: dict[str, list[float]] = {kind: [] for kind in places}
    for n in range(repeats + 1):
        for kind, (location, root) in places.items():
            took = measure(location, root)
            if n:
                times[kind].append(took)
    return {kind: median_ms(values) for kind, values in times.items()}


def one_add(location: str, root: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui.cli", "-w", location, "add", "bench add"], env=env_for(root), cwd=root,
                   check=True, capture_output=True)
    return time.perf_counter() - started


def one_first_read(location: str, root: Path) -> float:
    return float(subprocess.run([sys.executable, "-c", FIRST_READ, location], env=env_for(root), cwd=root,
                                check=True, capture_output=True, text=True).stdout)


def change_on_other(location: str, root: Path, repeats: int, *, watching: str | None = None
                    ) -> tuple[float, float, float]:
    """(median ms from a commit to the watcher holding it, the watcher's RSS and peak RSS in MiB).

    ``watching``: where the watcher opens the workspace, when not at ``location`` (the slow link).
    Both processes run the code at ``root``.
    """
    env = env_for(root)
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, watching or location], env=env, cwd=root, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, location, str(repeats + 1)], env=env, cwd=root,
                              text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert watcher.stdout is not None and watcher.stdin is not None
    assert writer.stdout is not None and writer.stdin is not None
    assert watcher.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    delays = []
    for n in range(repeats + 1):  # the first is a warm-up
        writer.stdin.write("\n")
        writer.stdin.flush()
        committed = float(writer.stdout.readline())
        while True:
            title, seen = json.loads(watcher.stdout.readline())
            if title == f"bench {n}":
                break
        if n:
            delays.append(seen - committed)
        time.sleep(0.2)
    watcher.stdin.write("\n")
    watcher.stdin.flush()
    while True:  # skip late wake-ups' lines: a write may wake the watcher more than once
        line = json.loads(watcher.stdout.readline())
        if line[0] == "rss":
            break
    for proc in (watcher, writer):
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(30)
    return median_ms(delays), line[1] / 1024, line[2] / 1024


class SlowLink:
    """A TCP proxy to the server's socket that holds every chunk ``delay`` seconds each way, in order.

    It runs its own event loop in a thread of this script (not in the measured process).
    """

    def __init__(self, target: str, delay: float) -> None:
        self.target, self.delay = target, delay
        self.port = 0
        self._ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_unix_connection(self.target)
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    break
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                writer.write(data)
                await writer.drain()
            writer.close()

        sender = asyncio.ensure_future(deliver())
        try:
            while data := await reader.read(65536):
                queue.put_nowait((time.monotonic() + self.delay, data))
        finally:
            queue.put_nowait((0.0, b""))
            await sender


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--delay-ms", type=float, default=5.0, help="one-way delay of the slow link")
    parser.add_argument("--baseline", type=Path, help="another checkout whose PostgreSQL figures to measure alongside")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pg_kinds = {"postgres": ROOT}
    if args.baseline is not None:
        pg_kinds[f"postgres ({args.baseline.resolve().name})"] = args.baseline.resolve()
    server = start_server()
    link = SlowLink(str(server.sockets / f".s.PGSQL.{server.port}"), args.delay_ms / 1000)
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="worktop-bench-pg-"))
    try:
        for size in sizes:
            path = make_demo(folder / f"w{size}.json", items=size, seed=1)
            url = server.url(f"bench{size}", role="worktop_admin")
            copy_workspace(path, url)
            # What autovacuum would do in the next minute after a bulk load, done now so that it does not
            # run during the first measurements (at 100k it slowed the first adds by ~50-100 ms).
            server.sql("VACUUM ANALYZE worktop.items, worktop.history, worktop.people, worktop.workspaces")
            pointer = folder / f"pg{size}.json"
            pointer.write_bytes(pointer_text(url))
            slow = folder / f"slow{size}.json"
            slow.write_bytes(pointer_text(f"postgresql://worktop_admin@127.0.0.1:{link.port}/worktop"
                                          f"?workspace=bench{size}&sslmode=disable"))
            places: dict[str, Where] = {"file": (str(path), ROOT)}
            places.update({kind: (str(pointer), root) for kind, root in pg_kinds.items()})
            slow_places = {kind: (str(slow), root) for kind, root in pg_kinds.items()}
            add = alternate(one_add, places, args.repeats)
            slow_add = alternate(one_add, slow_places, args.repeats)
            read = alternate(one_first_read, places, max(3, args.repeats // 2))
            for kind, (location, root) in places.items():
                change, rss, peak = change_on_other(location, root, args.repeats)
                slow_change = None if kind == "file" else \
                    change_on_other(str(pointer), root, args.repeats, watching=str(slow))[0]
                rows.append({"items": size, "store": kind, "add_ms": add[kind], "slow_add_ms": slow_add.get(kind),
                             "first_read_ms": read[kind], "change_ms": change, "slow_change_ms": slow_change,
                             "rss_mib": rss, "peak_mib": peak})
                print(json.dumps(rows[-1]), flush=True)
    finally:
        remove_server(server)
        shutil.rmtree(folder, ignore_errors=True)
    table = "\n".join(report(rows, sizes, list(places), f"{args.delay_ms * 2:g} ms"))
    print(table)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "postgres.md").write_text(table + "\n")


def report(rows: list[dict[str, Any]], sizes: list[int], kinds: list[str], delay: str) -> list[str]:
    """The markdown table: a row per size and store, then ratios (against the file, and 100k against 1k)."""
    def ms(value: float | None, digits: int = 0) -> str:
        return "–" if value is None else f"{value:.{digits}f} ms"

    def ratio(a: float | None, b: float | None) -> str:
        return "–" if a is None or b is None else f"{a / b:.2f}×"

    lines = [f"| items | store | `worktop add` | `worktop add`, {delay} round trip | first read "
             f"| another client's change | the change, {delay} round trip | RSS (watcher; peak) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['items']:,} | {row['store']} | {ms(row['add_ms'])} | {ms(row['slow_add_ms'])} "
                     f"| {ms(row['first_read_ms'])} | {ms(row['change_ms'], 1)} | {ms(row['slow_change_ms'], 1)} "
                     f"| {row['rss_mib']:.0f} MiB; {row['peak_mib']:.0f} |")
    by = {(r["items"], r["store"]): r for r in rows}
    for size in sizes:
        f = by.get((size, "file"))
        for kind in kinds[1:]:
            p = by.get((size, kind))
            if f and p:
                lines.append(f"| {size:,} | {kind} ÷ file | {ratio(p['add_ms'], f['add_ms'])} | – "
                             f"| {ratio(p['first_read_ms'], f['first_read_ms'])} "
                             f"| {ratio(p['change_ms'], f['change_ms'])} | – | {ratio(p['rss_mib'], f['rss_mib'])} |")
    if len(sizes) >= 2:
        for kind in kinds:
            lo, hi = by.get((sizes[0], kind)), by.get((sizes[-1], kind))
            if lo and hi:
                lines.append(f"| {sizes[-1]:,} ÷ {sizes[0]:,} | {kind} | {ratio(hi['add_ms'], lo['add_ms'])} "
                             f"| {ratio(hi['slow_add_ms'], lo['slow_add_ms'])} "
                             f"| {ratio(hi['first_read_ms'], lo['first_read_ms'])} "
                             f"| {ratio(hi['change_ms'], lo['change_ms'])} "
                             f"| {ratio(hi['slow_change_ms'], lo['slow_change_ms'])} "
                             f"| {ratio(hi['rss_mib'], lo['rss_mib'])} |")
    return lines


if __name__ == "__main__":
    main()
