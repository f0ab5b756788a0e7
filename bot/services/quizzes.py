"""Quiz rounds with spaced repetition: start, show, answer, progress, reset.

Round state is in the database, so a round survives a restart, and every answer
is stored with its progress update in one transaction; the (round, position)
unique constraint makes a double tap count once.
"""

from __future__ import annotations

import random
from datetime import datetime, tzinfo

from rapidfuzz import fuzz, process

from bot.services import repetition, schedule
from bot.services.context import Service, ServiceContext
from bot.services.learners import Learner, arrive, zone_of_profile
from bot.services.progress import end_of_local_day, progress_report, topic_mastery
from bot.services.quiz_types import (
    AnswerOutcome,
    AnswerStatus,
    ProgressReport,
    QuizQuestion,
    RoundSummary,
    TopicChange,
)
from content import KnowledgeBase
from storage import UnitOfWork
from storage.records import QuizRound, Review, RoundAnswer, RoundStatus


class QuizService(Service):
    def __init__(
        self,
        context: ServiceContext,
        *,
        round_size: int = 5,
        new_per_day: int = 10,
        desired_retention: float = repetition.DESIRED_RETENTION,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(context)
        self.round_size = round_size
        self.new_per_day = new_per_day
        self._scheduler = repetition.Scheduler(desired_retention)
        self._rng = rng or random.Random()

    def now(self) -> datetime:
        return self._clock()

    async def _zone(self, uow: UnitOfWork, learner: Learner) -> tzinfo:
        return zone_of_profile(await uow.users.get(learner.user_id), self._default_timezone)

    # -- use cases ------------------------------------------------------------------

    async def start(
        self, learner: Learner, *, topic: str | None = None, entry_id: str | None = None
    ) -> QuizQuestion | None:
        """Start a new round (ending any active one); None if there is nothing to ask."""
        kb = self._library.kb
        now = self._clock()
        async with self._units() as uow:
            profile = await arrive(uow, learner, now)
            if entry_id is not None:
                chosen = [q.id for q in kb.quizzes_for(entry_id)][: self.round_size]
            else:
                zone = zone_of_profile(profile, self._default_timezone)
                chosen = await self._choose(uow, learner, kb.quiz_topics, topic, zone, now)
            if not chosen:
                return None
            await uow.quizzes.abandon_active(learner.user_id, now)
            topics = {kb.quiz_topics[q] for q in chosen}
            before = await topic_mastery(uow, learner.user_id, kb, topics, now)
            round_ = await uow.quizzes.create_round(learner.user_id, chosen, before, now)
            await uow.commit()
        return _question(kb, round_, 0)

    async def _choose(
        self,
        uow: UnitOfWork,
        learner: Learner,
        topic_of: dict[str, str],
        topic: str | None,
        zone: tzinfo,
        now: datetime,
    ) -> list[str]:
        in_scope = {q: t for q, t in topic_of.items() if topic is None or t == topic}
        progress = await uow.quizzes.progress(learner.user_id)
        local_midnight = schedule.due_at(schedule.local_date_of(now, zone), 0, zone)
        seen_today = await uow.quizzes.new_since(learner.user_id, local_midnight)

        def picks(ids: list[str]) -> list[repetition.Pick]:
            return [repetition.Pick(q, in_scope[q]) for q in ids]

        known = sorted(
            (card for q, card in progress.items() if q in in_scope), key=lambda c: c.due_at
        )
        return repetition.pick_round(
            picks([c.quiz_id for c in known if c.due_at <= now]),
            picks([q for q in in_scope if q not in progress]),
            new_allowed=self.new_per_day - seen_today,
            size=self.round_size,
            rng=self._rng,
            practice=picks([c.quiz_id for c in known if c.due_at > now]),
        )

    async def next_question(
        self, learner: Learner, round_id: int, position: int
    ) -> QuizQuestion | AnswerStatus:
        """The question at `position`, once: a second tap on "Next" shows nothing new."""
        kb = self._library.kb
        async with self._units() as uow:
            round_ = await uow.quizzes.round_for_update(round_id)
            if round_ is None or round_.user_id != learner.user_id or not round_.awaits(position):
                return AnswerStatus.ENDED
            if round_.shown >= position:
                return AnswerStatus.ALREADY_ANSWERED
            question = _question(kb, round_, position)
            if question is None:
                return AnswerStatus.ENDED
            await uow.quizzes.save_round(round_.show(position))
            await uow.commit()
        return question

    async def answer(
        self, learner: Learner, round_id: int, position: int, choice: int
    ) -> AnswerOutcome:
        kb = self._library.kb
        now = self._clock()
        async with self._units() as uow:
            round_ = await uow.quizzes.round_for_update(round_id)
            if round_ is None or round_.user_id != learner.user_id:
                return AnswerOutcome(AnswerStatus.ENDED)
            if round_.answered_before(position):
                return AnswerOutcome(AnswerStatus.ALREADY_ANSWERED)
            if not round_.awaits(position):
                return AnswerOutcome(AnswerStatus.ENDED)
            question = _question(kb, round_, position)
            if question is None or not 0 <= choice < len(question.item.options):
                return AnswerOutcome(AnswerStatus.ENDED)
            correct = choice == question.item.correct
            answer = RoundAnswer(position, question.item.id, choice, correct, now)
            recorded = await uow.quizzes.record_answer(learner.user_id, round_id, answer)
            if not recorded:
                return AnswerOutcome(AnswerStatus.ALREADY_ANSWERED)
            await self._review(uow, learner, question.item.id, correct, now)
            round_ = round_.advance(now)
            await uow.quizzes.save_round(round_)
            summary = None
            if round_.status is RoundStatus.FINISHED:
                summary = await self._summary(uow, learner, kb, round_, now)
            await uow.commit()
        entry = kb.entry(question.item.entry)
        return AnswerOutcome(AnswerStatus.RECORDED, question, choice, correct, entry, summary)

    async def _review(
        self, uow: UnitOfWork, learner: Learner, quiz_id: str, correct: bool, now: datetime
    ) -> None:
        """One FSRS review of the question's card, due or not (an early one gains less)."""
        card = (await uow.quizzes.progress(learner.user_id, [quiz_id])).get(quiz_id)
        memory = self._scheduler.review(card.memory if card else None, correct, now)
        await uow.quizzes.save_progress(learner.user_id, Review(quiz_id, memory, correct))

    async def _summary(
        self, uow: UnitOfWork, learner: Learner, kb: KnowledgeBase, round_: QuizRound, now: datetime
    ) -> RoundSummary:
        answers = await uow.quizzes.answers_of_round(round_.id)
        before = dict(round_.mastery_before)
        after = await topic_mastery(uow, learner.user_id, kb, set(before), now)
        improved = tuple(
            TopicChange(topic.title, before[t], after[t])
            for t in sorted(before)
            if (topic := kb.topic(t)) is not None and after[t] > before[t]
        )
        end_of_today = end_of_local_day(now, await self._zone(uow, learner), 0)
        due_today = len(await uow.quizzes.due(learner.user_id, end_of_today))
        progress = await uow.quizzes.progress(learner.user_id)
        later = [c.due_at for c in progress.values() if c.due_at > end_of_today]
        return RoundSummary(
            score=sum(a.correct for a in answers),
            total=len(answers),
            improved=improved,
            due_today=due_today,
            next_due=min(later) if later else None,
        )

    async def progress(self, learner: Learner) -> ProgressReport:
        kb = self._library.kb
        async with self._units() as uow:
            zone = await self._zone(uow, learner)
            return await progress_report(uow, learner.user_id, kb, zone, self._clock())

    async def reset(self, learner: Learner) -> None:
        async with self._units() as uow:
            await uow.quizzes.reset(learner.user_id)
            await uow.commit()

    def find_topic(self, text: str) -> str | None:
        """A topic id from what a learner typed: an id, a title, a synonym the matcher
        knows ("k8s", "postgres"), or a close spelling."""
        kb = self._library.kb
        normalizer = self._library.normalizer
        wanted = text.strip().lower()
        names = {t.id: t.id for t in kb.topics} | {t.title.lower(): t.id for t in kb.topics}
        if wanted in names:
            return names[wanted]
        # The matcher's own folding: "k8s" becomes "kubernetes", "drf" stays "drf".
        canonical = " ".join(normalizer.tokens(wanted))
        folded = {" ".join(normalizer.tokens(n)): t for n, t in names.items()}
        if canonical in folded:
            return folded[canonical]
        found = process.extractOne(wanted, list(names), scorer=fuzz.WRatio, score_cutoff=80)
        return names[found[0]] if found else None


def _question(kb: KnowledgeBase, round_: QuizRound, position: int) -> QuizQuestion | None:
    """The round's question at `position`, or None if its content is gone."""
    item = kb.quiz(round_.quiz_ids[position])
    entry = kb.entry(item.entry) if item else None
    topic = kb.topic(entry.topic) if entry else None
    if item is None or topic is None:
        return None
    return QuizQuestion(round_.id, position, round_.total, item, topic.title)
