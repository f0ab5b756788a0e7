"""Two webhook replicas on one PostgreSQL database under load: messages delivered,
duplicated and lost, and the rate.

As behind a load balancer: every question must be answered once, every quiz answer
counted once (its button press reaches both replicas, as a retry after a timeout
would), and every due tip sent exactly once across both replicas.

    python bench/replica_load.py [--learners 50] [--subscribers 2000] [--send-rate 14.5]

Needs a PostgreSQL server: NEXUS_TEST_DATABASE_URL (default
postgresql+asyncpg://postgres@127.0.0.1:5432/test); a fresh database is created
and dropped afterwards. The loopback fake Bot API accepts at most 30 messages in
any one second, as Telegram does (429 past it). For each phase it prints the
messages expected, delivered, duplicated and lost, and the rate; exit code 1 if
anything was duplicated or lost. tests/e2e/test_replicas.py is the small version
that runs in the slow test tier.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from sqlalchemy import func, select

from bench.machine import load_line, machine_line
from bench.seeding import seed_due_subscribers
from bench.webhook_load import free_port, post, start, wait_until_answering
from bot.fake_telegram import ApiCall, FakeBotApi, LoopbackBotApiServer
from storage import Database
from storage.models import QuizAnswer, TipDelivery
from tests.conftest import create_postgres_database, drop_postgres_database

FIRST_LEARNER = 2000
FIRST_SUBSCRIBER = 100_000
TIP = "Tip of the day"


def accepted(api: FakeBotApi, chat_ids: range, marker: str) -> list[ApiCall]:
    """Messages the fake Bot API accepted for chats in `chat_ids` with `marker` in the text."""
    return [
        c
        for c in api.sent("sendMessage")
        if c.result is not None
        and int(c.params["chat_id"]) in chat_ids
        and marker in c.params["text"]
    ]


def sent_to(api: FakeBotApi, chat_ids: range, marker: str) -> Counter[int]:
    """How many of those messages each chat got."""
    return Counter(int(c.params["chat_id"]) for c in accepted(api, chat_ids, marker))


async def count_rows(url: str, table: type) -> int:
    database = Database(url)
    async with database.unit_of_work() as uow:
        result = (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()
    await database.close()
    return int(result)


@dataclass
class Phase:
    name: str
    expected: int
    delivered: int  # distinct recipients (or rows) that got theirs
    duplicates: int  # messages (or rows) beyond one per recipient
    seconds: float

    @property
    def lost(self) -> int:
        return self.expected - self.delivered

    def row(self) -> str:
        rate = (self.delivered + self.duplicates) / self.seconds if self.seconds else 0.0
        return (
            f"| {self.name} | {self.expected:,} | {self.delivered:,} | {self.duplicates} | "
            f"{self.lost} | {rate:.1f} | {self.seconds:.1f} s |"
        )


def wait_until(api: FakeBotApi, done: Callable[[list[ApiCall]], bool], timeout: float) -> None:
    with contextlib.suppress(TimeoutError):  # what did not arrive is reported as lost
        api.wait_for(done, timeout=timeout)


def messages(api: FakeBotApi, name: str, chats: range, marker: str, began: float) -> Phase:
    received = sent_to(api, chats, marker)
    stamps = [c.at for c in accepted(api, chats, marker)]
    return Phase(
        name,
        len(chats),
        len(received),
        sum(received.values()) - len(received),
        max(stamps, default=began) - began,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=50, help="questions and quiz rounds")
    parser.add_argument("--subscribers", type=int, default=2000, help="daily tips due at once")
    parser.add_argument(
        "--send-rate",
        default="14.5",
        help="NEXUS_SEND_RATE of each replica (the bot's ~30/s budget shared by two)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait per phase")
    parser.add_argument(
        "--smoke", action="store_true", help="3 learners, 20 subscribers: a few seconds"
    )
    args = parser.parse_args()
    if args.smoke:
        args.learners, args.subscribers, args.timeout = 3, 20, 60
    server_url = os.environ.get(
        "NEXUS_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    learners = range(FIRST_LEARNER, FIRST_LEARNER + args.learners)
    subscribers = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + args.subscribers)
    print(machine_line())
    print(load_line("at start"))
    rng = random.Random(11)
    with (
        tempfile.TemporaryDirectory() as folder,
        LoopbackBotApiServer(FakeBotApi(flood_limit=30)) as server,
    ):
        api = server.api
        url = asyncio.run(create_postgres_database(server_url))
        ports = [free_port(), free_port()]
        replicas = [
            start(server, url, port, folder, args.send_rate, log_level="INFO") for port in ports
        ]
        urls = [f"http://127.0.0.1:{port}/telegram" for port in ports]
        phases: list[Phase] = []
        try:
            wait_until_answering(api, urls)
            began = time.monotonic()
            for user in learners:  # each to a random replica
                post(rng.choice(urls), api.message_update(user, "what is an etag"))
            wait_until(api, lambda _: len(sent_to(api, learners, "ETag")) == len(learners), 60)
            phases.append(messages(api, "answers", learners, "ETag", began))

            for user in learners:
                post(rng.choice(urls), api.message_update(user, "/quiz"))
            wait_until(
                api, lambda _: len(sent_to(api, learners, "Question 1/5")) == len(learners), 60
            )
            began = time.monotonic()
            for call in api.sent("sendMessage"):
                if call.result is not None and "Question 1/5" in call.params["text"]:
                    option = call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                    tap = api.callback_update(int(call.params["chat_id"]), call.result, option)
                    for replica in urls:  # the same press reaches both replicas
                        post(replica, tap)
            edits = len(learners)
            wait_until(
                api, lambda calls: sum(c.method == "editMessageText" for c in calls) >= edits, 60
            )
            stored = asyncio.run(count_rows(url, QuizAnswer))
            phases.append(
                Phase(
                    "quiz answers (stored)",
                    len(learners),
                    min(stored, len(learners)),
                    max(0, stored - len(learners)),
                    time.monotonic() - began,
                )
            )

            due = datetime.now(UTC) - timedelta(seconds=5)
            asyncio.run(seed_due_subscribers(url, subscribers, due))
            began = time.monotonic()
            wait_until(
                api, lambda _: len(sent_to(api, subscribers, TIP)) == len(subscribers), args.timeout
            )
            phases.append(messages(api, "daily tips", subscribers, TIP, began))
            rows = asyncio.run(count_rows(url, TipDelivery))
        finally:
            for replica in replicas:
                replica.terminate()
                replica.wait(timeout=30)
            asyncio.run(drop_postgres_database(server_url, url))
        shares = [
            (Path(folder) / f"bot-{port}.log").read_text().count("event=tip.sent") for port in ports
        ]
        rejected = sum(1 for c in api.sent("sendMessage") if c.result is None)
    print()
    print(
        f"two replicas, NEXUS_SEND_RATE={args.send_rate} each, fake Bot API limit 30 msg/s; "
        f"rate = messages accepted per second from the phase's start to its last message"
    )
    print()
    print("| phase | expected | delivered | duplicates | lost | msg/s | time |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for phase in phases:
        print(phase.row())
    print()
    print(
        f"tips sent per replica: {shares[0]:,} and {shares[1]:,}; tip delivery rows: {rows:,}; "
        f"429s from the fake Bot API: {rejected}"
    )
    print(load_line("at the end"))
    return 1 if any(p.duplicates or p.lost for p in phases) else 0


if __name__ == "__main__":
    raise SystemExit(main())
