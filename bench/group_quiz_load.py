"""A group quiz under load: many members of one group answering one question within
a few seconds, through the full PTB stack (a running Application fed through its
update queue, real handlers and services, SQLite, the flood limiter) against the
in-memory fake Bot API.

    python bench/group_quiz_load.py [--members 500] [--within 10] [--send-rate 29.5] [--smoke]

One member sends /quiz in the group; every member taps an option at a random
moment within `--within` seconds (one in ten taps twice); the group quiz tick runs
every 2 s as the job queue runs it; then the starter presses Reveal. Reports each
tap's latency to its private acknowledgement (answerCallbackQuery) p50/p99, asserts
that every member's answer is stored exactly once and that the reveal is one
editMessageText, and prints how many "N answered" edits were made. `--smoke`: 20
members within 1 s, the same code path, a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))

from telegram import Update

from bench.evaluation import median, percentile
from bench.machine import load_line, machine_line
from bench.quiz_load import WatchedBotApi
from bot.app import Nexus
from bot.fake_telegram import InMemoryRequest
from bot.settings import Settings

GROUP = {"id": -100777, "type": "supergroup", "title": "cohort"}
STARTER = 9_000
TICK_SECONDS = 2.0


async def member(
    nexus: Nexus,
    api: WatchedBotApi,
    user_id: int,
    question: dict[str, Any],
    data: str,
    delay: float,
    taps: int,
    acks: list[float],
) -> None:
    await asyncio.sleep(delay)
    for _ in range(taps):
        update = api.callback_update(user_id, question, data, first_name=f"M{user_id}")
        ack = api.next_call("answerCallbackQuery", query=update["callback_query"]["id"])
        started = time.monotonic()  # the fake stamps its calls with time.monotonic()
        await nexus.application.update_queue.put(Update.de_json(update, nexus.application.bot))
        acks.append(((await ack).at - started) * 1000)


async def ticking(nexus: Nexus, stop: asyncio.Event) -> None:
    """The group quiz job, as bot/app.py schedules it."""
    handlers = nexus.handlers.group_quiz
    assert handlers is not None
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), TICK_SECONDS)
        except TimeoutError:
            await handlers.run_due(nexus.application.bot)


async def run(members: int, within: float, send_rate: float, seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env(
            {
                "NEXUS_DATA_DIR": folder,
                "NEXUS_SEND_RATE": str(send_rate),
                "NEXUS_GROUP_QUIZ_SECONDS": "600",  # the starter reveals, not the timer
                "NEXUS_MESSAGES_PER_MINUTE": "1000",
            }
        )
        api = WatchedBotApi()
        async with Nexus(settings, request=InMemoryRequest(api)) as nexus:
            await nexus.application.start()
            bot = nexus.application.bot
            posted = api.next_call("sendMessage", GROUP["id"])
            start = api.group_message_update(STARTER, "/quiz", GROUP, first_name="Starter")
            await nexus.application.update_queue.put(Update.de_json(start, bot))
            question = await posted
            buttons = [
                r[0]["callback_data"] for r in question.params["reply_markup"]["inline_keyboard"]
            ]
            options, reveal_button = buttons[:-1], buttons[-1]
            stop = asyncio.Event()
            tick = asyncio.create_task(ticking(nexus, stop))
            acks: list[float] = []
            users = [10_000 + i for i in range(members)]
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    member(
                        nexus,
                        api,
                        user,
                        question.result,
                        rng.choice(options),
                        rng.uniform(0, within),
                        2 if index % 10 == 0 else 1,
                        acks,
                    )
                    for index, user in enumerate(users)
                )
            )
            answering = time.perf_counter() - started
            revealed = api.next_call("editMessageText", GROUP["id"])
            press = api.callback_update(STARTER, question.result, reveal_button)
            await nexus.application.update_queue.put(Update.de_json(press, bot))
            reveal = await revealed
            while "reply_markup" in reveal.params:  # a late "N answered" edit came first
                reveal = await api.next_call("editMessageText", GROUP["id"])
            stop.set()
            await tick
            await nexus.application.stop()
            await nexus.followups.settle()
            handlers = nexus.handlers.group_quiz
            assert handlers is not None
            round_id, position = (int(x) for x in reveal_button.split(":")[1:])
            stored = await handlers.service.answered(round_id, position)
            edits = api.edits_of(question.result)
    reveals = [e for e in edits if "reply_markup" not in e.params]
    counted = [e for e in edits if "reply_markup" in e.params]
    taps = len(acks)
    assert stored == members, f"{stored} answers stored for {members} members"
    assert len(reveals) == 1, f"{len(reveals)} reveal edits"
    assert f"👥 {members} answered" in reveals[0].params["text"]
    note = f"every answer counted once: {members} members, {taps} taps, {stored} stored"
    return note, (
        f"| {members} | {within:g} s | {taps} | {stored} | {answering:.1f} s | "
        f"{median(acks):.0f} ms | {percentile(acks, 99):.0f} ms | {len(counted)} | "
        f"{len(reveals)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--within", type=float, default=10.0, help="seconds the taps spread over")
    parser.add_argument("--send-rate", type=float, default=29.5, help="NEXUS_SEND_RATE")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="20 members within 1 s")
    args = parser.parse_args()
    members, within = (20, 1.0) if args.smoke else (args.members, args.within)
    print(machine_line())
    print(load_line("at the start"))
    print(
        "| members | taps within | taps | answers stored | answering time | "
        'p50 tap-to-ack | p99 tap-to-ack | "N answered" edits | reveal edits |'
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    note, row = asyncio.run(run(members, within, args.send_rate, args.seed))
    print(row)
    print(note)
    print(load_line("at the end"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
