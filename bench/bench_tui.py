"""TUI speed at 10k and 50k items: first paint, live reload latency, cursor key to frame.

Run: ``python bench/bench_tui.py`` (or ``make bench``). Prints a markdown table of
medians and writes it to ``bench/results/tui.md``. Each figure is beside a
baseline measured in the same run on the same machine:

* first paint — baseline: a bare Textual app showing one Static (interpreter +
  Textual start-up, the floor any Textual app pays); also a stock DataTable
  loaded with the same number of rows.
* reload latency — from the moment another process's write returns to the
  first frame showing that revision handed to the terminal driver; baseline:
  the same process reading the file with stock ``json`` + ``JSONStorage``-style
  parse (what a reload cost before change notes).
* cursor key — from the key press to the next frame handed to the terminal
  driver; baseline: the same key in a bare ``OptionList`` of 100 rows.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

PAINT_SCRIPT = textwrap.dedent("""
    import sys, time
    kind, path = sys.argv[1], sys.argv[2]

    def mark(what):
        print(what, time.time(), file=sys.__stdout__, flush=True)

    if kind == "worktop":
        from data.writes.workspace import Workspace
        from tui.app import WorktopApp
        from widgets.matrix import OwnershipMatrix

        class Bench(WorktopApp):
            ready = painted = False

            def screen_ready(self):
                super().screen_ready()
                Bench.ready = True

            def _display(self, screen, renderable):
                super()._display(screen, renderable)
                if not Bench.ready or renderable is None:
                    return
                if not Bench.painted:
                    Bench.painted = True
                    mark("PAINT")
                if self.screen_stack[0].query_one(OwnershipMatrix).matrix is not None:
                    mark("ALL")
                    self.exit(return_code=0)

        Bench(Workspace(path), watch=False).run(headless=True)
    elif kind == "bare":
        from textual.app import App
        from textual.widgets import Static

        class Bare(App):
            def compose(self):
                yield Static("hello")
            def _display(self, screen, renderable):
                super()._display(screen, renderable)
                if renderable is not None:
                    mark("PAINT")
                    mark("ALL")
                    self.exit(return_code=0)

        Bare().run(headless=True)
    else:
        import orjson
        from textual.app import App
        from textual.widgets import DataTable

        class Table(App):
            loaded = False
            def compose(self):
                yield DataTable()
            def on_mount(self):
                table = self.query_one(DataTable)
                table.add_columns("id", "title", "status", "owner")
                items = orjson.loads(open(path, "rb").read())["items"]
                table.add_rows([(k, v.get("title", ""), v.get("status", ""), v.get("owner", "")) for k, v in items.items()])
                Table.loaded = True
            def _display(self, screen, renderable):
                super()._display(screen, renderable)
                if Table.loaded and renderable is not None:
                    mark("PAINT")
                    mark("ALL")
                    self.exit(return_code=0)

        Table().run(headless=True)
""")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def first_paint(kind: str, path: Path, repeats: int) -> tuple[float, float]:
    """Median ms from starting the process to (its first frame with content, every pane drawn)."""
    paint, ready = [], []
    for _ in range(repeats):
        start = time.time()
        done = subprocess.run([sys.executable, "-c", PAINT_SCRIPT, kind, str(path)], cwd=ROOT, check=True,
                              capture_output=True, text=True, timeout=120)
        marks = dict(line.split() for line in done.stdout.splitlines() if line.startswith(("PAINT", "ALL")))
        paint.append(float(marks["PAINT"]) - start)
        ready.append(float(marks["ALL"]) - start)
    return median_ms(paint), median_ms(ready)


WRITER = textwrap.dedent("""
    import sys, time
    from data.writes.workspace import Workspace
    from data.writes.ops import Move, SetFields
    ws = Workspace(sys.argv[1], actor="bench-writer")
    item, mode = int(sys.argv[2]), sys.argv[3]
    for n, line in enumerate(sys.stdin):
        if mode == "move":
            result = ws.apply(Move(item, "doing" if n % 2 == 0 else "todo"))
        else:
            result = ws.apply(SetFields(item, {"title": line.strip()}))
        print(time.time(), result.revision, flush=True)
""")


async def reload_latency(path: Path, writes: int, mode: str) -> list[float]:
    """Another process writes; measure until this app hands the first frame showing that revision
    to the terminal driver (the write's own time, in the other process, is not counted)."""
    from data.writes.workspace import Workspace
    from tui.app import WorktopApp

    drawn: dict[int, float] = {}
    shown: list[int] = []

    class Timed(WorktopApp):
        def show(self, snapshot):  # noqa: ANN001
            super().show(snapshot)
            shown.append(snapshot.revision)

        def _display(self, screen, renderable):  # noqa: ANN001, ANN202
            super()._display(screen, renderable)
            while shown:
                drawn.setdefault(shown.pop(), time.time())

    ws = Workspace(path)
    snapshot = ws.snapshot()
    first = next(i.id for i in snapshot.items.values() if i.status == "todo" and i.kind == "task")
    app = Timed(ws, watch=True)
    samples = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.5)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(first), mode], cwd=ROOT,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            for n in range(writes):
                writer.stdin.write(f"bench title {n}\n")
                writer.stdin.flush()
                written_at, revision = writer.stdout.readline().split()
                written_at, revision = float(written_at), int(revision)
                deadline = time.time() + 5
                while revision not in drawn and time.time() < deadline:
                    await asyncio.sleep(0.001)
                if revision in drawn:
                    samples.append(max(0.0, drawn[revision] - written_at))
                await pilot.pause(0.05)
        finally:
            writer.stdin.close()
            writer.wait(timeout=10)
    return samples


def baseline_reload(path: Path, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        with open(path) as handle:
            json.load(handle)
        samples.append(time.perf_counter() - start)
    return samples


def _frame_timer(app_class):  # noqa: ANN001, ANN202
    """Subclass that records when each frame is handed to the terminal driver."""

    class Timed(app_class):
        frames: list[float] = []

        def _display(self, screen, renderable):  # noqa: ANN001, ANN202
            super()._display(screen, renderable)
            Timed.frames.append(time.perf_counter())

    return Timed


async def _key_to_frame(app, keys: list[str], setup: list[str]) -> list[float]:  # noqa: ANN001
    """Press each key; the time from the press to the first frame after it."""
    samples = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        for key in setup:
            await pilot.press(key)
        await pilot.pause(0.2)
        for key in keys:
            app.frames.clear()
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause(0.02)
            after = [t for t in app.frames if t >= start]
            if after:
                samples.append(after[0] - start)
    return samples


async def cursor_key(path: Path, presses: int) -> list[float]:
    from data.writes.workspace import Workspace
    from tui.app import WorktopApp

    app = _frame_timer(WorktopApp)(Workspace(path), watch=False)
    keys = ["j" if n % 20 < 10 else "k" for n in range(presses)]
    return await _key_to_frame(app, keys, setup=["2"])


async def baseline_cursor_key(presses: int) -> list[float]:
    from textual.app import App
    from textual.widgets import OptionList

    class Bare(App):
        def compose(self):  # noqa: ANN202
            yield OptionList(*[f"row {i}" for i in range(100)])

    app = _frame_timer(Bare)()
    keys = ["down" if n % 20 < 10 else "up" for n in range(presses)]
    return await _key_to_frame(app, keys, setup=[])


MEMORY_SCRIPT = textwrap.dedent("""
    import asyncio, subprocess, sys
    kind, path = sys.argv[1], sys.argv[2]

    def rss():
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status)
        return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024

    if kind == "baseline":
        import json
        data = json.load(open(path))
        print(*rss())
        sys.exit(0)

    from data.writes.workspace import Workspace
    from tui.app import WorktopApp

    async def main():
        app = WorktopApp(Workspace(path), watch=True)
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause(0.5)
            revision = app.snapshot.revision
            subprocess.run([sys.executable, "-m", "tui.cli", "-w", path, "add", "memory probe"], check=True,
                           stdout=subprocess.DEVNULL)
            for _ in range(200):
                await pilot.pause(0.05)
                if app.snapshot.revision > revision:
                    break
            for key in ("2", "j", "j", "3", "right", "4", "1"):
                await pilot.press(key)
            await pilot.pause(0.3)
            print(*rss())

    asyncio.run(main())
""")


def memory(kind: str, path: Path) -> tuple[int, int]:
    """(RSS, peak RSS) in MiB of a process holding the workspace (worktop: after a live reload)."""
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, kind, str(path)], cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=300)
    rss, peak = done.stdout.split()[-2:]
    return int(rss), int(peak)


def main() -> int:
    from data.demo import make_demo

    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for size in (10_000, 50_000):
            files[size] = Path(tmp) / f"w{size}.json"
            make_demo(files[size], items=size, seed=1)
        bare, _ = first_paint("bare", files[10_000], repeats)
        for size in (10_000, 50_000):
            ours, ours_all = first_paint("worktop", files[size], repeats)
            _, table = first_paint("datatable", files[size], max(1, repeats // 2))
            budget = 600 if size == 10_000 else 1000
            rows.append((f"first paint, {size // 1000}k items (matrix {ours_all:.0f} ms)", ours,
                         f"bare Textual app {bare:.0f} ms; stock DataTable {table:.0f} ms", ours / table, budget))
        base = baseline_reload(files[10_000], repeats)
        for mode, label in (("title", "title edit"), ("move", "card move")):
            live = asyncio.run(reload_latency(files[10_000], writes=max(10, repeats * 4), mode=mode))
            rows.append((f"{label} in another process on screen, 10k", median_ms(live),
                         f"stdlib json parse of the file {median_ms(base):.0f} ms", median_ms(live) / median_ms(base),
                         100))
        keys = asyncio.run(cursor_key(files[10_000], presses=100))
        base_keys = asyncio.run(baseline_cursor_key(presses=100))
        rows.append(("cursor key to next frame, 10k", median_ms(keys),
                     f"OptionList of 100 rows {median_ms(base_keys):.1f} ms", median_ms(keys) / median_ms(base_keys), 16))
        rss, peak = memory("worktop", files[50_000])
        base_rss, _ = memory("baseline", files[50_000])
        rows.append((f"memory with 50k items after a live reload (RSS; peak {peak} MiB)", rss,
                     f"stdlib json.load of the file {base_rss} MiB", rss / base_rss, 250))
    lines = [
        "| what | worktop median | baseline (same run) | ratio | budget |",
        "|---|---|---|---|---|",
    ]
    for what, ours, baseline, ratio, budget in rows:
        verdict = "ok" if ours <= budget else "OVER"
        unit = "MiB" if what.startswith("memory") else "ms"
        lines.append(f"| {what} | {ours:.1f} {unit} | {baseline} | {ratio:.2f}× | ≤ {budget} {unit} {verdict} |")
    report = "\n".join(lines)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tui.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
