"""/path, /next and their buttons through the real PTB stack: exact text pieces and
buttons, "Quiz me" on the next concept, progress moving the path on, groups, and
"where do I start" leading onto the path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.presentation import ops_views
from bot.settings import Settings
from content.model import short_key
from storage.records import Memory, Review
from tests.fakes import FakeClock
from tests.telegram.conftest import USER_ID

GROUP = {"id": -500, "type": "group", "title": "cohort"}
BOT = "nexus_study_bot"
NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


@pytest.fixture
async def nexus(fixture_settings: Settings, api: FakeBotApi) -> AsyncIterator[Nexus]:
    settings = replace(fixture_settings, default_timezone="UTC")
    clock = FakeClock(NOW)
    async with Nexus(settings, request=InMemoryRequest(api), clock=clock) as running:
        yield running


async def say(
    nexus: Nexus, api: FakeBotApi, text: str, chat: dict[str, Any] | None = None
) -> list[ApiCall]:
    update = api.message_update(USER_ID, text)
    if chat is not None:
        update["message"]["chat"] = chat
    before = len(api.calls)
    await nexus.feed(update)
    return api.calls[before:]


async def press(nexus: Nexus, api: FakeBotApi, message: dict[str, Any], data: str) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.callback_update(USER_ID, message, data))
    return api.calls[before:]


def sent(calls: list[ApiCall]) -> ApiCall:
    (message,) = [c for c in calls if c.method == "sendMessage"]
    return message


def buttons(call: ApiCall) -> list[tuple[str, str]]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data") or b.get("url", "")) for row in rows for b in row]


async def master(nexus: Nexus, api: FakeBotApi, *quiz_ids: str) -> None:
    """Questions answered well enough to count as mastered at NOW (by a learner
    who has met the bot)."""
    await say(nexus, api, "/start")
    memory = Memory(200.0, 3.0, NOW, NOW + timedelta(days=200))
    async with nexus.database.unit_of_work() as uow:
        for quiz_id in quiz_ids:
            await uow.quizzes.save_progress(USER_ID, Review(quiz_id, memory, True))
        await uow.commit()


async def test_a_new_learners_path_and_next_concept(nexus: Nexus, api: FakeBotApi) -> None:
    shown = sent(await say(nexus, api, "/path"))
    text = shown.params["text"]
    assert text.startswith("🧭 <b>Your path through the program</b>\n\n")
    assert "▶️ 1. <b>Django</b> ▱▱▱▱▱ 0/2\n○ 2. Caching ▱▱▱▱▱ 0/2\n○ 3. Kubernetes ▱▱▱▱▱ 0/2" in text
    assert (
        "Next concept: <b>select_related and prefetch_related</b> (step 1, Django). "
        "/next opens it." in text
    )
    assert buttons(shown) == [("▶️ Next concept", "nx")]

    concept = sent(await say(nexus, api, "/next"))
    assert concept.params["text"].startswith(
        "🎯 Next on your path, step 1 of 3: Django\n\n<b>select_related and prefetch_related</b>"
    )
    short = short_key("django-select-related")
    labels = buttons(concept)
    assert ("🎯 Quiz me", f"qe:{short}") in labels
    assert labels[-2:] == [("📤 Share", ""), ("🧭 My path", "pt")]

    # The path's button opens the same view as /next.
    again = sent(await press(nexus, api, shown.result, "nx"))
    assert again.params["text"] == concept.params["text"]


async def test_quiz_me_on_the_next_concept_asks_its_question(nexus: Nexus, api: FakeBotApi) -> None:
    concept = sent(await say(nexus, api, "/next"))
    quiz_me = next(data for label, data in buttons(concept) if label == "🎯 Quiz me")
    question = sent(await press(nexus, api, concept.result, quiz_me))
    item = nexus.library().kb.quiz("django-select-related-q1")
    assert item is not None
    assert question.params["text"].startswith("<b>Question 1/1</b>")
    assert item.question in question.params["text"]


async def test_progress_moves_the_path_on(nexus: Nexus, api: FakeBotApi) -> None:
    await master(nexus, api, "django-select-related-q1")
    text = sent(await say(nexus, api, "/path")).params["text"]
    assert "▶️ 1. <b>Django</b> ▰▰▱▱▱ 1/2" in text
    assert "Next concept: <b>only() and defer()</b> (step 1, Django)" in text

    await master(nexus, api, "django-only-defer-q1")
    shown = sent(await say(nexus, api, "/path"))
    text = shown.params["text"]
    assert "✅ 1. Django ▰▰▰▰▰ 2/2\n▶️ 2. <b>Caching</b> ▱▱▱▱▱ 0/2" in text
    assert "Next concept: <b>ETag and If-None-Match</b> (step 2, Caching)" in text
    concept = sent(await say(nexus, api, "/next"))
    assert concept.params["text"].startswith(
        "🎯 Next on your path, step 2 of 3: Caching\n\n<b>ETag and If-None-Match</b>"
    )
    assert ("🎯 Quiz me", f"qe:{short_key('caching-etag')}") in buttons(concept)


async def test_everything_mastered(nexus: Nexus, api: FakeBotApi) -> None:
    await master(nexus, api, *(q.id for q in nexus.library().kb.quizzes))
    shown = sent(await say(nexus, api, "/path"))
    assert "✅ 3. Kubernetes ▰▰▰▰▰ 2/2" in shown.params["text"]
    assert "🏆 You've mastered every concept on the path." in shown.params["text"]
    assert buttons(shown) == [("🎯 Quiz me", "qt:")]
    concept = sent(await say(nexus, api, "/next"))
    assert concept.params["text"].startswith("🏆 You've mastered every concept")
    assert buttons(concept) == [("🧭 My path", "pt")]


@pytest.mark.parametrize("command", ["path", "next"])
async def test_in_a_group_path_and_next_ask_in_private(
    nexus: Nexus, api: FakeBotApi, command: str
) -> None:
    (reply,) = await say(nexus, api, f"/{command}", chat=GROUP)
    assert reply.method == "sendMessage" and reply.params["chat_id"] == GROUP["id"]
    assert reply.params["text"] == ops_views.ASK_IN_PRIVATE
    assert buttons(reply) == [("🔒 Open a private chat", f"https://t.me/{BOT}?start={command}")]
    private = sent(await say(nexus, api, f"/start {command}"))  # the link, followed
    expected = "🧭 <b>Your path" if command == "path" else "🎯 Next on your path, step 1"
    assert private.params["text"].startswith(expected)


async def test_a_path_button_in_a_group_opens_the_private_chat(
    nexus: Nexus, api: FakeBotApi
) -> None:
    shown = sent(await say(nexus, api, "/path"))
    (tap,) = await press(nexus, api, {**shown.result, "chat": GROUP}, "pt")
    assert tap.method == "answerCallbackQuery"
    assert tap.params["url"] == f"https://t.me/{BOT}?start=path"


@pytest.mark.parametrize(
    "question", ["where do i start", "what should i learn first", "i'm new, where to begin"]
)
async def test_where_do_i_start_leads_to_the_path(
    bundled_nexus: Nexus, api: FakeBotApi, question: str
) -> None:
    reply = sent(await say(bundled_nexus, api, question))
    assert "/path" in reply.params["text"] and "/next" in reply.params["text"]
    assert buttons(reply) == [("🧭 My path", "pt"), ("▶️ Next concept", "nx")]
    shown = sent(await press(bundled_nexus, api, reply.result, "pt"))
    assert "▶️ 1. <b>Python</b> ▱▱▱▱▱ 0/" in shown.params["text"]
    concept = sent(await press(bundled_nexus, api, reply.result, "nx"))
    kb = bundled_nexus.library().kb
    first = kb.entries_in("python")[0]
    steps = len(kb.topics)
    assert f"step 1 of {steps}: Python\n\n<b>{first.title}</b>" in concept.params["text"]
