"""A learner's progress across topics: mastery, predicted recall, streaks and
the reviews due in the next days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from bot.services import repetition, schedule
from bot.services.quiz_types import ProgressReport, TopicProgress
from content import KnowledgeBase
from storage import UnitOfWork

FORECAST_DAYS = 7
ACTIVITY_WEEKS = 12


def end_of_local_day(now: datetime, zone: tzinfo, days_ahead: int) -> datetime:
    """Midnight after the local day `days_ahead` days from now (0: tonight)."""
    local_day = schedule.local_date_of(now, zone) + timedelta(days=days_ahead + 1)
    return schedule.due_at(local_day, 0, zone)


async def topic_mastery(
    uow: UnitOfWork, user_id: int, kb: KnowledgeBase, topics: set[str], now: datetime
) -> dict[str, float]:
    """Mastery (0..1) of each of `topics` for one learner."""
    progress = await uow.quizzes.progress(user_id)
    memories = {q: c.memory for q, c in progress.items()}
    every = repetition.topic_mastery(memories, kb.quiz_topics, now)
    return {topic: every.get(topic, 0.0) for topic in topics}


def forecast(due: list[datetime], now: datetime, zone: tzinfo) -> tuple[int, ...]:
    """How many reviews fall due on each of the next FORECAST_DAYS local days;
    today's count includes the overdue ones."""
    ends = [end_of_local_day(now, zone, day) for day in range(FORECAST_DAYS)]
    counts = [0] * FORECAST_DAYS
    for moment in due:
        day = next((i for i, end in enumerate(ends) if moment < end), None)
        if day is not None:
            counts[day] += 1
    return tuple(counts)


def activity(days: list[date], today: date) -> tuple[date, tuple[int, ...]]:
    """Answers per local day over the last ACTIVITY_WEEKS calendar weeks (Monday
    first, this week's included, through today): the first day and the counts."""
    start = today - timedelta(days=today.weekday(), weeks=ACTIVITY_WEEKS - 1)
    counts = [0] * ((today - start).days + 1)
    for day in days:
        if start <= day <= today:
            counts[(day - start).days] += 1
    return start, tuple(counts)


async def progress_report(
    uow: UnitOfWork, user_id: int, kb: KnowledgeBase, zone: tzinfo, now: datetime
) -> ProgressReport:
    answers, correct = await uow.quizzes.answer_totals(user_id)
    progress = await uow.quizzes.progress(user_id)
    times = await uow.quizzes.answer_times(user_id)
    # Answers in group quizzes count as the learner's own (bot/services/group_quizzes.py).
    in_groups, right_in_groups = await uow.group_quizzes.answer_totals(user_id)
    answers, correct = answers + in_groups, correct + right_in_groups
    times += await uow.group_quizzes.answer_times(user_id)
    topic_of = kb.quiz_topics
    topics = []
    untouched = 0
    for topic in kb.topics:
        items = [q for q, t in topic_of.items() if t == topic.id]
        seen = [progress[q].memory for q in items if q in progress]
        if not items:
            continue
        if not seen:
            untouched += 1
            continue
        mastery = repetition.mastery(seen, len(items), now)
        recall = sum(repetition.recall(m, now) for m in seen) / len(seen)
        topics.append(TopicProgress(topic.id, topic.title, mastery, recall, len(seen), len(items)))
    days = [t.astimezone(zone).date() for t in times]
    today = schedule.local_date_of(now, zone)
    current, best = repetition.streaks(days, today)
    start, counts = activity(days, today)
    return ProgressReport(
        answers=answers,
        correct=correct,
        seen=len(progress),
        mastered=sum(repetition.is_mastered(c.memory, now) for c in progress.values()),
        topics=tuple(sorted(topics, key=lambda t: (-t.mastery, -t.recall))),
        untouched_topics=untouched,
        streak=current,
        best_streak=best,
        today=today,
        forecast=forecast([c.due_at for c in progress.values()], now, zone),
        activity=counts,
        activity_start=start,
    )
