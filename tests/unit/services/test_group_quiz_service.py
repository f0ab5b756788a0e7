"""GroupQuizService and LeaderboardService on the in-memory unit of work."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.services.context import ServiceContext
from bot.services.group_quiz_types import (
    GroupAnswerStatus,
    GroupChat,
    GroupQuestion,
    Reveal,
    RevealRefused,
    StartStatus,
)
from bot.services.group_quizzes import GroupQuizService, points_for
from bot.services.leaderboard import LeaderboardService
from bot.services.learners import Learner
from bot.services.quizzes import QuizService
from tests.fakes import FakeClock
from tests.fakes_storage import InMemoryStore

CHAT = GroupChat(-500)
ADA = Learner(1, CHAT.chat_id, private=False)
BOB = Learner(2, CHAT.chat_id, private=False)


@pytest.fixture
def service(context: ServiceContext) -> GroupQuizService:
    return GroupQuizService(context, seconds=60, round_size=3, rng=random.Random(3))


async def started(service: GroupQuizService) -> GroupQuestion:
    start = await service.start(CHAT, ADA, "Ada")
    assert start.status is StartStatus.STARTED and start.question is not None
    assert await service.posted(start.question, 77)
    return start.question


def right(q: GroupQuestion) -> int:
    return q.item.correct


async def test_one_round_per_group(service: GroupQuizService) -> None:
    await started(service)
    assert (await service.start(CHAT, BOB, "Bob")).status is StartStatus.ALREADY_RUNNING
    other = await service.start(GroupChat(-600, 9), BOB, "Bob")
    assert other.status is StartStatus.STARTED and other.question is not None
    assert other.question.chat == GroupChat(-600, 9)


async def test_an_unknown_topic_has_nothing_to_ask(service: GroupQuizService) -> None:
    start = await service.start(CHAT, ADA, "Ada", topic="no-such-topic")
    assert start.status is StartStatus.NOTHING_TO_ASK


async def test_each_member_answers_once(service: GroupQuizService) -> None:
    q = await started(service)
    first = await service.answer(BOB, "Bob", q.round_id, 0, right(q))
    assert first.status is GroupAnswerStatus.RECORDED and first.correct
    assert first.points == 15
    again = await service.answer(BOB, "Bob", q.round_id, 0, (right(q) + 1) % 4)
    assert again.status is GroupAnswerStatus.ALREADY_ANSWERED
    assert (await service.answer(ADA, "Ada", q.round_id, 0, 0)).status is (
        GroupAnswerStatus.RECORDED
    )
    assert await service.answered(q.round_id, 0) == 2


async def test_answers_from_another_chat_or_question_are_closed(
    service: GroupQuizService,
) -> None:
    q = await started(service)
    stranger = Learner(3, -999, private=False)
    assert (await service.answer(stranger, "X", q.round_id, 0, 0)).status is (
        GroupAnswerStatus.CLOSED
    )
    assert (await service.answer(BOB, "Bob", q.round_id, 1, 0)).status is GroupAnswerStatus.CLOSED
    assert (await service.answer(BOB, "Bob", q.round_id, 0, 9)).status is GroupAnswerStatus.CLOSED


def test_points_reward_speed() -> None:
    from datetime import UTC, datetime

    posted = datetime(2026, 1, 1, tzinfo=UTC)
    assert points_for(True, posted, posted + timedelta(seconds=5)) == 15
    assert points_for(True, posted, posted + timedelta(seconds=6)) == 10
    assert points_for(False, posted, posted) == 0


async def test_reveal_happens_once_and_only_for_the_starter(
    service: GroupQuizService, clock: FakeClock
) -> None:
    q = await started(service)
    await service.answer(BOB, "Bob", q.round_id, 0, right(q))
    assert await service.reveal(q.round_id, 0, by=BOB.user_id) is RevealRefused.NOT_STARTER
    reveal = await service.reveal(q.round_id, 0, by=ADA.user_id)
    assert isinstance(reveal, Reveal)
    assert reveal.message_id == 77 and reveal.first_right == "Bob"
    assert reveal.answered == 1 and reveal.right == 1
    assert reveal.next is not None and reveal.next.position == 1
    assert await service.reveal(q.round_id, 0) is RevealRefused.CLOSED
    assert (await service.answer(ADA, "Ada", q.round_id, 0, 0)).status is (GroupAnswerStatus.CLOSED)


async def test_due_finds_overdue_questions_and_ends_stalled_rounds(
    service: GroupQuizService, clock: FakeClock
) -> None:
    q = await started(service)
    clock.now += timedelta(seconds=59)
    assert await service.due() == []
    clock.now += timedelta(seconds=2)
    assert await service.due() == [(q.round_id, 0)]
    reveal = await service.reveal(q.round_id, 0)
    assert isinstance(reveal, Reveal) and reveal.next is not None
    # The next question was never posted (the process stopped): the round ends.
    clock.now += timedelta(seconds=61)
    assert await service.due() == []
    assert (await service.start(CHAT, BOB, "Bob")).status is StartStatus.STARTED


async def test_the_last_reveal_ends_the_round(service: GroupQuizService) -> None:
    q = await started(service)
    for position in range(q.total):
        reveal = await service.reveal(q.round_id, position, by=ADA.user_id)
        assert isinstance(reveal, Reveal)
        if reveal.next is not None:
            await service.posted(reveal.next, 100 + position)
    assert reveal.next is None
    assert (await service.start(CHAT, BOB, "Bob")).status is StartStatus.STARTED


async def test_group_answers_are_reviews_in_spaced_repetition(
    service: GroupQuizService, context: ServiceContext
) -> None:
    q = await started(service)
    await service.answer(BOB, "Bob", q.round_id, 0, right(q))
    report = await QuizService(context).progress(Learner(BOB.user_id, BOB.user_id))
    assert (report.answers, report.correct, report.seen) == (1, 1, 1)


async def test_move_chat_takes_rounds_and_leaderboard_along(
    service: GroupQuizService, context: ServiceContext
) -> None:
    q = await started(service)
    await service.answer(BOB, "Bob", q.round_id, 0, right(q))
    assert await service.move_chat(CHAT.chat_id, -100500) > 0
    moved = Learner(BOB.user_id, -100500, private=False)
    assert (await service.answer(moved, "Bob", q.round_id, 0, 0)).status is (
        GroupAnswerStatus.ALREADY_ANSWERED
    )
    board = await LeaderboardService(context).leaderboard(-100500, ADA.user_id)
    assert [(p.name, p.points) for p in board.all_time.top] == [("Bob", 15)]
    assert (await LeaderboardService(context).leaderboard(CHAT.chat_id, 1)).all_time.top == ()


async def test_hidden_members_and_forget(
    service: GroupQuizService, context: ServiceContext, store: InMemoryStore
) -> None:
    boards = LeaderboardService(context)
    q = await started(service)
    await service.answer(BOB, "Bob", q.round_id, 0, right(q))
    await boards.set_hidden(Learner(BOB.user_id, BOB.user_id), True)
    assert await boards.is_hidden(BOB.user_id)
    board = await boards.leaderboard(CHAT.chat_id, BOB.user_id)
    (place,) = board.week.top
    assert place.name is None and place.is_caller
    async with store() as uow:
        assert await uow.privacy.forget(BOB.user_id) > 0
        await uow.commit()
    assert (await boards.leaderboard(CHAT.chat_id, ADA.user_id)).all_time.top == ()
    assert not await boards.is_hidden(BOB.user_id)
