"""Every speed and load benchmark at its `--smoke` size (tiny, the same code path),
all at once; fails if any fails, so none can rot silently. `.ci/run` runs this.

    python bench/smoke.py

webhook_load and replica_load need PostgreSQL (NEXUS_TEST_DATABASE_URL);
startup_memory and matcher_latency use the user's vector cache (warm once the
test suite has run). The figures they print mean nothing at this size.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).parent
BENCHMARKS = (
    "quiz_load.py",
    "group_quiz_load.py",
    "tip_broadcast.py",
    "webhook_load.py",
    "replica_load.py",
    "startup_memory.py",
    "interrupted_first_start.py",
    "matcher_latency.py",
    "healthcheck_cost.py",
    "learning_simulation.py",
    "progress_image.py",
)
TIMEOUT_S = 120


def main() -> int:
    started = time.monotonic()
    running = {
        name: subprocess.Popen(
            [sys.executable, str(BENCH / name), "--smoke"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in BENCHMARKS
    }
    failed = []
    for name, process in running.items():
        try:
            output, _ = process.communicate(
                timeout=max(1.0, started + TIMEOUT_S - time.monotonic())
            )
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            output += f"\n(killed after {TIMEOUT_S} s)"
        status = "ok" if process.returncode == 0 else f"FAILED (exit {process.returncode})"
        print(f"bench/{name} --smoke: {status}")
        if process.returncode != 0:
            failed.append(name)
            print(output)
    print(
        f"{len(BENCHMARKS) - len(failed)}/{len(BENCHMARKS)} passed in {time.monotonic() - started:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
