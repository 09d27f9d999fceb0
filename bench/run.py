"""Run every benchmark script in ``bench/`` (``bench_*.py``), one after another.

``make bench`` calls this. Each script prints its markdown table and writes it
to ``bench/results/``; arguments given here are passed to every script, so
keep them to ones all scripts accept (``--repeats``) or run a script directly.
Exits non-zero if any script failed, after running the rest.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(BENCH.glob("bench_*.py"))
    if not scripts:
        print("no bench_*.py scripts found", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        print(f"\n## {script.name}\n", flush=True)
        start = time.perf_counter()
        code = subprocess.run([sys.executable, str(script), *argv], cwd=BENCH.parent).returncode
        print(f"\n({script.name}: {time.perf_counter() - start:.0f} s, exit {code})", flush=True)
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"\nresults in {BENCH / 'results'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
