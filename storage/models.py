"""SQLAlchemy table models. Changing one means adding an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    """A Telegram user who has talked to the bot. Only what the features need."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name; None = the default
    tips_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    tip_minute: Mapped[int] = mapped_column(Integer, default=540)  # local minutes after midnight
    next_tip_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    tips_blocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The weekly digest: None follows tips_enabled, True/False is the learner's /digest.
    digest: Mapped[bool | None] = mapped_column(Boolean)
    next_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuestionLog(Base):
    """Every question asked and what the matcher made of it, for authors to review."""

    __tablename__ = "question_log"
    __table_args__ = (Index("ix_question_log_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = mapped_column(String(128))
    score: Mapped[float | None] = mapped_column(Float)
    chosen_entry_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuizRound(Base):
    """A round of quiz questions; its state lives here so it survives restarts."""

    __tablename__ = "quiz_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    quiz_ids: Mapped[str] = mapped_column(Text)  # JSON list of quiz item ids, in order
    position: Mapped[int] = mapped_column(Integer, default=0)  # the question being answered
    shown: Mapped[int] = mapped_column(Integer, default=0)  # the last question sent
    status: Mapped[str] = mapped_column(String(16), default="active")
    mastery_before: Mapped[str] = mapped_column(Text, default="{}")  # JSON {topic: 0..1}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QuizAnswer(Base):
    """Every answer; (round, position) is unique so a double tap counts once."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("round_id", "position", name="uq_quiz_answers_round_pos"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(Integer, ForeignKey("quiz_rounds.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    quiz_id: Mapped[str] = mapped_column(String(128))
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuizProgress(Base):
    """Spaced-repetition state of one question for one learner."""

    __tablename__ = "quiz_progress"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    quiz_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    stability: Mapped[float] = mapped_column(Float)  # FSRS, days
    difficulty: Mapped[float] = mapped_column(Float)  # FSRS, 1..10
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    wrong_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # FSRS last review


class TipDelivery(Base):
    """One daily tip for one learner and local date: the unique key is the
    idempotency key that makes "at most one tip a day" hold across restarts and
    replicas. Status: sending -> sent | blocked | failed | unknown (see docs/operators.md)."""

    __tablename__ = "tip_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "local_date", name="uq_tip_deliveries_user_day"),
        Index("ix_tip_deliveries_status_claimed", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    local_date: Mapped[date] = mapped_column(Date)
    tip_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))


class DigestDelivery(Base):
    """One weekly digest for one learner and week (the local date of its Sunday):
    the unique key makes "at most one digest a week" hold across restarts and
    replicas. Status as for tips: sending -> sent | blocked | failed | unknown."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "week_of", name="uq_digest_deliveries_user_week"),
        Index("ix_digest_deliveries_status_claimed", "status", "claimed_at"),
        {"info": {"owner": "user_id"}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    week_of: Mapped[date] = mapped_column(Date)  # the Sunday, in the learner's zone
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))


class Feedback(Base):
    """A learner's 👍/👎 on an entry's answer; the latest vote counts."""

    __tablename__ = "feedback"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    entry_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcessedUpdate(Base):
    """Telegram update ids already taken by some replica: a webhook retry or the same
    update delivered twice is processed once. Holds no personal data."""

    __tablename__ = "processed_updates"
    __table_args__ = {"info": {"personal": False}}  # noqa: RUF012 (SQLAlchemy reads it)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LearnedPhrasing(Base):
    """A learner's question an admin taught from /unanswered: every replica's matcher
    answers it with `entry_id`. Authors' content, not the learner's (no user id is
    kept); `taught_by` is the admin, so their /mydata lists it and their /forget
    clears `taught_by` but keeps the phrasing."""

    __tablename__ = "learned_phrasings"
    __table_args__ = (
        # Teaching the same question twice is a no-op, on every replica.
        UniqueConstraint("entry_id", "text", name="uq_learned_phrasings_entry_text"),
        {"info": {"owner": "taught_by", "forget": "anonymise"}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(128))
    # 500 characters keep the unique index under PostgreSQL's btree row limit.
    text: Mapped[str] = mapped_column(String(500))
    taught_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BotState(Base):
    """Small values every replica must agree on (e.g. the generated webhook secret)."""

    __tablename__ = "bot_state"
    __table_args__ = {"info": {"personal": False}}  # noqa: RUF012 (SQLAlchemy reads it)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GroupChat(Base):
    """A group the bot is in and its daily group tip. Holds no learner's data."""

    __tablename__ = "group_chats"
    __table_args__ = {"info": {"personal": False}}  # noqa: RUF012 (SQLAlchemy reads it)

    # The group's Telegram chat id (negative). Not "chat_id": a private chat's id is a
    # user's id, and tables without personal data must not look like they hold one.
    group_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(255), default="")
    tips_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    tip_minute: Mapped[int] = mapped_column(Integer, default=480)
    timezone: Mapped[str | None] = mapped_column(String(64))
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # forum topic of /grouptip
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # the bot may still write
    migrated_to: Mapped[int | None] = mapped_column(BigInteger)  # it became this supergroup
    next_tip_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GroupTipDelivery(Base):
    """One group tip for one group and local date (the idempotency key), as for
    learners' tips: sending -> sent | blocked | failed | unknown."""

    __tablename__ = "group_tip_deliveries"
    __table_args__ = (
        UniqueConstraint("group_id", "local_date", name="uq_group_tip_deliveries_group_day"),
        Index("ix_group_tip_deliveries_status_claimed", "status", "claimed_at"),
        {"info": {"personal": False}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(BigInteger, index=True)
    local_date: Mapped[date] = mapped_column(Date)
    tip_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(200))


def user_column(table_name: str) -> str | None:
    """The column that says whose a row is (see storage.privacy); None for tables
    that hold no personal data. A table may name its own (info "owner")."""
    table = Base.metadata.tables[table_name]
    if table.info.get("personal") is False:
        return None
    owner: str | None = table.info.get("owner")
    return owner or ("id" if table_name == "users" else "user_id")


# The group quiz tables live in their own module; importing it here puts them in
# Base.metadata wherever the models are loaded (privacy walks every table).
from storage import group_models  # noqa: E402, F401
