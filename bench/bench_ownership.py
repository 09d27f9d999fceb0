"""The ownership pane, the gaps view and the why pane at 10k items: key press to the next frame.

Run: ``python bench/bench_ownership.py`` (``bench/run.py`` runs it with the rest).
Prints a markdown table of medians (and the worst case) and writes it to
``bench/results/ownership.md``. The baseline, measured in the same run, is the
same key in a bare ``OptionList`` of 100 rows (``bench_tui.baseline_cursor_key``).

* gaps view open — ``!`` from the matrix: finds every gap in the workspace and
  fills the virtual list (then ``!`` again goes back; only the opening is timed).
* gaps list cursor — j/k in the gaps view (the why pane follows each move).
* matrix cell cursor — right/left in the ownership matrix.
* why chain cursor — down/up along a task → project → goal chain.
* gap fixed in place — enter in the owner prompt until the frame that shows the
  list without the item: validation, the durable write (lock, fsync, rename),
  the fresh snapshot and every pane's redraw.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tui import RESULTS, _frame_timer, _key_to_frame, baseline_cursor_key, median_ms  # noqa: E402

ITEMS = 10_000


def _app(path: Path):  # noqa: ANN202
    from data.writes.workspace import Workspace
    from tui.app import WorktopApp

    return _frame_timer(WorktopApp)(Workspace(path, actor="bench"), watch=False)


async def _first_frame_after(app, pilot, key: str) -> float | None:  # noqa: ANN001
    app.frames.clear()
    start = time.perf_counter()
    await pilot.press(key)
    await pilot.pause(0.02)
    after = [t for t in app.frames if t >= start]
    return after[0] - start if after else None


async def gaps_open(path: Path, times: int) -> list[float]:
    app = _app(path)
    samples = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("3")
        await pilot.pause(0.3)
        for _ in range(times):
            sample = await _first_frame_after(app, pilot, "exclamation_mark")
            if sample is not None:
                samples.append(sample)
            await pilot.press("exclamation_mark")  # back to the matrix
            await pilot.pause(0.05)
    return samples


async def chain_keys(path: Path, presses: int) -> list[float]:
    from data.writes.workspace import Workspace

    snapshot = Workspace(path).snapshot()
    deep = next(i.id for i in snapshot.items.values() if i.kind == "task" and i.parent is not None)
    app = _app(path)
    keys = ["down" if n % 4 < 2 else "up" for n in range(presses)]

    samples = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        app.screen.select_item(deep)
        await pilot.press("4")
        await pilot.pause(0.2)
        for key in keys:
            sample = await _first_frame_after(app, pilot, key)
            if sample is not None:
                samples.append(sample)
    return samples


async def gap_fixes(path: Path, fixes: int) -> list[float]:
    """Owner prompt: enter → the frame after the write, with the fixed item gone from the who group."""
    app = _app(path)
    samples = []
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("exclamation_mark")
        await pilot.pause(0.3)
        gaps = app.screen.query_one("#gaps")
        for _ in range(fixes):
            item_id = gaps.list.current_id
            await pilot.press("o")
            await pilot.pause(0.05)
            app.screen.query_one("#prompt-input").value = "ana"
            await pilot.pause(0.05)  # let the typed value's own frame go by
            sample = await _first_frame_after(app, pilot, "enter")
            assert item_id not in gaps.gaps.groups["who"], "the fix did not land"
            if sample is not None:
                samples.append(sample)
    return samples


def main() -> int:
    from data.demo import make_demo

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w10k.json"
        make_demo(path, items=ITEMS, seed=1)
        base = median_ms(asyncio.run(baseline_cursor_key(presses=60)))
        cases = [
            ("gaps view open (!)", asyncio.run(gaps_open(path, times=10))),
            ("gaps list cursor key", asyncio.run(_key_to_frame(_app(path), ["j" if n % 20 < 10 else "k" for n in range(80)],
                                                            setup=["exclamation_mark"]))),
            ("matrix cell cursor key", asyncio.run(_key_to_frame(_app(path), ["right" if n % 8 < 4 else "left"
                                                                             for n in range(60)], setup=["3"]))),
            ("why chain cursor key", asyncio.run(chain_keys(path, presses=40))),
        ]
        fix_path = Path(tmp) / "w10k-fix.json"
        make_demo(fix_path, items=ITEMS, seed=1)
        cases.append(("gap fixed in place (enter → frame, durable)", asyncio.run(gap_fixes(fix_path, fixes=8))))
    for what, samples in cases:
        median = median_ms(samples)
        rows.append((what, median, max(samples) * 1000, median / base))
    lines = [
        f"| what ({ITEMS // 1000}k items) | worktop median | worst | OptionList of 100 rows, same key | ratio |",
        "|---|---|---|---|---|",
    ]
    for what, median, worst, ratio in rows:
        lines.append(f"| {what} | {median:.1f} ms | {worst:.1f} ms | {base:.1f} ms | {ratio:.2f}× |")
    report = "\n".join(lines)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ownership.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
