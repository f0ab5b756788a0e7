"""The "N answered" line under an open group quiz question, edited rarely.

Five hundred members tapping within seconds must not become five hundred edits
(Telegram allows about 20 messages a minute in a group): a question's message is
edited at most once per `interval` seconds of the service clock. A tap edits at once
if the last edit is older than that; otherwise the count waits for `flush_due`
(the group quiz tick) or is overtaken by the reveal. Per question, edits and the
reveal run under one lock, and nothing is edited after the reveal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.presentation import group_quiz_views
from bot.services.group_quiz_types import GroupQuestion
from bot.telegram import send

log = logging.getLogger(__name__)


@dataclass
class _Open:
    question: GroupQuestion
    message_id: int
    dirty: bool = False  # answers came in since the last count was read
    shown: int = 0
    last_edit: datetime | None = None
    closed: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class AnsweredEdits:
    def __init__(
        self,
        clock: Callable[[], datetime],
        count: Callable[[int, int], Awaitable[int]],
        interval: float = 5.0,
    ) -> None:
        self._clock = clock
        self._count = count  # answers to (round, position), read when an edit is due
        self._interval = timedelta(seconds=interval)
        self._open: dict[tuple[int, int], _Open] = {}
        self.edits = 0  # "N answered" edits made (the benchmark reports it)

    def tapped(self, question: GroupQuestion, message_id: int) -> bool:
        """Note a new answer; True if the caller should `flush` now (the slot is taken).
        The tap does not count the answers: the edit reads the count when it is due."""
        key = (question.round_id, question.position)
        state = self._open.setdefault(key, _Open(question, message_id))
        state.dirty = True
        return self._take_slot(state)

    def _take_slot(self, state: _Open) -> bool:
        now = self._clock()
        if state.closed or not state.dirty:
            return False
        if state.last_edit is not None and now - state.last_edit < self._interval:
            return False
        state.last_edit = now
        return True

    async def flush(self, bot: Bot, round_id: int, position: int) -> None:
        state = self._open.get((round_id, position))
        if state is None:
            return
        async with state.lock:
            if state.closed or not state.dirty:
                return
            state.dirty = False
            count = await self._count(round_id, position)
            if count == state.shown:
                return
            view = group_quiz_views.question(state.question, count)
            chat = state.question.chat
            try:
                await bot.edit_message_text(
                    view.text,
                    chat_id=chat.chat_id,
                    message_id=state.message_id,
                    reply_markup=send.markup(view.rows),
                )
                self.edits += 1
            except TelegramError as error:  # "not modified", a deleted message: not fatal
                log.info("group quiz count not edited: %s", error)
            state.shown = count

    async def flush_due(self, bot: Bot) -> None:
        """Edit every question whose count changed and whose last edit is old enough."""
        for (round_id, position), state in list(self._open.items()):
            if self._take_slot(state):
                await self.flush(bot, round_id, position)

    async def close(self, round_id: int, position: int, reveal: Awaitable[None]) -> None:
        """Run the reveal edit; no count edit lands after it."""
        state = self._open.pop((round_id, position), None)
        if state is None:
            await reveal
            return
        async with state.lock:
            state.closed = True
            await reveal
