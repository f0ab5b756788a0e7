"""Group quizzes: a round a whole group plays, one question at a time.

Members answer once per question (the (round, question, member) unique key makes a
double tap or two replicas count once); a question is revealed exactly once, by its
timer or by the member who started the round (an UPDATE that names the position it
expects lets one caller through). Deadlines are stored, and `due` finds the overdue
ones, so a restart mid-question still reveals it. Every answer is also a review in
the member's own spaced repetition, as in a private quiz.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services import repetition
from bot.services.batches import Batcher
from bot.services.context import Service, ServiceContext
from bot.services.group_quiz_types import (
    GroupAnswerOutcome,
    GroupAnswerStatus,
    GroupChat,
    GroupQuestion,
    GroupStart,
    Reveal,
    RevealRefused,
    StartStatus,
)
from bot.services.learners import Learner, arrive
from content import KnowledgeBase
from storage import UnitOfWork
from storage.records import GroupAnswer, GroupRound, Review, RoundStatus

RIGHT_POINTS = 10
SPEED_BONUS = 5  # for a right answer within SPEED_SECONDS of the question appearing
SPEED_SECONDS = 5


def points_for(correct: bool, posted_at: datetime | None, answered_at: datetime) -> int:
    if not correct:
        return 0
    quick = posted_at is None or answered_at - posted_at <= timedelta(seconds=SPEED_SECONDS)
    return RIGHT_POINTS + (SPEED_BONUS if quick else 0)


class GroupQuizService(Service):
    def __init__(
        self,
        context: ServiceContext,
        *,
        seconds: int = 60,
        round_size: int = 5,
        desired_retention: float = repetition.DESIRED_RETENTION,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(context)
        self.seconds = seconds
        self.round_size = round_size
        self._scheduler = repetition.Scheduler(desired_retention)
        self._rng = rng or random.Random()
        self._answers: Batcher[_Tap, GroupAnswerOutcome] = Batcher(self._answer_batch)

    def now(self) -> datetime:
        return self._clock()

    def _deadline(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)

    async def start(
        self, chat: GroupChat, learner: Learner, name: str, topic: str | None = None
    ) -> GroupStart:
        """A new round in the group, unless one is running there."""
        kb = self._library.kb
        now = self._clock()
        ids = sorted(q for q, t in kb.quiz_topics.items() if topic is None or t == topic)
        if not ids:
            return GroupStart(StartStatus.NOTHING_TO_ASK)
        chosen = self._rng.sample(ids, min(self.round_size, len(ids)))
        async with self._units() as uow:
            if await uow.group_quizzes.active_round(chat.chat_id) is not None:
                return GroupStart(StartStatus.ALREADY_RUNNING)
            await arrive(uow, learner, now)
            await uow.group_quizzes.save_member(chat.chat_id, learner.user_id, name, now)
            round_ = await uow.group_quizzes.create_round(
                chat.chat_id,
                chat.thread_id,
                learner.user_id,
                topic,
                chosen,
                self._deadline(now),
                now,
            )
            if round_ is None:  # another replica started one a moment ago
                return GroupStart(StartStatus.ALREADY_RUNNING)
            question = self._question(kb, round_, 0)
            if question is None:
                return GroupStart(StartStatus.NOTHING_TO_ASK)
            await uow.commit()
        return GroupStart(StartStatus.STARTED, question)

    async def posted(self, question: GroupQuestion, message_id: int) -> bool:
        """The question is in the group: its answer time starts now."""
        now = self._clock()
        async with self._units() as uow:
            done = await uow.group_quizzes.posted(
                question.round_id, question.position, message_id, now, self._deadline(now)
            )
            await uow.commit()
        return done

    async def answer(
        self, learner: Learner, name: str, round_id: int, position: int, choice: int
    ) -> GroupAnswerOutcome:
        """Record a member's answer (once) with its spaced-repetition review. Answers
        arriving together share a transaction (`Batcher`): a burst of taps in a big
        group is a few commits, not one per member."""
        return await self._answers.submit(_Tap(learner, name, round_id, position, choice))

    async def _answer_batch(self, taps: list[_Tap]) -> list[GroupAnswerOutcome | BaseException]:
        """All taps in one unit of work; if that fails, each in its own, so one bad
        tap cannot cost the others their answers."""
        try:
            return list(await self._record(taps))
        except Exception as error:
            if len(taps) == 1:
                return [error]
        results: list[GroupAnswerOutcome | BaseException] = []
        for tap in taps:
            try:
                results.extend(await self._record([tap]))
            except Exception as error:
                results.append(error)
        return results

    async def _record(self, taps: list[_Tap]) -> list[GroupAnswerOutcome]:
        kb = self._library.kb
        now = self._clock()
        outcomes = [GroupAnswerOutcome(GroupAnswerStatus.CLOSED)] * len(taps)
        async with self._units() as uow:
            rounds: dict[int, GroupRound | None] = {}  # read once per batch
            valid: list[tuple[int, GroupQuestion, GroupAnswer]] = []
            for index, tap in enumerate(taps):
                if tap.round_id not in rounds:
                    rounds[tap.round_id] = await uow.group_quizzes.get_round(tap.round_id)
                round_ = rounds[tap.round_id]
                chat_id = tap.learner.chat_id
                if round_ is None or round_.chat_id != chat_id or not _open(round_, tap.position):
                    continue
                question = self._question(kb, round_, tap.position)
                if question is None or not 0 <= tap.choice < len(question.item.options):
                    continue
                correct = tap.choice == question.item.correct
                points = points_for(correct, round_.posted_at, now)
                answer = GroupAnswer(
                    tap.round_id,
                    tap.position,
                    tap.learner.user_id,
                    question.item.id,
                    tap.choice,
                    correct,
                    points,
                    now,
                )
                valid.append((index, question, answer))
            new: set[tuple[int, int, int]] = set()
            for chat_id in {q.chat.chat_id for _, q, _ in valid}:
                answers = [a for _, q, a in valid if q.chat.chat_id == chat_id]
                names = {a.user_id: taps[i].name for i, q, a in valid if q.chat.chat_id == chat_id}
                new |= await uow.group_quizzes.record_answers(chat_id, answers, names, now)
            for index, question, answer in valid:
                key = (answer.round_id, answer.position, answer.user_id)
                if key not in new:
                    outcomes[index] = GroupAnswerOutcome(
                        GroupAnswerStatus.ALREADY_ANSWERED, question
                    )
                    continue
                new.discard(key)  # a second tap in the same batch is a double tap
                await self._review(uow, answer.user_id, answer.quiz_id, answer.correct, now)
                outcomes[index] = GroupAnswerOutcome(
                    GroupAnswerStatus.RECORDED, question, answer.correct, answer.points
                )
            await uow.commit()
        return outcomes

    async def _review(
        self, uow: UnitOfWork, user_id: int, quiz_id: str, correct: bool, now: datetime
    ) -> None:
        """The same FSRS review a private quiz answer makes (bot/services/quizzes.py)."""
        card = (await uow.quizzes.progress(user_id, [quiz_id])).get(quiz_id)
        memory = self._scheduler.review(card.memory if card else None, correct, now)
        await uow.quizzes.save_progress(user_id, Review(quiz_id, memory, correct))

    async def answered(self, round_id: int, position: int) -> int:
        async with self._units() as uow:
            return await uow.group_quizzes.answered_count(round_id, position)

    async def reveal(
        self, round_id: int, position: int, by: int | None = None
    ) -> Reveal | RevealRefused:
        """Close the question and tally it, once; `by` is who pressed Reveal (None:
        the timer). The next question, if any, is in the result, to be posted."""
        kb = self._library.kb
        now = self._clock()
        async with self._units() as uow:
            round_ = await uow.group_quizzes.round_for_update(round_id)
            if round_ is None or not _open(round_, position):
                return RevealRefused.CLOSED
            if by is not None and by != round_.started_by:
                return RevealRefused.NOT_STARTER
            question = self._question(kb, round_, position)
            following = self._question(kb, round_, position + 1)  # None: the round ends
            deadline = self._deadline(now) if following is not None else None
            if not await uow.group_quizzes.advance(round_id, position, deadline, now):
                return RevealRefused.CLOSED
            if question is None:  # the content is gone: nothing to show, move on
                await uow.commit()
                return RevealRefused.CLOSED
            answers = await uow.group_quizzes.answers_to(round_id, position)
            counts = [0] * len(question.item.options)
            for answer in answers:
                if 0 <= answer.choice < len(counts):
                    counts[answer.choice] += 1
            first = next((a.user_id for a in answers if a.correct), None)
            first_right = None
            if first is not None:
                member = (await uow.group_quizzes.members(round_.chat_id, [first])).get(first)
                first_right = "a member" if member is None or member.hidden else member.name
            await uow.commit()
        return Reveal(question, round_.message_id, tuple(counts), first_right, following)

    async def due(self) -> list[tuple[int, int]]:
        """(round, question) pairs past their deadline, to reveal. A question that was
        never posted in its time (the process stopped while posting it) ends its round."""
        now = self._clock()
        async with self._units() as uow:
            overdue = await uow.group_quizzes.overdue(now)
            stalled = [r for r in overdue if r.message_id is None]
            for round_ in stalled:
                await uow.group_quizzes.abandon(round_.id, now)
            if stalled:
                await uow.commit()
        return [(r.id, r.position) for r in overdue if r.message_id is not None]

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """The group became a supergroup (Telegram's migrate_to_chat_id): its rounds,
        answers and leaderboard follow it to the new chat id."""
        async with self._units() as uow:
            moved = await uow.group_quizzes.move_chat(old_chat_id, new_chat_id, self._clock())
            await uow.commit()
        return moved

    def _question(
        self, kb: KnowledgeBase, round_: GroupRound, position: int
    ) -> GroupQuestion | None:
        if not 0 <= position < round_.total:
            return None
        item = kb.quiz(round_.quiz_ids[position])
        entry = kb.entry(item.entry) if item else None
        topic = kb.topic(entry.topic) if entry else None
        if item is None or topic is None:
            return None
        chat = GroupChat(round_.chat_id, round_.thread_id)
        return GroupQuestion(
            round_.id, position, round_.total, item, topic.title, chat, self.seconds
        )


@dataclass(frozen=True)
class _Tap:
    learner: Learner
    name: str
    round_id: int
    position: int
    choice: int


def _open(round_: GroupRound, position: int) -> bool:
    return round_.status is RoundStatus.ACTIVE and round_.position == position
