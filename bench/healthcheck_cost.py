"""What one Docker health check costs: `nexus-bot healthcheck` as the image runs it
every 30 s, beside the check it replaced (load and validate all content, then ping
the database), both as fresh processes on the bundled content and a SQLite file.

    python bench/healthcheck_cost.py [--runs 30] [--before-runs 5] [--script PATH]

`--script`: the nexus-bot console script to time (default: the one beside this
interpreter). An editable install (pip install -e) adds its import hook to every
Python start; the image has a plain install, so time one made like the image's:
`pip install --no-deps -r requirements/runtime.lock && pip install --no-deps .`
in a fresh venv. The replaced check runs with that script's interpreter.

Each run is a new process; wall time from start to exit (time.monotonic), CPU time
as user + system of the child (resource.getrusage). The heartbeat is written first
by bot.health.beat after a real ping of the SQLite database, as the running bot
writes it. Beside them, the same interpreter doing nothing (`python -c pass`): the
floor. Prints min, median and max wall time and the median CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.machine import load_line, machine_line
from bot.health import beat
from storage import Database

# The replaced check (nexus-bot healthcheck before this change): settings, every
# content file loaded and validated, then a database ping.
BEFORE = (
    "import asyncio\n"
    "from bot.cli.support import knowledge_base, settings_or_exit, with_database\n"
    "settings = settings_or_exit()\n"
    "knowledge_base(settings)\n"
    "with_database(settings, lambda d: asyncio.wait_for(d.ping(), timeout=10))\n"
)


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`, which must exit 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


async def heartbeat(data_dir: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{data_dir / 'nexus.db'}")
    try:
        await database.migrate()
        assert await beat(str(data_dir / "heartbeat"), database.ping) is None
    finally:
        await database.close()


def row(name: str, runs: list[tuple[float, float]]) -> str:
    walls = sorted(1000 * wall for wall, _ in runs)
    cpu = statistics.median(1000 * cpu for _, cpu in runs)
    return (
        f"| {name} | {len(runs)} | {walls[0]:.0f} | {statistics.median(walls):.0f} | "
        f"{walls[-1]:.0f} | {cpu:.0f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs of nexus-bot healthcheck")
    parser.add_argument("--before-runs", type=int, default=5, help="runs of the replaced check")
    parser.add_argument("--script", default=str(Path(sys.executable).parent / "nexus-bot"))
    parser.add_argument("--smoke", action="store_true", help="2 runs of each: a quick check")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.before_runs = 2, 1
    script = args.script
    python = str(Path(script).parent / "python")
    print(load_line("before"))
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        env = {**os.environ, "NEXUS_DATA_DIR": str(data_dir)}
        env.pop("NEXUS_DATABASE_URL", None)
        env.pop("NEXUS_CONTENT_DIR", None)
        now, before, floor = [], [], []
        for _ in range(args.runs):
            asyncio.run(heartbeat(data_dir))  # fresh for every run, outside the timing
            now.append(measure([script, "healthcheck"], env))
            floor.append(measure([python, "-c", "pass"], env))
        for _ in range(args.before_runs):
            before.append(measure([python, "-c", BEFORE], env))
    print()
    print("| check | runs | wall min ms | wall median ms | wall max ms | CPU median ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(row("`nexus-bot healthcheck` (heartbeat)", now))
    print(row("replaced: content check + database ping", before))
    print(row("floor: the same Python starting and exiting (`python -c pass`)", floor))
    print()
    print(load_line("after"))
    print(machine_line(f"script {script}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
