"""A burst of quiz taps through the running Application (its update queue and its
limit of concurrent updates, as polling feeds it): every tap is acknowledged while
the flood limiter still holds every edit back, and the edits follow in order.

The limiter runs on gated virtual time: while the gate is shut, a rate-limited
message that has to wait for its slot waits for good, so "acknowledged before any
edit" is a fact of the run, not a race won on a fast machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from telegram import Update

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi
from bot.telegram.application import CONCURRENT_UPDATES

LEARNERS = CONCURRENT_UPDATES * 2 + 3  # more taps than the Application handles at once
FIRST_USER = 40_000


class GatedTime:
    """Virtual seconds for the limiter: a sleep ends at once while the gate is open
    (time jumps to its deadline) and not before the gate opens while it is shut.
    Unlike tests/fakes.VirtualTime it needs nobody to drive it, so the database's
    threads and the Application's own tasks can run meanwhile."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.open = asyncio.Event()
        self.open.set()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        deadline = self.now + seconds
        await self.open.wait()
        self.now = max(self.now, deadline)


def count(calls: list[ApiCall], method: str) -> int:
    return sum(c.method == method for c in calls)


async def calls_until(api: FakeBotApi, done: Callable[[list[ApiCall]], bool]) -> list[ApiCall]:
    """Wait (on the fake's condition, in a thread: the loop keeps running) until
    `done` holds; fails after 20 s instead of hanging."""
    return await asyncio.to_thread(api.wait_for, done, 20.0)


async def test_every_tap_is_acknowledged_before_the_flood_queue_moves(
    nexus: Nexus, api: FakeBotApi
) -> None:
    time_ = GatedTime()
    nexus.limiter._clock = time_.clock  # the limiter's injectable clock and sleep
    nexus.limiter._sleep = time_.sleep
    users = [FIRST_USER + i for i in range(LEARNERS)]
    await asyncio.gather(*(nexus.feed(api.message_update(u, "/quiz")) for u in users))
    questions = {c.params["chat_id"]: c for c in api.calls if c.method == "sendMessage"}
    assert sorted(questions) == users

    application = nexus.application
    await application.start()  # the update fetcher, with its concurrent-update limit
    try:
        # Shut: the next rate-limited message waits for its slot (spaced 1/rate after
        # the last question's), and so does every one after it.
        time_.open.clear()
        before = len(api.calls)
        for user in users:
            question = questions[user]
            data = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            tap = api.callback_update(user, question.result, data)
            await application.update_queue.put(Update.de_json(tap, application.bot))
        # Every tap is acknowledged, and no edit has gone out.
        acknowledged = await calls_until(
            api, lambda calls: count(calls[before:], "answerCallbackQuery") == LEARNERS
        )
        assert count(acknowledged[before:], "editMessageText") == 0
        # Open: the edits follow, one per learner, each after its acknowledgement.
        time_.open.set()
        await calls_until(api, lambda calls: count(calls[before:], "editMessageText") == LEARNERS)
        await nexus.followups.settle()
    finally:
        time_.open.set()  # on a failure too: stop() waits for the updates in progress
        await application.stop()
    burst = api.calls[before:]
    edited = [c.params["chat_id"] for c in burst if c.method == "editMessageText"]
    assert sorted(edited) == users
    acks = [i for i, c in enumerate(burst) if c.method == "answerCallbackQuery"]
    first_edit = next(i for i, c in enumerate(burst) if c.method == "editMessageText")
    assert max(acks) < first_edit


async def test_a_burst_of_quiz_commands_does_not_delay_a_tap(nexus: Nexus, api: FakeBotApi) -> None:
    time_ = GatedTime()
    nexus.limiter._clock = time_.clock
    nexus.limiter._sleep = time_.sleep
    tapper = FIRST_USER - 1
    await nexus.feed(api.message_update(tapper, "/quiz"))
    (question,) = [c for c in api.calls if c.method == "sendMessage"]
    data = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    application = nexus.application
    await application.start()
    try:
        time_.open.clear()  # no question can go out
        before = len(api.calls)
        for user in range(FIRST_USER, FIRST_USER + LEARNERS):
            command = api.message_update(user, "/quiz")
            await application.update_queue.put(Update.de_json(command, application.bot))
        tap = api.callback_update(tapper, question.result, data)
        await application.update_queue.put(Update.de_json(tap, application.bot))
        # The /quiz handlers started their rounds and returned: the tap behind them
        # is read and acknowledged while none of their questions has gone out.
        calls = await calls_until(
            api, lambda calls: count(calls[before:], "answerCallbackQuery") == 1
        )
        assert count(calls[before:], "sendMessage") == 0
        time_.open.set()
        await calls_until(api, lambda calls: count(calls[before:], "sendMessage") == LEARNERS)
        await nexus.followups.settle()
    finally:
        time_.open.set()
        await application.stop()
