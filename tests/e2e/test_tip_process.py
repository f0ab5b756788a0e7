"""A daily tip from the real `nexus-bot run` process: set a time one minute ahead,
receive exactly one tip, and a restart does not send it again."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.fake_telegram import ApiCall, LoopbackBotApiServer

pytestmark = pytest.mark.e2e
USER = 777


def tips(calls: list[ApiCall]) -> list[ApiCall]:
    return [
        c
        for c in calls
        if c.method == "sendMessage" and "Tip of the day" in str(c.params.get("text"))
    ]


def replies(calls: list[ApiCall]) -> list[ApiCall]:
    return [c for c in calls if c.method == "sendMessage"]


def test_one_tip_at_the_chosen_minute_and_none_after_a_restart(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    env = {**bot_env, "NEXUS_TIP_TICK_SECONDS": "1", "NEXUS_DEFAULT_TIMEZONE": "UTC"}
    api = server.api
    bot = start_bot("run", env=env)
    api.wait_for(lambda calls: any(c.method == "setMyCommands" for c in calls), timeout=30)
    api.push_update(api.message_update(USER, "/tips on"))
    api.wait_for(lambda calls: len(replies(calls)) >= 1, timeout=20)
    chosen = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%H:%M")
    api.push_update(api.message_update(USER, f"/tiptime {chosen}"))
    confirmation = api.wait_for(lambda calls: len(replies(calls)) >= 2, timeout=20)
    assert f"Tip time set to <b>{chosen}</b>." in replies(confirmation)[-1].params["text"]

    calls = api.wait_for(lambda calls: len(tips(calls)) >= 1, timeout=90)
    (tip,) = tips(calls)
    arrived = datetime.now(UTC)
    due = datetime.combine(arrived.date(), datetime.strptime(chosen, "%H:%M").time(), UTC)
    assert timedelta(0) <= arrived - due < timedelta(seconds=60)
    labels = [b["text"] for row in tip.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0] == "📖 Read more"

    assert bot.terminate() == 0
    restarted = start_bot("run", env=env)
    api.wait_for(lambda calls: sum(c.method == "setMyCommands" for c in calls) >= 2, timeout=30)
    api.push_update(api.message_update(USER, "/tips"))
    api.wait_for(lambda calls: len(replies(calls)) >= 4, timeout=20)
    time.sleep(3)  # three more ticks of the restarted bot: proving an absence needs a bound
    assert len(tips(api.calls)) == 1
    assert restarted.terminate() == 0
