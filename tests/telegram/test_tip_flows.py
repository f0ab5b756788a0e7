"""Daily-tip commands and the sender through the real PTB stack and fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.settings import Settings
from storage.models import TipDelivery, User
from tests.fakes import FakeClock
from tests.telegram.conftest import USER_ID


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # 08:00 in Berlin


@pytest.fixture
async def nexus(fixture_settings: Settings, api: FakeBotApi, clock: FakeClock):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    settings = replace(fixture_settings, default_timezone="Europe/Berlin")
    async with Nexus(settings, request=InMemoryRequest(api), clock=clock) as running:
        running.broadcast.backoff = (0.0, 0.0)
        yield running


def only(calls: list[ApiCall], method: str) -> ApiCall:
    matching = [c for c in calls if c.method == method]
    assert len(matching) == 1, calls
    return matching[0]


def buttons(call: ApiCall) -> list[tuple[str, str]]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


async def say(nexus: Nexus, api: FakeBotApi, text: str, user: int = USER_ID) -> ApiCall:
    before = len(api.calls)
    await nexus.feed(api.message_update(user, text))
    return only(api.calls[before:], "sendMessage")


async def statuses(nexus: Nexus) -> list[tuple[int, str]]:
    async with nexus.database.unit_of_work() as uow:
        rows = (
            await uow.session.execute(select(TipDelivery).order_by(TipDelivery.user_id))
        ).scalars()
        return [(r.user_id, r.status) for r in rows]


async def test_tips_settings_commands(nexus: Nexus, api: FakeBotApi) -> None:
    shown = await say(nexus, api, "/tips")
    assert "Daily tips are <b>off</b>" in shown.params["text"]
    assert buttons(shown) == [("💡 Send me a daily tip", "tp:1:e")]
    on = await say(nexus, api, "/tips on")
    assert "Daily tips are <b>on ✅</b>" in on.params["text"]
    assert "at <b>09:00</b>, Europe/Berlin time" in on.params["text"]
    assert "Next tip: <b>Fri 27 Nov, 09:00</b> (Europe/Berlin)." in on.params["text"]
    when = await say(nexus, api, "/tiptime 08:30")
    assert when.params["text"].startswith("Tip time set to <b>08:30</b>.")
    assert "Next tip: <b>Fri 27 Nov, 08:30</b>" in when.params["text"]
    zone = await say(nexus, api, "/timezone america/new_york")
    assert zone.params["text"].startswith("Time zone set to <b>America/New_York</b>.")
    assert "Next tip: <b>Fri 27 Nov, 08:30</b> (America/New_York)." in zone.params["text"]
    offset = await say(nexus, api, "/timezone UTC+03:00")
    assert "Next tip: <b>Sat 28 Nov, 08:30</b> (UTC+03:00)." in offset.params["text"]


async def test_invalid_input_gets_an_example_and_changes_nothing(
    nexus: Nexus, api: FakeBotApi
) -> None:
    await say(nexus, api, "/tips on")
    bad_time = await say(nexus, api, "/tiptime 25:99")
    assert "I couldn't read <i>25:99</i>" in bad_time.params["text"]
    assert "<code>/tiptime 08:30</code>" in bad_time.params["text"]
    bad_zone = await say(nexus, api, "/timezone Mars/Olympus")
    assert "<code>/timezone Europe/Berlin</code>" in bad_zone.params["text"]
    assert "Nothing was changed." in bad_zone.params["text"]
    still = await say(nexus, api, "/tips")
    assert "at <b>09:00</b>, Europe/Berlin time" in still.params["text"]


async def test_the_start_button_subscribes_and_the_toggle_edits(
    nexus: Nexus, api: FakeBotApi
) -> None:
    welcome = await say(nexus, api, "/start")
    data = dict((label, d) for label, d in buttons(welcome))["💡 Send me a daily tip"]
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, welcome.result, data))
    calls = api.calls[before:]
    assert only(calls, "answerCallbackQuery").params["text"] == "Daily tips on"
    settings = only(calls, "sendMessage")  # a new message: the welcome stays
    assert buttons(settings) == [("Turn tips off", "tp:0:e")]
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, settings.result, "tp:0:e"))
    edit = only(api.calls[before:], "editMessageText")
    assert "Daily tips are <b>off</b>" in edit.params["text"]


async def test_a_due_tip_is_sent_once_with_read_more_and_quiz_me(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await say(nexus, api, "/tips on")
    clock.now = datetime(2026, 11, 27, 8, 0, 20, tzinfo=UTC)
    report = await nexus.tip_sender.run(nexus.application.bot)
    assert report.counts == {"sent": 1}
    tip = [c for c in api.calls if c.method == "sendMessage"][-1]
    assert tip.params["text"].startswith("💡 <b>Tip of the day</b> · ")
    labels = [label for label, _ in buttons(tip)]
    assert labels == ["📖 Read more", "🎯 Quiz me"]
    again = await nexus.tip_sender.run(nexus.application.bot)
    assert again.counts == {}
    assert await statuses(nexus) == [(USER_ID, "sent")]


async def test_blocked_users_are_turned_off_and_others_still_get_theirs(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    for user in (11, 12, 13):
        await say(nexus, api, "/tips on", user=user)
    api.blocked_chats.add(12)
    clock.now = datetime(2026, 11, 27, 8, 0, 20, tzinfo=UTC)
    report = await nexus.tip_sender.run(nexus.application.bot)
    assert report.counts == {"sent": 2, "blocked": 1}
    assert await statuses(nexus) == [(11, "sent"), (12, "blocked"), (13, "sent")]
    clock.now += timedelta(days=1)
    assert (await nexus.tip_sender.run(nexus.application.bot)).counts == {"sent": 2}
    api.blocked_chats.clear()
    back = await say(nexus, api, "/tips on", user=12)
    assert "Daily tips are <b>on ✅</b>" in back.params["text"]


async def test_429s_are_waited_out_and_nothing_is_dropped(
    api: FakeBotApi, nexus: Nexus, clock: FakeClock
) -> None:
    for user in range(20, 30):
        await say(nexus, api, "/tips on", user=user)
    api.flood_limit = 4  # far below what the limiter is allowed: forces 429s
    clock.now = datetime(2026, 11, 27, 8, 0, 20, tzinfo=UTC)
    report = await nexus.tip_sender.run(nexus.application.bot)
    assert report.counts == {"sent": 10}
    assert nexus.limiter.retries > 0
    tips = [
        c
        for c in api.calls
        if c.method == "sendMessage"
        and c.result is not None
        and "Tip of the day" in c.params["text"]
    ]
    assert sorted(int(c.params["chat_id"]) for c in tips) == list(range(20, 30))


async def test_network_errors_retry_and_ambiguous_timeouts_are_not_resent(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await say(nexus, api, "/tips on", user=41)
    await say(nexus, api, "/tips on", user=42)
    api.faults[41] = ["connect", "connect"]  # refused twice, then fine: retried
    api.faults[42] = ["read_timeout"]  # arrived, but the answer was lost: ambiguous
    clock.now = datetime(2026, 11, 27, 8, 0, 20, tzinfo=UTC)
    report = await nexus.tip_sender.run(nexus.application.bot)
    assert report.counts == {"sent": 1, "unknown": 1}
    assert await statuses(nexus) == [(41, "sent"), (42, "unknown")]
    received: dict[Any, int] = {}
    for call in api.calls:
        delivered = call.result is not None  # 42's arrived even though its answer was lost
        if call.method == "sendMessage" and delivered and "Tip of the day" in call.params["text"]:
            received[call.params["chat_id"]] = received.get(call.params["chat_id"], 0) + 1
    assert received == {41: 1, 42: 1}  # nobody got two
    assert (await nexus.tip_sender.run(nexus.application.bot)).counts == {}


async def test_a_learner_with_an_unknown_stored_zone_blocks_nobody_and_is_told_once(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    for user in (51, 52, 53):
        await say(nexus, api, "/tips on", user=user)
    async with nexus.database.unit_of_work() as uow:  # as an older version could have stored it
        await uow.session.execute(update(User).where(User.id == 52).values(timezone="Mars/Olympus"))
        await uow.commit()
    shown = await say(nexus, api, "/tips", user=52)
    assert "at <b>09:00</b>, Europe/Berlin time" in shown.params["text"]
    clock.now = datetime(2026, 11, 27, 8, 0, 20, tzinfo=UTC)
    report = await nexus.tip_sender.run(nexus.application.bot)
    assert report.counts == {"sent": 3}
    tips = {
        int(c.params["chat_id"]): c.params["text"]
        for c in api.calls
        if c.method == "sendMessage" and "Tip of the day" in c.params["text"]
    }
    assert sorted(tips) == [51, 52, 53]
    note = "I no longer recognise your time zone <b>Mars/Olympus</b>"
    assert [chat for chat, text in tips.items() if note in text] == [52]
    assert "Europe/Berlin" in tips[52] and "/timezone" in tips[52]
    before = len(api.calls)
    clock.now += timedelta(days=1)
    assert (await nexus.tip_sender.run(nexus.application.bot)).counts == {"sent": 3}
    assert not [c for c in api.calls[before:] if note in str(c.params.get("text"))]


@pytest.mark.parametrize(
    ("command", "shown", "example"),
    [
        ("/tiptime", "<b>09:00</b>", "/tiptime 08:30"),
        ("/timezone", "Europe/Berlin time", "/timezone Europe/Berlin"),
    ],
)
async def test_a_setting_command_without_argument_shows_it_and_how_to_change_it(
    nexus: Nexus, api: FakeBotApi, command: str, shown: str, example: str
) -> None:
    reply = (await say(nexus, api, command)).params["text"]
    assert shown in reply and example in reply
    assert "couldn't read" not in reply and "nothing" not in reply.lower()
    settings = (await say(nexus, api, "/tips")).params["text"]
    assert "<b>09:00</b>, Europe/Berlin time" in settings  # nothing changed


async def test_start_offers_the_daily_tip_only_to_those_without_it(
    nexus: Nexus, api: FakeBotApi
) -> None:
    offer = ("💡 Send me a daily tip", "tp:1:n")
    first = await say(nexus, api, "/start")
    assert offer in buttons(first) and "with a daily tip" in first.params["text"]
    await say(nexus, api, "/tips on")
    again = await say(nexus, api, "/start")
    assert offer not in buttons(again)
    assert "/tips shows your daily tip" in again.params["text"]
    assert [label for label, _ in buttons(again)] == ["📚 Browse topics", "🎯 Quiz me"]
