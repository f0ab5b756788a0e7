"""A weekly digest from the real `nexus-bot run` process, on an injected clock
(NEXUS_CLOCK_START): the JobQueue's digest tick sends it on Sunday at the tip
time, exactly once, and a restart later that Sunday does not send it again."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.fake_telegram import ApiCall, LoopbackBotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 787
WITNESS = 788  # due later that Sunday: their digest shows the restarted bot's tick ran
SUNDAY = "2026-11-29"


def digests_to(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    return [
        c
        for c in calls
        if c.method == "sendMessage"
        and c.params.get("chat_id") == chat_id
        and "<b>Your week</b>" in str(c.params.get("text"))
    ]


def replies(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage"]


def claimed_at(data_dir: str, user_id: int) -> list[datetime]:
    with sqlite3.connect(Path(data_dir) / "nexus.db") as database:
        rows = database.execute(
            "SELECT claimed_at FROM digest_deliveries WHERE user_id = ?", (user_id,)
        ).fetchall()
    return [datetime.fromisoformat(at).replace(tzinfo=UTC) for (at,) in rows]


def test_one_digest_on_sunday_at_the_tip_time_and_none_after_a_restart(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    api = server.api

    def run_at(clock: str):  # type: ignore[no-untyped-def]
        starts = sum(c.method == "setMyCommands" for c in api.calls) + 1
        bot = start_bot(
            "run",
            env={
                **bot_env,
                "NEXUS_TIP_TICK_SECONDS": "1",
                "NEXUS_DEFAULT_TIMEZONE": "UTC",
                "NEXUS_CLOCK_START": f"{SUNDAY}T{clock}+00:00",
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

    bot = run_at("08:00:00")
    say(USER, "/tips on")  # 09:00 by default: the digest follows the tips
    assert "Next: <b>Sun 29 Nov, 09:00</b>." in say(USER, "/digest")
    say(WITNESS, "/tips on")
    say(WITNESS, "/tiptime 09:30")
    assert bot.terminate() == 0
    assert not digests_to(api.calls, USER)

    bot = run_at("08:59:58")
    api.wait_for(lambda calls: len(digests_to(calls, USER)) >= 1, 30)
    assert bot.terminate() == 0
    (claimed,) = claimed_at(bot_env["NEXUS_DATA_DIR"], USER)
    assert datetime.fromisoformat(f"{SUNDAY}T09:00:00+00:00") <= claimed  # not early
    assert claimed < datetime.fromisoformat(f"{SUNDAY}T09:01:00+00:00")

    # A clean stop waits for the digest run that sent the witness's, and that run
    # takes every learner due by then: the learner's absence needs no wall-clock wait.
    bot = run_at("09:30:00")
    api.wait_for(lambda calls: len(digests_to(calls, WITNESS)) >= 1, 30)
    assert bot.terminate() == 0
    assert len(digests_to(api.calls, USER)) == 1
    assert len(claimed_at(bot_env["NEXUS_DATA_DIR"], USER)) == 1
