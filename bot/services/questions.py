"""Answering a learner's question: match it, log it for authors, return the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.services.clock import Clock, utc_now
from bot.services.library import Library
from content import MatchResult, MatchStatus
from storage import Database


@dataclass(frozen=True)
class Learner:
    """Who is asking: enough to reply and to keep their progress."""

    user_id: int
    chat_id: int
    language: str | None = None


@dataclass(frozen=True)
class Answer:
    result: MatchResult
    log_id: int | None


class QuestionService:
    def __init__(
        self, library: Callable[[], Library], database: Database, clock: Clock = utc_now
    ) -> None:
        self._library = library
        self._database = database
        self._clock = clock

    async def ask(self, text: str, learner: Learner) -> Answer:
        result = self._library().matcher.match(text)
        best = result.best
        now = self._clock()
        async with self._database.unit_of_work() as uow:
            await uow.users.touch(learner.user_id, learner.chat_id, learner.language, now)
            log_id = await uow.questions.add(
                user_id=learner.user_id,
                text=text,
                status=result.status.value,
                entry_id=best.entry.id if best and result.status != MatchStatus.SMALLTALK else None,
                score=best.score if best else None,
                now=now,
            )
            await uow.commit()
        return Answer(result, log_id)

    async def choose_suggestion(self, log_id: int, learner: Learner, entry_id: str) -> None:
        """The learner picked a "did you mean" entry: keep the pair for authors."""
        async with self._database.unit_of_work() as uow:
            await uow.questions.record_choice(log_id, learner.user_id, entry_id)
            await uow.commit()


class LearnerService:
    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    async def greet(self, learner: Learner) -> None:
        """Record the learner on /start (first contact or return)."""
        async with self._database.unit_of_work() as uow:
            await uow.users.touch(learner.user_id, learner.chat_id, learner.language, self._clock())
            await uow.commit()
