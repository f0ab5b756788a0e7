"""A learner's progress across topics: mastery, streaks and what is due."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.services import repetition, schedule
from bot.services.quiz_types import ProgressReport, TopicProgress
from content import KnowledgeBase
from storage import UnitOfWork


def end_of_local_day(now: datetime, zone: tzinfo, days_ahead: int) -> datetime:
    """Midnight after the local day `days_ahead` days from now (0: tonight)."""
    local_day = schedule.local_date_of(now, zone) + timedelta(days=days_ahead + 1)
    return schedule.due_at(local_day, 0, zone)


async def topic_mastery(
    uow: UnitOfWork, user_id: int, kb: KnowledgeBase, topics: set[str]
) -> dict[str, float]:
    """Mastery (0..1) of each of `topics` for one learner."""
    progress = await uow.quizzes.progress(user_id)
    every = repetition.topic_mastery({q: c.box for q, c in progress.items()}, kb.quiz_topics)
    return {topic: every.get(topic, 0.0) for topic in topics}


async def progress_report(
    uow: UnitOfWork, user_id: int, kb: KnowledgeBase, zone: tzinfo, now: datetime
) -> ProgressReport:
    answers, correct = await uow.quizzes.answer_totals(user_id)
    progress = await uow.quizzes.progress(user_id)
    times = await uow.quizzes.answer_times(user_id)
    due_today = len(await uow.quizzes.due(user_id, end_of_local_day(now, zone, 0)))
    due_week = len(await uow.quizzes.due(user_id, end_of_local_day(now, zone, 6)))
    topic_of = kb.quiz_topics
    topics = []
    untouched = 0
    for topic in kb.topics:
        items = [q for q, t in topic_of.items() if t == topic.id]
        seen = [progress[q] for q in items if q in progress]
        if not items:
            continue
        if not seen:
            untouched += 1
            continue
        mastery = repetition.mastery((c.box for c in seen), len(items))
        topics.append(TopicProgress(topic.id, topic.title, mastery, len(seen), len(items)))
    current, best = repetition.streaks(
        (t.astimezone(zone).date() for t in times), now.astimezone(zone).date()
    )
    return ProgressReport(
        answers=answers,
        correct=correct,
        seen=len(progress),
        mastered=sum(repetition.is_mastered(c.box) for c in progress.values()),
        topics=tuple(sorted(topics, key=lambda t: -t.mastery)),
        untouched_topics=untouched,
        streak=current,
        best_streak=best,
        due_today=due_today,
        due_this_week=due_week,
    )
