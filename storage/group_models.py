"""Group quiz tables (migration 0010): rounds a whole group plays, their answers,
members' names on the leaderboard, and the hide-my-name setting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class GroupQuizRound(Base):
    """A quiz round a whole group plays: the open question's message and its reveal
    deadline are stored so a restart still reveals it. At most one active round per
    chat (a partial unique index). The round is the group's, not its starter's:
    /forget clears `started_by` and keeps the round."""

    __tablename__ = "group_rounds"
    __table_args__ = (
        # Partial on both databases (migration 0010 creates it). Only SQLite's option
        # is named here: naming `postgresql_where` imports SQLAlchemy's PostgreSQL
        # dialect with the models, about 40 ms of every start on SQLite, and the
        # schema comes from the migrations, never from this metadata.
        Index(
            "uq_group_rounds_one_active",
            "chat_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
        ),
        Index("ix_group_rounds_status_deadline", "status", "deadline"),
        {"info": {"owner": "started_by", "forget": "anonymise"}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # a forum topic, if any
    started_by: Mapped[int | None] = mapped_column(BigInteger)
    topic: Mapped[str | None] = mapped_column(String(128))
    quiz_ids: Mapped[str] = mapped_column(Text)  # JSON list of quiz item ids, in order
    position: Mapped[int] = mapped_column(Integer, default=0)  # the open question
    status: Mapped[str] = mapped_column(String(16), default="active")
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # the open question's message
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GroupQuizAnswer(Base):
    """A member's answer to one question of a group round: (round, position, user) is
    unique, so a double tap or two replicas count it once. `points` feed the group's
    leaderboard."""

    __tablename__ = "group_answers"
    __table_args__ = (
        UniqueConstraint("round_id", "position", "user_id", name="uq_group_answers_once"),
        Index("ix_group_answers_chat_time", "chat_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("group_rounds.id", ondelete="CASCADE")
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[str] = mapped_column(String(128))
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GroupMember(Base):
    """The name a member goes by on one group's leaderboard (their Telegram name)."""

    __tablename__ = "group_members"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LeaderboardSetting(Base):
    """A member's choice to appear as "a member" on every group's leaderboard."""

    __tablename__ = "leaderboard_settings"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
