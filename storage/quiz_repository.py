"""Quiz rounds, answers and spaced-repetition progress. Never commits."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import records
from storage.models import QuizAnswer, QuizProgress, QuizRound
from storage.records import RoundStatus
from storage.repositories import dialect_insert


class QuizRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- rounds ---------------------------------------------------------------------

    async def abandon_active(self, user_id: int, now: datetime) -> None:
        await self.session.execute(
            update(QuizRound)
            .where(QuizRound.user_id == user_id, QuizRound.status == RoundStatus.ACTIVE)
            .values(status=RoundStatus.ABANDONED, finished_at=now)
        )

    async def create_round(
        self, user_id: int, quiz_ids: Sequence[str], mastery_before: dict[str, float], now: datetime
    ) -> records.QuizRound:
        row = QuizRound(
            user_id=user_id,
            quiz_ids=json.dumps(list(quiz_ids)),
            position=0,
            shown=0,
            status=RoundStatus.ACTIVE,
            mastery_before=json.dumps(mastery_before),
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return _round_of(row)

    async def round_for_update(self, round_id: int) -> records.QuizRound | None:
        """The round, row-locked on PostgreSQL so concurrent taps queue up behind it."""
        result = await self.session.execute(
            select(QuizRound)
            .where(QuizRound.id == round_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = result.scalar_one_or_none()
        return None if row is None else _round_of(row)

    async def save_round(self, round_: records.QuizRound) -> None:
        await self.session.execute(
            update(QuizRound)
            .where(QuizRound.id == round_.id)
            .values(
                position=round_.position,
                shown=round_.shown,
                status=round_.status,
                finished_at=round_.finished_at,
            )
        )

    # -- answers --------------------------------------------------------------------

    async def record_answer(self, user_id: int, round_id: int, answer: records.RoundAnswer) -> bool:
        """Store one answer; False if that question of that round was already answered."""
        statement = (
            dialect_insert(self.session, QuizAnswer)
            .values(
                user_id=user_id,
                round_id=round_id,
                position=answer.position,
                quiz_id=answer.quiz_id,
                choice=answer.choice,
                correct=answer.correct,
                answered_at=answer.answered_at,
            )
            .on_conflict_do_nothing(index_elements=["round_id", "position"])
            .returning(QuizAnswer.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def answers_of_round(self, round_id: int) -> list[records.RoundAnswer]:
        result = await self.session.execute(
            select(QuizAnswer).where(QuizAnswer.round_id == round_id).order_by(QuizAnswer.position)
        )
        return [
            records.RoundAnswer(
                a.position, a.quiz_id, a.choice, a.correct, records.aware(a.answered_at)
            )
            for a in result.scalars()
        ]

    async def answer_times(self, user_id: int) -> list[datetime]:
        result = await self.session.execute(
            select(QuizAnswer.answered_at).where(QuizAnswer.user_id == user_id)
        )
        return [records.aware(moment) for moment in result.scalars()]

    async def answer_totals(self, user_id: int) -> tuple[int, int]:
        """(answers, correct answers) over all time."""
        correct = func.sum(case((QuizAnswer.correct, 1), else_=0))
        result = await self.session.execute(
            select(func.count(QuizAnswer.id), func.coalesce(correct, 0)).where(
                QuizAnswer.user_id == user_id
            )
        )
        total, right = result.one()
        return int(total), int(right)

    # -- progress -------------------------------------------------------------------

    async def progress(
        self, user_id: int, quiz_ids: Collection[str] | None = None
    ) -> dict[str, records.ProgressCard]:
        statement = select(QuizProgress).where(QuizProgress.user_id == user_id)
        if quiz_ids is not None:
            statement = statement.where(QuizProgress.quiz_id.in_(list(quiz_ids)))
        result = await self.session.execute(statement)
        return {
            row.quiz_id: records.ProgressCard(
                row.quiz_id,
                records.Memory(
                    row.stability,
                    row.difficulty,
                    records.aware(row.last_answered_at),
                    records.aware(row.due_at),
                ),
                row.correct_count,
                row.wrong_count,
            )
            for row in result.scalars()
        }

    async def save_progress(self, user_id: int, review: records.Review) -> None:
        memory, correct, now = review.memory, review.correct, review.reviewed_at
        state = {"stability": memory.stability, "difficulty": memory.difficulty}
        statement = dialect_insert(self.session, QuizProgress).values(
            user_id=user_id,
            quiz_id=review.quiz_id,
            **state,
            due_at=memory.due_at,
            correct_count=int(correct),
            wrong_count=int(not correct),
            first_seen_at=now,
            last_answered_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["user_id", "quiz_id"],
            set_={
                **state,
                "due_at": memory.due_at,
                "correct_count": QuizProgress.correct_count + int(correct),
                "wrong_count": QuizProgress.wrong_count + int(not correct),
                "last_answered_at": now,
            },
        )
        await self.session.execute(statement)

    async def due(self, user_id: int, until: datetime) -> list[str]:
        """Quiz ids due for review by `until`, most overdue first."""
        result = await self.session.execute(
            select(QuizProgress.quiz_id)
            .where(QuizProgress.user_id == user_id, QuizProgress.due_at <= until)
            .order_by(QuizProgress.due_at, QuizProgress.quiz_id)
        )
        return list(result.scalars())

    async def new_since(self, user_id: int, since: datetime) -> int:
        """How many questions the learner saw for the first time since `since`."""
        result = await self.session.execute(
            select(func.count())
            .select_from(QuizProgress)
            .where(QuizProgress.user_id == user_id, QuizProgress.first_seen_at >= since)
        )
        return int(result.scalar_one())

    async def reset(self, user_id: int) -> None:
        """Forget all quiz progress of one learner (and nothing else)."""
        for table in (QuizAnswer, QuizRound, QuizProgress):
            await self.session.execute(delete(table).where(table.user_id == user_id))


def _round_of(row: QuizRound) -> records.QuizRound:
    return records.QuizRound(
        id=row.id,
        user_id=row.user_id,
        quiz_ids=tuple(json.loads(row.quiz_ids)),
        mastery_before=json.loads(row.mastery_before),
        position=row.position,
        shown=row.shown,
        status=RoundStatus(row.status),
        finished_at=records.aware_or_none(row.finished_at),
    )
