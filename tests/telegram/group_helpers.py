"""Shared by the group Telegram tests: a clocked bot, and feeding group updates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from bot.app import Nexus
from bot.fake_telegram import ApiCall, FakeBotApi, InMemoryRequest
from bot.settings import Settings
from storage.records import GroupChat

ADMIN, MEMBER = 7001, 7002
GROUP = {"id": -500, "type": "group", "title": "Backend cohort"}
SUPERGROUP = {"id": -1001234567890, "type": "supergroup", "title": "Backend cohort"}
FORUM = {"id": -1009876543210, "type": "supergroup", "title": "Cohort forum", "is_forum": True}


@asynccontextmanager
async def group_nexus(settings: Settings, api: FakeBotApi, clock: Any) -> AsyncIterator[Nexus]:
    """A bot on an injected clock, in UTC by default, whose group tips retry at once."""
    settings = replace(settings, default_timezone="UTC")
    async with Nexus(settings, request=InMemoryRequest(api), clock=clock) as running:
        running.groups.sender.broadcast.backoff = (0.0, 0.0)
        yield running


async def feed(nexus: Nexus, api: FakeBotApi, update: dict[str, Any]) -> list[ApiCall]:
    before = len(api.calls)
    await nexus.feed(update)
    return api.calls[before:]


async def say(
    nexus: Nexus,
    api: FakeBotApi,
    chat: dict[str, Any],
    text: str,
    *,
    user: int = ADMIN,
    thread_id: int | None = None,
    anonymous: bool = False,
) -> list[ApiCall]:
    update = api.groups.message_update(
        chat, text, user_id=user, thread_id=thread_id, anonymous=anonymous
    )
    return await feed(nexus, api, update)


def of(calls: list[ApiCall], method: str) -> list[ApiCall]:
    return [c for c in calls if c.method == method]


def texts(calls: list[ApiCall]) -> list[str]:
    return [c.params["text"] for c in of(calls, "sendMessage")]


def datas(call: ApiCall) -> list[str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


def labels(call: ApiCall) -> list[str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def stored(nexus: Nexus, chat_id: int) -> GroupChat | None:
    async with nexus.database.unit_of_work() as uow:
        return await uow.groups.get(chat_id)


async def run_group_tips(nexus: Nexus, api: FakeBotApi) -> tuple[dict[str, int], list[ApiCall]]:
    before = len(api.calls)
    report = await nexus.groups.sender.run(nexus.application.bot)
    return report.counts, of(api.calls[before:], "sendMessage")
