"""The learning model, pure: FSRS scheduling of quiz questions, predicted recall,
mastery, streaks and round selection. No Telegram, no database, time passed in.

Each answer is one FSRS review: a right answer rates Good, a wrong one Again (the
bot does not know how long a learner thought, so it never rates Hard or Easy).
The scheduler has no minute-long learning steps: a quiz asks a question at most
once a round, so every review schedules the next one at least a day later, at the
moment its predicted recall falls to the desired retention. Answers before that
moment (practice) go through the same scheduler, which gives an early review the
small stability gain it deserves.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import fsrs

from storage.records import Memory

DESIRED_RETENTION = 0.9
# Mastered: predicted recall still at least MASTERED_RECALL after MASTERY_HORIZON.
MASTERED_RECALL = 0.9
MASTERY_HORIZON = timedelta(days=14)


class Scheduler:
    """FSRS with the default parameters and a desired retention."""

    def __init__(self, desired_retention: float = DESIRED_RETENTION) -> None:
        # No fuzz: fsrs draws it from the global random module, and due dates
        # here must follow from the answers and the clock alone.
        self._fsrs = fsrs.Scheduler(
            desired_retention=desired_retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=False,
        )

    def review(self, memory: Memory | None, correct: bool, now: datetime) -> Memory:
        card = fsrs.Card(card_id=0) if memory is None else _card(memory)
        rating = fsrs.Rating.Good if correct else fsrs.Rating.Again
        reviewed, _ = self._fsrs.review_card(card, rating, now.astimezone(UTC))
        assert reviewed.stability is not None and reviewed.difficulty is not None
        return Memory(reviewed.stability, reviewed.difficulty, now, reviewed.due)


_READER = fsrs.Scheduler()  # retrievability does not depend on the desired retention


def _card(memory: Memory) -> fsrs.Card:
    return fsrs.Card(
        card_id=0,
        state=fsrs.State.Review,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due_at.astimezone(UTC),
        last_review=memory.last_review.astimezone(UTC),
    )


def recall(memory: Memory | None, at: datetime) -> float:
    """Predicted probability (0..1) of answering right at `at`; 0 if never answered."""
    if memory is None:
        return 0.0
    return float(_READER.get_card_retrievability(_card(memory), at.astimezone(UTC)))


def is_mastered(memory: Memory | None, now: datetime) -> bool:
    return recall(memory, now + MASTERY_HORIZON) >= MASTERED_RECALL


def mastery(memories: Iterable[Memory | None], questions: int, now: datetime) -> float:
    """A topic's mastery, 0..1: the share of its questions that are mastered."""
    if questions <= 0:
        return 0.0
    return sum(is_mastered(m, now) for m in memories) / questions


def topic_mastery(
    memories: Mapping[str, Memory], topic_of: dict[str, str], now: datetime
) -> dict[str, float]:
    """Mastery of every topic that has questions."""
    questions: dict[str, list[Memory | None]] = defaultdict(list)
    for quiz_id, topic in topic_of.items():
        questions[topic].append(memories.get(quiz_id))
    return {topic: mastery(found, len(found), now) for topic, found in questions.items()}


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, best) runs of consecutive days with at least one answer.

    The current streak survives until the end of the day after the last answer,
    so a learner who practised yesterday still sees it before today's quiz.
    """
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    alive = previous is not None and today - previous <= timedelta(days=1)
    return (run if alive else 0), best


@dataclass(frozen=True)
class Pick:
    quiz_id: str
    topic: str


def pick_round(
    due: Sequence[Pick],
    unseen: Sequence[Pick],
    new_allowed: int,
    size: int,
    rng: random.Random,
    practice: Sequence[Pick] = (),
) -> list[str]:
    """Due reviews first (most overdue first), then new questions mixed across
    topics, up to the daily allowance; if that leaves room, questions not yet due
    (soonest first) so a round is never empty while there is anything to ask."""
    chosen = [p.quiz_id for p in due[:size]]
    by_topic: dict[str, list[str]] = defaultdict(list)
    for pick in unseen:
        by_topic[pick.topic].append(pick.quiz_id)
    for questions in by_topic.values():
        rng.shuffle(questions)
    topics = list(by_topic)
    rng.shuffle(topics)
    budget = max(0, min(new_allowed, size - len(chosen)))
    while budget and any(by_topic.values()):
        for topic in topics:
            if budget and by_topic[topic]:
                chosen.append(by_topic[topic].pop())
                budget -= 1
    for pick in practice:
        if len(chosen) >= size:
            break
        if pick.quiz_id not in chosen:
            chosen.append(pick.quiz_id)
    return chosen
