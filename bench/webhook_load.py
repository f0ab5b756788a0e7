"""Webhook replicas under load: updates/second and update-to-reply latency through
one and two `nexus-bot run --webhook` processes sharing one PostgreSQL database,
and a daily-tip broadcast shared by two replicas.

    python bench/webhook_load.py [--updates 2000] [--clients 32] [--subscribers 2000]

Needs a PostgreSQL server: NEXUS_TEST_DATABASE_URL (default
postgresql+asyncpg://postgres@127.0.0.1:5432/test); a fresh database is created
for each run and dropped afterwards. Updates are questions from distinct users,
posted by `--clients` concurrent HTTP clients round-robin across the replicas (as
a load balancer would); latency runs from the POST to the fake Bot API receiving
the reply. Each replica first answers one question of its own before the clock
starts: a replica takes updates while it builds its matcher, and what is measured
is a running one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.evaluation import median, percentile
from bench.machine import load_line, machine_line
from bench.seeding import seed_due_subscribers
from bot.fake_telegram import FakeBotApi, LoopbackBotApiServer
from bot.presentation.views import WARMING_UP
from tests.conftest import create_postgres_database, drop_postgres_database

SECRET = "bench-secret"
WARM_UP_CHAT = 400_000  # the chats that ask each replica a first question
QUESTIONS = [
    "what is an etag",
    "select_related vs prefetch_related",
    "how do refresh tokens work",
    "my list endpoint does one query per row",
    "k8s readiness vs liveness probe",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    server: LoopbackBotApiServer,
    url: str,
    port: int,
    folder: str,
    rate: str,
    log_level: str = "WARNING",
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "123456:bench",
        "TELEGRAM_API_BASE_URL": server.base_url,
        "NEXUS_DATABASE_URL": url,
        "NEXUS_DATA_DIR": folder,
        "NEXUS_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "NEXUS_WEBHOOK_SECRET": SECRET,
        "NEXUS_PORT": str(port),
        "NEXUS_SEND_RATE": rate,
        "NEXUS_TIP_TICK_SECONDS": "1",
        "NEXUS_MESSAGES_PER_MINUTE": "1000",
        "NEXUS_LOG_LEVEL": log_level,
    }
    script = Path(sys.executable).parent / "nexus-bot"
    log = open(Path(folder) / f"bot-{port}.log", "ab")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [str(script), "run", "--webhook"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("replica did not start")


def answers(api: FakeBotApi) -> dict[int, float]:
    """When each chat got its first answer: a sendMessage that is not Nexus's note that
    a question waits for the matcher still being built after a start."""
    found: dict[int, float] = {}
    for call in api.sent("sendMessage"):
        if call.params["text"] != WARMING_UP.text:
            found.setdefault(int(call.params["chat_id"]), call.at)
    return found


def wait_until_answering(api: FakeBotApi, urls: list[str], timeout: float = 600) -> None:
    """A replica takes updates while it builds its matcher (questions wait for it):
    ask each one question, from a chat of its own, and wait for the answers, so that
    what is measured next is a running bot (a first start encodes for a minute)."""
    chats = [WARM_UP_CHAT + number for number in range(len(urls))]
    for chat, url in zip(chats, urls, strict=True):
        post(url, api.message_update(chat, QUESTIONS[0]))
    api.wait_for(lambda _: set(chats) <= set(answers(api)), timeout=timeout)


def post(url: str, update: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Telegram-Bot-Api-Secret-Token", SECRET)
    urllib.request.urlopen(request, timeout=30).read()


def updates_run(
    server_url: str, replicas: int, updates: int, clients: int, send_rate: float
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, LoopbackBotApiServer(FakeBotApi()) as server:
        url = asyncio.run(create_postgres_database(server_url))
        ports = [free_port() for _ in range(replicas)]
        processes = [start(server, url, port, folder, str(send_rate / replicas)) for port in ports]
        api = server.api
        wait_until_answering(api, [f"http://127.0.0.1:{port}/telegram" for port in ports])
        posted: dict[int, float] = {}
        batch = [
            api.message_update(500_000 + i, QUESTIONS[i % len(QUESTIONS)]) for i in range(updates)
        ]

        def send(index: int) -> None:
            update = batch[index]
            posted[update["message"]["chat"]["id"]] = time.monotonic()
            post(f"http://127.0.0.1:{ports[index % replicas]}/telegram", update)

        started = time.monotonic()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(send, range(updates)))
        api.wait_for(lambda _: set(posted) <= set(answers(api)), timeout=600)
        replies = answers(api)
        finished = max(replies[chat] for chat in posted)
        latencies = [(replies[chat] - at) * 1000 for chat, at in posted.items()]
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        asyncio.run(drop_postgres_database(server_url, url))
    return {
        "replicas": replicas,
        "updates": updates,
        "rate": updates / (finished - started),
        "p50": median(latencies),
        "p99": percentile(latencies, 99),
    }


def tips_run(server_url: str, subscribers: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as folder,
        LoopbackBotApiServer(FakeBotApi(flood_limit=30)) as server,
    ):
        url = asyncio.run(create_postgres_database(server_url))
        due = datetime.now(UTC) - timedelta(seconds=5)
        asyncio.run(seed_due_subscribers(url, range(900_000, 900_000 + subscribers), due))
        processes = [start(server, url, free_port(), folder, "14.5") for _ in range(2)]
        api = server.api

        def tips() -> list:  # type: ignore[type-arg]
            return [
                c
                for c in api.sent("sendMessage")
                if c.result is not None and "Tip of the day" in c.params["text"]
            ]

        while len(tips()) < subscribers:
            time.sleep(0.5)
        delivered = tips()
        rejected = sum(1 for c in api.sent("sendMessage") if c.result is None)
        chats = [int(c.params["chat_id"]) for c in delivered]
        stamps = sorted(c.at for c in delivered)
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        asyncio.run(drop_postgres_database(server_url, url))
    return {
        "subscribers": subscribers,
        "delivered": len(delivered),
        "duplicates": len(chats) - len(set(chats)),
        "rate": len(delivered) / (stamps[-1] - stamps[0]),
        "rejected_429": rejected,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument(
        "--send-rate",
        type=float,
        default=1000.0,
        help="replies/s allowed across all replicas (29.5 = Telegram's real limit; "
        "the default lifts it to measure processing)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="40 updates, 20 subscribers: a few seconds"
    )
    args = parser.parse_args()
    if args.smoke:
        args.updates, args.clients, args.subscribers = 40, 4, 20
    server_url = os.environ.get(
        "NEXUS_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    print(machine_line())
    print(load_line("at the start"))
    print(
        "| replicas | send rate (all replicas) | updates | updates/s | p50 update-to-reply | p99 update-to-reply |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for replicas in (1, 2):
        r = updates_run(server_url, replicas, args.updates, args.clients, args.send_rate)
        print(
            f"| {replicas} | {args.send_rate:g}/s | {r['updates']:,} | {r['rate']:.0f} | "
            f"{r['p50']:.0f} ms | {r['p99']:.0f} ms |",
            flush=True,
        )
    t = tips_run(server_url, args.subscribers)
    print()
    print("| tip broadcast | subscribers | delivered | duplicates | msg/s (both replicas) | 429s |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(
        f"| 2 replicas x NEXUS_SEND_RATE=14.5 | {t['subscribers']:,} | {t['delivered']:,} | "
        f"{t['duplicates']} | {t['rate']:.2f} | {t['rejected_429']} |"
    )
    print(load_line("at the end"))
    return 1 if t["duplicates"] or t["delivered"] != t["subscribers"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
