"""QuizService against the in-memory unit of work."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bot.services.context import ServiceContext
from bot.services.learners import Learner
from bot.services.quiz_types import AnswerStatus, QuizQuestion
from bot.services.quizzes import QuizService
from storage.records import RoundStatus

ADA = Learner(user_id=1, chat_id=1)


def quizzes(context: ServiceContext) -> QuizService:
    return QuizService(context, rng=random.Random(7))


async def test_a_round_records_each_answer_once_and_finishes(
    context, library, store, clock
) -> None:
    service = quizzes(context)
    question = await service.start(ADA)
    assert isinstance(question, QuizQuestion) and question.total == 5
    for position in range(5):
        assert isinstance(question, QuizQuestion)
        right = question.item.correct
        outcome = await service.answer(ADA, question.round_id, position, right)
        assert outcome.status is AnswerStatus.RECORDED and outcome.correct
        again = await service.answer(ADA, question.round_id, position, right)
        assert again.status is AnswerStatus.ALREADY_ANSWERED  # a double tap counts once
        if position < 4:
            question = await service.next_question(ADA, question.round_id, position + 1)
    assert outcome.summary is not None
    assert (outcome.summary.score, outcome.summary.total) == (5, 5)
    round_ = store.state.rounds[outcome.question.round_id]  # type: ignore[union-attr]
    assert round_.status is RoundStatus.FINISHED and round_.finished_at == clock.now
    report = await service.progress(ADA)
    assert (report.answers, report.correct, report.seen) == (5, 5, 5)
    assert report.due_this_week == 5 and report.streak == 1


async def test_next_shows_a_question_once(context, library, store, clock) -> None:
    service = quizzes(context)
    first = await service.start(ADA)
    assert first is not None
    await service.answer(ADA, first.round_id, 0, first.item.correct)
    assert isinstance(await service.next_question(ADA, first.round_id, 1), QuizQuestion)
    assert await service.next_question(ADA, first.round_id, 1) is AnswerStatus.ALREADY_ANSWERED


async def test_someone_elses_round_and_an_old_round_end(context, library, store, clock) -> None:
    service = quizzes(context)
    first = await service.start(ADA)
    assert first is not None
    intruder = Learner(user_id=2, chat_id=2)
    stolen = await service.answer(intruder, first.round_id, 0, 0)
    assert stolen.status is AnswerStatus.ENDED
    newer = await service.start(ADA)  # abandons the first round
    assert newer is not None and newer.round_id != first.round_id
    old = await service.answer(ADA, first.round_id, 0, first.item.correct)
    assert old.status is AnswerStatus.ENDED
    assert store.state.rounds[first.round_id].status is RoundStatus.ABANDONED


async def test_a_wrong_answer_is_due_again_tomorrow(context, library, store, clock) -> None:
    service = quizzes(context)
    first = await service.start(ADA)
    assert first is not None
    wrong = (first.item.correct + 1) % len(first.item.options)
    outcome = await service.answer(ADA, first.round_id, 0, wrong)
    assert outcome.status is AnswerStatus.RECORDED and not outcome.correct
    card = store.state.cards[(ADA.user_id, first.item.id)][0]
    assert card.memory.stability == pytest.approx(0.212)  # FSRS Again on a new card
    assert card.wrong_count == 1 and card.memory.last_review == clock.now
    assert card.due_at == clock.now + timedelta(days=1)


async def test_new_questions_per_local_day_are_capped(context, library, store, clock) -> None:
    service = QuizService(context, new_per_day=3)
    first = await service.start(ADA)
    assert first is not None and first.total == 3
    for position in range(3):
        await service.answer(ADA, first.round_id, position, 0)
        await service.next_question(ADA, first.round_id, position + 1)
    seen = {quiz for _, quiz in store.state.cards}
    assert len(seen) == 3
    clock.now += timedelta(hours=1)
    second = await service.start(ADA)
    assert second is not None  # practice of what was seen: nothing new today
    assert set(store.state.rounds[second.round_id].quiz_ids) <= seen
    clock.now += timedelta(days=1)  # a new local day: new questions again
    third = await service.start(ADA)
    assert third is not None
    assert set(store.state.rounds[third.round_id].quiz_ids) - seen


async def test_reset_forgets_quiz_progress_only(context, library, store, clock) -> None:
    service = quizzes(context)
    first = await service.start(ADA)
    assert first is not None
    await service.answer(ADA, first.round_id, 0, first.item.correct)
    await service.reset(ADA)
    assert store.state.cards == {} and store.state.answers == {} and store.state.rounds == {}
    assert ADA.user_id in store.state.users  # the learner stays


async def test_nothing_is_kept_when_the_unit_of_work_is_not_committed(
    context, library, store, clock
) -> None:
    async with store() as uow:
        await uow.users.arrive(5, 5, None, clock.now)  # no commit
    assert store.state.users == {} and store.commits == 0


async def test_topics_are_found_by_id_title_or_close_spelling(
    context, library, store, clock
) -> None:
    service = quizzes(context)
    topic = library().kb.topics[0]
    assert service.find_topic(topic.id) == topic.id
    assert service.find_topic(topic.title.upper()) == topic.id
    assert service.find_topic(topic.title[:-1]) == topic.id
    assert service.find_topic("zzzz qqqq") is None


async def test_progress_counts_answers_per_local_day_over_twelve_weeks(
    context, library, store, clock
) -> None:
    service = quizzes(context)

    async def answer_one() -> None:
        question = await service.start(ADA)
        assert isinstance(question, QuizQuestion)
        await service.answer(ADA, question.round_id, 0, question.item.correct)

    today = clock.now  # Friday 2026-11-27, 08:00 in Berlin (the learner's zone)
    clock.now = today - timedelta(weeks=13)  # before the calendar: not counted
    await answer_one()
    clock.now = today.replace(hour=0, minute=0) - timedelta(minutes=30)  # 00:30 in Berlin
    await answer_one()
    clock.now = today
    await answer_one()
    report = await service.progress(ADA)
    assert report.activity_start == date(2026, 9, 7)  # the Monday 11 weeks before this week's
    assert len(report.activity) == (date(2026, 11, 27) - date(2026, 9, 7)).days + 1
    assert report.activity[-1] == 2 and sum(report.activity) == 2
    assert report.streak == 1
