"""Group leaderboards: this week's and all-time points from group quiz answers, the
top ten and the caller's own place, and the private choice to appear as "a member"."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import schedule
from bot.services.context import Service
from bot.services.group_quiz_types import Board, Leaderboard, Place
from bot.services.learners import Learner, arrive
from storage import UnitOfWork
from storage.records import Standing

TOP = 10


def week_start(now: datetime, zone_name: str) -> datetime:
    """Monday 00:00 of this week, in the bot's default zone."""
    zone = schedule.resolve_zone(None, zone_name)[1]
    today = schedule.local_date_of(now, zone)
    return schedule.due_at(today - timedelta(days=today.weekday()), 0, zone)


class LeaderboardService(Service):
    async def leaderboard(self, chat_id: int, user_id: int) -> Leaderboard:
        now = self._clock()
        async with self._units() as uow:
            since = week_start(now, self._default_timezone)
            week = await self._board(uow, chat_id, user_id, since)
            all_time = await self._board(uow, chat_id, user_id, None)
        return Leaderboard(week, all_time)

    async def _board(
        self, uow: UnitOfWork, chat_id: int, user_id: int, since: datetime | None
    ) -> Board:
        standings = await uow.group_quizzes.standings(chat_id, since)
        ranked = _ranks(standings)
        shown = ranked[:TOP]
        own = next(((r, s) for r, s in ranked[TOP:] if s.user_id == user_id), None)
        wanted = [s.user_id for _, s in shown] + ([own[1].user_id] if own else [])
        members = await uow.group_quizzes.members(chat_id, wanted)

        def place(rank: int, standing: Standing) -> Place:
            member = members.get(standing.user_id)
            name = None if member is None or member.hidden else member.name
            mine = standing.user_id == user_id
            return Place(rank, name, standing.points, standing.right, mine)

        return Board(tuple(place(r, s) for r, s in shown), place(*own) if own is not None else None)

    async def set_hidden(self, learner: Learner, hidden: bool) -> None:
        async with self._units() as uow:
            await arrive(uow, learner, self._clock())
            await uow.group_quizzes.set_hidden(learner.user_id, hidden)
            await uow.commit()

    async def is_hidden(self, user_id: int) -> bool:
        async with self._units() as uow:
            return await uow.group_quizzes.is_hidden(user_id)


def _ranks(standings: list[Standing]) -> list[tuple[int, Standing]]:
    """Competition ranks (1, 2, 2, 4): equal points share a place."""
    ranked: list[tuple[int, Standing]] = []
    for index, standing in enumerate(standings):
        tied = ranked and ranked[-1][1].points == standing.points
        ranked.append((ranked[-1][0] if tied else index + 1, standing))
    return ranked
