"""How long the test tiers take: the README's test command (`pytest`, the fast tier)
and `pytest -m slow`, each run whole, as a developer runs them.

    python bench/test_tiers.py [--runs 3] [--slow-runs 1]

PostgreSQL tests run when NEXUS_TEST_DATABASE_URL is set (as in .ci/run); the
script says which. Each run is a fresh `python -m pytest -q -p no:cacheprovider`
process; the wall time is from its start to its exit. Prints min, median and max
per tier, and the test counts pytest reported. A failing run is reported and
stops the script (its time would mean nothing).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.machine import load_line, machine_line

ROOT = Path(__file__).parents[1]

TIERS = {"fast (`pytest`)": [], "slow (`pytest -m slow`)": ["-m", "slow"]}


def run_once(extra: list[str]) -> tuple[float, str]:
    """(wall seconds, pytest's summary line)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {summary}")
    return elapsed, re.sub(r"\s+in [\d.]+s.*$", "", summary.strip("= "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the fast tier")
    parser.add_argument("--slow-runs", type=int, default=1, help="runs of the slow tier")
    args = parser.parse_args()
    postgres = "with PostgreSQL" if os.environ.get("NEXUS_TEST_DATABASE_URL") else "SQLite only"
    print(machine_line())
    print(load_line("at the start"))
    print(f"tests {postgres}\n")
    print("| tier | runs | wall s (min / median / max) | tests |")
    print("|---|---|---|---|")
    for (name, extra), runs in zip(TIERS.items(), (args.runs, args.slow_runs), strict=True):
        times, summary = [], ""
        for _ in range(runs):
            elapsed, summary = run_once(extra)
            times.append(elapsed)
        spread = f"{min(times):.1f} / {statistics.median(times):.1f} / {max(times):.1f}"
        print(f"| {name} | {runs} | {spread} | {summary} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
