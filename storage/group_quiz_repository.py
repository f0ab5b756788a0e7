"""Group quiz rounds, their answers, and the leaderboard. Never commits.

The promises that make a round correct under concurrent taps, a reveal racing the
timer and several replicas are SQL ones: one active round per chat (a partial
unique index), one answer per (round, question, member) (ON CONFLICT DO NOTHING),
and each question advanced once (an UPDATE that names the position it expects)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import records
from storage.group_models import GroupMember, GroupQuizAnswer, GroupQuizRound
from storage.leaderboard_rows import LeaderboardRows
from storage.models import User
from storage.records import RoundStatus
from storage.repositories import dialect_insert

ACTIVE = GroupQuizRound.status == RoundStatus.ACTIVE.value


class GroupQuizRepository(LeaderboardRows):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- rounds ---------------------------------------------------------------------

    async def active_round(self, chat_id: int) -> records.GroupRound | None:
        result = await self.session.execute(
            select(GroupQuizRound)
            .where(GroupQuizRound.chat_id == chat_id, ACTIVE)
            .execution_options(populate_existing=True)
        )
        row = result.scalar_one_or_none()
        return None if row is None else _round_of(row)

    async def create_round(
        self,
        chat_id: int,
        thread_id: int | None,
        started_by: int,
        topic: str | None,
        quiz_ids: Sequence[str],
        deadline: datetime,
        now: datetime,
    ) -> records.GroupRound | None:
        """A new active round; None if the chat has one already (on any replica)."""
        statement = (
            dialect_insert(self.session, GroupQuizRound)
            .values(
                chat_id=chat_id,
                thread_id=thread_id,
                started_by=started_by,
                topic=topic,
                quiz_ids=json.dumps(list(quiz_ids)),
                position=0,
                status=RoundStatus.ACTIVE.value,
                deadline=deadline,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["chat_id"], index_where=ACTIVE)
            .returning(GroupQuizRound.id)
        )
        round_id = (await self.session.execute(statement)).scalar_one_or_none()
        return None if round_id is None else await self.get_round(round_id)

    async def get_round(self, round_id: int) -> records.GroupRound | None:
        """The round, share-locked on PostgreSQL: answers go on together, while a
        reveal (round_for_update) waits for the answers already being stored."""
        return await self._round(round_id, share=True)

    async def round_for_update(self, round_id: int) -> records.GroupRound | None:
        return await self._round(round_id, share=False)

    async def _round(self, round_id: int, *, share: bool) -> records.GroupRound | None:
        result = await self.session.execute(
            select(GroupQuizRound)
            .where(GroupQuizRound.id == round_id)
            .with_for_update(read=share)
            .execution_options(populate_existing=True)
        )
        row = result.scalar_one_or_none()
        return None if row is None else _round_of(row)

    async def posted(
        self, round_id: int, position: int, message_id: int, posted_at: datetime, deadline: datetime
    ) -> bool:
        """Record the open question's message and its deadline; False if the round moved on."""
        result = await self.session.execute(
            update(GroupQuizRound)
            .where(
                GroupQuizRound.id == round_id,
                GroupQuizRound.position == position,
                GroupQuizRound.message_id.is_(None),
                ACTIVE,
            )
            .values(message_id=message_id, posted_at=posted_at, deadline=deadline)
        )
        return bool(getattr(result, "rowcount", 0))

    async def advance(
        self, round_id: int, position: int, next_deadline: datetime | None, now: datetime
    ) -> bool:
        """Close question `position`: the next one is due to be posted by
        `next_deadline`, or (None) the round is finished. True for exactly one
        caller, however many race (the timer, the Reveal button, two replicas)."""
        values: dict[str, object] = {
            "position": position + 1,
            "message_id": None,
            "posted_at": None,
            "deadline": next_deadline,
        }
        if next_deadline is None:
            values |= {"status": RoundStatus.FINISHED.value, "finished_at": now}
        result = await self.session.execute(
            update(GroupQuizRound)
            .where(GroupQuizRound.id == round_id, GroupQuizRound.position == position, ACTIVE)
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    async def abandon(self, round_id: int, now: datetime) -> None:
        await self.session.execute(
            update(GroupQuizRound)
            .where(GroupQuizRound.id == round_id, ACTIVE)
            .values(status=RoundStatus.ABANDONED.value, finished_at=now, deadline=None)
        )

    async def overdue(self, now: datetime, limit: int = 50) -> list[records.GroupRound]:
        """Active rounds whose open question is past its deadline, most overdue first."""
        result = await self.session.execute(
            select(GroupQuizRound)
            .where(ACTIVE, GroupQuizRound.deadline <= now)
            .order_by(GroupQuizRound.deadline, GroupQuizRound.id)
            .limit(limit)
        )
        return [_round_of(row) for row in result.scalars()]

    # -- answers --------------------------------------------------------------------

    async def record_answer(self, chat_id: int, answer: records.GroupAnswer) -> bool:
        """Store one answer; False if this member answered this question already."""
        statement = (
            dialect_insert(self.session, GroupQuizAnswer)
            .values(**_answer_row(chat_id, answer))
            .on_conflict_do_nothing(index_elements=["round_id", "position", "user_id"])
            .returning(GroupQuizAnswer.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def record_answers(
        self,
        chat_id: int,
        answers: Sequence[records.GroupAnswer],
        names: Mapping[int, str],
        now: datetime,
    ) -> set[tuple[int, int, int]]:
        """Store a burst of answers in three statements: the members' user rows (made
        on first contact, as `Users.arrive` would from a group), the answers (once per
        round, question and member) and the members' names. Returns (round, position,
        user) of the answers that were new."""
        if not answers:
            return set()
        users = sorted({a.user_id for a in answers})
        people = dialect_insert(self.session, User).values(
            [{"id": u, "chat_id": u, "created_at": now, "last_seen_at": now} for u in users]
        )
        await self.session.execute(
            people.on_conflict_do_update(
                index_elements=[User.id], set_={"last_seen_at": people.excluded.last_seen_at}
            )
        )
        statement = (
            dialect_insert(self.session, GroupQuizAnswer)
            .values([_answer_row(chat_id, a) for a in answers])
            .on_conflict_do_nothing(index_elements=["round_id", "position", "user_id"])
            .returning(GroupQuizAnswer.round_id, GroupQuizAnswer.position, GroupQuizAnswer.user_id)
        )
        new = {(r, p, u) for r, p, u in (await self.session.execute(statement)).all()}
        named = [
            {"chat_id": chat_id, "user_id": u, "name": names[u][:64], "updated_at": now}
            for u in users
            if u in names
        ]
        if named:
            members = dialect_insert(self.session, GroupMember).values(named)
            await self.session.execute(
                members.on_conflict_do_update(
                    index_elements=["chat_id", "user_id"],
                    set_={"name": members.excluded.name, "updated_at": now},
                )
            )
        return new

    async def answers_to(self, round_id: int, position: int) -> list[records.GroupAnswer]:
        """The answers to one question, first answer first."""
        result = await self.session.execute(
            select(GroupQuizAnswer)
            .where(GroupQuizAnswer.round_id == round_id, GroupQuizAnswer.position == position)
            .order_by(GroupQuizAnswer.answered_at, GroupQuizAnswer.id)
        )
        return [_answer_of(row) for row in result.scalars()]

    async def answered_count(self, round_id: int, position: int) -> int:
        result = await self.session.execute(
            select(func.count())
            .select_from(GroupQuizAnswer)
            .where(GroupQuizAnswer.round_id == round_id, GroupQuizAnswer.position == position)
        )
        return int(result.scalar_one())

    async def answer_totals(self, user_id: int) -> tuple[int, int]:
        """(answers, right answers) a member gave in every group."""
        right = func.coalesce(func.sum(case((GroupQuizAnswer.correct, 1), else_=0)), 0)
        result = await self.session.execute(
            select(func.count(GroupQuizAnswer.id), right).where(GroupQuizAnswer.user_id == user_id)
        )
        total, correct = result.one()
        return int(total), int(correct)

    async def answer_times(self, user_id: int) -> list[datetime]:
        result = await self.session.execute(
            select(GroupQuizAnswer.answered_at).where(GroupQuizAnswer.user_id == user_id)
        )
        return [records.aware(moment) for moment in result.scalars()]

    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> int:
        """A group became a supergroup (new id): its rounds, answers and members move.
        A round still active in the old chat is abandoned if the new one has its own."""
        if await self.active_round(new_chat_id) is not None:
            await self.session.execute(
                update(GroupQuizRound)
                .where(GroupQuizRound.chat_id == old_chat_id, ACTIVE)
                .values(status=RoundStatus.ABANDONED.value, finished_at=now, deadline=None)
            )
        moved = 0
        for table in (GroupQuizRound, GroupQuizAnswer):
            result = await self.session.execute(
                update(table).where(table.chat_id == old_chat_id).values(chat_id=new_chat_id)
            )
            moved += int(getattr(result, "rowcount", 0) or 0)
        known = select(GroupMember.user_id).where(GroupMember.chat_id == new_chat_id)
        result = await self.session.execute(
            update(GroupMember)
            .where(GroupMember.chat_id == old_chat_id, GroupMember.user_id.not_in(known))
            .values(chat_id=new_chat_id)
        )
        moved += int(getattr(result, "rowcount", 0) or 0)
        await self.session.execute(delete(GroupMember).where(GroupMember.chat_id == old_chat_id))
        return moved


def _round_of(row: GroupQuizRound) -> records.GroupRound:
    return records.GroupRound(
        id=row.id,
        chat_id=row.chat_id,
        thread_id=row.thread_id,
        started_by=row.started_by,
        topic=row.topic,
        quiz_ids=tuple(json.loads(row.quiz_ids)),
        position=row.position,
        status=RoundStatus(row.status),
        message_id=row.message_id,
        posted_at=records.aware_or_none(row.posted_at),
        deadline=records.aware_or_none(row.deadline),
    )


def _answer_row(chat_id: int, answer: records.GroupAnswer) -> dict[str, object]:
    return {
        "round_id": answer.round_id,
        "chat_id": chat_id,
        "position": answer.position,
        "user_id": answer.user_id,
        "quiz_id": answer.quiz_id,
        "choice": answer.choice,
        "correct": answer.correct,
        "points": answer.points,
        "answered_at": answer.answered_at,
    }


def _answer_of(row: GroupQuizAnswer) -> records.GroupAnswer:
    return records.GroupAnswer(
        row.round_id,
        row.position,
        row.user_id,
        row.quiz_id,
        row.choice,
        row.correct,
        row.points,
        records.aware(row.answered_at),
    )
