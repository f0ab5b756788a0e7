"""Weekly-digest schedules, deliveries and the week's reads. Never commits.

Like tips: the next due learner is taken with FOR UPDATE SKIP LOCKED (PostgreSQL;
SQLite serialises writers), and the (user, week) unique key refuses a second
digest for the same week."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import func, select

from storage.delivery_rows import DeliveryRows
from storage.models import DigestDelivery, QuestionLog, QuizAnswer, QuizRound, User
from storage.records import LearnerProfile, RoundAnswer, aware


class DigestRepository(DeliveryRows):
    model = DigestDelivery
    key = ("user_id", "week_of")

    async def save_choice(
        self, user_id: int, choice: bool | None, next_at: datetime | None
    ) -> None:
        """The learner's /digest (None: follow tips) and when the next one is due."""
        await self._update_user(user_id, {"digest": choice, "next_digest_at": next_at})

    async def set_next(self, user_id: int, at: datetime | None) -> None:
        await self._update_user(user_id, {"next_digest_at": at})

    async def next_due(self, now: datetime) -> LearnerProfile | None:
        """The most overdue learner, locked for this transaction; others skip it."""
        return await self._next_due(User.next_digest_at, now)

    async def claim(self, user_id: int, week_of: date, now: datetime) -> int | None:
        """Record that this week's digest is being sent; None if that week has one."""
        return await self._claim({"user_id": user_id, "week_of": week_of, "claimed_at": now})

    async def has_digest(self, user_id: int, week_of: date) -> bool:
        result = await self.session.execute(
            select(DigestDelivery.id).where(
                DigestDelivery.user_id == user_id, DigestDelivery.week_of == week_of
            )
        )
        return result.first() is not None

    async def asked(self, user_id: int, since: datetime, until: datetime) -> list[str | None]:
        """The entry each question (not small talk) in [since, until) was answered
        with (a picked suggestion counts), None for those left unanswered."""
        result = await self.session.execute(
            select(func.coalesce(QuestionLog.chosen_entry_id, QuestionLog.entry_id)).where(
                QuestionLog.user_id == user_id,
                QuestionLog.created_at >= since,
                QuestionLog.created_at < until,
                QuestionLog.status != "smalltalk",
            )
        )
        return list(result.scalars())

    async def answers_since(self, user_id: int, since: datetime) -> list[RoundAnswer]:
        result = await self.session.execute(
            select(QuizAnswer)
            .where(QuizAnswer.user_id == user_id, QuizAnswer.answered_at >= since)
            .order_by(QuizAnswer.answered_at)
        )
        return [
            RoundAnswer(a.position, a.quiz_id, a.choice, a.correct, aware(a.answered_at))
            for a in result.scalars()
        ]

    async def mastery_before_rounds(self, user_id: int, since: datetime) -> dict[str, float]:
        """Each topic's mastery as recorded before the first round since `since` that
        quizzed it (every round stores its topics' mastery when it starts)."""
        result = await self.session.execute(
            select(QuizRound.mastery_before)
            .where(QuizRound.user_id == user_id, QuizRound.created_at >= since)
            .order_by(QuizRound.created_at.desc(), QuizRound.id.desc())
        )
        first: dict[str, float] = {}
        for stored in result.scalars():
            first.update(json.loads(stored))  # earlier rounds overwrite later ones
        return first
