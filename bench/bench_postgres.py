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

Goals (issue 15): a write's cost does not grow with the workspace — 100k within
1.2× of 1k for add and for the change — and the change ≤ 50 ms median at 10k.

Usage: ``python bench/bench_postgres.py [--sizes 1000,10000,100000] [--repeats 7] [--delay-ms 5]``
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
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.demo import make_demo  # noqa: E402
from data.store.copy import copy_workspace  # noqa: E402
from data.store.postgres.location import pointer_text  # noqa: E402
from tests.support.postgres import remove_server, start_server  # noqa: E402

ENV = dict(os.environ, WORKTOP_USER="ana", PYTHONPATH=str(ROOT))

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


def alternate(measure: Callable[[str], float], locations: dict[str, str], repeats: int) -> dict[str, float]:
    """Median ms of ``measure(location)`` for each store, run by run in turn, after one warm-up run of each."""
    times: dict[str, list[float]] = {kind: [] for kind in locations}
    for n in range(repeats + 1):
        for kind, location in locations.items():
            took = measure(location)
            if n:
                times[kind].append(took)
    return {kind: median_ms(values) for kind, values in times.items()}


def one_add(location: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui.cli", "-w", location, "add", "bench add"], env=ENV, cwd=ROOT,
                   check=True, capture_output=True)
    return time.perf_counter() - started


def one_first_read(location: str) -> float:
    return float(subprocess.run([sys.executable, "-c", FIRST_READ, location], env=ENV, cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout)


def change_on_other(location: str, repeats: int, *, watching: str | None = None) -> tuple[float, float, float]:
    """(median ms from a commit to the watcher holding it, the watcher's RSS and peak RSS in MiB).

    ``watching``: where the watcher opens the workspace, when not at ``location`` (the slow link).
    """
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, watching or location], env=ENV, cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, location, str(repeats + 1)], env=ENV, cwd=ROOT,
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
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    server = start_server()
    link = SlowLink(str(server.sockets / f".s.PGSQL.{server.port}"), args.delay_ms / 1000)
    rows = []
    try:
        folder = Path(tempfile.mkdtemp(prefix="worktop-bench-pg-"))
        for size in sizes:
            path = make_demo(folder / f"w{size}.json", items=size, seed=1)
            url = server.url(f"bench{size}", role="worktop_admin")
            copy_workspace(path, url)
            pointer = folder / f"pg{size}.json"
            pointer.write_bytes(pointer_text(url))
            slow = folder / f"slow{size}.json"
            slow.write_bytes(pointer_text(f"postgresql://worktop_admin@127.0.0.1:{link.port}/worktop"
                                          f"?workspace=bench{size}&sslmode=disable"))
            locations = {"file": str(path), "postgres": str(pointer)}
            add = alternate(one_add, locations, args.repeats)
            slow_add = alternate(one_add, {"postgres": str(slow)}, args.repeats)["postgres"]
            read = alternate(one_first_read, locations, max(3, args.repeats // 2))
            slow_change = change_on_other(str(pointer), args.repeats, watching=str(slow))[0]
            for kind, location in locations.items():
                change, rss, peak = change_on_other(location, args.repeats)
                rows.append({"items": size, "store": kind, "add_ms": add[kind],
                             "slow_add_ms": slow_add if kind == "postgres" else None,
                             "first_read_ms": read[kind], "change_ms": change,
                             "slow_change_ms": slow_change if kind == "postgres" else None,
                             "rss_mib": rss, "peak_mib": peak})
                print(json.dumps(rows[-1]), flush=True)
    finally:
        remove_server(server)
    delay = f"{args.delay_ms * 2:g} ms"
    lines = [f"| items | store | `worktop add` | `worktop add`, {delay} round trip | first read "
             f"| another client's change | the change, {delay} round trip | RSS (watcher; peak) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        slow_text = f"{row['slow_add_ms']:.0f} ms" if row["slow_add_ms"] is not None else "–"
        slow_change_text = f"{row['slow_change_ms']:.1f} ms" if row["slow_change_ms"] is not None else "–"
        lines.append(f"| {row['items']:,} | {row['store']} | {row['add_ms']:.0f} ms | {slow_text} "
                     f"| {row['first_read_ms']:.0f} ms | {row['change_ms']:.1f} ms | {slow_change_text} "
                     f"| {row['rss_mib']:.0f} MiB; {row['peak_mib']:.0f} |")
    for size in sizes:
        mine = {r["store"]: r for r in rows if r["items"] == size}
        if len(mine) == 2:
            f, p = mine["file"], mine["postgres"]
            lines.append(f"| {size:,} | postgres ÷ file | {p['add_ms'] / f['add_ms']:.2f}× | – "
                         f"| {p['first_read_ms'] / f['first_read_ms']:.2f}× | {p['change_ms'] / f['change_ms']:.2f}× "
                         f"| – | {p['rss_mib'] / f['rss_mib']:.2f}× |")
    for kind in ("file", "postgres"):
        mine_rows = [r for r in rows if r["store"] == kind]
        if len(mine_rows) >= 2:
            lo, hi = mine_rows[0], mine_rows[-1]
            slow_ratio = f"{hi['slow_add_ms'] / lo['slow_add_ms']:.2f}×" if lo["slow_add_ms"] else "–"
            slow_change_ratio = f"{hi['slow_change_ms'] / lo['slow_change_ms']:.2f}×" if lo["slow_change_ms"] else "–"
            lines.append(f"| {hi['items']:,} ÷ {lo['items']:,} | {kind} | {hi['add_ms'] / lo['add_ms']:.2f}× "
                         f"| {slow_ratio} | {hi['first_read_ms'] / lo['first_read_ms']:.2f}× "
                         f"| {hi['change_ms'] / lo['change_ms']:.2f}× | {slow_change_ratio} "
                         f"| {hi['rss_mib'] / lo['rss_mib']:.2f}× |")
    table = "\n".join(lines)
    print(table)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "postgres.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
