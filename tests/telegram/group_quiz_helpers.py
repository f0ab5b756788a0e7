"""Shared by the group quiz and leaderboard tests: a bot on an injected clock, members
talking in a group and tapping the same message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.settings import Settings
from content import QuizItem
from tests.fakes import FakeClock
from tests.telegram.group_helpers import datas as datas  # re-exported for the quiz tests
from tests.telegram.group_helpers import of as of

GROUP = {"id": -500, "type": "group", "title": "cohort"}
FORUM = {"id": -1001234567890, "type": "supergroup", "title": "cohort+", "is_forum": True}
ADA, BOB, CEM = 5005, 5006, 5007
NAMES = {ADA: "Ada", BOB: "Bob", CEM: "Cem"}
START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def nexus(
    fixture_settings: Settings, api: FakeBotApi, clock: FakeClock
) -> AsyncIterator[Nexus]:
    settings = replace(fixture_settings, default_timezone="UTC")
    async with Nexus(settings, request=InMemoryRequest(api), clock=clock) as running:
        yield running


def name_of(user: int) -> str:
    return NAMES.get(user, f"Member{user}")


async def say(
    nexus: Nexus,
    api: FakeBotApi,
    text: str,
    *,
    user: int = ADA,
    chat: dict[str, Any] | None = GROUP,
    thread: int | None = None,
) -> list[ApiCall]:
    """`user` sends `text` in `chat` (None: the private chat); the calls it caused."""
    if chat is None:
        update = api.message_update(user, text, first_name=name_of(user))
    else:
        update = api.group_message_update(
            user, text, chat, first_name=name_of(user), thread_id=thread
        )
    before = len(api.calls)
    await nexus.feed(update)
    return api.calls[before:]


async def tap(
    nexus: Nexus, api: FakeBotApi, message: dict[str, Any], data: str, *, user: int = ADA
) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(api.callback_update(user, message, data, first_name=name_of(user)))
    return api.calls[before:]


async def start_round(
    nexus: Nexus, api: FakeBotApi, *, user: int = ADA, chat: dict[str, Any] = GROUP
) -> ApiCall:
    (question,) = of(await say(nexus, api, "/quiz", user=user, chat=chat), "sendMessage")
    return question


def item_of(nexus: Nexus, question: ApiCall) -> QuizItem:
    text = question.params["text"]
    return next(q for q in nexus.library().kb.quizzes if q.question in text)


def option(nexus: Nexus, question: ApiCall, right: bool) -> str:
    """The callback data of the right option (or of a wrong one)."""
    item = item_of(nexus, question)
    choice = item.correct if right else (item.correct + 1) % len(item.options)
    return datas(question)[choice]


def reveal_button(question: ApiCall) -> str:
    return datas(question)[-1]


async def run_due(nexus: Nexus, clock: FakeClock, seconds: float = 0) -> int:
    """Move the clock on, then run the group quiz tick as the job queue would."""
    clock.now += timedelta(seconds=seconds)
    handlers = nexus.handlers.group_quiz
    assert handlers is not None
    revealed = await handlers.run_due(nexus.application.bot)
    await nexus.followups.settle()
    return revealed
