"""How long the /progress picture takes to draw and how large it is: the renderer
(bot/presentation/progress_image.py: layout, drawing and PNG encoding, what the bot
runs in a worker thread) on a typical learner and on the largest picture the
shipped knowledge base can give (all 20 topics with long titles, a busy calendar).

    python bench/progress_image.py [--runs 50] [--smoke] [--out DIR]

The first render of a process (it loads the bundled font) is reported apart; then
`--runs` renders each: min, median and max wall time (time.perf_counter) and the
PNG's size. The budgets are 300 ms and 200 KB; the script fails if a picture is
over 200 KB (the size does not depend on the machine), and reports the time.
`--out` writes the PNGs there to look at. `--smoke`: 3 runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

import PIL

from bench.machine import load_line, machine_line
from bot.presentation.progress_image import ProgressPicture, render

BUDGET_MS = 300
BUDGET_BYTES = 200 * 1024
START = date(2026, 9, 7)  # a Monday; 82 days to a Friday

CASES = {
    "typical: 4 topics, a few rounds a week": ProgressPicture(
        topics=(("HTTP caching", 60), ("Databases", 35), ("Django", 10), ("Queues", 0)),
        activity=tuple(5 if i % 3 == 0 else 0 for i in range(82)),
        start=START,
        streak=1,
        best_streak=4,
    ),
    "largest: 20 long topic titles, every day busy": ProgressPicture(
        topics=tuple((f"A rather long topic title number {i} and more", i * 5) for i in range(20)),
        activity=tuple((i * 7) % 23 for i in range(84)),
        start=START,
        streak=84,
        best_streak=84,
    ),
}


def import_ms() -> float:
    """Wall time of a fresh interpreter importing what the renderer imports, less
    one that imports nothing."""

    def run(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - started

    bare = statistics.median(run("pass") for _ in range(3))
    pillow = statistics.median(run("from PIL import Image, ImageDraw, ImageFont") for _ in range(3))
    return 1000 * (pillow - bare)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--smoke", action="store_true", help="3 runs: the code path only")
    parser.add_argument("--out", type=Path, help="write the PNGs to this folder")
    args = parser.parse_args()
    runs = 3 if args.smoke else args.runs
    print(machine_line(f"Pillow {PIL.__version__}"))
    print(load_line("before"))
    started = time.perf_counter()
    first = render(next(iter(CASES.values())))
    print(
        f"first render of the process (loads the font): {1000 * (time.perf_counter() - started):.0f} ms"
    )
    print(f"importing Pillow in a fresh interpreter: {import_ms():.0f} ms")
    print()
    print("| picture | size | runs | min ms | median ms | max ms |")
    print("|---|---|---|---|---|---|")
    too_large = []
    for name, picture in CASES.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            png = render(picture)
            times.append(1000 * (time.perf_counter() - started))
        times.sort()
        print(
            f"| {name} | {len(png) / 1024:.0f} KB | {runs} | {times[0]:.0f} | "
            f"{statistics.median(times):.0f} | {times[-1]:.0f} |"
        )
        if len(png) > BUDGET_BYTES:
            too_large.append(name)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name.split(':')[0]}.png").write_bytes(png)
    assert first  # rendered once before timing
    print()
    print(load_line("after"))
    print(f"budgets: {BUDGET_MS} ms, {BUDGET_BYTES // 1024} KB")
    if too_large:
        print(f"over {BUDGET_BYTES // 1024} KB: {', '.join(too_large)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
