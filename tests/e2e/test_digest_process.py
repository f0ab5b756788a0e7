"""A weekly digest from the real `nexus-bot run` process, on an injected clock
(NEXUS_CLOCK_START): the JobQueue's digest tick sends it on Sunday at the tip
time, exactly once, and a restart later that Sunday does not send it again."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.fake_telegram import ApiCall, LoopbackBotApiServer
from tests.e2e.clocked import ClockedBot, claimed_at, messages_to

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 787
WITNESS = 788  # due later that Sunday: their digest shows the restarted bot's tick ran
SUNDAY = "2026-11-29"


def digests_to(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    return messages_to(calls, chat_id, "<b>Your week</b>")


def claims(data_dir: str, user_id: int) -> list[datetime]:
    return claimed_at(data_dir, "digest_deliveries", user_id)


def test_one_digest_on_sunday_at_the_tip_time_and_none_after_a_restart(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    clocked = ClockedBot(server, start_bot, bot_env, SUNDAY)
    api, run_at, say = clocked.api, clocked.run_at, clocked.say
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
    (claimed,) = claims(bot_env["NEXUS_DATA_DIR"], USER)
    assert datetime.fromisoformat(f"{SUNDAY}T09:00:00+00:00") <= claimed  # not early
    assert claimed < datetime.fromisoformat(f"{SUNDAY}T09:01:00+00:00")

    # A clean stop waits for the digest run that sent the witness's, and that run
    # takes every learner due by then: the learner's absence needs no wall-clock wait.
    bot = run_at("09:30:00")
    api.wait_for(lambda calls: len(digests_to(calls, WITNESS)) >= 1, 30)
    assert bot.terminate() == 0
    assert len(digests_to(api.calls, USER)) == 1
    assert len(claims(bot_env["NEXUS_DATA_DIR"], USER)) == 1
