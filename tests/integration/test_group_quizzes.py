"""Group quizzes on real databases (SQLite and PostgreSQL): concurrent answers count
once each, concurrent reveals and starts let one through, the leaderboard adds up,
/forget and move_chat reach every group table, and migration 0010 goes down and up."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection

from bot.services.context import ServiceContext
from bot.services.group_quiz_types import (
    GroupAnswerStatus,
    GroupChat,
    GroupQuestion,
    Reveal,
    StartStatus,
)
from bot.services.group_quizzes import GroupQuizService
from bot.services.leaderboard import LeaderboardService
from bot.services.learners import Learner
from bot.services.library import Library, LiveLibrary
from content import load_knowledge_base
from storage import Database
from storage.database import alembic_config, upgrade
from storage.group_models import GroupQuizAnswer, GroupQuizRound
from tests.fakes import FakeClock

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
CHAT = GroupChat(-500, None)
STARTER = Learner(1, CHAT.chat_id, private=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))


@pytest.fixture
def context(database: Database, clock: FakeClock) -> ServiceContext:
    library = LiveLibrary(Library.of(load_knowledge_base(FIXTURE)))
    return ServiceContext(library, database.unit_of_work, clock, "UTC")


@pytest.fixture
def service(context: ServiceContext) -> GroupQuizService:
    return GroupQuizService(context, seconds=60, round_size=3, rng=random.Random(5))


async def started(service: GroupQuizService) -> GroupQuestion:
    start = await service.start(CHAT, STARTER, "Starter")
    assert start.question is not None
    await service.posted(start.question, 900)
    return start.question


def member(user_id: int) -> Learner:
    return Learner(user_id, CHAT.chat_id, private=False)


async def count(database: Database, model: type, **where: int) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    async with database.unit_of_work() as uow:
        return int((await uow.session.execute(query)).scalar_one())


async def test_concurrent_answers_and_double_taps_count_once_each(
    service: GroupQuizService, database: Database
) -> None:
    q = await started(service)
    members = range(100, 130)
    taps = [service.answer(member(u), f"M{u}", q.round_id, 0, q.item.correct) for u in members]
    taps += [service.answer(member(u), f"M{u}", q.round_id, 0, 0) for u in members]  # again
    outcomes = await asyncio.gather(*taps)
    recorded = [o for o in outcomes if o.status is GroupAnswerStatus.RECORDED]
    assert len(recorded) == len(members)
    assert sum(o.status is GroupAnswerStatus.ALREADY_ANSWERED for o in outcomes) == len(members)
    assert await count(database, GroupQuizAnswer) == len(members)
    assert await service.answered(q.round_id, 0) == len(members)


async def test_concurrent_reveals_let_one_through(
    service: GroupQuizService, database: Database, clock: FakeClock
) -> None:
    q = await started(service)
    await service.answer(member(7), "Seven", q.round_id, 0, q.item.correct)
    clock.now += timedelta(seconds=61)
    results = await asyncio.gather(
        *(service.reveal(q.round_id, 0) for _ in range(4)),
        service.reveal(q.round_id, 0, by=STARTER.user_id),
    )
    (reveal,) = [r for r in results if isinstance(r, Reveal)]
    assert reveal.first_right == "Seven" and reveal.message_id == 900
    assert await service.due() == []  # the next question waits to be posted


async def test_concurrent_starts_make_one_round(
    service: GroupQuizService, database: Database
) -> None:
    starts = await asyncio.gather(*(service.start(CHAT, member(u), f"M{u}") for u in range(10, 16)))
    assert sum(s.status is StartStatus.STARTED for s in starts) == 1
    assert await count(database, GroupQuizRound) == 1


async def test_the_leaderboard_adds_up_and_forget_clears_a_member(
    service: GroupQuizService, context: ServiceContext, database: Database, clock: FakeClock
) -> None:
    q = await started(service)
    await service.answer(member(2), "Two", q.round_id, 0, q.item.correct)
    clock.now += timedelta(seconds=30)
    await service.answer(member(3), "Three", q.round_id, 0, q.item.correct)
    await service.answer(STARTER, "Starter", q.round_id, 0, (q.item.correct + 1) % 4)
    boards = LeaderboardService(context)
    board = await boards.leaderboard(CHAT.chat_id, 3)
    assert [(p.rank, p.name, p.points, p.is_caller) for p in board.week.top] == [
        (1, "Two", 15, False),
        (2, "Three", 10, True),
        (3, "Starter", 0, False),
    ]
    await boards.set_hidden(Learner(2, 2), True)
    assert (await boards.leaderboard(CHAT.chat_id, 3)).all_time.top[0].name is None
    async with database.unit_of_work() as uow:
        await uow.privacy.forget(STARTER.user_id)
        await uow.privacy.forget(2)
        await uow.commit()
    assert await count(database, GroupQuizAnswer, user_id=2) == 0
    assert await count(database, GroupQuizAnswer) == 1
    async with database.unit_of_work() as uow:
        round_ = await uow.group_quizzes.get_round(q.round_id)
        assert not await uow.group_quizzes.is_hidden(2)
    assert round_ is not None and round_.started_by is None  # the group keeps its round


async def test_move_chat_moves_rounds_answers_and_members(
    service: GroupQuizService, context: ServiceContext, database: Database
) -> None:
    q = await started(service)
    await service.answer(member(2), "Two", q.round_id, 0, q.item.correct)
    # A round, an answer, and two members (the starter and the one who answered).
    assert await service.move_chat(CHAT.chat_id, -1002) == 4
    board = await LeaderboardService(context).leaderboard(-1002, 2)
    assert [(p.name, p.points) for p in board.all_time.top] == [("Two", 15)]
    start = await service.start(CHAT, STARTER, "Starter")  # the old id is free again
    assert start.status is StartStatus.STARTED
    assert (await service.start(GroupChat(-1002), STARTER, "S")).status is (
        StartStatus.ALREADY_RUNNING
    )


async def test_migration_0010_goes_down_and_up(fresh_database: Database) -> None:
    await upgrade(fresh_database.engine)

    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")

    async with fresh_database.engine.begin() as connection:
        await connection.run_sync(downgrade)
    async with fresh_database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        version = await connection.execute(text("SELECT version_num FROM alembic_version"))
        assert version.scalar_one() == "0009"
    assert not {"group_rounds", "group_answers", "group_members"} & set(tables)
    await upgrade(fresh_database.engine)
    async with fresh_database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {"group_rounds", "group_answers", "group_members", "leaderboard_settings"} <= set(tables)
