"""Weekly-digest delivery: "one digest per learner and week, never twice, none
lost" across restarts and replicas, with the same rules as tips
(bot/services/deliveries.py): the claim row's (user, week's Sunday) unique key,
the lease on stale "sending" rows, and catch-up: a digest missed while the bot was
down goes out when it is back if it is still that Sunday in the learner's zone
(and past their tip time); later than that it is skipped, like a missed tip day.

What a digest holds is composed here from the question log, the quiz answers and
the FSRS cards; "improved" is defined in `compose`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.services import repetition, schedule
from bot.services.deliveries import Deliveries, Rows, Skipped
from bot.services.digest import SUNDAY, last_sunday, next_sunday_due
from bot.services.quiz_types import TopicChange
from content import Entry, KnowledgeBase
from storage import UnitOfWork
from storage.records import LearnerProfile

WEEK = timedelta(days=7)
TOP_TOPICS = 3


@dataclass(frozen=True)
class WeeklyDigest:
    asked: int  # questions asked this week (small talk not counted)
    top_topics: tuple[tuple[str, int], ...]  # (topic title, questions), most asked first
    answered: int  # quiz answers this week
    correct: int
    answered_before: int  # quiz answers the week before
    correct_before: int
    improved: tuple[TopicChange, ...]  # mastery before this week's first round -> now
    due_next_week: int  # reviews due within seven days (overdue ones included)
    suggestion: Entry | None  # from the weakest topic
    suggestion_topic: str = ""


@dataclass(frozen=True)
class DigestToSend:
    delivery_id: int
    user_id: int
    chat_id: int
    week_of: date  # the Sunday, in the learner's zone
    due_at: datetime  # when it was due (UTC)
    digest: WeeklyDigest

    @property
    def key(self) -> int:
        return self.user_id


def _accuracy(answers: list[bool]) -> tuple[int, int]:
    return len(answers), sum(answers)


async def compose(
    uow: UnitOfWork, kb: KnowledgeBase, user_id: int, since: datetime, now: datetime
) -> WeeklyDigest:
    """The week [since, now) of one learner.

    "Improved" is measured, not guessed: every quiz round stores its topics' FSRS
    mastery when it starts, so a topic improved if its mastery now is above the one
    recorded before the first round that quizzed it this week. A topic not quizzed
    this week is not listed (its mastery can only have faded)."""
    asked = await uow.digests.asked(user_id, since, now)
    topic_counts = Counter(
        topic.title
        for entry_id in asked
        if entry_id and (topic := kb.topic(kb.entry_topics.get(entry_id, ""))) is not None
    )
    top = sorted(topic_counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_TOPICS]
    answers = await uow.digests.answers_since(user_id, since - WEEK)
    this_week = _accuracy([a.correct for a in answers if a.answered_at >= since])
    last_week = _accuracy([a.correct for a in answers if a.answered_at < since])
    progress = await uow.quizzes.progress(user_id)
    now_mastery = repetition.topic_mastery(
        {q: card.memory for q, card in progress.items()}, kb.quiz_topics, now
    )
    before = await uow.digests.mastery_before_rounds(user_id, since)
    improved = sorted(
        (
            TopicChange(topic.title, before[t], now_mastery.get(t, 0.0))
            for t in before
            if (topic := kb.topic(t)) is not None and now_mastery.get(t, 0.0) > before[t]
        ),
        key=lambda change: (change.before - change.after, change.title),
    )
    due = await uow.quizzes.due(user_id, now + WEEK)
    suggestion, topic_title = _suggest(kb, now_mastery, {e for e in asked if e})
    return WeeklyDigest(
        asked=len(asked),
        top_topics=tuple(top),
        answered=this_week[0],
        correct=this_week[1],
        answered_before=last_week[0],
        correct_before=last_week[1],
        improved=tuple(improved),
        due_next_week=len(due),
        suggestion=suggestion,
        suggestion_topic=topic_title,
    )


def _suggest(
    kb: KnowledgeBase, mastery: dict[str, float], asked: set[str]
) -> tuple[Entry | None, str]:
    """The first entry not asked about this week in the least mastered topic that
    has quiz questions (ties: the topic listed first)."""
    order = {topic.id: index for index, topic in enumerate(kb.topics)}
    quizzed = [t for t in order if t in mastery]
    if not quizzed:
        return None, ""
    weakest = min(quizzed, key=lambda t: (mastery[t], order[t]))
    entries = kb.entries_in(weakest)
    fresh = [e for e in entries if e.id not in asked] or list(entries)
    topic = kb.topic(weakest)
    return (fresh[0] if fresh else None), (topic.title if topic else "")


class DigestDeliveries(Deliveries[DigestToSend, LearnerProfile]):
    kind = "digest"

    def _rows(self, uow: UnitOfWork) -> Rows[LearnerProfile]:
        return uow.digests

    async def _set_next(self, uow: UnitOfWork, key: int, at: datetime | None) -> None:
        await uow.digests.set_next(key, at)

    async def _claim(
        self, uow: UnitOfWork, kb: KnowledgeBase, due: LearnerProfile, now: datetime
    ) -> DigestToSend | Skipped:
        assert due.next_digest_at is not None  # next_due only returns scheduled learners
        if not due.wants_digest:  # a stale schedule: nothing is due
            await uow.digests.set_next(due.id, None)
            await uow.commit()
            return Skipped("digest off")
        _, zone, _ = schedule.resolve_zone(due.timezone, self._default_timezone)
        week_of = last_sunday(schedule.local_date_of(due.next_digest_at, zone))
        today = schedule.local_date_of(now, zone)
        todays = schedule.due_at(today, due.tip_minute, zone)
        if week_of < today:
            # The bot was down on that Sunday: that digest is gone, like a missed tip
            # day; if today is Sunday and its time has come, today's goes out now.
            if today.weekday() != SUNDAY or todays > now:
                await uow.digests.set_next(
                    due.id, next_sunday_due(now, due.tip_minute, zone, sent_this_week=False)
                )
                await uow.commit()
                return Skipped("missed week")
            week_of = today
        due_at = schedule.due_at(week_of, due.tip_minute, zone)
        await uow.digests.set_next(due.id, schedule.due_at(week_of + WEEK, due.tip_minute, zone))
        delivery_id = await uow.digests.claim(due.id, week_of, now)
        if delivery_id is None:
            await uow.commit()
            return Skipped("already sent")  # that week already has its digest
        digest = await compose(uow, kb, due.id, due_at - WEEK, now)
        await uow.commit()
        return DigestToSend(delivery_id, due.id, due.chat_id, week_of, due_at, digest)
