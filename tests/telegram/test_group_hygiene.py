"""Groups over time, through the real PTB stack and the fake Bot API: an upgrade to a
supergroup (service messages, or a 400 with migrate_to_chat_id on send) keeps the
group's settings; the bot removed, restricted or answered 403 stops the group tip with
no retry, and re-added resumes it; replies in a forum go to the topic they answer;
privacy mode (ordinary group messages unseen) is all the bot needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi
from bot.presentation import group_views
from bot.settings import Settings
from tests.fakes import FakeClock
from tests.telegram.group_helpers import (
    ADMIN,
    FORUM,
    GROUP,
    MEMBER,
    SUPERGROUP,
    datas,
    feed,
    group_nexus,
    of,
    run_group_tips,
    say,
    stored,
    texts,
)

MORNING = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # /grouptip 08:00 in UTC
BOT = "nexus_study_bot"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
async def nexus(
    fixture_settings: Settings, api: FakeBotApi, clock: FakeClock
) -> AsyncIterator[Nexus]:
    async with group_nexus(fixture_settings, api, clock) as running:
        yield running


async def set_tip(
    nexus: Nexus, api: FakeBotApi, chat: dict[str, Any], thread_id: int | None = None
) -> None:
    api.groups.statuses[(chat["id"], ADMIN)] = "administrator"
    calls = await say(nexus, api, chat, "/grouptip 08:00", thread_id=thread_id)
    assert texts(calls)[0].startswith("Group tip set to <b>08:00</b>.")


def sends_to(api: FakeBotApi, chat_id: int) -> list[Any]:
    return [c for c in of(api.calls, "sendMessage") if c.params["chat_id"] == chat_id]


# -- an upgrade to a supergroup ----------------------------------------------------------


@pytest.mark.parametrize("new_first", [False, True], ids=["old-first", "new-first"])
async def test_the_service_messages_move_the_settings_to_the_supergroup(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock, new_first: bool
) -> None:
    await set_tip(nexus, api, GROUP)
    updates = api.groups.migration_updates(GROUP, SUPERGROUP)
    for update in reversed(updates) if new_first else updates:
        assert texts(await feed(nexus, api, update)) == []  # nothing to say about it
    old, new = await stored(nexus, GROUP["id"]), await stored(nexus, SUPERGROUP["id"])
    assert old is not None and old.migrated_to == SUPERGROUP["id"] and not old.tips_enabled
    assert new is not None and new.tips_enabled and new.tip_minute == 8 * 60 and new.active
    shown = texts(await say(nexus, api, SUPERGROUP, "/grouptip", user=MEMBER))
    assert "is <b>on ✅</b>" in shown[0] and "<b>08:00</b>" in shown[0]
    clock.now = DUE
    counts, (tip,) = await run_group_tips(nexus, api)
    assert counts == {"sent": 1} and tip.params["chat_id"] == SUPERGROUP["id"]
    assert sends_to(api, GROUP["id"])[-1].params["text"].startswith("Group tip set")


async def test_the_upgrade_is_never_held_back_by_flood_control(
    nexus: Nexus, api: FakeBotApi
) -> None:
    await set_tip(nexus, api, GROUP)
    for _ in range(nexus.settings.messages_per_minute + 2):  # the admin is over the limit
        await say(nexus, api, GROUP, "/topics")
    for update in api.groups.migration_updates(GROUP, SUPERGROUP, by=ADMIN):
        await feed(nexus, api, update)
    moved = await stored(nexus, SUPERGROUP["id"])
    assert moved is not None and moved.tips_enabled


async def test_a_send_answered_with_the_new_id_moves_the_group_and_resends_once(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await set_tip(nexus, api, GROUP)
    api.groups.migrated[GROUP["id"]] = SUPERGROUP["id"]  # no service message seen
    clock.now = DUE
    counts, sends = await run_group_tips(nexus, api)
    assert counts == {"sent": 1}
    refused, tip = sends
    assert refused.params["chat_id"] == GROUP["id"] and refused.result is None
    assert tip.params["chat_id"] == SUPERGROUP["id"] and tip.result is not None
    moved = await stored(nexus, SUPERGROUP["id"])
    assert moved is not None and moved.tips_enabled
    assert (await stored(nexus, GROUP["id"])).migrated_to == SUPERGROUP["id"]  # type: ignore[union-attr]
    clock.now = DUE + timedelta(days=1)
    counts, (next_day,) = await run_group_tips(nexus, api)
    assert next_day.params["chat_id"] == SUPERGROUP["id"]  # straight to the new id


# -- the bot removed, restricted, or refused ---------------------------------------------


@pytest.mark.parametrize(
    ("status", "can_send"),
    [("left", False), ("kicked", False), ("restricted", False)],
)
async def test_a_removed_or_muted_bot_stops_the_tip_and_resumes_when_back(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock, status: str, can_send: bool
) -> None:
    await set_tip(nexus, api, SUPERGROUP)
    removed = api.groups.my_chat_member_update(
        SUPERGROUP, "member", status, can_send_messages=can_send
    )
    assert texts(await feed(nexus, api, removed)) == []
    group = await stored(nexus, SUPERGROUP["id"])
    assert group is not None and not group.active and group.next_tip_at is None
    assert group.tips_enabled  # the setting is kept for a return
    clock.now = DUE
    assert await run_group_tips(nexus, api) == ({}, [])  # not even tried
    clock.now = DUE + timedelta(hours=1)
    back = texts(
        await feed(nexus, api, api.groups.my_chat_member_update(SUPERGROUP, status, "member"))
    )
    assert back == ([group_views.ADDED.text] if status != "restricted" else [])
    clock.now = DUE + timedelta(days=1)
    counts, (tip,) = await run_group_tips(nexus, api)
    assert counts == {"sent": 1} and tip.params["chat_id"] == SUPERGROUP["id"]


async def test_restricted_but_allowed_to_write_keeps_the_tip(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await set_tip(nexus, api, SUPERGROUP)
    update = api.groups.my_chat_member_update(
        SUPERGROUP, "member", "restricted", can_send_messages=True
    )
    await feed(nexus, api, update)
    clock.now = DUE
    assert (await run_group_tips(nexus, api))[0] == {"sent": 1}


async def test_a_403_marks_the_group_inactive_with_no_retry(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await set_tip(nexus, api, SUPERGROUP)
    api.blocked_chats.add(SUPERGROUP["id"])  # kicked while no update reached us
    clock.now = DUE
    counts, (refused,) = await run_group_tips(nexus, api)
    assert counts == {"blocked": 1} and refused.result is None
    group = await stored(nexus, SUPERGROUP["id"])
    assert group is not None and not group.active and group.next_tip_at is None
    for days in (1, 2):
        clock.now = DUE + timedelta(days=days)
        assert await run_group_tips(nexus, api) == ({}, [])
    api.blocked_chats.clear()
    await feed(nexus, api, api.groups.my_chat_member_update(SUPERGROUP, "left", "member"))
    clock.now = DUE + timedelta(days=3)
    assert (await run_group_tips(nexus, api))[0] == {"sent": 1}


# -- forum topics --------------------------------------------------------------------------


async def test_replies_go_to_the_topic_they_answer(nexus: Nexus, api: FakeBotApi) -> None:
    (help_reply,) = of(await say(nexus, api, FORUM, "/help", thread_id=42), "sendMessage")
    assert help_reply.params["message_thread_id"] == 42
    (answer,) = of(
        await say(nexus, api, FORUM, f"@{BOT} what is an etag", thread_id=7), "sendMessage"
    )
    assert answer.params["message_thread_id"] == 7
    # A button on a message in a topic: what follows goes to that topic too.
    shown = {**answer.result, "chat": FORUM}
    entry = next(d for d in datas(answer) if d.startswith("e:"))
    pressed = await feed(nexus, api, api.callback_update(MEMBER, shown, entry))
    assert [c.params.get("message_thread_id") for c in of(pressed, "sendMessage")] == [7]
    # Personal commands in a topic: "ask me in private", in that topic.
    (private,) = of(await say(nexus, api, FORUM, "/mydata", thread_id=42), "sendMessage")
    assert private.params["message_thread_id"] == 42
    # The forum's general chat, and a private chat right after: no topic.
    (general,) = of(await say(nexus, api, FORUM, "/help"), "sendMessage")
    assert "message_thread_id" not in general.params
    before = len(api.calls)
    await nexus.feed(api.message_update(MEMBER, "/help"))
    assert "message_thread_id" not in of(api.calls[before:], "sendMessage")[0].params


async def test_the_group_tip_goes_to_the_topic_it_was_set_in(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await set_tip(nexus, api, FORUM, thread_id=99)
    assert sends_to(api, FORUM["id"])[-1].params["message_thread_id"] == 99
    clock.now = DUE
    _, (tip,) = await run_group_tips(nexus, api)
    assert tip.params["message_thread_id"] == 99
    assert tip.result["message_thread_id"] == 99 and tip.result["is_topic_message"]


async def test_a_deleted_topic_sends_the_tip_to_the_general_chat(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock
) -> None:
    await set_tip(nexus, api, FORUM, thread_id=99)
    api.groups.deleted_topics.add((FORUM["id"], 99))
    clock.now = DUE
    counts, (refused, tip) = await run_group_tips(nexus, api)
    assert counts == {"sent": 1}
    assert refused.params["message_thread_id"] == 99 and refused.result is None
    assert "message_thread_id" not in tip.params and tip.result is not None
    assert (await stored(nexus, FORUM["id"])).thread_id is None  # type: ignore[union-attr]
    clock.now = DUE + timedelta(days=1)
    counts, (next_day,) = await run_group_tips(nexus, api)  # straight to the general chat
    assert "message_thread_id" not in next_day.params


# -- privacy mode --------------------------------------------------------------------------


async def test_privacy_mode_is_enough(nexus: Nexus, api: FakeBotApi) -> None:
    """Ordinary group chatter (which privacy mode would not even deliver) gets nothing;
    commands, mentions and buttons do."""
    assert await say(nexus, api, SUPERGROUP, "anyone up for lunch?", user=MEMBER) == []
    assert texts(await say(nexus, api, SUPERGROUP, f"@{BOT} what is an etag", user=MEMBER))
    assert texts(await say(nexus, api, SUPERGROUP, "/topics", user=MEMBER))
