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

Usage: ``python bench/bench_first_paint.py [--sizes 1000,10000,50000] [--repeats 5] [--before REV]``
(``--before``: also an older commit of worktop, checked out in a temp worktree, in the same runs).
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


def worktop_cmd(path: Path, root: Path = ROOT) -> str:
    """worktop from the source tree at ``root`` (this one, or an older commit checked out to compare)."""
    return f"cd {root} && {ENV} PYTHONPATH={root} {sys.executable} -m tui.cli -w {path}"


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


def measure(path: Path, folder: Path, repeats: int, before: Path | None) -> dict[str, list[float]]:
    """Times to the full screen of this worktop, the bare app and (``before``) an older worktop, alternating."""
    programs = [("worktop", worktop_cmd(path), worktop_ready), ("bare", bare_cmd(folder), bare_ready)]
    if before is not None:
        programs.insert(1, ("before", worktop_cmd(path, before), worktop_ready))
    tmux = TmuxServer()
    try:
        tmux.start("keeper", "sleep 3600", (80, 24))  # the server stays up between runs
        for name, command, ready in programs:  # page cache and bytecode, for each
            time_to_screen(tmux, f"warm-{name}", command, ready)
        times: dict[str, list[float]] = {name: [] for name, _command, _ready in programs}
        for n in range(repeats):  # alternating, so a busy moment lands on each
            for name, command, ready in programs:
                times[name].append(time_to_screen(tmux, f"{name}{n}", command, ready))
        return times
    finally:
        tmux.close()


def checkout(revision: str, folder: Path) -> Path:
    """The source tree at ``revision`` in ``folder`` (a detached git worktree), its bytecode compiled."""
    import subprocess

    target = folder / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(target), revision], check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "data", "tui", "widgets"], cwd=target, check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--aged-entries", type=int, default=80_000)
    parser.add_argument("--before", metavar="REV", help="also time worktop at this git revision, in the same runs")
    args = parser.parse_args(argv)
    if shutil.which("tmux") is None:
        print("tmux is not installed: nothing measured", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="worktop-paint-") as tmp:
        folder = Path(tmp)
        before = checkout(args.before, folder) if args.before else None
        try:
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
                times = measure(path, folder, args.repeats, before)
                rows.append((label, times))
                said = ", ".join(f"{name} {statistics.median(values):.0f} ms" for name, values in times.items())
                print(f"{label}: {said}", flush=True)
        finally:
            if before is not None:
                import subprocess

                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False)

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})"

    compared = args.before is not None
    head = "| launched in tmux, 160×50, until every pane shows its content | worktop |"
    rule = "|---|---:|"
    if compared:
        head += f" worktop at {args.before} |"
        rule += "---:|"
    head += " bare Textual app | ratio to bare |" + (" before: ratio |" if compared else "")
    rule += "---:|---:|" + ("---:|" if compared else "")
    lines = [head, rule]
    for label, times in rows:
        bare = statistics.median(times["bare"])
        line = f"| {label} | {cell(times['worktop'])} |"
        if compared:
            line += f" {cell(times['before'])} |"
        line += f" {cell(times['bare'])} | {statistics.median(times['worktop']) / bare:.2f}× |"
        if compared:
            line += f" {statistics.median(times['before']) / bare:.2f}× |"
        lines.append(line)
    lines += ["", f"Medians of {args.repeats} runs, each program in turn; Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end."]
    table = "\n".join(lines) + "\n"
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "first_paint.md").write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
