"""A daily tip from the real `nexus-bot run` process, on an injected clock
(NEXUS_CLOCK_START): the tip arrives at the chosen minute, exactly once, and a
restart later that day does not send it again."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.fake_telegram import ApiCall, LoopbackBotApiServer
from tests.e2e.clocked import ClockedBot, claimed_at, messages_to

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 777
WITNESS = 778  # due later that day: their tip shows the restarted bot's sender ran
DAY = "2026-11-27"  # a Friday


def tips_to(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    return messages_to(calls, chat_id, "Tip of the day")


def claims(data_dir: str, user_id: int) -> list[datetime]:
    return claimed_at(data_dir, "tip_deliveries", user_id)


def test_one_tip_at_the_chosen_minute_and_none_after_a_restart(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    clocked = ClockedBot(server, start_bot, bot_env, DAY)
    api, run_at, say = clocked.api, clocked.run_at, clocked.say
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
    (claimed,) = claims(bot_env["NEXUS_DATA_DIR"], USER)
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
    assert len(claims(bot_env["NEXUS_DATA_DIR"], USER)) == 1
