"""A first start interrupted while it encodes the knowledge base, then started again.

    python bench/interrupted_first_start.py [--after 20] [--signal term|kill] [--runs 1]
    python bench/interrupted_first_start.py --smoke   # the small test content, seconds

A first start (an empty vector cache) encodes every phrasing and answer passage
before it can answer a question, about a minute on 2 cores. A rollout, an OOM kill
or a liveness probe can stop it meanwhile. Per run, each with its own empty cache
and the loopback fake Bot API (bot/fake_telegram/server.py), as in
bench/startup_memory.py:

1. **uninterrupted**: `nexus-bot run`, a question sent as polling begins: start →
   the question answered;
2. **interrupted**: the same, but `--after` seconds after polling began the process
   gets SIGTERM (or SIGKILL), and is started again on the same cache and database:
   the second start → the question answered, and the two starts' time added.

With progress kept, the second start encodes only what the first did not; without
it, it starts over. `--smoke` runs the same steps on the tests' small content
(tests/fixtures/content), interrupted as polling begins: the figures mean nothing,
the code path is the same. Run it with `PYTHONPATH` set to another checkout to measure that
code (the installed `nexus-bot` imports from there).
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.machine import load_line, machine_line
from bench.startup_memory import (
    QUESTION,
    STOP_TIMEOUT_S,
    USER,
    WARM_UP_TIMEOUT_S,
    WatchedApi,
    command,
    environment,
    is_reply,
    nexus_code,
    wait_until_polling,
)
from bot.fake_telegram import LoopbackBotApiServer

FIXTURE_CONTENT = Path(__file__).parents[1] / "tests" / "fixtures" / "content"
# The warning a start logs before a long encoding (content/encoder.py).
ANNOUNCED = re.compile(r"Encoding (\d+) texts of the knowledge base")


def announced_texts(log: Path) -> list[int]:
    """How many texts each start announced it would encode, in order (a start with
    fewer than the announcing threshold says nothing)."""
    return [int(n) for n in ANNOUNCED.findall(log.read_text(errors="replace"))]


def start_and_ask(
    data_dir: Path,
    cache_dir: Path,
    log: Path,
    interrupt_after: float | None,
    how: signal.Signals,
    content_dir: Path | None = None,
) -> tuple[float, bool]:
    """Seconds from spawn to the question answered (answered=True), or to the process
    having exited after the interruption (answered=False)."""
    api = WatchedApi()
    with LoopbackBotApiServer(api) as server, log.open("ab") as out:
        env = environment(server, data_dir, cache_dir)
        if content_dir is not None:
            env["NEXUS_CONTENT_DIR"] = str(content_dir)
        started = time.monotonic()
        process = subprocess.Popen(
            command("nexus"),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_polling(api, process, WARM_UP_TIMEOUT_S, log)
            api.push_update(api.message_update(USER, QUESTION))
            if interrupt_after is not None:
                time.sleep(interrupt_after)
                if content_dir is None and any(is_reply(c) for c in api.calls):
                    raise RuntimeError("answered before the interruption: use a smaller --after")
                process.send_signal(how)
                process.wait(timeout=STOP_TIMEOUT_S)
                return time.monotonic() - started, False
            reply = next(
                c
                for c in api.wait_for(
                    lambda calls: any(is_reply(c) for c in calls), timeout=WARM_UP_TIMEOUT_S
                )
                if is_reply(c)
            )
            elapsed = reply.at - started
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=STOP_TIMEOUT_S)
            return elapsed, True
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--after", type=float, default=20.0, help="seconds after polling began (default 20)"
    )
    parser.add_argument("--signal", choices=("term", "kill"), default="term")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--smoke", action="store_true", help="the tests' small content, interrupted at once"
    )
    args = parser.parse_args()
    content_dir = FIXTURE_CONTENT if args.smoke else None
    if args.smoke:
        args.after, args.runs = 0.0, 1
    how = signal.SIGTERM if args.signal == "term" else signal.SIGKILL
    print(machine_line())
    print(load_line("at start"))
    print(f"nexus-bot: {command('nexus')[0]} (code in {nexus_code()})")
    uninterrupted, second, total = [], [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            plain, _ = start_and_ask(
                root / "a-data", root / "a-cache", root / "a.log", None, signal.SIGTERM, content_dir
            )
            first, _ = start_and_ask(
                root / "b-data", root / "b-cache", root / "b.log", args.after, how, content_dir
            )
            again, answered = start_and_ask(
                root / "b-data", root / "b-cache", root / "b.log", None, signal.SIGTERM, content_dir
            )
            assert answered
            encoded = announced_texts(root / "b.log")
        uninterrupted.append(plain)
        second.append(again)
        total.append(first + again)
        print(
            f"run {run + 1}: uninterrupted start -> answered {plain:.1f} s; SIG{args.signal.upper()} "
            f"{args.after:g} s after polling began, then started again: answered {again:.1f} s "
            f"after the second start ({first + again:.1f} s for both); texts each start "
            f"announced it would encode: {encoded}",
            flush=True,
        )
    print(
        f"\nmedians of {args.runs}: uninterrupted {statistics.median(uninterrupted):.1f} s; "
        f"second start -> answered {statistics.median(second):.1f} s; both starts "
        f"{statistics.median(total):.1f} s"
    )
    print(load_line("at the end"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
