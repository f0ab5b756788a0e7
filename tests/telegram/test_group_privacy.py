"""Groups never see or steer one learner's private things (issue 11, defect 3).

(a) a group interaction never changes where private things (daily tips) are sent;
(b) personal commands in a group answer "ask me in private" with a deep link, and
do nothing else; (c) a confirmation button works only for the user it was shown to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.presentation import callbacks, ops_views
from bot.settings import Settings
from storage.models import QuestionLog, QuizAnswer, User
from tests.fakes import FakeClock
from tests.telegram.conftest import USER_ID

OTHER = USER_ID + 1
GROUP = {"id": -500, "type": "group", "title": "cohort"}
SUPERGROUP = {"id": -1001234567890, "type": "supergroup", "title": "cohort+"}
BOT = "nexus_study_bot"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))


@pytest.fixture
async def nexus(
    fixture_settings: Settings, api: FakeBotApi, clock: FakeClock
) -> AsyncIterator[Nexus]:
    settings = replace(fixture_settings, default_timezone="UTC")
    async with Nexus(settings, request=InMemoryRequest(api), clock=clock) as running:
        running.broadcast.backoff = (0.0, 0.0)
        yield running


async def say(
    nexus: Nexus,
    api: FakeBotApi,
    text: str,
    *,
    user: int = USER_ID,
    chat: dict[str, Any] | None = None,
) -> list[ApiCall]:
    update = api.message_update(user, text)
    if chat is not None:
        update["message"]["chat"] = chat
    before = len(api.calls)
    await nexus.feed(update)
    return api.calls[before:]


async def press(
    nexus: Nexus, api: FakeBotApi, message: dict[str, Any], data: str, *, user: int = USER_ID
) -> list[ApiCall]:
    before = len(api.calls)
    update = api.callback_update(user, message, data)
    await nexus.feed(update)
    return api.calls[before:]


def seen_in(message: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
    """A message the bot sent, as Telegram shows it in `chat` (the fake calls every
    chat private)."""
    return {**message, "chat": chat}


def of(calls: list[ApiCall], method: str) -> list[ApiCall]:
    return [c for c in calls if c.method == method]


def urls(call: ApiCall) -> list[tuple[str, str]]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["url"]) for row in rows for b in row if "url" in b]


def datas(call: ApiCall) -> list[str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


async def user_row(nexus: Nexus, user_id: int = USER_ID) -> User | None:
    async with nexus.database.unit_of_work() as uow:
        return await uow.users.get(user_id)


async def count(nexus: Nexus, model: Any, user_id: int) -> int:
    async with nexus.database.unit_of_work() as uow:
        query = select(func.count()).select_from(model).where(model.user_id == user_id)
        return int((await uow.session.execute(query)).scalar_one())


# -- (a) where private things go --------------------------------------------------------


@pytest.mark.parametrize("chat", [GROUP, SUPERGROUP], ids=["group", "supergroup"])
async def test_group_commands_and_buttons_never_move_the_private_chat(
    nexus: Nexus, api: FakeBotApi, clock: FakeClock, chat: dict[str, Any]
) -> None:
    await say(nexus, api, "/tips on")  # subscribed in the private chat
    await say(nexus, api, "/start", chat=chat)
    await say(nexus, api, "/help", chat=chat)
    (answer,) = of(await say(nexus, api, f"@{BOT} what is an etag", chat=chat), "sendMessage")
    assert answer.params["chat_id"] == chat["id"]
    (quiz,) = of(await say(nexus, api, "/quiz", chat=chat), "sendMessage")
    answered = await press(nexus, api, seen_in(quiz.result, chat), datas(quiz)[0])
    assert of(answered, "editMessageText")[0].params["chat_id"] == chat["id"]
    feedback = next(d for d in datas(answer) if d.startswith("fb:"))
    await press(nexus, api, seen_in(answer.result, chat), feedback)
    row = await user_row(nexus)
    assert row is not None and row.chat_id == USER_ID

    clock.now = datetime(2026, 11, 27, 9, 0, 20, tzinfo=UTC)
    report = await nexus.tip_sender.run(nexus.application.bot)
    assert report.counts == {"sent": 1}
    tip = of(api.calls, "sendMessage")[-1]
    assert tip.params["chat_id"] == USER_ID and tip.params["text"].startswith("💡")


async def test_first_contact_in_a_group_records_the_private_chat(
    nexus: Nexus, api: FakeBotApi
) -> None:
    await say(nexus, api, f"@{BOT} what is an etag", user=OTHER, chat=SUPERGROUP)
    row = await user_row(nexus, OTHER)
    assert row is not None and row.chat_id == OTHER  # a private chat's id is the user's id


# -- (b) personal commands in a group -----------------------------------------------------

PERSONAL = [
    ("/mydata", "mydata"),
    ("/forget", "forget"),
    ("/progress", "progress"),
    ("/reset", "reset"),
    ("/tips", "tips"),
    ("/tips on", "tips"),
    ("/tips off", "tips"),
    ("/tiptime 06:15", "tiptime"),
    ("/timezone +5", "timezone"),
    ("/digest", "digest"),
    ("/digest off", "digest"),
    (f"/mydata@{BOT}", "mydata"),
    (f"/progress@{BOT}", "progress"),
]


@pytest.mark.parametrize("chat", [GROUP, SUPERGROUP], ids=["group", "supergroup"])
async def test_personal_commands_in_a_group_point_to_the_private_chat(
    nexus: Nexus, api: FakeBotApi, chat: dict[str, Any]
) -> None:
    await say(nexus, api, "what is an etag")  # some data of one's own
    before = await user_row(nexus)
    assert before is not None
    for text, payload in PERSONAL:
        calls = await say(nexus, api, text, chat=chat)
        assert [c.method for c in calls] == ["sendMessage"], text
        (reply,) = calls
        assert reply.params["chat_id"] == chat["id"]
        assert reply.params["text"] == ops_views.ASK_IN_PRIVATE, text
        assert urls(reply) == [("🔒 Open a private chat", f"https://t.me/{BOT}?start={payload}")]
        assert datas(reply) == []
    after = await user_row(nexus)
    assert after is not None
    assert (after.tips_enabled, after.tip_minute, after.timezone, after.digest) == (
        before.tips_enabled,
        before.tip_minute,
        before.timezone,
        before.digest,
    )
    assert await count(nexus, QuestionLog, USER_ID) == 1  # not forgotten


async def test_tip_buttons_in_a_group_change_nothing_and_point_to_the_private_chat(
    nexus: Nexus, api: FakeBotApi
) -> None:
    (welcome,) = of(await say(nexus, api, "/start", chat=GROUP), "sendMessage")
    data = next(d for d in datas(welcome) if d.startswith("tp:"))
    calls = await press(nexus, api, seen_in(welcome.result, GROUP), data, user=OTHER)
    (alert,) = calls
    assert alert.method == "answerCallbackQuery"
    assert alert.params["url"] == f"https://t.me/{BOT}?start=tips"
    row = await user_row(nexus, OTHER)
    assert row is None or not row.tips_enabled


async def test_the_ask_in_private_deep_link_runs_the_command_in_private(
    nexus: Nexus, api: FakeBotApi
) -> None:
    """The group's "open a private chat" link lands on what was asked (here the data
    export), not on a welcome the learner must then find the command in."""
    calls = await say(nexus, api, "/start mydata")
    assert of(calls, "sendMessage") == []
    (document,) = of(calls, "sendDocument")
    assert document.params["chat_id"] == USER_ID


# -- (c) confirmations belong to whoever was asked ----------------------------------------


async def test_a_forget_confirmation_works_only_for_its_owner(
    nexus: Nexus, api: FakeBotApi
) -> None:
    await say(nexus, api, "what is an etag")
    await say(nexus, api, "what is an etag", user=OTHER)
    (prompt,) = of(await say(nexus, api, "/forget"), "sendMessage")
    yes, no = datas(prompt)
    assert yes == f"fg:y:{USER_ID}" and no == f"fg:n:{USER_ID}"
    for data in (yes, no, "fg:y", "fg:n"):
        calls = await press(nexus, api, seen_in(prompt.result, GROUP), data, user=OTHER)
        assert [c.method for c in calls] == ["answerCallbackQuery"], data
        assert calls[0].params["text"] == ops_views.NOT_YOUR_BUTTON
        assert calls[0].params.get("show_alert") is True
    assert await count(nexus, QuestionLog, OTHER) == 1
    assert await count(nexus, QuestionLog, USER_ID) == 1
    # The owner's own press still works.
    done = await press(nexus, api, prompt.result, yes)
    assert of(done, "editMessageText")[0].params["text"] == ops_views.FORGOTTEN.text
    assert await count(nexus, QuestionLog, USER_ID) == 0
    assert await count(nexus, QuestionLog, OTHER) == 1


async def test_a_reset_confirmation_works_only_for_its_owner(nexus: Nexus, api: FakeBotApi) -> None:
    for user in (USER_ID, OTHER):
        (quiz,) = of(await say(nexus, api, "/quiz", user=user), "sendMessage")
        await press(nexus, api, quiz.result, datas(quiz)[0], user=user)
    (prompt,) = of(await say(nexus, api, "/reset"), "sendMessage")
    yes, no = datas(prompt)
    assert yes == f"rs:y:{USER_ID}" and no == f"rs:n:{USER_ID}"
    for data in (yes, no, "rs:y", "rs:n"):
        calls = await press(nexus, api, seen_in(prompt.result, GROUP), data, user=OTHER)
        assert [c.method for c in calls] == ["answerCallbackQuery"], data
        assert calls[0].params["text"] == ops_views.NOT_YOUR_BUTTON
    assert await count(nexus, QuizAnswer, OTHER) == 1
    assert await count(nexus, QuizAnswer, USER_ID) == 1
    await press(nexus, api, prompt.result, yes)
    assert await count(nexus, QuizAnswer, USER_ID) == 0
    assert await count(nexus, QuizAnswer, OTHER) == 1


def test_confirmation_data_fits_in_64_bytes_for_any_user_id() -> None:
    biggest = 2**63 - 1  # beyond any Telegram user id (they fit in 52 bits)
    for action in (callbacks.Forget(True, biggest), callbacks.ResetProgress(False, biggest)):
        data = callbacks.encode(action)
        assert len(data.encode()) <= callbacks.LIMIT
        assert callbacks.decode(data) == action
    assert callbacks.decode("fg:y") == callbacks.Forget(True, None)
    for forged in ("fg:y:-5", "fg:y:", "rs:n:1e9", "rs:y:5:6", "fg:y:" + "9" * 30):
        assert callbacks.decode(forged) is None, forged
