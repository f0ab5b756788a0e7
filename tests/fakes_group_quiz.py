"""The group quiz repository in memory (storage.ports.GroupQuizzes), for unit tests of
GroupQuizService; tests/fakes_storage.py wires it into its unit of work."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from storage.records import (
    GroupAnswer,
    GroupRound,
    LearnerProfile,
    Member,
    RoundStatus,
    Standing,
)


@dataclass
class GroupState:
    rounds: dict[int, GroupRound] = field(default_factory=dict)
    answers: list[tuple[int, GroupAnswer]] = field(default_factory=list)  # (chat id, answer)
    members: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden: dict[int, bool] = field(default_factory=dict)
    next_id: int = 1

    def forget(self, user_id: int) -> int:
        before = len(self.answers) + len(self.members) + len(self.hidden)
        self.answers = [(c, a) for c, a in self.answers if a.user_id != user_id]
        self.members = {k: n for k, n in self.members.items() if k[1] != user_id}
        self.hidden.pop(user_id, None)
        for round_id, round_ in self.rounds.items():
            if round_.started_by == user_id:
                self.rounds[round_id] = replace(round_, started_by=None)
        return before - len(self.answers) - len(self.members) - len(self.hidden)


class FakeGroupQuizzes:
    def __init__(self, uow: Any) -> None:
        self._uow = uow

    @property
    def s(self) -> GroupState:
        state: GroupState = self._uow.state.group
        return state

    async def active_round(self, chat_id: int) -> GroupRound | None:
        return next(
            (
                r
                for r in self.s.rounds.values()
                if r.chat_id == chat_id and r.status is RoundStatus.ACTIVE
            ),
            None,
        )

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
        if await self.active_round(chat_id) is not None:
            return None
        round_id = self.s.next_id
        self.s.next_id += 1
        round_ = GroupRound(
            round_id, chat_id, thread_id, started_by, topic, tuple(quiz_ids), deadline=deadline
        )
        self.s.rounds[round_id] = round_
        return round_

    async def get_round(self, round_id: int) -> GroupRound | None:
        return self.s.rounds.get(round_id)

    async def round_for_update(self, round_id: int) -> GroupRound | None:
        return self.s.rounds.get(round_id)

    def _open(self, round_id: int, position: int) -> GroupRound | None:
        round_ = self.s.rounds.get(round_id)
        if round_ is None or round_.status is not RoundStatus.ACTIVE:
            return None
        return round_ if round_.position == position else None

    async def posted(
        self, round_id: int, position: int, message_id: int, posted_at: datetime, deadline: datetime
    ) -> bool:
        round_ = self._open(round_id, position)
        if round_ is None or round_.message_id is not None:
            return False
        self.s.rounds[round_id] = replace(
            round_, message_id=message_id, posted_at=posted_at, deadline=deadline
        )
        return True

    async def advance(
        self, round_id: int, position: int, next_deadline: datetime | None, now: datetime
    ) -> bool:
        round_ = self._open(round_id, position)
        if round_ is None:
            return False
        status = RoundStatus.ACTIVE if next_deadline is not None else RoundStatus.FINISHED
        self.s.rounds[round_id] = replace(
            round_,
            position=position + 1,
            message_id=None,
            posted_at=None,
            deadline=next_deadline,
            status=status,
        )
        return True

    async def abandon(self, round_id: int, now: datetime) -> None:
        round_ = self.s.rounds.get(round_id)
        if round_ is not None and round_.status is RoundStatus.ACTIVE:
            self.s.rounds[round_id] = replace(round_, status=RoundStatus.ABANDONED, deadline=None)

    async def overdue(self, now: datetime, limit: int = 50) -> list[GroupRound]:
        due = [
            r
            for r in self.s.rounds.values()
            if r.status is RoundStatus.ACTIVE and r.deadline is not None and r.deadline <= now
        ]
        return sorted(due, key=lambda r: (r.deadline or now, r.id))[:limit]

    async def record_answer(self, chat_id: int, answer: GroupAnswer) -> bool:
        key = (answer.round_id, answer.position, answer.user_id)
        if any((a.round_id, a.position, a.user_id) == key for _, a in self.s.answers):
            return False
        self.s.answers.append((chat_id, answer))
        return True

    async def record_answers(
        self,
        chat_id: int,
        answers: Sequence[GroupAnswer],
        names: Mapping[int, str],
        now: datetime,
    ) -> set[tuple[int, int, int]]:
        users = self._uow.state.users
        for user_id in {a.user_id for a in answers}:
            known = users.get(user_id)
            users[user_id] = (
                LearnerProfile(user_id, user_id, now, now)
                if known is None
                else replace(known, last_seen_at=now)
            )
            if user_id in names:
                await self.save_member(chat_id, user_id, names[user_id], now)
        return {
            (a.round_id, a.position, a.user_id)
            for a in answers
            if await self.record_answer(chat_id, a)
        }

    async def answers_to(self, round_id: int, position: int) -> list[GroupAnswer]:
        found = [a for _, a in self.s.answers if (a.round_id, a.position) == (round_id, position)]
        return sorted(found, key=lambda a: a.answered_at)

    async def answered_count(self, round_id: int, position: int) -> int:
        return len(await self.answers_to(round_id, position))

    async def answer_totals(self, user_id: int) -> tuple[int, int]:
        mine = [a for _, a in self.s.answers if a.user_id == user_id]
        return len(mine), sum(a.correct for a in mine)

    async def answer_times(self, user_id: int) -> list[datetime]:
        return [a.answered_at for _, a in self.s.answers if a.user_id == user_id]

    async def standings(self, chat_id: int, since: datetime | None) -> list[Standing]:
        totals: dict[int, tuple[int, int]] = {}
        for chat, a in self.s.answers:
            if chat == chat_id and (since is None or a.answered_at >= since):
                points, right = totals.get(a.user_id, (0, 0))
                totals[a.user_id] = (points + a.points, right + a.correct)
        rows = [Standing(u, p, r) for u, (p, r) in totals.items()]
        return sorted(rows, key=lambda s: (-s.points, -s.right, s.user_id))

    async def save_member(self, chat_id: int, user_id: int, name: str, now: datetime) -> None:
        self.s.members[(chat_id, user_id)] = name[:64]

    async def members(self, chat_id: int, user_ids: Collection[int]) -> dict[int, Member]:
        return {
            u: Member(u, name, self.s.hidden.get(u, False))
            for (chat, u), name in self.s.members.items()
            if chat == chat_id and u in user_ids
        }

    async def set_hidden(self, user_id: int, hidden: bool) -> None:
        self.s.hidden[user_id] = hidden

    async def is_hidden(self, user_id: int) -> bool:
        return self.s.hidden.get(user_id, False)

    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> int:
        s, moved = self.s, 0
        if await self.active_round(new_chat_id) is not None:
            for r in [r for r in s.rounds.values() if r.chat_id == old_chat_id]:
                await self.abandon(r.id, now)
        for round_id, r in list(s.rounds.items()):
            if r.chat_id == old_chat_id:
                s.rounds[round_id], moved = replace(r, chat_id=new_chat_id), moved + 1
        moved += sum(chat == old_chat_id for chat, _ in s.answers)
        s.answers = [(new_chat_id if c == old_chat_id else c, a) for c, a in s.answers]
        for (chat, user), name in list(s.members.items()):
            if chat == old_chat_id:
                del s.members[(chat, user)]
                if (new_chat_id, user) not in s.members:
                    s.members[(new_chat_id, user)], moved = name, moved + 1
        return moved
