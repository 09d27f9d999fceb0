"""The CLI as a person runs it: ``worktop add`` beside Taskwarrior's ``task add``, and the first reads, in one run.

A 10k-item demo workspace aged with ~80k history entries (a team's year, appended
as worktop appends them: tests/support/aging.py) and a 10k-task Taskwarrior
database (``task import`` into a private ``rc.data.location``, ``confirmation=off``,
``hooks=off``) are made in a temp folder. Then every command below runs as a
fresh process, one after another in rounds, the order rotated each round so no
command always follows the same one; medians over ``--repeats`` rounds (after
``--warmup`` rounds not counted) of

* wall time, from spawn to exit (``os.posix_spawn`` … ``os.wait4``), and
* CPU time, the child's user + system time from ``os.wait4``'s rusage (less
  sensitive than wall time to the other work on a shared machine).

Commands, in two sets measured in rounds of their own: the write, ``task add``
(the baseline) and ``worktop add``, with the floor: ``python -c pass`` with
worktop's interpreter and site packages (what any Python command pays before
its first line) and ``python -c 'import tui.cli'`` (that plus what the CLI
loads before it knows the command); and the first reads, ``worktop ls
owner:ana`` and ``worktop pulse``, beside Taskwarrior's ``task project:proj1
ls`` (a filtered list). ``--before DIR`` adds another worktop source tree's
``add``, ``ls`` and ``pulse`` to the same rounds (a checkout of main: before and
after in one run). Output goes to ``/dev/null``; a command that fails stops the
bench.

Then where ``worktop add``'s time goes inside the process (imports, reading the
file, the history append, the file write; each write fsync'd), medians of the
same number of runs.

Budgets (DESIGN.md, issue 12): ``worktop add`` ≤ 80 ms and at or under
``task add`` in the same run; ``pulse`` ≤ 300 ms at 80k history entries.

Writes the tables to stdout and to ``bench/results/cli.md``.

Usage: ``python bench/bench_cli.py [--items 10000] [--entries 80000] [--repeats 15] [--warmup 2] [--before DIR]``
"""

from __future__ import annotations

import argparse
import os
import shutil
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

from data.demo import make_demo  # noqa: E402
from tests.support.aging import age  # noqa: E402

ADD_BUDGET_MS = 80.0
PULSE_BUDGET_MS = 300.0


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every child: bytecode caching on (an installed worktop has its ``.pyc`` files)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), WORKTOP_USER="bench")
    env.update(extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("WORKTOP_WORKSPACE", None)
    return env


def worktop_argv() -> list[str]:
    script = Path(sys.executable).with_name("worktop")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


def spawn(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one whole process: spawn to exit, and its user + system time."""
    program = argv[0] if os.path.isabs(argv[0]) else shutil.which(argv[0])
    if program is None:
        raise SystemExit(f"{argv[0]} not found")
    with open(os.devnull, "r+b") as null, tempfile.TemporaryFile() as err:
        actions = [(os.POSIX_SPAWN_DUP2, null.fileno(), 0), (os.POSIX_SPAWN_DUP2, null.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(program, argv, env, file_actions=actions)
        _pid, status, usage = os.wait4(pid, 0)
        wall = (time.perf_counter() - start) * 1000
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} exited {code}: {err.read().decode(errors='replace')[:2000]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


TASK_ITEMS = textwrap.dedent("""
    import json, sys, uuid
    count = int(sys.argv[1])
    tasks = [{"uuid": str(uuid.UUID(int=n + 1)), "description": f"task number {n} with a title of ordinary length",
              "status": "pending", "entry": "20250101T090000Z", "project": f"proj{n % 40}",
              "tags": ["work"] if n % 3 else [], "priority": "HML"[n % 3]} for n in range(count)]
    json.dump(tasks, sys.stdout)
""")


def make_taskwarrior(folder: Path, items: int) -> dict[str, str] | None:
    """A private Taskwarrior database of ``items`` pending tasks; its environment (None: ``task`` missing)."""
    task = shutil.which("task")
    if task is None:
        return None
    data = folder / "taskdata"
    data.mkdir()
    rc = folder / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\nnews.version=2.6.0\n")
    env = dict(os.environ, TASKRC=str(rc), TASKDATA=str(data))
    payload = subprocess.run([sys.executable, "-c", TASK_ITEMS, str(items)], capture_output=True, text=True,
                             check=True).stdout
    subprocess.run([task, "import", "-"], input=payload, env=env, capture_output=True, text=True, check=True,
                   timeout=600)
    return env


def task_version() -> str:
    done = subprocess.run(["task", "--version"], capture_output=True, text=True)
    return done.stdout.strip() or "?"


def measure(commands: dict[str, tuple[list[str], dict[str, str]]], repeats: int, warmup: int
            ) -> dict[str, tuple[float, float]]:
    """Median (wall ms, CPU ms) of each command, run in rotated rounds."""
    names = list(commands)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(warmup + repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            argv, env = commands[name]
            argv = [word.replace("{n}", str(round_)) for word in argv]
            wall, cpu = spawn(argv, env)
            if round_ >= warmup:
                walls[name].append(wall)
                cpus[name].append(cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in names}


PHASES = textwrap.dedent("""
    import os, sys, time
    started = time.perf_counter()
    import data.store.atomic as atomic
    import data.store.history_file as history_file
    import data.store.file_store as file_store
    from tui import cli
    from tui.cli import items as cli_items
    from data.writes import ops
    imported = time.perf_counter()
    marks = {}
    def timed(name, real):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                marks[name] = marks.get(name, 0.0) + time.perf_counter() - start
        return wrapper
    file_store.read_bytes = timed("read the file", file_store.read_bytes)
    history_file.append = timed("history append + fsync", history_file.append)
    file_store.write_atomic = timed("file write + fsync + rename", file_store.write_atomic)
    code = cli.main(["-w", sys.argv[1], "add", "phase probe"])
    done = time.perf_counter()
    marks["imports (data layer and CLI)"] = imported - started
    marks["the command, all of it"] = done - imported
    print("PHASES", "|".join(f"{k}={v * 1000:.2f}" for k, v in marks.items()))
""")


def phases(path: Path, repeats: int) -> dict[str, float]:
    """Median ms of each part of ``worktop add``, measured inside the process."""
    samples: dict[str, list[float]] = {}
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", PHASES, str(path)], cwd=ROOT, env=child_env(),
                             capture_output=True, text=True, check=True).stdout
        line = next(line for line in out.splitlines() if line.startswith("PHASES "))
        for pair in line[len("PHASES "):].split("|"):
            name, value = pair.split("=")
            samples.setdefault(name, []).append(float(value))
    return {name: statistics.median(values) for name, values in samples.items()}


def table(title: str, figures: dict[str, tuple[float, float]], base_name: str, task: str | None) -> list[str]:
    """One markdown table: each command's medians and its ratios to ``base_name`` (measured in the same rounds)."""
    base = figures.get(base_name)
    lines = [f"### {title}", "", f"| command | wall | CPU (user+sys) | wall ÷ `{base_name}` | CPU ÷ `{base_name}` | budget |",
             "|---|---:|---:|---:|---:|---|"]
    for name, (wall, cpu) in figures.items():
        ratio_wall = f"{wall / base[0]:.2f}×" if base else ""
        ratio_cpu = f"{cpu / base[1]:.2f}×" if base else ""
        verdict = ""
        if name == "worktop add":
            ok = wall <= ADD_BUDGET_MS and (base is None or (wall <= base[0] and cpu <= base[1]))
            verdict = f"≤ {ADD_BUDGET_MS:.0f} ms and ≤ `task add`: " + ("ok" if ok else "MISSED")
        elif name == "worktop pulse":
            verdict = f"≤ {PULSE_BUDGET_MS:.0f} ms: " + ("ok" if wall <= PULSE_BUDGET_MS else "MISSED")
        label = f"`{name}`".replace(" (before)`", "` (before)")
        if name.startswith("task ") and task:
            label += f" (Taskwarrior {task})"
        lines.append(f"| {label} | {wall:.1f} ms | {cpu:.1f} ms | {ratio_wall} | {ratio_cpu} | {verdict} |")
    if base is None:
        lines += ["", "`task` is not installed: no Taskwarrior baseline (apt-get install taskwarrior)."]
    return lines


def render(items: int, entries: int, writes: dict[str, tuple[float, float]], reads: dict[str, tuple[float, float]],
           parts: dict[str, float], repeats: int, task: str | None, before: Path | None) -> str:
    lines = table(f"`worktop add` beside `task add`, {items:,} items / tasks, {entries:,} history entries", writes,
                  "task add", task)
    lines += [""] + table("First reads (a fresh process reads the whole file; pulse also a year of history)", reads,
                          "task project:proj1 ls", task)
    lines += ["", "Where `worktop add`'s time goes inside the process (medians of separate runs; the command "
              "includes the parts below it):", "", "| part | ms |", "|---|---:|"]
    lines += [f"| {name} | {value:.1f} |" for name, value in parts.items()]
    lines += ["", f"Medians of {repeats} rounds, each command a fresh process, the order rotated each round (the "
              "writes and the reads in rounds of their own)"
              + (f"; `(before)`: the worktop in {before}, in the same rounds" if before else "")
              + f". Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
              "at the end."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=80_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--before", type=Path, default=None, metavar="DIR",
                        help="another worktop source tree (e.g. `git worktree add DIR main`) to measure in the same "
                             "rounds, as (before)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="worktop-cli-") as tmp:
        folder = Path(tmp)
        path = folder / "aged" / "worktop.json"
        path.parent.mkdir()
        make_demo(path, items=args.items, seed=1)
        age(path, args.entries)
        task_env = make_taskwarrior(folder, args.items)
        trees = [("", child_env())]
        if args.before is not None:
            before = args.before.resolve()
            subprocess.run([sys.executable, "-m", "compileall", "-q", "data", "tui"], cwd=before, check=True)
            trees.append((" (before)", child_env(PYTHONPATH=str(before))))
        worktop = [*worktop_argv(), "-w", str(path)]
        writes: dict[str, tuple[list[str], dict[str, str]]] = {}
        reads: dict[str, tuple[list[str], dict[str, str]]] = {}
        if task_env is not None:
            writes["task add"] = (["task", "add", "bench task {n}", "project:bench"], task_env)
            reads["task project:proj1 ls"] = (["task", "project:proj1", "ls"], task_env)
        for suffix, env in trees:
            writes[f"worktop add{suffix}"] = ([*worktop, "add", "bench item {n}"], env)
            reads[f"worktop ls owner:ana{suffix}"] = ([*worktop, "ls", "owner:ana"], env)
            reads[f"worktop pulse{suffix}"] = ([*worktop, "pulse"], env)
        writes["python -c pass"] = ([sys.executable, "-c", "pass"], trees[0][1])
        writes["python -c 'import tui.cli'"] = ([sys.executable, "-c", "import tui.cli"], trees[0][1])
        print(f"made {path} ({args.items:,} items, {args.entries:,} history entries)"
              + ("" if task_env else "; no Taskwarrior"), flush=True)
        write_figures = measure(writes, args.repeats, args.warmup)
        read_figures = measure(reads, args.repeats, args.warmup)
        parts = phases(path, args.repeats)
    text = render(args.items, args.entries, write_figures, read_figures, parts, args.repeats,
                  task_version() if task_env else None, args.before)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cli.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
