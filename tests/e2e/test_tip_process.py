"""A daily tip from the real `nexus-bot run` process, on an injected clock
(NEXUS_CLOCK_START): the tip arrives at the chosen minute, exactly once, and a
restart later that day does not send it again."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.fake_telegram import ApiCall, LoopbackBotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 777
WITNESS = 778  # due later that day: their tip shows the restarted bot's sender ran
DAY = "2026-11-27"  # a Friday


def tips_to(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    return [
        c
        for c in calls
        if c.method == "sendMessage"
        and c.params.get("chat_id") == chat_id
        and "Tip of the day" in str(c.params.get("text"))
    ]


def replies(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage"]


def claimed_at(data_dir: str, user_id: int) -> list[datetime]:
    """When each of the learner's tips was claimed, on the process clock."""
    with sqlite3.connect(Path(data_dir) / "nexus.db") as database:
        rows = database.execute(
            "SELECT claimed_at FROM tip_deliveries WHERE user_id = ?", (user_id,)
        ).fetchall()
    return [datetime.fromisoformat(at).replace(tzinfo=UTC) for (at,) in rows]


def test_one_tip_at_the_chosen_minute_and_none_after_a_restart(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    api = server.api

    def run_at(clock: str):  # type: ignore[no-untyped-def]
        """Start the bot with its clock reading `clock` (UTC) on DAY."""
        starts = sum(c.method == "setMyCommands" for c in api.calls) + 1
        bot = start_bot(
            "run",
            env={
                **bot_env,
                "NEXUS_TIP_TICK_SECONDS": "1",
                "NEXUS_DEFAULT_TIMEZONE": "UTC",
                "NEXUS_CLOCK_START": f"{DAY}T{clock}+00:00",
            },
        )
        api.wait_for(lambda calls: sum(c.method == "setMyCommands" for c in calls) >= starts, 30)
        return bot

    def say(user: int, text: str) -> str:
        count = len(replies(api.calls)) + 1
        api.push_update(api.message_update(user, text))
        return str(
            replies(api.wait_for(lambda calls: len(replies(calls)) >= count, 20))[-1].params["text"]
        )

    # An hour before: the learner chooses 09:00; the witness 09:30.
    bot = run_at("08:00:00")
    say(USER, "/tips on")
    chosen = say(USER, "/tiptime 09:00")
    assert "Tip time set to <b>09:00</b>." in chosen and "Fri 27 Nov, 09:00" in chosen
    say(WITNESS, "/tips on")
    assert "Fri 27 Nov, 09:30" in say(WITNESS, "/tiptime 09:30")
    assert bot.terminate() == 0
    assert not tips_to(api.calls, USER)

    # Two seconds before 09:00: the tip is due within a tick or two.
    bot = run_at("08:59:58")
    (tip,) = tips_to(api.wait_for(lambda calls: len(tips_to(calls, USER)) >= 1, 30), USER)
    labels = [b["text"] for row in tip.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0] == "📖 Read more"
    assert bot.terminate() == 0
    (claimed,) = claimed_at(bot_env["NEXUS_DATA_DIR"], USER)
    assert datetime.fromisoformat(f"{DAY}T09:00:00+00:00") <= claimed  # not early
    assert claimed < datetime.fromisoformat(f"{DAY}T09:01:00+00:00")  # in the chosen minute

    # Restarted later that day: the witness's tip comes, the learner's does not come
    # again. A clean stop waits for the tip run that sent the witness's (PTB's
    # Application.stop awaits its tasks), and that run takes every learner due by
    # then, so no wait on the wall clock is needed to prove the absence.
    bot = run_at("09:30:00")
    api.wait_for(lambda calls: len(tips_to(calls, WITNESS)) >= 1, 30)
    assert bot.terminate() == 0
    assert len(tips_to(api.calls, WITNESS)) == 1
    assert len(tips_to(api.calls, USER)) == 1
    assert len(claimed_at(bot_env["NEXUS_DATA_DIR"], USER)) == 1
