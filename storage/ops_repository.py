"""What operators read: feedback, the unanswered-question inbox, statistics,
log retention. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feedback, QuestionLog, QuizAnswer, TipDelivery, User
from storage.records import LoggedQuestion
from storage.repositories import dialect_insert, logged_question_of


class OpsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def vote(self, user_id: int, entry_id: str, helpful: bool, now: datetime) -> None:
        statement = dialect_insert(self.session, Feedback).values(
            user_id=user_id, entry_id=entry_id, helpful=helpful, created_at=now
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "entry_id"],
                set_={"helpful": helpful, "created_at": now},
            )
        )

    async def feedback_by_entry(self) -> list[tuple[str, int, int]]:
        """(entry id, 👍, 👎), most 👎 first."""
        down = func.sum(case((Feedback.helpful.is_(False), 1), else_=0))
        up = func.sum(case((Feedback.helpful.is_(True), 1), else_=0))
        result = await self.session.execute(
            select(Feedback.entry_id, up, down)
            .group_by(Feedback.entry_id)
            .order_by(down.desc(), up, Feedback.entry_id)
        )
        return [(entry, int(u), int(d)) for entry, u, d in result.all()]

    async def unanswered(self, since: datetime, limit: int | None = None) -> list[LoggedQuestion]:
        """Questions answered "no match" or "did you mean" since `since`, oldest first;
        with `limit`, only the latest `limit` of them."""
        result = await self.session.execute(
            select(QuestionLog)
            .where(
                QuestionLog.status.in_(("no_match", "ambiguous")),
                QuestionLog.created_at >= since,
            )
            .order_by(QuestionLog.created_at.desc(), QuestionLog.id.desc())
            .limit(limit)
        )
        return [logged_question_of(row) for row in reversed(result.scalars().all())]

    async def picked_suggestions(self, since: datetime) -> list[tuple[str, str]]:
        """(question, entry the learner chose from "did you mean")."""
        result = await self.session.execute(
            select(QuestionLog.text, QuestionLog.chosen_entry_id).where(
                QuestionLog.chosen_entry_id.is_not(None), QuestionLog.created_at >= since
            )
        )
        return [(text, entry) for text, entry in result.all() if entry]

    async def user_counts(self, active_since: list[datetime]) -> list[int]:
        """Total users, then users seen since each moment given."""
        counts = [int((await self.session.execute(select(func.count(User.id)))).scalar_one())]
        for moment in active_since:
            result = await self.session.execute(
                select(func.count(User.id)).where(User.last_seen_at >= moment)
            )
            counts.append(int(result.scalar_one()))
        return counts

    async def question_statuses(self, since: datetime) -> dict[str, int]:
        result = await self.session.execute(
            select(QuestionLog.status, func.count())
            .where(QuestionLog.created_at >= since)
            .group_by(QuestionLog.status)
        )
        return {status: int(count) for status, count in result.all()}

    async def top_entries(self, since: datetime, limit: int = 5) -> list[tuple[str, int]]:
        result = await self.session.execute(
            select(QuestionLog.entry_id, func.count().label("n"))
            .where(
                QuestionLog.status == "answered",
                QuestionLog.entry_id.is_not(None),
                QuestionLog.created_at >= since,
            )
            .group_by(QuestionLog.entry_id)
            .order_by(func.count().desc(), QuestionLog.entry_id)
            .limit(limit)
        )
        return [(entry, int(n)) for entry, n in result.all() if entry]

    async def quiz_totals(self, since: datetime) -> tuple[int, int]:
        right = func.coalesce(func.sum(case((QuizAnswer.correct, 1), else_=0)), 0)
        result = await self.session.execute(
            select(func.count(QuizAnswer.id), right).where(QuizAnswer.answered_at >= since)
        )
        total, correct = result.one()
        return int(total), int(correct)

    async def tip_statuses(self, since: datetime) -> dict[str, int]:
        result = await self.session.execute(
            select(TipDelivery.status, func.count())
            .where(TipDelivery.claimed_at >= since)
            .group_by(TipDelivery.status)
        )
        return {status: int(count) for status, count in result.all()}

    async def purge_questions(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(QuestionLog).where(QuestionLog.created_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
