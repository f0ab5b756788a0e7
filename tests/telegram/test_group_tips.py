"""The group daily tip through the real PTB stack and the fake Bot API: who may set
it (getChatMember), the private-chat explanation, delivery once per group and local
day at the chosen time (injected clock), and the "Quiz the group" button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi
from bot.presentation import group_views
from bot.services.chat_moves import ChatMoves
from bot.services.groups import GroupService
from bot.settings import Settings
from bot.telegram.group_handlers import GroupHandlers, suggest_quiz
from storage.models import GroupTipDelivery
from tests.fakes import FakeClock
from tests.telegram.group_helpers import (
    ADMIN,
    GROUP,
    MEMBER,
    SUPERGROUP,
    datas,
    feed,
    group_nexus,
    labels,
    of,
    run_group_tips,
    say,
    stored,
    texts,
)

THURSDAY_0600 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 07:00 in Lagos (UTC+1)
LAGOS_0800 = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(THURSDAY_0600)


@pytest.fixture
async def nexus(
    fixture_settings: Settings, api: FakeBotApi, clock: FakeClock
) -> AsyncIterator[Nexus]:
    async with group_nexus(fixture_settings, api, clock) as running:
        yield running


def admin_in(
    api: FakeBotApi, chat: dict[str, Any], user: int = ADMIN, status: str = "administrator"
) -> None:
    api.groups.statuses[(chat["id"], user)] = status


async def test_an_admin_sets_the_group_tip_and_a_member_may_not(
    nexus: Nexus, api: FakeBotApi
) -> None:
    admin_in(api, SUPERGROUP)
    refused = await say(nexus, api, SUPERGROUP, "/grouptip 08:00 Africa/Lagos", user=MEMBER)
    assert texts(refused) == [group_views.NOT_ADMIN.text]
    (asked,) = of(refused, "getChatMember")
    assert asked.params == {"chat_id": SUPERGROUP["id"], "user_id": MEMBER}
    assert await stored(nexus, SUPERGROUP["id"]) is None
    calls = await say(nexus, api, SUPERGROUP, "/grouptip 08:00 Africa/Lagos")
    (reply,) = texts(calls)
    assert reply.startswith("Group tip set to <b>08:00</b>.")
    assert "at <b>08:00</b>, Africa/Lagos time" in reply
    assert "Next tip: <b>Thu 26 Nov, 08:00</b> (Africa/Lagos)." in reply
    group = await stored(nexus, SUPERGROUP["id"])
    assert group is not None and group.tips_enabled and group.tip_minute == 480
    assert group.timezone == "Africa/Lagos" and group.title == "Backend cohort"
    # Anyone may look; nothing changes.
    shown = texts(await say(nexus, api, SUPERGROUP, "/grouptip", user=MEMBER))
    assert "is <b>on ✅</b>" in shown[0]
    # A member cannot turn it off either.
    await say(nexus, api, SUPERGROUP, "/grouptip off", user=MEMBER)
    assert (await stored(nexus, SUPERGROUP["id"])).tips_enabled  # type: ignore[union-attr]
    off = texts(await say(nexus, api, SUPERGROUP, "/grouptip off"))
    assert off[0].startswith("Group tip off.") and "is <b>off</b>" in off[0]
    assert "<code>/grouptip 08:00 Africa/Lagos</code>" in off[0]


async def test_the_creator_and_an_anonymous_admin_count_as_admins(
    nexus: Nexus, api: FakeBotApi
) -> None:
    admin_in(api, GROUP, status="creator")
    created = await say(nexus, api, GROUP, "/grouptip 7:30")
    assert texts(created)[0].startswith("Group tip set to <b>07:30</b>.")
    assert "UTC time" in texts(created)[0]  # no zone given: the default
    anonymous = await say(nexus, api, SUPERGROUP, "/grouptip 09:15 +1", anonymous=True)
    assert of(anonymous, "getChatMember") == []  # posting as the group is proof enough
    assert "at <b>09:15</b>, UTC+01:00 time" in texts(anonymous)[0]


async def test_a_bad_time_or_zone_gets_the_example(nexus: Nexus, api: FakeBotApi) -> None:
    admin_in(api, GROUP)
    for text in ("/grouptip 25:00 Africa/Lagos", "/grouptip 08:00 Mars/Olympus", "/grouptip soon"):
        (reply,) = texts(await say(nexus, api, GROUP, text))
        assert "Nothing was changed." in reply and "/grouptip 08:00 Africa/Lagos" in reply
    assert await stored(nexus, GROUP["id"]) is None


async def test_in_a_private_chat_it_explains_and_points_to_tips(
    nexus: Nexus, api: FakeBotApi
) -> None:
    before = len(api.calls)
    await nexus.feed(api.message_update(ADMIN, "/grouptip 08:00 Africa/Lagos"))
    (reply,) = texts(api.calls[before:])
    assert "for a whole group" in reply and "/tips" in reply
    assert of(api.calls[before:], "getChatMember") == []


async def test_the_tip_arrives_once_at_the_groups_local_time(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    admin_in(api, SUPERGROUP)
    await say(nexus, api, SUPERGROUP, "/grouptip 08:00 Africa/Lagos")
    clock.now = LAGOS_0800 - timedelta(seconds=1)
    assert await run_group_tips(nexus, api) == ({}, [])
    clock.now = LAGOS_0800 + timedelta(seconds=20)
    counts, (tip,) = await run_group_tips(nexus, api)
    assert counts == {"sent": 1}
    assert tip.params["chat_id"] == SUPERGROUP["id"]
    assert "message_thread_id" not in tip.params  # not set in a topic
    assert tip.params["text"].startswith("💡 <b>Tip of the day</b>")
    assert labels(tip)[-1] == "🎯 Quiz the group"
    clock.now += timedelta(hours=3)
    assert await run_group_tips(nexus, api) == ({}, [])  # once a day
    clock.now = LAGOS_0800 + timedelta(days=1, seconds=5)
    counts, (second,) = await run_group_tips(nexus, api)
    assert second.params["text"] != tip.params["text"]  # another tip the next day
    async with nexus.database.unit_of_work() as uow:
        rows = (await uow.session.execute(select(GroupTipDelivery))).scalars().all()
    assert sorted(str(r.local_date) for r in rows) == ["2026-11-26", "2026-11-27"]
    assert {r.status for r in rows} == {"sent"}


async def test_quiz_the_group_starts_a_group_round(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    admin_in(api, SUPERGROUP)
    await say(nexus, api, SUPERGROUP, "/grouptip 08:00 Africa/Lagos")
    clock.now = LAGOS_0800
    _, (tip,) = await run_group_tips(nexus, api)
    data = datas(tip)[-1]
    assert data.startswith("gq:")
    shown = {**tip.result, "chat": SUPERGROUP}
    entry = nexus.library().kb.entry_by_short_id(data.removeprefix("gq:"))
    assert entry is not None
    topic = nexus.library().kb.topic(entry.topic)
    assert topic is not None
    # Wired in the app: a group quiz round for everyone, in the group, on the tip's topic.
    calls = await feed(nexus, api, api.callback_update(MEMBER, shown, data))
    assert len(of(calls, "answerCallbackQuery")) == 1
    (question,) = texts(calls)
    assert question.split("\n", 1)[0].endswith(f"· {topic.title}"), question
    assert of(calls, "sendMessage")[0].params["chat_id"] == SUPERGROUP["id"]
    assert any(d.startswith("ga:") for d in datas(of(calls, "sendMessage")[0]))
    started: list[tuple[int, int, str, str | None]] = []

    async def start_group_quiz(update: Any, context: Any, topic: str | None) -> None:
        started.append(
            (update.effective_chat.id, update.effective_user.id, update.callback_query.data, topic)
        )

    nexus.groups.handlers.start_group_quiz = start_group_quiz
    calls = await feed(nexus, api, api.callback_update(MEMBER, shown, data))
    assert started == [(SUPERGROUP["id"], MEMBER, data, entry.topic)]
    assert texts(calls) == []  # the injected coroutine answers, nothing else


async def test_the_default_quiz_the_group_tells_members_to_send_quiz(api: FakeBotApi) -> None:
    handlers = GroupHandlers(GroupService.__new__(GroupService), ChatMoves())
    assert handlers.start_group_quiz is suggest_quiz
    update = Update.de_json(
        api.callback_update(MEMBER, {"message_id": 1, "chat": SUPERGROUP, "date": 0}, "gq:"),
        None,
    )
    sent: list[tuple[int, str]] = []

    class Bot:
        async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
            sent.append((chat_id, text))

    class Context:
        bot = Bot()

    await suggest_quiz(update, Context())  # type: ignore[arg-type]
    assert sent == [(SUPERGROUP["id"], group_views.SEND_QUIZ)]
