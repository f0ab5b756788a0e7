"""Flood control through PTB: button presses share the per-user budget with
messages, one user's flood cannot crowd out another's reply, and privacy requests
always go through. The guard's clock is injected (no sleeps); SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi
from bot.presentation import ops_views
from bot.telegram.flood import LIMITED_PREFIXES
from bot.telegram.guard import SLOW_DOWN_ALERT
from storage.models import QuizRound, User
from tests.telegram.conftest import USER_ID

OTHER = USER_ID + 1


def frozen_clock(nexus: Nexus) -> list[float]:
    clock = [1000.0]
    nexus.guard._clock = lambda: clock[0]
    return clock


async def say(nexus: Nexus, api: FakeBotApi, text: str, user: int = USER_ID) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.message_update(user, text))
    return api.calls[before:]


async def press(
    nexus: Nexus, api: FakeBotApi, message: dict[str, Any], data: str, user: int = USER_ID
) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.callback_update(user, message, data))
    return api.calls[before:]


def limited(calls: list[ApiCall]) -> list[ApiCall]:
    """The calls that take a slot of the bot-wide sending budget."""
    return [c for c in calls if c.method.lower().startswith(LIMITED_PREFIXES)]


def is_alert(calls: list[ApiCall]) -> bool:
    """Exactly one call: the over-budget press answered with a short alert."""
    return [(c.method, c.params.get("text")) for c in calls] == [
        ("answerCallbackQuery", SLOW_DOWN_ALERT)
    ]


async def rounds_of(nexus: Nexus, user_id: int) -> int:
    async with nexus.database.unit_of_work() as uow:
        query = select(func.count()).select_from(QuizRound).where(QuizRound.user_id == user_id)
        return int((await uow.session.execute(query)).scalar_one())


async def test_presses_share_the_budget_and_a_flood_cannot_crowd_out_others(
    nexus: Nexus, api: FakeBotApi
) -> None:
    clock = frozen_clock(nexus)
    limit = nexus.guard.limit
    (answer,) = limited(await say(nexus, api, "what is an etag"))  # 1 of the budget
    start = len(api.calls)
    presses = [await press(nexus, api, answer.result, "qt:caching") for _ in range(150)]
    assert all(limited(p) for p in presses[: limit - 1])  # a quiz round each
    assert all(is_alert(p) for p in presses[limit - 1 :])  # then an alert, no message
    assert await rounds_of(nexus, USER_ID) == limit - 1
    # Forged data counts the same: no handler runs, no stale-button reply.
    assert is_alert(await press(nexus, api, answer.result, "qa:99999999999999999999:0:0"))

    (reply,) = limited(await say(nexus, api, "what is an etag", user=OTHER))
    assert reply.params["chat_id"] == OTHER
    # The sending budget is first come, first served: ahead of the other user's reply
    # the flooder put at most `limit` sends, not one per press.
    ahead = limited(api.calls[start : api.calls.index(reply)])
    assert len(ahead) == limit - 1
    assert not any(c.params.get("text") == ops_views.SLOW_DOWN.text for c in api.calls)

    # The alerts were the warning: a message over the budget is dropped silently.
    assert await say(nexus, api, "what is an etag") == []
    clock[0] += 61  # the window passed
    assert limited(await press(nexus, api, answer.result, "qt:caching"))
    assert await rounds_of(nexus, USER_ID) == limit


async def test_messages_use_up_the_budget_presses_then_get_an_alert(
    nexus: Nexus, api: FakeBotApi
) -> None:
    frozen_clock(nexus)
    (answer,) = limited(await say(nexus, api, "what is an etag"))
    for i in range(nexus.guard.limit - 1):
        await say(nexus, api, f"what is an etag {i}")
    assert is_alert(await press(nexus, api, answer.result, "qt:caching"))
    assert await rounds_of(nexus, USER_ID) == 0
    # Someone else pressing the same kind of button is not affected.
    (other,) = limited(await say(nexus, api, "what is an etag", user=OTHER))
    assert limited(await press(nexus, api, other.result, "qt:caching", user=OTHER))


async def test_privacy_requests_go_through_while_throttled(nexus: Nexus, api: FakeBotApi) -> None:
    frozen_clock(nexus)
    (answer,) = limited(await say(nexus, api, "what is an etag"))
    for i in range(nexus.guard.limit + 3):  # over the budget, warned, ignored
        await say(nexus, api, f"what is an etag {i}")
    assert await say(nexus, api, "/tips on") == []  # not a privacy request: dropped

    (settings,) = limited(await say(nexus, api, "/tips off"))
    assert "off" in settings.params["text"].lower()
    mydata = await say(nexus, api, "/mydata")
    assert [c.method for c in mydata] == ["sendDocument"]
    assert is_alert(await press(nexus, api, answer.result, "tp:1:e"))
    assert limited(await press(nexus, api, settings.result, "tp:0:e"))
    (confirm,) = limited(await say(nexus, api, "/forget"))
    yes, no = [b["callback_data"] for b in confirm.params["reply_markup"]["inline_keyboard"][0]]
    assert yes.startswith("fg:y") and no.startswith("fg:n")
    assert [c.method for c in await press(nexus, api, confirm.result, no)] == [
        "answerCallbackQuery",
        "editMessageText",
    ]
    done = await press(nexus, api, confirm.result, yes)
    assert [c.params.get("text") for c in done if c.method == "editMessageText"] == [
        ops_views.FORGOTTEN.text
    ]
    async with nexus.database.unit_of_work() as uow:
        assert await uow.session.get(User, USER_ID) is None


async def test_privacy_requests_have_a_bounded_allowance_of_their_own(
    nexus: Nexus, api: FakeBotApi
) -> None:
    clock = frozen_clock(nexus)
    limit = nexus.guard.limit
    documents = [await say(nexus, api, "/mydata") for _ in range(limit + 2)]
    assert all([c.method for c in d] == ["sendDocument"] for d in documents[:limit])
    assert [c.params.get("text") for c in documents[limit]] == [ops_views.SLOW_DOWN.text]
    assert documents[limit + 1] == []
    # ...and using it up leaves the ordinary budget untouched.
    assert limited(await say(nexus, api, "what is an etag"))
    clock[0] += 61
    assert [c.method for c in await say(nexus, api, "/mydata")] == ["sendDocument"]
