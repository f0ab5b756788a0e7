"""The group quiz part of the unit-of-work protocol (storage/ports.py re-exports it,
so use cases still see one protocol); storage/group_quiz_repository.py implements it
on SQL and tests/fakes_group_quiz.py in memory."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from storage.records import GroupAnswer, GroupRound, Member, Standing


class GroupQuizzes(Protocol):
    """Group quiz rounds, their answers and the leaderboard (storage/group_quiz_repository.py)."""

    async def active_round(self, chat_id: int) -> GroupRound | None: ...

    async def create_round(
        self,
        chat_id: int,
        thread_id: int | None,
        started_by: int,
        topic: str | None,
        quiz_ids: Sequence[str],
        deadline: datetime,
        now: datetime,
    ) -> GroupRound | None:
        """A new active round; None if the chat has one already."""

    async def get_round(self, round_id: int) -> GroupRound | None:
        """The round, share-locked: answers go on together, a reveal waits for them."""

    async def round_for_update(self, round_id: int) -> GroupRound | None: ...

    async def posted(
        self, round_id: int, position: int, message_id: int, posted_at: datetime, deadline: datetime
    ) -> bool:
        """Record the open question's message and deadline; False if the round moved on."""

    async def advance(
        self, round_id: int, position: int, next_deadline: datetime | None, now: datetime
    ) -> bool:
        """Close question `position` (None: finish the round); True for one caller only."""

    async def abandon(self, round_id: int, now: datetime) -> None: ...

    async def overdue(self, now: datetime, limit: int = 50) -> list[GroupRound]: ...

    async def record_answer(self, chat_id: int, answer: GroupAnswer) -> bool:
        """False if this member answered this question already."""

    async def record_answers(
        self,
        chat_id: int,
        answers: Sequence[GroupAnswer],
        names: Mapping[int, str],
        now: datetime,
    ) -> set[tuple[int, int, int]]:
        """A burst of answers at once (members' user rows made on first contact, their
        names kept); the (round, position, user) of the answers that were new."""

    async def answers_to(self, round_id: int, position: int) -> list[GroupAnswer]: ...

    async def answered_count(self, round_id: int, position: int) -> int: ...

    async def answer_totals(self, user_id: int) -> tuple[int, int]: ...

    async def answer_times(self, user_id: int) -> list[datetime]: ...

    async def standings(self, chat_id: int, since: datetime | None) -> list[Standing]:
        """Every member's points in the chat (since `since`), most points first."""

    async def save_member(self, chat_id: int, user_id: int, name: str, now: datetime) -> None: ...

    async def members(self, chat_id: int, user_ids: Collection[int]) -> dict[int, Member]: ...

    async def set_hidden(self, user_id: int, hidden: bool) -> None: ...

    async def is_hidden(self, user_id: int) -> bool: ...

    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> int:
        """Move a group's rounds, answers and members to its new (supergroup) id."""
