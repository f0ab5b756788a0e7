"""Quiz rounds, answers and progress on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services.context import ServiceContext
from bot.services.learners import Learner
from bot.services.library import Library, LiveLibrary
from bot.services.quiz_types import AnswerStatus, QuizQuestion
from bot.services.quizzes import QuizService
from content import load_knowledge_base
from storage import Database
from storage.models import QuestionLog, QuizAnswer, QuizProgress, QuizRound, User
from storage.records import AskedQuestion, TipSchedule
from tests.fakes import FakeClock

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
ADA = Learner(user_id=1, chat_id=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
def library() -> Library:
    return Library.of(load_knowledge_base(FIXTURE))


def service(library: Library, database: Database, clock: FakeClock, **options: int) -> QuizService:
    context = ServiceContext(LiveLibrary(library), database.unit_of_work, clock, "Europe/Berlin")
    return QuizService(context, rng=random.Random(7), **options)  # type: ignore[arg-type]


async def play(quizzes: QuizService, first: QuizQuestion, right: bool = True) -> int:
    """Answer every question of the round; returns how many were answered."""
    question: QuizQuestion | AnswerStatus = first
    count = 0
    while isinstance(question, QuizQuestion):
        item = question.item
        choice = item.correct if right else (item.correct + 1) % len(item.options)
        outcome = await quizzes.answer(ADA, question.round_id, question.position, choice)
        assert outcome.status is AnswerStatus.RECORDED
        count += 1
        if outcome.summary is not None:
            break
        question = await quizzes.next_question(ADA, question.round_id, question.position + 1)
    return count


async def count(database: Database, table: type) -> int:
    async with database.unit_of_work() as uow:
        return int(
            (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()
        )


async def test_a_round_stores_every_answer_with_its_progress(database, library, clock) -> None:
    quizzes = service(library, database, clock)
    first = await quizzes.start(ADA)
    assert first is not None and first.total == 5 and first.position == 0
    assert await play(quizzes, first) == 5
    assert await count(database, QuizAnswer) == 5
    async with database.unit_of_work() as uow:
        progress = await uow.quizzes.progress(ADA.user_id)
    assert len(progress) == 5
    for card in progress.values():  # FSRS Good on a new card: stability w2, due in 2 days
        assert card.memory.stability == pytest.approx(2.3065) and card.correct_count == 1
        assert card.memory.last_review == clock.now
        assert card.due_at == clock.now + timedelta(days=2)
    report = await quizzes.progress(ADA)
    assert (report.answers, report.correct, report.seen, report.mastered) == (5, 5, 5, 0)
    assert (report.streak, report.best_streak) == (1, 1)
    assert report.forecast == (0, 0, 5, 0, 0, 0, 0)
    assert report.due_today == 0 and report.due_this_week == 5
    assert all(t.recall == 1.0 and t.mastery == 0.0 for t in report.topics)


async def test_the_last_answer_summarises_the_round(database, library, clock) -> None:
    quizzes = service(library, database, clock, round_size=2)
    first = await quizzes.start(ADA, topic="kubernetes")
    assert first is not None and first.topic_title == "Kubernetes"
    outcome = await quizzes.answer(ADA, first.round_id, 0, first.item.correct)
    assert outcome.summary is None and outcome.correct
    second = await quizzes.next_question(ADA, first.round_id, 1)
    assert isinstance(second, QuizQuestion)
    wrong = (second.item.correct + 1) % len(second.item.options)
    last = await quizzes.answer(ADA, first.round_id, 1, wrong)
    assert last.summary is not None and not last.correct
    assert (last.summary.score, last.summary.total) == (1, 2)
    assert last.summary.improved == ()  # a first answer masters nothing
    assert last.summary.next_due == clock.now + timedelta(days=1)  # the wrong one


async def test_answers_that_master_a_question_improve_its_topic(database, library, clock) -> None:
    quizzes = service(library, database, clock, round_size=2)
    for _ in range(3):  # three right answers, each on its due date
        first = await quizzes.start(ADA, topic="kubernetes")
        assert first is not None
        last = await quizzes.answer(ADA, first.round_id, 0, first.item.correct)
        second = await quizzes.next_question(ADA, first.round_id, 1)
        assert isinstance(second, QuizQuestion)
        last = await quizzes.answer(ADA, first.round_id, 1, second.item.correct)
        assert last.summary is not None
        async with database.unit_of_work() as uow:
            progress = await uow.quizzes.progress(ADA.user_id)
        clock.now = max(c.due_at for c in progress.values())
    assert [(c.title, c.before, c.after) for c in last.summary.improved] == [
        ("Kubernetes", 0.0, 1.0)  # both questions now hold 90% recall two weeks ahead
    ]
    assert [round(c.memory.stability) for c in progress.values()] == [46, 46]


async def test_double_tap_and_concurrent_taps_count_once(database, library, clock) -> None:
    quizzes = service(library, database, clock)
    first = await quizzes.start(ADA)
    assert first is not None
    outcomes = await asyncio.gather(
        *(quizzes.answer(ADA, first.round_id, 0, first.item.correct) for _ in range(3))
    )
    statuses = sorted(o.status.value for o in outcomes)
    assert statuses == ["already_answered", "already_answered", "recorded"]
    again = await quizzes.answer(ADA, first.round_id, 0, 0)
    assert again.status is AnswerStatus.ALREADY_ANSWERED
    assert await count(database, QuizAnswer) == 1
    async with database.unit_of_work() as uow:
        (row,) = (await uow.quizzes.progress(ADA.user_id)).values()
    assert (row.correct_count, row.wrong_count) == (1, 0)
    assert row.memory.stability == pytest.approx(2.3065)  # one review, not three


async def test_next_is_shown_once(database, library, clock) -> None:
    quizzes = service(library, database, clock)
    first = await quizzes.start(ADA)
    assert first is not None
    await quizzes.answer(ADA, first.round_id, 0, 0)
    assert isinstance(await quizzes.next_question(ADA, first.round_id, 1), QuizQuestion)
    assert await quizzes.next_question(ADA, first.round_id, 1) is AnswerStatus.ALREADY_ANSWERED


async def test_old_rounds_and_other_peoples_buttons_have_ended(database, library, clock) -> None:
    quizzes = service(library, database, clock)
    old = await quizzes.start(ADA)
    new = await quizzes.start(ADA)  # starting again ends the first round
    assert old is not None and new is not None and new.round_id != old.round_id
    assert (await quizzes.answer(ADA, old.round_id, 0, 0)).status is AnswerStatus.ENDED
    bob = Learner(user_id=2, chat_id=2)
    assert (await quizzes.answer(bob, new.round_id, 0, 0)).status is AnswerStatus.ENDED
    assert (await quizzes.answer(ADA, 999_999, 0, 0)).status is AnswerStatus.ENDED
    assert await count(database, QuizAnswer) == 0


async def test_a_round_survives_a_restart(database, library, clock) -> None:
    first = await service(library, database, clock).start(ADA)
    assert first is not None
    restarted = service(library, database, clock)  # a new process: nothing in memory
    outcome = await restarted.answer(ADA, first.round_id, 0, first.item.correct)
    assert outcome.status is AnswerStatus.RECORDED and outcome.correct


async def test_reviews_come_back_when_due_and_wrong_answers_restart(
    database, library, clock
) -> None:
    quizzes = service(library, database, clock, round_size=6, new_per_day=6)
    first = await quizzes.start(ADA)
    assert first is not None
    await play(quizzes, first, right=False)
    clock.now += timedelta(days=1, minutes=1)
    again = await quizzes.start(ADA)
    assert again is not None and again.total == 6  # all six are due again
    async with database.unit_of_work() as uow:
        assert len(await uow.quizzes.due(ADA.user_id, clock.now)) == 6


async def test_new_questions_are_capped_per_local_day(database, library, clock) -> None:
    quizzes = service(library, database, clock, round_size=5, new_per_day=3)
    first = await quizzes.start(ADA)
    assert first is not None and first.total == 3
    await play(quizzes, first)
    # Nothing due, no new allowance left: practice of not-yet-due questions fills in.
    practice = await quizzes.start(ADA)
    assert practice is not None and practice.total == 3
    clock.now += timedelta(hours=16)  # 01:00 next day in Berlin: a fresh allowance
    fresh = await quizzes.start(ADA)
    assert fresh is not None and fresh.total == 5


async def test_a_quiz_on_one_entry_or_topic(database, library, clock) -> None:
    quizzes = service(library, database, clock)
    one = await quizzes.start(ADA, entry_id="caching-etag")
    assert one is not None and one.total == 1 and one.item.entry == "caching-etag"
    topic = await quizzes.start(ADA, topic="caching")
    assert topic is not None and topic.total == 2 and topic.topic_title == "Caching"
    assert await quizzes.start(ADA, topic="no-such-topic") is None


def test_topic_names_are_forgiving(library) -> None:
    nowhere = ServiceContext(LiveLibrary(library), None)  # type: ignore[arg-type]  # no storage needed
    quizzes = QuizService(nowhere)
    assert quizzes.find_topic("caching") == "caching"
    assert quizzes.find_topic("Kubernetes") == "kubernetes"
    assert quizzes.find_topic("kubernets") == "kubernetes"
    assert quizzes.find_topic("cooking recipes") is None


async def test_streak_follows_the_learners_local_days(database, library, clock) -> None:
    quizzes = service(library, database, clock, round_size=1)
    for hour_offset in (0, 24, 48):  # 09:00 UTC = 10:00 Berlin, three days in a row
        clock.now = datetime(2026, 11, 27, 9, tzinfo=UTC) + timedelta(hours=hour_offset)
        first = await quizzes.start(ADA)
        assert first is not None
        await play(quizzes, first)
    report = await quizzes.progress(ADA)
    assert (report.streak, report.best_streak) == (3, 3)
    clock.now += timedelta(days=3)
    assert (await quizzes.progress(ADA)).streak == 0


async def test_reset_clears_quiz_progress_and_nothing_else(database, library, clock) -> None:
    quizzes = service(library, database, clock)
    first = await quizzes.start(ADA)
    assert first is not None
    await play(quizzes, first)
    async with database.unit_of_work() as uow:
        await uow.questions.add(
            AskedQuestion(
                user_id=ADA.user_id,
                text="etag?",
                status="answered",
                entry_id=None,
                score=None,
                asked_at=clock.now,
            )
        )
        await uow.commit()
    await quizzes.reset(ADA)
    for table in (QuizAnswer, QuizRound, QuizProgress):
        assert await count(database, table) == 0
    assert await count(database, User) == 1
    assert await count(database, QuestionLog) == 1
    assert (await quizzes.progress(ADA)).answers == 0


async def test_fixed_offset_zones_from_timezone_work_for_quizzes(database, library, clock) -> None:
    """/timezone +3 stores "UTC+03:00"; streaks and caps must read it like /tiptime does."""
    quizzes = service(library, database, clock)
    async with database.unit_of_work() as uow:
        await uow.users.arrive(ADA.user_id, ADA.chat_id, None, clock.now)
        await uow.tips.save_schedule(ADA.user_id, TipSchedule(False, 9 * 60, "UTC+03:00", None))
        await uow.commit()
    first = await quizzes.start(ADA)
    assert first is not None
    await play(quizzes, first)
    clock.now = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)  # 00:30 on the 28th at UTC+3
    report = await quizzes.progress(ADA)
    assert (report.answers, report.streak) == (5, 1)
    assert report.today == date(2026, 11, 28)
    assert report.forecast[:3] == (0, 5, 0)  # due at 12:00 on the 29th, local


async def test_practice_before_the_due_date_is_an_early_review(database, library, clock) -> None:
    quizzes = service(library, database, clock, round_size=2)
    first = await quizzes.start(ADA, topic="kubernetes")
    assert first is not None
    assert await play(quizzes, first) == 2
    clock.now += timedelta(days=1)  # due in two days: tomorrow is practice
    practice = await quizzes.start(ADA, topic="kubernetes")
    assert practice is not None and practice.total == 2  # nothing due, nothing new
    assert await play(quizzes, practice) == 2
    async with database.unit_of_work() as uow:
        progress = await uow.quizzes.progress(ADA.user_id)
    for card in progress.values():
        assert card.correct_count == 2 and card.memory.last_review == clock.now
        # more than after one answer, less than a review on the due date (10.96 days)
        assert 2.3065 < card.memory.stability < 10
        assert clock.now + timedelta(days=2) < card.due_at < clock.now + timedelta(days=10)
