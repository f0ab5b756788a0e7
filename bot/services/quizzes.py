"""Quiz rounds with spaced repetition: start, show, answer, progress, reset.

Round state is in the database, so a round survives a restart, and every answer
is stored with its progress update in one transaction; the (round, position)
unique constraint makes a double tap count once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import Enum

from rapidfuzz import fuzz, process

from bot.services import repetition, schedule
from bot.services.clock import Clock, aware, utc_now
from bot.services.library import Library
from bot.services.questions import Learner
from content import Entry, KnowledgeBase, QuizItem
from storage import Database, UnitOfWork


@dataclass(frozen=True)
class QuizQuestion:
    round_id: int
    position: int
    total: int
    item: QuizItem
    topic_title: str


@dataclass(frozen=True)
class TopicChange:
    title: str
    before: float
    after: float


@dataclass(frozen=True)
class RoundSummary:
    score: int
    total: int
    improved: tuple[TopicChange, ...]
    due_today: int
    next_due: datetime | None


class AnswerStatus(Enum):
    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    ENDED = "ended"  # an old, finished or abandoned round, or content that is gone


@dataclass(frozen=True)
class AnswerOutcome:
    status: AnswerStatus
    question: QuizQuestion | None = None
    choice: int = -1
    correct: bool = False
    entry: Entry | None = None
    summary: RoundSummary | None = None


@dataclass(frozen=True)
class TopicProgress:
    topic_id: str
    title: str
    mastery: float
    seen: int
    questions: int


@dataclass(frozen=True)
class ProgressReport:
    answers: int
    correct: int
    seen: int
    mastered: int
    topics: tuple[TopicProgress, ...]
    untouched_topics: int
    streak: int
    best_streak: int
    due_today: int
    due_this_week: int


class QuizService:
    def __init__(
        self,
        library: Callable[[], Library],
        database: Database,
        *,
        default_timezone: str,
        round_size: int = 5,
        new_per_day: int = 10,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self._library = library
        self._database = database
        self._default_timezone = default_timezone
        self.round_size = round_size
        self.new_per_day = new_per_day
        self._clock = clock
        self._rng = rng or random.Random()

    def now(self) -> datetime:
        return self._clock()

    # -- helpers --------------------------------------------------------------------

    async def _zone(self, uow: UnitOfWork, learner: Learner) -> tzinfo:
        user = await uow.users.get(learner.user_id)
        return schedule.zone_of((user.timezone if user else None) or self._default_timezone)

    def _question(
        self, kb: KnowledgeBase, round_id: int, ids: list[str], position: int
    ) -> QuizQuestion | None:
        item = kb.quiz(ids[position])
        entry = kb.entry(item.entry) if item else None
        topic = kb.topic(entry.topic) if entry else None
        if item is None or topic is None:
            return None
        return QuizQuestion(round_id, position, len(ids), item, topic.title)

    async def _mastery(
        self, uow: UnitOfWork, learner: Learner, kb: KnowledgeBase, topics: set[str]
    ) -> dict[str, float]:
        progress = await uow.quizzes.progress(learner.user_id)
        boxes = {quiz_id: row.box for quiz_id, row in progress.items()}
        every = repetition.topic_mastery(boxes, kb.quiz_topics)
        return {topic: every.get(topic, 0.0) for topic in topics}

    # -- use cases ------------------------------------------------------------------

    async def start(
        self, learner: Learner, *, topic: str | None = None, entry_id: str | None = None
    ) -> QuizQuestion | None:
        """Start a new round (ending any active one); None if there is nothing to ask."""
        kb = self._library().kb
        topic_of = kb.quiz_topics
        now = self._clock()
        async with self._database.unit_of_work() as uow:
            await uow.users.touch(learner.user_id, learner.home_chat_id, learner.language, now)
            if entry_id is not None:
                chosen = [q.id for q in kb.quizzes_for(entry_id)][: self.round_size]
            else:
                chosen = await self._choose(uow, learner, topic_of, topic, now)
            if not chosen:
                return None
            await uow.quizzes.abandon_active(learner.user_id, now)
            topics = {topic_of[q] for q in chosen}
            before = await self._mastery(uow, learner, kb, topics)
            round_row = await uow.quizzes.create_round(learner.user_id, chosen, before, now)
            await uow.commit()
        return self._question(kb, round_row.id, chosen, 0)

    async def _choose(
        self,
        uow: UnitOfWork,
        learner: Learner,
        topic_of: dict[str, str],
        topic: str | None,
        now: datetime,
    ) -> list[str]:
        in_scope = {q: t for q, t in topic_of.items() if topic is None or t == topic}
        progress = await uow.quizzes.progress(learner.user_id)
        zone = await self._zone(uow, learner)
        local_midnight = schedule.due_at(schedule.local_date_of(now, zone), 0, zone)
        seen_today = await uow.quizzes.new_since(learner.user_id, local_midnight)

        def picks(ids: list[str]) -> list[repetition.Pick]:
            return [repetition.Pick(q, in_scope[q]) for q in ids]

        known = sorted(
            (row for q, row in progress.items() if q in in_scope), key=lambda r: r.due_at
        )
        due = [r.quiz_id for r in known if aware(r.due_at) <= now]
        practice = [r.quiz_id for r in known if aware(r.due_at) > now]
        unseen = [q for q in in_scope if q not in progress]
        return repetition.pick_round(
            picks(due),
            picks(unseen),
            new_allowed=self.new_per_day - seen_today,
            size=self.round_size,
            rng=self._rng,
            practice=picks(practice),
        )

    async def next_question(
        self, learner: Learner, round_id: int, position: int
    ) -> QuizQuestion | AnswerStatus:
        """The question at `position`, once: a second tap on "Next" shows nothing new."""
        kb = self._library().kb
        async with self._database.unit_of_work() as uow:
            round_row = await uow.quizzes.round_for_update(round_id)
            if round_row is None or round_row.user_id != learner.user_id:
                return AnswerStatus.ENDED
            if round_row.status != "active" or position != round_row.position:
                return AnswerStatus.ENDED
            if round_row.shown >= position:
                return AnswerStatus.ALREADY_ANSWERED
            ids = json.loads(round_row.quiz_ids)
            question = self._question(kb, round_id, ids, position)
            if question is None:
                return AnswerStatus.ENDED
            round_row.shown = position
            await uow.commit()
        return question

    async def answer(
        self, learner: Learner, round_id: int, position: int, choice: int
    ) -> AnswerOutcome:
        kb = self._library().kb
        now = self._clock()
        async with self._database.unit_of_work() as uow:
            round_row = await uow.quizzes.round_for_update(round_id)
            if round_row is None or round_row.user_id != learner.user_id:
                return AnswerOutcome(AnswerStatus.ENDED)
            ids = json.loads(round_row.quiz_ids)
            if position < round_row.position or (
                round_row.status == "finished" and position < len(ids)
            ):
                return AnswerOutcome(AnswerStatus.ALREADY_ANSWERED)
            if round_row.status != "active" or position != round_row.position:
                return AnswerOutcome(AnswerStatus.ENDED)
            question = self._question(kb, round_id, ids, position)
            if question is None or not 0 <= choice < len(question.item.options):
                return AnswerOutcome(AnswerStatus.ENDED)
            correct = choice == question.item.correct
            recorded = await uow.quizzes.record_answer(
                user_id=learner.user_id,
                round_id=round_id,
                position=position,
                quiz_id=question.item.id,
                choice=choice,
                correct=correct,
                now=now,
            )
            if not recorded:
                return AnswerOutcome(AnswerStatus.ALREADY_ANSWERED)
            progress = await uow.quizzes.progress(learner.user_id, [question.item.id])
            row = progress.get(question.item.id)
            card = repetition.review(
                repetition.Card(row.box if row else 0, row.due_at if row else None), correct, now
            )
            assert card.due_at is not None
            await uow.quizzes.save_progress(
                user_id=learner.user_id,
                quiz_id=question.item.id,
                box=card.box,
                due_at=card.due_at,
                correct=correct,
                now=now,
            )
            round_row.position = position + 1
            summary = None
            if round_row.position >= len(ids):
                round_row.status = "finished"
                round_row.finished_at = now
                summary = await self._summary(
                    uow, learner, kb, round_row.id, round_row.mastery_before, now
                )
            await uow.commit()
        return AnswerOutcome(
            AnswerStatus.RECORDED,
            question,
            choice,
            correct,
            kb.entry(question.item.entry),
            summary,
        )

    async def _summary(
        self,
        uow: UnitOfWork,
        learner: Learner,
        kb: KnowledgeBase,
        round_id: int,
        mastery_before: str,
        now: datetime,
    ) -> RoundSummary:
        answers = await uow.quizzes.answers_of_round(round_id)
        before: dict[str, float] = json.loads(mastery_before)
        after = await self._mastery(uow, learner, kb, set(before))
        improved = tuple(
            TopicChange(topic.title, before[t], after[t])
            for t in sorted(before)
            if (topic := kb.topic(t)) is not None and after[t] > before[t]
        )
        zone = await self._zone(uow, learner)
        end_of_today = _end_of_local_day(now, zone, 0)
        due_today = len(await uow.quizzes.due(learner.user_id, end_of_today))
        progress = await uow.quizzes.progress(learner.user_id)
        later = [aware(r.due_at) for r in progress.values() if aware(r.due_at) > end_of_today]
        return RoundSummary(
            score=sum(a.correct for a in answers),
            total=len(answers),
            improved=improved,
            due_today=due_today,
            next_due=min(later) if later else None,
        )

    async def progress(self, learner: Learner) -> ProgressReport:
        kb = self._library().kb
        topic_of = kb.quiz_topics
        now = self._clock()
        async with self._database.unit_of_work() as uow:
            zone = await self._zone(uow, learner)
            answers, correct = await uow.quizzes.answer_totals(learner.user_id)
            progress = await uow.quizzes.progress(learner.user_id)
            times = await uow.quizzes.answer_times(learner.user_id)
            due_today = len(await uow.quizzes.due(learner.user_id, _end_of_local_day(now, zone, 0)))
            due_week = len(await uow.quizzes.due(learner.user_id, _end_of_local_day(now, zone, 6)))
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
            topics.append(
                TopicProgress(
                    topic.id,
                    topic.title,
                    repetition.mastery((r.box for r in seen), len(items)),
                    len(seen),
                    len(items),
                )
            )
        current, best = repetition.streaks(
            (aware(t).astimezone(zone).date() for t in times), now.astimezone(zone).date()
        )
        return ProgressReport(
            answers=answers,
            correct=correct,
            seen=len(progress),
            mastered=sum(repetition.is_mastered(r.box) for r in progress.values()),
            topics=tuple(sorted(topics, key=lambda t: -t.mastery)),
            untouched_topics=untouched,
            streak=current,
            best_streak=best,
            due_today=due_today,
            due_this_week=due_week,
        )

    async def reset(self, learner: Learner) -> None:
        async with self._database.unit_of_work() as uow:
            await uow.quizzes.reset(learner.user_id)
            await uow.commit()

    def find_topic(self, text: str) -> str | None:
        """A topic id from what a learner typed: an id, a title, or a close spelling."""
        kb = self._library().kb
        wanted = text.strip().lower()
        names = {t.id: t.id for t in kb.topics} | {t.title.lower(): t.id for t in kb.topics}
        if wanted in names:
            return names[wanted]
        found = process.extractOne(wanted, list(names), scorer=fuzz.WRatio, score_cutoff=80)
        return names[found[0]] if found else None


def _end_of_local_day(now: datetime, zone: tzinfo, days_ahead: int) -> datetime:
    local_day = schedule.local_date_of(now, zone) + timedelta(days=days_ahead + 1)
    return schedule.due_at(local_day, 0, zone)
