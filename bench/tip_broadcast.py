"""Daily-tip broadcast benchmark: N subscribers due in the same minute, sent by the
real `nexus-bot run` process through a loopback fake Bot API that enforces
30 messages/second (429 + retry_after past it) and blocks 1% of users (403).

    python bench/tip_broadcast.py [--subscribers 10000] [--kill-at 0.5] [--straight-only]
    python bench/tip_broadcast.py --smoke   # 20 subscribers, straight only, 2 s idle

Runs twice: straight through, then with SIGKILL once `--kill-at` of the tips have
arrived and a restart. Reports messages/second, 429s, duplicates, losses and
"unknown" deliveries (killed mid-send: see the README's delivery policy).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from sqlalchemy import select

from bench.machine import load_line, machine_line
from bench.seeding import seed_due_subscribers
from bot.fake_telegram import ApiCall, FakeBotApi, LoopbackBotApiServer
from storage import Database
from storage.models import TipDelivery

TOKEN = "123456:bench-token"
FIRST_USER = 1_000_000


async def delivery_statuses(url: str) -> Counter[str]:
    database = Database(url)
    async with database.unit_of_work() as uow:
        statuses = (await uow.session.execute(select(TipDelivery.status))).scalars().all()
    await database.close()
    return Counter(statuses)


def tips_received(api: FakeBotApi) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in api.sent("sendMessage")
        if c.result is not None and "Tip of the day" in str(c.params.get("text"))
    )


def start_bot(server: LoopbackBotApiServer, data_dir: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "NEXUS_DATA_DIR": data_dir,
        "NEXUS_TIP_TICK_SECONDS": "1",
        "NEXUS_LOG_LEVEL": "WARNING",
    }
    script = Path(sys.executable).parent / "nexus-bot"
    return subprocess.Popen(
        [str(script), "run"], env=env, stdout=log.open("a"), stderr=subprocess.STDOUT
    )


def run(subscribers: int, kill_at: float | None, idle: float = 20) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data_dir:
        url = f"sqlite+aiosqlite:///{data_dir}/nexus.db"
        due = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(seconds=1)
        asyncio.run(seed_due_subscribers(url, range(FIRST_USER, FIRST_USER + subscribers), due))
        api = FakeBotApi(flood_limit=30)
        blocked = {FIRST_USER + i for i in range(0, subscribers, 100)}  # 1%
        api.blocked_chats |= blocked
        expected = subscribers - len(blocked)
        log = Path(data_dir) / "bot.log"
        with LoopbackBotApiServer(api) as server:
            started = time.monotonic()
            bot = start_bot(server, data_dir, log)
            killed = False
            # Progress is read as len(api.calls): O(1) and lock-free, so watching does not
            # stall the fake server's threads (a stall bunches arrivals into a 429).
            if kill_at is not None:
                while len(api.calls) < subscribers * kill_at:
                    time.sleep(0.2)
                bot.send_signal(signal.SIGKILL)
                bot.wait()
                killed = True
                bot = start_bot(server, data_dir, log)
            # Every subscriber tried (start-up is not idle time), or give up.
            deadline = time.monotonic() + 60 + subscribers / 10
            while len(api.calls) < subscribers and time.monotonic() < deadline:
                time.sleep(0.2)
            last_change, seen = time.monotonic(), -1
            # Done when nothing new has arrived for `idle` s (every learner has been tried).
            while time.monotonic() - last_change < idle:
                if len(api.calls) != seen:
                    seen, last_change = len(api.calls), time.monotonic()
                time.sleep(0.5)
            elapsed = time.monotonic() - started
            sends = api.sent("sendMessage")
            tip_sends = [
                c
                for c in sends
                if c.result is not None and "Tip of the day" in str(c.params.get("text"))
            ]
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
        counts = tips_received(api)
        statuses = asyncio.run(delivery_statuses(url))
        rejected_429 = sum(
            1 for c in sends if c.result is None and int(c.params["chat_id"]) not in blocked
        )
        return {
            "killed": killed,
            "delivered": sum(counts.values()),
            "learners": len(counts),
            "expected": expected,
            "blocked": statuses.get("blocked", 0),
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "lost": expected - len(counts),
            "unknown": statuses.get("unknown", 0) + statuses.get("sending", 0),
            "elapsed": elapsed,
            "rate": sum(counts.values()) / _active_seconds(tip_sends),
            "rejected_429": rejected_429,
        }


def _active_seconds(calls: list[ApiCall]) -> float:
    """Seconds between the first and the last tip the fake API accepted."""
    stamps = sorted(c.at for c in calls) or [0.0]
    return max(stamps[-1] - stamps[0], 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--kill-at", type=float, default=0.5)
    parser.add_argument("--straight-only", action="store_true", help="skip the SIGKILL run")
    parser.add_argument(
        "--smoke", action="store_true", help="20 subscribers, straight only: a few seconds"
    )
    args = parser.parse_args()
    if args.smoke:
        args.subscribers, args.straight_only = 20, True
    idle = 2 if args.smoke else 20
    print(machine_line())
    print(load_line("at start"))
    print(
        "| run | subscribers | tips delivered | msg/s | 429s | blocked (403) | duplicates | lost | unknown | wall time |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    runs: list[tuple[str, float | None]] = [("straight", None)]
    if not args.straight_only:
        runs.append((f"SIGKILL at {args.kill_at:.0%}, restart", args.kill_at))
    failed = False
    for name, kill in runs:
        r = run(args.subscribers, kill, idle)
        failed |= bool(r["duplicates"] or r["lost"])
        print(
            f"| {name} | {args.subscribers:,} | {r['delivered']:,} | {r['rate']:.2f} | "
            f"{r['rejected_429']} | {r['blocked']} | {r['duplicates']} | {r['lost']} | "
            f"{r['unknown']} | {r['elapsed']:.0f} s |",
            flush=True,
        )
    print(load_line("at end"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
