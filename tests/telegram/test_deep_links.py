"""Deep links (`t.me/<bot>?start=<payload>`, delivered as `/start <payload>`) through
the real PTB stack: each opens what it names; anything else gets the welcome."""

from __future__ import annotations

import pytest

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi
from bot.presentation import ops_views, quiz_views, tip_views, views
from bot.telegram.guard import SLOW_DOWN_ALERT
from tests.telegram.conftest import USER_ID

NEWCOMER = 6006  # opens the link before ever writing to the bot


async def start(nexus: Nexus, api: FakeBotApi, payload: str, user: int = NEWCOMER) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.message_update(user, f"/start {payload}".rstrip()))
    return api.calls[before:]


def sent(calls: list[ApiCall]) -> ApiCall:
    (message,) = [c for c in calls if c.method == "sendMessage"]
    return message


def is_welcome(call: ApiCall) -> bool:
    return call.params["text"].startswith("Hi, Ada! I'm <b>Nexus</b>")


async def test_an_entry_link_opens_the_entry_with_its_buttons(
    nexus: Nexus, api: FakeBotApi
) -> None:
    kb = nexus.library().kb
    etag = kb.entry("caching-etag")
    assert etag is not None
    message = sent(await start(nexus, api, f"e_{etag.short_id}"))
    expected = views.entry(kb, etag, share=True)
    assert message.params["chat_id"] == NEWCOMER
    assert message.params["text"] == expected.text
    keyboard = message.params["reply_markup"]["inline_keyboard"]
    assert keyboard[-1] == [{"text": "📤 Share", "switch_inline_query": etag.title}]
    async with nexus.database.unit_of_work() as uow:
        assert await uow.users.get(NEWCOMER) is not None  # /start is first contact


async def test_a_quiz_link_starts_a_quiz_on_its_topic(nexus: Nexus, api: FakeBotApi) -> None:
    kb = nexus.library().kb
    question = sent(await start(nexus, api, "quiz_kubernetes"))
    text = question.params["text"]
    asked = next(q for q in kb.quizzes if q.question in text)
    assert kb.quiz_topics[asked.id] == "kubernetes"
    data = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("qa:")


async def test_the_tips_link_offers_the_daily_tip(nexus: Nexus, api: FakeBotApi) -> None:
    offer = sent(await start(nexus, api, "tips"))
    assert "Daily tips are <b>off</b>" in offer.params["text"]
    assert offer.params["reply_markup"]["inline_keyboard"] == [
        [{"text": "💡 Send me a daily tip", "callback_data": "tp:1:e"}]
    ]
    # Nothing changed by opening the link: the tip is offered, not imposed.
    async with nexus.database.unit_of_work() as uow:
        user = await uow.users.get(NEWCOMER)
        assert user is not None and not user.tips_enabled


@pytest.mark.parametrize(
    ("payload", "shows"),
    [
        ("forget", ops_views.forget_confirm(NEWCOMER).text),
        ("reset", quiz_views.reset_confirm(NEWCOMER).text),
        ("progress", "No quiz answers yet"),
        ("tiptime", tip_views.TIME_EXAMPLE),
        ("timezone", tip_views.ZONE_EXAMPLE),
    ],
)
async def test_ask_in_private_links_run_their_command(
    nexus: Nexus, api: FakeBotApi, payload: str, shows: str
) -> None:
    """The links a group's "ask me in private" sends: the command runs bare, so the
    payload is never read as its argument ("/tiptime tiptime" would be refused)."""
    message = sent(await start(nexus, api, payload))
    assert shows in message.params["text"]
    assert "couldn't read" not in message.params["text"]


@pytest.mark.parametrize(
    "payload",
    [
        "",  # plain /start
        "e_00000000",  # well-formed, but no such entry (content changed since)
        "e_ABCDEF12",  # not a short id
        "e_",
        "quiz_",
        "quiz_cooking",  # no such topic
        "quiz_caching extra",  # two words: not a deep link
        "inline",  # the inline answer's "ask in private" button
        "help",
        "start",
        "../../etc/passwd",
        "e_" + "a" * 63,  # over 64 characters
        "émoji🙂",
    ],
)
async def test_unknown_or_malformed_payloads_fall_back_to_the_welcome(
    nexus: Nexus, api: FakeBotApi, payload: str
) -> None:
    calls = await start(nexus, api, payload)
    assert [c.method for c in calls] == ["sendMessage"]
    assert is_welcome(calls[0]), payload


async def test_a_throttled_learner_can_still_open_the_forget_link(
    nexus: Nexus, api: FakeBotApi
) -> None:
    clock = [1000.0]
    nexus.guard._clock = lambda: clock[0]
    for _ in range(nexus.guard.limit):
        await start(nexus, api, "", user=USER_ID)
    slowed = sent(await start(nexus, api, "tips", user=USER_ID))
    assert slowed.params["text"] == ops_views.SLOW_DOWN.text
    confirm = sent(await start(nexus, api, "forget", user=USER_ID))
    assert confirm.params["text"] == ops_views.forget_confirm(USER_ID).text
    assert SLOW_DOWN_ALERT not in str(confirm.params)
