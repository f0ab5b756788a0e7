"""Repositories: data access for one aggregate each. They never commit; the unit of
work that owns their session does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import QuestionLog, User
from storage.records import AskedQuestion, LearnerProfile, LoggedQuestion, aware, aware_or_none


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, which supports ON CONFLICT on both SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        # Imported here: SQLAlchemy's PostgreSQL dialect takes about 40 ms to import,
        # which a bot on SQLite would pay at every start.
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    return sqlite_insert(table)


def profile_of(row: User) -> LearnerProfile:
    return LearnerProfile(
        id=row.id,
        chat_id=row.chat_id,
        created_at=aware(row.created_at),
        last_seen_at=aware(row.last_seen_at),
        language=row.language,
        timezone=row.timezone,
        tips_enabled=row.tips_enabled,
        tip_minute=row.tip_minute,
        next_tip_at=aware_or_none(row.next_tip_at),
        tips_blocked_at=aware_or_none(row.tips_blocked_at),
        digest=row.digest,
        next_digest_at=aware_or_none(row.next_digest_at),
    )


def logged_question_of(row: QuestionLog) -> LoggedQuestion:
    return LoggedQuestion(
        row.id, row.user_id, row.text, row.status, row.entry_id, aware(row.created_at)
    )


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def arrive(
        self, user_id: int, chat_id: int | None, language: str | None, now: datetime
    ) -> LearnerProfile:
        """Create the user on first contact, else refresh language and last seen.

        `chat_id` is the learner's private chat, where tips go; None (a group) keeps
        the stored one, or on first contact records the user id, which is the id of
        their private chat with the bot in Telegram.
        """
        statement = dialect_insert(self.session, User).values(
            id=user_id,
            chat_id=user_id if chat_id is None else chat_id,
            language=language,
            created_at=now,
            last_seen_at=now,
        )
        refreshed: dict[str, object] = {"language": language, "last_seen_at": now}
        if chat_id is not None:
            refreshed["chat_id"] = chat_id
        statement = statement.on_conflict_do_update(index_elements=[User.id], set_=refreshed)
        # populate_existing: a row this session loaded before gets the stored values.
        statement = statement.returning(User).execution_options(populate_existing=True)
        return profile_of((await self.session.execute(statement)).scalar_one())

    async def get(self, user_id: int) -> LearnerProfile | None:
        row = await self.session.get(User, user_id, populate_existing=True)
        return None if row is None else profile_of(row)

    async def count(self) -> int:
        return int((await self.session.execute(select(func.count(User.id)))).scalar_one())


class QuestionLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, asked: AskedQuestion) -> int:
        row = QuestionLog(
            user_id=asked.user_id,
            text=asked.text,
            status=asked.status,
            entry_id=asked.entry_id,
            score=asked.score,
            created_at=asked.asked_at,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def record_choice(self, log_id: int, user_id: int, entry_id: str) -> bool:
        """Remember which "did you mean" suggestion the asker picked (their own question only)."""
        result = await self.session.execute(
            update(QuestionLog)
            .where(QuestionLog.id == log_id, QuestionLog.user_id == user_id)
            .values(chosen_entry_id=entry_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def last_answered(self, user_id: int) -> tuple[str, str | None] | None:
        """The learner's latest answered question and its entry: what a complaint is about."""
        result = await self.session.execute(
            select(QuestionLog.text, QuestionLog.entry_id)
            .where(QuestionLog.user_id == user_id, QuestionLog.status == "answered")
            .order_by(QuestionLog.id.desc())
            .limit(1)
        )
        row = result.first()
        return (row[0], row[1]) if row else None

    async def recent(self, limit: int = 100) -> list[LoggedQuestion]:
        result = await self.session.execute(
            select(QuestionLog).order_by(QuestionLog.id.desc()).limit(limit)
        )
        return [logged_question_of(row) for row in result.scalars()]
