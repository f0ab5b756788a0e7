"""The weekly digest through the real PTB stack and fake Bot API: /digest, a
delivered digest with its button, once a week, and restarts on the same database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.services.digest_delivery import DigestToSend
from bot.settings import Settings
from storage.models import DigestDelivery
from tests.fakes import FakeClock
from tests.telegram.conftest import USER_ID
from tests.telegram.test_tip_flows import buttons, say

SUNDAY_0900_BERLIN = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # Friday, 08:00 in Berlin


@pytest.fixture
def berlin(fixture_settings: Settings) -> Settings:
    return replace(fixture_settings, default_timezone="Europe/Berlin")


@pytest.fixture
async def nexus(berlin: Settings, api: FakeBotApi, clock: FakeClock):  # type: ignore[no-untyped-def]
    async with Nexus(berlin, request=InMemoryRequest(api), clock=clock) as running:
        yield running


def digests(api: FakeBotApi, since: int = 0) -> list[ApiCall]:
    return [
        c
        for c in api.calls[since:]
        if c.method == "sendMessage" and "<b>Your week</b>" in str(c.params.get("text"))
    ]


async def statuses(nexus: Nexus) -> list[tuple[str, str]]:
    async with nexus.database.unit_of_work() as uow:
        rows = (await uow.session.execute(select(DigestDelivery))).scalars()
        return [(r.week_of.isoformat(), r.status) for r in rows]


async def test_digest_command_shows_and_changes_the_setting(nexus: Nexus, api: FakeBotApi) -> None:
    assert "weekly digest is <b>off</b>" in (await say(nexus, api, "/digest")).params["text"]
    await say(nexus, api, "/tips on")
    shown = (await say(nexus, api, "/digest")).params["text"]
    assert "is <b>on ✅</b> because your daily tips are on" in shown
    assert "Sundays at <b>09:00</b>, Europe/Berlin time" in shown
    assert "Next: <b>Sun 29 Nov, 09:00</b>." in shown
    off = (await say(nexus, api, "/digest off")).params["text"]
    assert "weekly digest is <b>off</b>" in off
    await say(nexus, api, "/tips off")
    on = (await say(nexus, api, "/digest on")).params["text"]
    assert "is <b>on ✅</b>: Sundays" in on  # asked for, without tips
    bad = (await say(nexus, api, "/digest weekly")).params["text"]
    assert "I couldn't read <i>weekly</i>" in bad and "<code>/digest on</code>" in bad


async def test_a_digest_is_delivered_once_with_an_open_button(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await say(nexus, api, "/tips on")
    await say(nexus, api, "what is an etag")
    clock.now = SUNDAY_0900_BERLIN - timedelta(seconds=1)
    assert (await nexus.digest_sender.run(nexus.application.bot)).counts == {}
    clock.now = SUNDAY_0900_BERLIN + timedelta(seconds=20)
    assert (await nexus.digest_sender.run(nexus.application.bot)).counts == {"sent": 1}
    (digest,) = digests(api)
    text = digest.params["text"]
    assert digest.params["chat_id"] == USER_ID
    assert text.startswith("🗓 <b>Your week</b> (to Sunday 29 Nov)")
    assert "❓ You asked <b>1</b> question, most about Caching (1)." in text
    assert "🎯 No quiz answers this week (last week: no answers). Try /quiz." in text
    assert "💡 From your weakest topic, Django: <b>select_related and prefetch_related</b>" in text
    ((label, data),) = buttons(digest)
    assert label == "📖 Open it"
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, digest.result, data))
    opened = [c for c in api.calls[before:] if c.method in ("sendMessage", "editMessageText")]
    assert any("select_related" in str(c.params.get("text")) for c in opened)
    assert (await nexus.digest_sender.run(nexus.application.bot)).counts == {}  # once a week
    assert await statuses(nexus) == [("2026-11-29", "sent")]


async def test_restarts_neither_repeat_nor_lose_a_digest(
    berlin: Settings, api: FakeBotApi, clock: FakeClock
) -> None:
    async with Nexus(berlin, request=InMemoryRequest(api), clock=clock) as first:
        await say(first, api, "/tips on")  # then the bot is down over Sunday morning
    clock.now = SUNDAY_0900_BERLIN + timedelta(hours=10)  # back at 19:00 Berlin, still Sunday
    async with Nexus(berlin, request=InMemoryRequest(api), clock=clock) as second:
        assert (await second.digest_sender.run(second.application.bot)).counts == {"sent": 1}
    async with Nexus(berlin, request=InMemoryRequest(api), clock=clock) as third:
        assert (await third.digest_sender.run(third.application.bot)).counts == {}
        clock.now = datetime(2026, 12, 6, 8, 0, 10, tzinfo=UTC)  # next Sunday: claimed, then
        claim = await third.digest_sender.broadcast.deliveries.claim_next()
        assert isinstance(claim, DigestToSend)  # ...and the process dies mid-send
    clock.now += timedelta(minutes=5)
    async with Nexus(berlin, request=InMemoryRequest(api), clock=clock) as fourth:
        assert (await fourth.digest_sender.run(fourth.application.bot)).counts == {}
        assert await statuses(fourth) == [("2026-11-29", "sent"), ("2026-12-06", "unknown")]
    clock.now = datetime(2026, 12, 14, 7, 0, tzinfo=UTC)  # down all of Sunday 13 Dec
    async with Nexus(berlin, request=InMemoryRequest(api), clock=clock) as fifth:
        assert (await fifth.digest_sender.run(fifth.application.bot)).counts == {"skipped": 1}
    assert len(digests(api)) == 1
