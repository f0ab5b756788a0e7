"""Quiz answers under load: simulated learners answering concurrently through the
full PTB stack (real Application, handlers, services) on SQLite, against the
in-memory fake Bot API.

    python bench/quiz_load.py [--learners 200] [--rounds 1]

Each learner sends /quiz, then answers every question and taps "Next", all
learners at once. Reports answers/second over the whole run and the latency from
feeding an answer update to its reply having been sent (p50/p99).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.evaluation import median, percentile
from bot.app import Nexus
from bot.fake_telegram import FakeBotApi, InMemoryRequest
from bot.settings import Settings


async def learner(
    nexus: Nexus, api: FakeBotApi, user_id: int, rounds: int, latencies: list[float]
) -> int:
    answered = 0
    for _ in range(rounds):
        before = len(api.calls)
        await nexus.feed(api.message_update(user_id, "/quiz"))
        question = next(
            c
            for c in api.calls[before:]
            if c.method == "sendMessage" and c.params["chat_id"] == user_id
        )
        while True:
            data = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            before = len(api.calls)
            started = time.perf_counter()
            await nexus.feed(api.callback_update(user_id, question.result, data))
            latencies.append((time.perf_counter() - started) * 1000)
            answered += 1
            edit = next(
                c
                for c in api.calls[before:]
                if c.method == "editMessageText" and c.params["chat_id"] == user_id
            )
            last_row = edit.params["reply_markup"]["inline_keyboard"][-1][0]
            if last_row["text"] != "Next ▶":
                break
            before = len(api.calls)
            await nexus.feed(api.callback_update(user_id, edit.result, last_row["callback_data"]))
            question = next(
                c
                for c in api.calls[before:]
                if c.method == "sendMessage" and c.params["chat_id"] == user_id
            )
    return answered


async def run(learners: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env({"NEXUS_DATA_DIR": folder, "NEXUS_QUIZ_NEW_PER_DAY": "100"})
        api = FakeBotApi()
        async with Nexus(settings, request=InMemoryRequest(api)) as nexus:
            latencies: list[float] = []
            started = time.perf_counter()
            counts = await asyncio.gather(
                *(learner(nexus, api, 10_000 + i, rounds, latencies) for i in range(learners))
            )
            elapsed = time.perf_counter() - started
            stored = 0
            async with nexus.database.unit_of_work() as uow:
                for i in range(learners):
                    stored += (await uow.quizzes.answer_totals(10_000 + i))[0]
    total = sum(counts)
    print(f"machine: {platform.machine()}, CPython {platform.python_version()}")
    print(
        "| learners | answers | stored | wall time | answers/s | p50 update-to-reply | p99 update-to-reply |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {learners} | {total} | {stored} | {elapsed:.2f} s | {total / elapsed:.0f} | "
        f"{median(latencies):.1f} ms | {percentile(latencies, 99):.1f} ms |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(run(args.learners, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
