"""Quiz answers under load: simulated learners answering at once through the full
PTB stack (a running Application fed through its update queue, as polling feeds
it, with its concurrent-update limit; real handlers and services; SQLite; the
flood limiter), against the in-memory fake Bot API.

    python bench/quiz_load.py [--learners 200] [--rounds 1] [--send-rate 29.5] [--smoke]

Each learner sends /quiz, then answers every question and taps "Next", all
learners at once. Reports answers/second over the whole run and, per answer tap,
the latency to its acknowledgement (answerCallbackQuery: the spinner stops, the
"Correct!" toast shows) and to the question's edit (the answer shown), p50/p99.
`--send-rate` is NEXUS_SEND_RATE (the flood limit; 1000 lifts it). `--smoke`: 3
learners, the same code path, a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))

from telegram import Update

from bench.evaluation import median, percentile
from bench.machine import load_line, machine_line
from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.settings import Settings

Waiter = tuple[Callable[[ApiCall], bool], "asyncio.Future[ApiCall]"]


class WatchedBotApi(FakeBotApi):
    """The fake Bot API, telling waiting learners about the calls they wait for (the
    in-memory request serves calls on the event loop's thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.waiters: list[Waiter] = []

    def handle(
        self, method: str, params: dict[str, Any], *, wait: bool = True
    ) -> tuple[int, dict[str, Any]]:
        answer = super().handle(method, params, wait=wait)
        call = self.calls[-1]
        for waiter in [w for w in self.waiters if w[0](call)]:
            self.waiters.remove(waiter)
            waiter[1].set_result(call)
        return answer

    def next_call(
        self, method: str, chat_id: int | None = None, query: str | None = None
    ) -> asyncio.Future[ApiCall]:
        """A future for the next `method` call to `chat_id` (or answering `query`)."""

        def wanted(call: ApiCall) -> bool:
            if call.method != method:
                return False
            if query is not None:
                return bool(call.params.get("callback_query_id") == query)
            return bool(call.params.get("chat_id") == chat_id)

        future: asyncio.Future[ApiCall] = asyncio.get_running_loop().create_future()
        self.waiters.append((wanted, future))
        return future


async def learner(
    nexus: Nexus,
    api: WatchedBotApi,
    user_id: int,
    rounds: int,
    acks: list[float],
    edits: list[float],
) -> int:
    queue = nexus.application.update_queue

    async def tap(message: dict[str, Any], data: str) -> asyncio.Future[ApiCall]:
        """Press the button; the future of its acknowledgement."""
        update = api.callback_update(user_id, message, data)
        ack = api.next_call("answerCallbackQuery", query=update["callback_query"]["id"])
        await queue.put(Update.de_json(update, nexus.application.bot))
        return ack

    answered = 0
    for _ in range(rounds):
        sent = api.next_call("sendMessage", user_id)
        await queue.put(Update.de_json(api.message_update(user_id, "/quiz"), nexus.application.bot))
        question = await sent
        while True:
            data = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            edited = api.next_call("editMessageText", user_id)
            started = time.monotonic()  # the fake stamps its calls with time.monotonic()
            ack = await tap(question.result, data)
            edit = await edited
            acks.append(((await ack).at - started) * 1000)
            edits.append((edit.at - started) * 1000)
            answered += 1
            last_row = edit.params["reply_markup"]["inline_keyboard"][-1][0]
            if last_row["text"] != "Next ▶":
                break
            sent = api.next_call("sendMessage", user_id)
            await tap(edit.result, last_row["callback_data"])
            question = await sent
    return answered


async def run(learners: int, rounds: int, send_rate: float) -> str:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env(
            {
                "NEXUS_DATA_DIR": folder,
                "NEXUS_QUIZ_NEW_PER_DAY": "100",
                "NEXUS_SEND_RATE": str(send_rate),
            }
        )
        api = WatchedBotApi()
        async with Nexus(settings, request=InMemoryRequest(api)) as nexus:
            await nexus.application.start()
            acks: list[float] = []
            edits: list[float] = []
            started = time.perf_counter()
            counts = await asyncio.gather(
                *(learner(nexus, api, 10_000 + i, rounds, acks, edits) for i in range(learners))
            )
            elapsed = time.perf_counter() - started
            await nexus.application.stop()
            stored = 0
            async with nexus.database.unit_of_work() as uow:
                for i in range(learners):
                    stored += (await uow.quizzes.answer_totals(10_000 + i))[0]
    total = sum(counts)
    if stored != total:
        raise SystemExit(f"quiz_load: {total} answers acknowledged but {stored} stored")
    return (
        f"| {learners} | {send_rate:g}/s | {total} | {stored} | {elapsed:.1f} s | "
        f"{total / elapsed:.1f} | {median(acks):.0f} ms | {percentile(acks, 99):.0f} ms | "
        f"{median(edits):.0f} ms | {percentile(edits, 99):.0f} ms |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--send-rate", type=float, default=29.5, help="NEXUS_SEND_RATE")
    parser.add_argument("--smoke", action="store_true", help="3 learners: a few seconds")
    args = parser.parse_args()
    learners = 3 if args.smoke else args.learners
    print(machine_line())
    print(load_line("at the start"))
    print(
        "| learners | send rate | answers | stored | wall time | answers/s | "
        "p50 tap-to-ack | p99 tap-to-ack | p50 tap-to-edit | p99 tap-to-edit |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(asyncio.run(run(learners, args.rounds, args.send_rate)))
    print(load_line("at the end"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
