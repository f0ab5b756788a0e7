"""The unit-of-work protocol use cases program against.

`storage.unit_of_work.SqlUnitOfWork` implements it on SQLAlchemy (SQLite and
PostgreSQL); tests/fakes_storage.py implements it in memory for unit tests of the
services. Repositories never commit: the use case that opened the unit of work
does, once; leaving the block without commit rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from storage.group_ports import GroupQuizzes
from storage.records import (
    AskedQuestion,
    DeliveryResult,
    GroupChat,
    LearnedPhrasing,
    LearnerProfile,
    Lease,
    LoggedQuestion,
    ProgressCard,
    QuizRound,
    Review,
    RoundAnswer,
    TipSchedule,
)


class Users(Protocol):
    async def arrive(
        self, user_id: int, chat_id: int | None, language: str | None, now: datetime
    ) -> LearnerProfile:
        """Create the learner on first contact, else refresh language and last seen;
        `chat_id` None (a group) keeps the stored private chat. Returns the profile."""

    async def get(self, user_id: int) -> LearnerProfile | None: ...

    async def count(self) -> int: ...


class Questions(Protocol):
    async def add(self, asked: AskedQuestion) -> int:
        """Log a question; returns its id (for "did you mean" picks)."""

    async def record_choice(self, log_id: int, user_id: int, entry_id: str) -> bool: ...

    async def last_answered(self, user_id: int) -> tuple[str, str | None] | None: ...

    async def recent(self, limit: int = 100) -> list[LoggedQuestion]: ...


class Quizzes(Protocol):
    async def abandon_active(self, user_id: int, now: datetime) -> None: ...

    async def create_round(
        self, user_id: int, quiz_ids: Sequence[str], mastery_before: dict[str, float], now: datetime
    ) -> QuizRound: ...

    async def round_for_update(self, round_id: int) -> QuizRound | None:
        """The round, locked until commit so concurrent taps queue up behind it."""

    async def save_round(self, round_: QuizRound) -> None:
        """Store a round's position, shown, status and finish time."""

    async def record_answer(self, user_id: int, round_id: int, answer: RoundAnswer) -> bool:
        """False if that question of that round was answered already."""

    async def answers_of_round(self, round_id: int) -> list[RoundAnswer]: ...

    async def answer_times(self, user_id: int) -> list[datetime]: ...

    async def answer_totals(self, user_id: int) -> tuple[int, int]: ...

    async def progress(
        self, user_id: int, quiz_ids: Collection[str] | None = None
    ) -> dict[str, ProgressCard]: ...

    async def save_progress(self, user_id: int, review: Review) -> None:
        """Store the card's new memory state and due time, and count the answer."""

    async def due(self, user_id: int, until: datetime) -> list[str]: ...

    async def new_since(self, user_id: int, since: datetime) -> int: ...

    async def reset(self, user_id: int) -> None: ...


class Tips(Protocol):
    async def save_schedule(self, user_id: int, schedule: TipSchedule) -> None:
        """Store a learner's tip choice; turning tips on clears a recorded block."""

    async def set_next_tip(self, user_id: int, at: datetime | None) -> None: ...

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        """The learner blocked the bot: tips off, the time kept, nothing due."""

    async def forget_timezone(self, user_id: int, stored: str) -> None: ...

    async def next_due(self, now: datetime) -> LearnerProfile | None:
        """The most overdue subscriber, locked for this transaction; others skip it."""

    async def claim(self, user_id: int, local_date: date, tip_id: str, now: datetime) -> int | None:
        """Record that this day's tip is being sent; None if that day has one."""

    async def has_delivery(self, user_id: int, local_date: date) -> bool: ...

    async def received(self, user_id: int) -> list[tuple[str, datetime]]: ...

    async def finish(self, delivery_id: int, result: DeliveryResult, now: datetime) -> None: ...

    async def expire_stale(self, claimed_before: datetime, now: datetime) -> int: ...

    async def release(self, delivery_id: int) -> None: ...


class Digests(Protocol):
    async def save_choice(
        self, user_id: int, choice: bool | None, next_at: datetime | None
    ) -> None: ...

    async def set_next(self, user_id: int, at: datetime | None) -> None: ...

    async def next_due(self, now: datetime) -> LearnerProfile | None:
        """The most overdue learner, locked for this transaction; others skip it."""

    async def claim(self, user_id: int, week_of: date, now: datetime) -> int | None:
        """Record that this week's digest is being sent; None if that week has one."""

    async def has_digest(self, user_id: int, week_of: date) -> bool: ...

    async def asked(self, user_id: int, since: datetime, until: datetime) -> list[str | None]:
        """The entry of each question (not small talk) asked in [since, until)."""

    async def answers_since(self, user_id: int, since: datetime) -> list[RoundAnswer]: ...

    async def mastery_before_rounds(self, user_id: int, since: datetime) -> dict[str, float]:
        """Each topic's mastery before the first round since `since` that quizzed it."""

    async def finish(self, delivery_id: int, result: DeliveryResult, now: datetime) -> None: ...

    async def expire_stale(self, claimed_before: datetime, now: datetime) -> int: ...

    async def release(self, delivery_id: int) -> None: ...


class Ops(Protocol):
    async def vote(self, user_id: int, entry_id: str, helpful: bool, now: datetime) -> None: ...

    async def feedback_by_entry(self) -> list[tuple[str, int, int]]: ...

    async def unanswered(
        self, since: datetime, limit: int | None = None
    ) -> list[LoggedQuestion]: ...

    async def picked_suggestions(self, since: datetime) -> list[tuple[str, str]]: ...

    async def user_counts(self, active_since: list[datetime]) -> list[int]: ...

    async def question_statuses(self, since: datetime) -> dict[str, int]: ...

    async def top_entries(self, since: datetime, limit: int = 5) -> list[tuple[str, int]]: ...

    async def quiz_totals(self, since: datetime) -> tuple[int, int]: ...

    async def tip_statuses(self, since: datetime) -> dict[str, int]: ...

    async def purge_questions(self, before: datetime) -> int: ...


class Privacy(Protocol):
    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]: ...

    async def forget(self, user_id: int) -> int: ...


class Replicas(Protocol):
    async def take_update(self, update_id: int, now: datetime) -> bool: ...

    async def forget_updates_before(self, moment: datetime) -> int: ...

    async def agree(self, key: str, proposal: str) -> str: ...

    async def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> Lease:
        """The lease `name`, now `holder`'s until `until` if it was free, expired at
        `now` or already theirs; else the other holder's, untouched."""

    async def drop_lease(self, name: str, holder: str) -> None:
        """Give the lease up, if `holder` still holds it."""


class Learned(Protocol):
    async def teach(
        self, entry_id: str, texts: Sequence[str], taught_by: int | None, now: datetime
    ) -> int: ...

    async def all(self) -> list[LearnedPhrasing]: ...


class GroupChats(Protocol):
    """Groups the bot is in, their daily group tip, and its deliveries (uow.groups)."""

    async def get(self, chat_id: int) -> GroupChat | None: ...

    async def save(self, group: GroupChat, now: datetime) -> None:
        """Insert the group or replace its stored values."""

    async def set_next(self, chat_id: int, at: datetime | None) -> None: ...

    async def next_due(self, now: datetime) -> GroupChat | None:
        """The most overdue active group with tips on, locked for this transaction."""

    async def claim(self, chat_id: int, local_date: date, tip_id: str, now: datetime) -> int | None:
        """Record that this day's group tip is being sent; None if that day has one."""

    async def has_delivery(self, chat_id: int, local_date: date) -> bool: ...

    async def received(self, chat_id: int) -> list[str]:
        """The tips the group was sent (or may have been), oldest first."""

    async def move(self, old: int, new: int, now: datetime) -> bool:
        """The group `old` became `new` (a supergroup): `new` takes its settings and
        tip history; `old` keeps only `migrated_to`. False if `old` is unknown."""

    async def finish(self, delivery_id: int, result: DeliveryResult, now: datetime) -> None: ...

    async def expire_stale(self, claimed_before: datetime, now: datetime) -> int: ...

    async def release(self, delivery_id: int) -> None: ...


class UnitOfWork(Protocol):
    @property
    def users(self) -> Users: ...

    @property
    def questions(self) -> Questions: ...

    @property
    def quizzes(self) -> Quizzes: ...

    @property
    def tips(self) -> Tips: ...

    @property
    def digests(self) -> Digests: ...

    @property
    def ops(self) -> Ops: ...

    @property
    def privacy(self) -> Privacy: ...

    @property
    def replicas(self) -> Replicas: ...

    @property
    def learned(self) -> Learned: ...

    @property
    def groups(self) -> GroupChats: ...

    @property
    def group_quizzes(self) -> GroupQuizzes: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


# What a service is given: a way to open a unit of work (Database.unit_of_work).
UnitsOfWork = Callable[[], UnitOfWork]
