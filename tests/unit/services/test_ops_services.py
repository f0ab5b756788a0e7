"""Operations, questions and replica intake against the in-memory unit of work."""

from __future__ import annotations

from datetime import timedelta

from bot.services.intake import UpdateIntake
from bot.services.learners import Learner
from bot.services.operations import OpsService
from bot.services.questions import QuestionService
from content import MatchStatus
from tests.unit.services.conftest import FIXTURE

ADA = Learner(user_id=1, chat_id=1)
BOB = Learner(user_id=2, chat_id=2)


async def test_unanswered_questions_reach_the_inbox_grouped(context, store, clock) -> None:
    questions = QuestionService(context)
    for text in ("how do I feed my cat", "how do i feed my cat?", "cat food schedule"):
        answer = await questions.ask(text, ADA)
        assert answer.result.status in (MatchStatus.NO_MATCH, MatchStatus.AMBIGUOUS)
    ops = OpsService(context, FIXTURE)
    inbox = await ops.inbox(timedelta(days=7))
    assert sum(c.count for c in inbox.clusters) == 3
    assert inbox.clusters[0].count >= 2  # the two wordings of one question group together


async def test_stats_count_users_questions_and_feedback(context, store, clock) -> None:
    questions = QuestionService(context)
    answered = await questions.ask("what is an etag", ADA)
    assert answered.result.status is MatchStatus.ANSWERED
    await questions.ask("what is an etag", BOB)
    ops = OpsService(context, FIXTURE)
    await ops.vote(ADA, "caching-etag", True)
    await ops.vote(BOB, "caching-etag", False)
    await ops.vote(BOB, "caching-etag", True)  # a second vote replaces the first
    stats = await ops.stats()
    assert (stats.users, stats.active_7d, stats.active_30d) == (2, 2, 2)
    assert stats.questions == {"answered": 2}
    assert stats.top_entries == (("caching-etag", 2),)
    assert stats.feedback == (("caching-etag", 2, 0),)


async def test_forget_removes_the_learner_and_scrubs(context, store, clock) -> None:
    scrubbed: list[bool] = []

    async def scrub() -> None:
        scrubbed.append(True)

    await QuestionService(context).ask("what is an etag", ADA)
    await QuestionService(context).ask("what is an etag", BOB)
    ops = OpsService(context, FIXTURE, scrub=scrub)
    assert (await ops.export(ADA))["users"][0]["id"] == ADA.user_id
    assert await ops.forget(ADA) == 2  # the user and their question
    assert scrubbed == [True]
    assert set(store.state.users) == {BOB.user_id}


async def test_the_question_log_is_purged_after_retention(context, store, clock) -> None:
    await QuestionService(context).ask("what is an etag", ADA)
    clock.now += timedelta(days=31)
    await QuestionService(context).ask("what is an etag", ADA)
    ops = OpsService(context, FIXTURE)
    assert await ops.purge_question_log(30) == 1
    assert len(store.state.questions) == 1


async def test_a_complaint_offers_the_other_entries_for_the_last_question(
    context, store, clock
) -> None:
    questions = QuestionService(context)
    first = await questions.ask("what is an etag", ADA)
    assert first.result.status is MatchStatus.ANSWERED and first.result.best is not None
    complaint = await questions.ask("that's wrong", ADA)
    assert complaint.result.status is MatchStatus.AMBIGUOUS
    offered = [c.entry.id for c in complaint.result.candidates]
    assert offered and first.result.best.entry.id not in offered
    logged = [q for q, _ in store.state.questions]
    assert logged[-1].text == "what is an etag" and logged[-1].status == "ambiguous"


async def test_an_update_is_taken_once_and_the_secret_agreed_once(context, clock) -> None:
    intake = UpdateIntake(context)
    assert await intake.take(7) is True
    assert await intake.take(7) is False  # Telegram's retry, or another replica
    assert await intake.agree_secret("first") == "first"
    assert await intake.agree_secret("second") == "first"
    clock.now += timedelta(days=3)
    assert await intake.forget_old_updates() == 1
    assert await intake.take(7) is True  # long forgotten: Telegram gave up days ago
