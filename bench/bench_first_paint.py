"""First paint as a person sees it: ``worktop`` launched in a real terminal, beside a bare Textual app.

Each run starts a program in a private tmux server at 160×50 (``TERM=xterm-256color``,
no ``COLORTERM``, as over SSH) and polls the terminal's screen every few
milliseconds (``capture-pane``) until it shows what a person waits for:

* worktop: every pane with its content — the inbox's rows, the board's cards,
  the ownership matrix's rows and the why pane's text;
* the baseline, in the same run, alternating with worktop: a bare Textual app
  (a Header, one Static, a Footer) showing its Static's text — the floor any
  Textual app pays (the interpreter, importing Textual, the first frame).

Timed from just before tmux starts the command until the screen matched;
medians of ``--repeats`` runs, at 1k / 10k / 50k items and for a 10k workspace
after a year of history (80k entries). The screen is polled, so a figure is
late by at most one poll (about 10 ms).

Writes the table to stdout and to ``bench/results/first_paint.md``.

Usage: ``python bench/bench_first_paint.py [--sizes 1000,10000,50000] [--repeats 5]``
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

from data.demo import make_demo  # noqa: E402
from tests.support.aging import age  # noqa: E402
from tests.tmux_server import TmuxServer  # noqa: E402

BARE = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("bare textual app ready")
            yield Footer()

    Bare().run()
""")

ENV = "env -u COLORTERM -u COLUMNS -u LINES -u PYTHONDONTWRITEBYTECODE TERM=xterm-256color WORKTOP_USER=bench"


def worktop_cmd(path: Path) -> str:
    script = Path(sys.executable).with_name("worktop")
    program = str(script) if script.exists() else f"{sys.executable} -m tui.cli"
    return f"cd {ROOT} && {ENV} PYTHONPATH={ROOT} {program} -w {path}"


def bare_cmd(folder: Path) -> str:
    script = folder / "bare.py"
    script.write_text(BARE)
    return f"cd {ROOT} && {ENV} {sys.executable} {script}"


_ROW = re.compile(r"#\d+")


def worktop_ready(screen: str) -> bool:
    """Inbox rows, board cards, matrix rows and the why pane's text are all on screen."""
    lines = screen.splitlines()
    if len(lines) < 20:
        return False
    inbox = "1 Inbox" in screen and any(_ROW.search(line[:62]) for line in lines[2:12])
    board = "2 Board" in screen and any("•" in line or "▣" in line or "≋" in line for line in lines[2:24])
    matrix = "3 Ownership" in screen and "load" in screen and any("/" in line and "▕" not in line
                                                                    for line in lines[26:40])
    why = "4 Why" in screen and ("why" in screen.lower())
    return inbox and board and matrix and why


def bare_ready(screen: str) -> bool:
    return "bare textual app ready" in screen


def time_to_screen(tmux: TmuxServer, name: str, command: str, ready: Callable[[str], bool],
                   timeout: float = 60.0) -> float:
    start = time.perf_counter()
    tmux.start(name, command, (160, 50))
    deadline = start + timeout
    while True:
        screen = tmux.screen(name)
        if ready(screen):
            elapsed = time.perf_counter() - start
            break
        if time.perf_counter() > deadline:
            raise SystemExit(f"{name} never showed its content; the screen:\n{screen}")
        time.sleep(0.005)
    tmux.run("kill-session", "-t", name)
    return elapsed * 1000


def measure(path: Path, folder: Path, repeats: int) -> tuple[float, float, list[float], list[float]]:
    tmux = TmuxServer()
    try:
        tmux.start("keeper", "sleep 3600", (80, 24))  # the server stays up between runs
        bare = bare_cmd(folder)
        worktop = worktop_cmd(path)
        time_to_screen(tmux, "warm-bare", bare, bare_ready)  # page cache and bytecode, for both
        time_to_screen(tmux, "warm-worktop", worktop, worktop_ready)
        ours, base = [], []
        for n in range(repeats):  # alternating, so a busy moment lands on both
            ours.append(time_to_screen(tmux, f"w{n}", worktop, worktop_ready))
            base.append(time_to_screen(tmux, f"b{n}", bare, bare_ready))
        return statistics.median(ours), statistics.median(base), ours, base
    finally:
        tmux.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--aged-entries", type=int, default=80_000)
    args = parser.parse_args(argv)
    if shutil.which("tmux") is None:
        print("tmux is not installed: nothing measured", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="worktop-paint-") as tmp:
        folder = Path(tmp)
        cases = [(f"{int(size):,} items", int(size), 0) for size in args.sizes.split(",")]
        if args.aged_entries:
            cases.append((f"10,000 items after a year ({args.aged_entries:,} history entries)", 10_000,
                          args.aged_entries))
        for label, size, entries in cases:
            path = folder / f"{size}-{entries}" / "worktop.json"
            path.parent.mkdir()
            make_demo(path, items=size, seed=1)
            if entries:
                age(path, entries)
            ours, base, all_ours, all_base = measure(path, folder, args.repeats)
            rows.append((label, ours, base, all_ours, all_base))
            print(f"{label}: worktop {ours:.0f} ms, bare {base:.0f} ms ({ours / base:.2f}x)", flush=True)
    lines = ["| launched in tmux, 160×50, until every pane shows its content | worktop | bare Textual app, "
             "same run | ratio |", "|---|---:|---:|---:|"]
    for label, ours, base, all_ours, all_base in rows:
        lines.append(f"| {label} | {ours:.0f} ms ({min(all_ours):.0f}–{max(all_ours):.0f}) | {base:.0f} ms "
                     f"({min(all_base):.0f}–{max(all_base):.0f}) | {ours / base:.2f}× |")
    lines += ["", f"Medians of {args.repeats} runs, alternating; Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end."]
    table = "\n".join(lines) + "\n"
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "first_paint.md").write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
