"""Pairing latency: a key pressed in one terminal, to the change on the other person's screen.

Run: ``python bench/bench_pairing.py [--repeats N]`` (or ``make bench``). Needs tmux.
Two worktop processes run in a private tmux server (its own socket), 160×50,
``TERM=xterm-256color``, on one demo workspace of 10k items. Each sample
presses a key in ana's terminal with ``tmux send-keys`` and polls bo's with
``capture-pane`` until it shows the change, so a figure covers the whole path
a person sees: tmux, Textual's input, the write, the file watch in the other
process, its redraw, and tmux again. Polling costs a few ms per capture, so
figures are rounded up to that. Prints a markdown table of medians and writes
it to ``bench/results/pairing.md``.

* card move — shift+→ / shift+← in ana's board; bo's column counts change
  (the workspace file is rewritten; bo re-reads and redraws 10k items).
* cursor marker — j / k in ana's board; the ◉ana marker moves on bo's board
  (a presence file, not the workspace, is rewritten).
* follow — the same keys while bo follows ana; bo's banner names the new card.

And, in-process (Pilot, no tmux): a cursor key to this app's own next frame at 10k with presence
on (every move announced) beside the same with presence off: announcing must not slow the key.

Baseline, same run, same harness: two tiny Python programs in the same tmux
server, one writing a small file atomically for each key it reads from its
terminal, the other watching the folder with watchfiles (the same settings
worktop uses) and printing what it read: the floor of "key → file → watcher →
screen" on this machine, before any app work.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

from tests.tmux_server import TmuxServer, worktop_command  # noqa: E402 - after the path is set

POLL = 0.004
"""Seconds between two captures of the other screen while waiting for a change."""

KEYS_TO_FILE = textwrap.dedent("""
    import os, sys, termios, tty
    folder = sys.argv[1]
    fd = sys.stdin.fileno()
    tty.setraw(fd)
    sys.stdout.write("ready\\r\\n"); sys.stdout.flush()
    n = 0
    while True:
        data = os.read(fd, 64)
        if not data or data in (b"q", b"\\x03"):
            break
        n += 1
        tmp = os.path.join(folder, ".key.tmp")
        with open(tmp, "w") as handle:
            handle.write(str(n))
        os.replace(tmp, os.path.join(folder, "key.json"))
""")

WATCH_AND_PRINT = textwrap.dedent("""
    import os, sys
    from watchfiles import watch
    folder = sys.argv[1]
    print("watching", flush=True)
    keep = lambda change, path: os.path.basename(path) == "key.json"
    for _ in watch(folder, watch_filter=keep, debounce=40, step=5, recursive=False):
        with open(os.path.join(folder, "key.json")) as handle:
            print("seen", handle.read(), flush=True)
""")


def time_key(tmux: TmuxServer, key: str, watcher: str, seen: Callable[[str], object], timeout: float = 5) -> float | None:
    """Press ``key`` in ana's terminal; seconds until ``seen(bo's screen)`` differs from before."""
    before = seen(tmux.screen(watcher))
    start = time.perf_counter()
    tmux.run("send-keys", "-t", "ana", key)
    while time.perf_counter() - start < timeout:
        if seen(tmux.screen(watcher)) != before:
            return time.perf_counter() - start
        time.sleep(POLL)  # each capture is a tmux client process: leave the two worktops the CPU
    return None


def samples(tmux: TmuxServer, keys: list[str], watcher: str, seen: Callable[[str], object],
            pause: float = 0.35) -> list[float]:
    out = []
    for key in keys:
        took = time_key(tmux, key, watcher, seen)
        if took is not None:
            out.append(took)
        time.sleep(pause)  # let both sides settle, so samples do not overlap
    return out


def counts(screen: str) -> tuple[str, ...]:
    return tuple(re.findall(r"(?:todo|doing)\s+\d+", screen))


def marker_line(screen: str) -> int | None:
    return next((n for n, line in enumerate(screen.splitlines()) if "◉ana" in line and "here:" not in line), None)


def followed(screen: str) -> str | None:
    found = re.search(r"Following ◉ana · Board · #(\d+)", screen)
    return found.group(1) if found else None


def measure_worktop(path: Path, repeats: int) -> dict[str, list[float]]:
    tmux = TmuxServer()
    try:
        tmux.start("ana", worktop_command(path, "ana", keep_pane=False))
        tmux.start("bo", worktop_command(path, "bo", keep_pane=False))
        tmux.wait("ana", lambda s: "here: ◉bo" in s, timeout=60)
        tmux.wait("bo", lambda s: "here: ◉ana" in s, timeout=60)
        for name in ("ana", "bo"):
            tmux.run("send-keys", "-t", name, "2")  # both on the board, cursors on the first todo card
        tmux.wait("bo", lambda s: marker_line(s) is not None)
        time.sleep(1)
        results = {}
        moves = ["j" if n % 2 == 0 else "k" for n in range(repeats)]
        results["marker"] = samples(tmux, moves, "bo", marker_line)
        tmux.run("send-keys", "-t", "bo", "f")
        tmux.wait("bo", lambda s: followed(s) is not None)
        time.sleep(0.5)
        results["follow"] = samples(tmux, moves, "bo", followed)
        tmux.run("send-keys", "-t", "bo", "Escape")
        tmux.wait("bo", lambda s: followed(s) is None)
        cards = ["S-Right" if n % 2 == 0 else "S-Left" for n in range(repeats)]
        results["card"] = samples(tmux, cards, "bo", counts, pause=0.6)
        return results
    finally:
        tmux.close()


def measure_baseline(folder: Path, repeats: int) -> list[float]:
    tmux = TmuxServer()
    try:
        tmux.start("ana", f"exec {sys.executable} -c {shlex_quote(KEYS_TO_FILE)} {folder}")
        tmux.start("bo", f"exec {sys.executable} -c {shlex_quote(WATCH_AND_PRINT)} {folder}")
        tmux.wait("ana", lambda s: "ready" in s)
        tmux.wait("bo", lambda s: "watching" in s)
        time.sleep(0.5)
        last = lambda screen: [line for line in screen.splitlines() if line.startswith("seen")][-1:]  # noqa: E731
        return samples(tmux, ["x"] * repeats, "bo", last)
    finally:
        tmux.close()


def cursor_key_ms(path: Path, presses: int) -> tuple[float, float]:
    """Median key-to-frame in ms for j/k on the board: (presence on, presence off)."""
    import asyncio

    from bench.bench_tui import _frame_timer, _key_to_frame
    from data.writes.workspace import Workspace
    from tui.app import WorktopApp

    keys = ["j" if n % 20 < 10 else "k" for n in range(presses)]
    medians = {}
    for presence in (True, False, True, False):  # interleaved, so a busy spell hits both
        app = _frame_timer(WorktopApp)(Workspace(path), watch=presence)
        medians.setdefault(presence, []).extend(asyncio.run(_key_to_frame(app, keys, setup=["2"])))
    return median_ms(medians[True]), median_ms(medians[False])


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "30")),
                        help="key presses per figure (default 30)")
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args(argv)
    if shutil.which("tmux") is None:
        print("bench_pairing: tmux is not installed; skipped", file=sys.stderr)
        return 0
    from data.demo import make_demo

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "worktop.json"
        make_demo(path, items=args.items, seed=1)
        floor_folder = Path(tmp) / "floor"
        floor_folder.mkdir()
        base = measure_baseline(floor_folder, args.repeats)
        ours = measure_worktop(path, args.repeats)
        key_on, key_off = cursor_key_ms(path, presses=max(50, args.repeats * 2))
    floor = median_ms(base)
    rows = [
        (f"card move (shift+→) on the other screen, {args.items // 1000}k", ours["card"]),
        (f"cursor marker (j/k) on the other screen, {args.items // 1000}k", ours["marker"]),
        (f"follow: the follower's selection moves, {args.items // 1000}k", ours["follow"]),
    ]
    lines = [
        f"| what | worktop median (n) | baseline, same run: key → file → watcher → screen {floor:.1f} ms "
        f"(n={len(base)}) | ratio | budget |",
        "|---|---|---|---|---|",
    ]
    for what, values in rows:
        med = median_ms(values)
        verdict = "ok" if med <= 100 else "OVER"
        lines.append(f"| {what} | {med:.1f} ms ({len(values)}) | {floor:.1f} ms | {med / floor:.2f}× | "
                     f"≤ 100 ms {verdict} |")
    verdict = "ok" if key_on <= 16 else "OVER"
    lines += ["", "| what | presence on | presence off (same run) | ratio | budget |", "|---|---|---|---|---|",
              f"| cursor key to this app's next frame, {args.items // 1000}k | {key_on:.1f} ms | {key_off:.1f} ms | "
              f"{key_on / key_off:.2f}× | ≤ 16 ms {verdict} |"]
    report = "\n".join(lines)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pairing.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
