"""The learning model, pure: Leitner boxes with growing intervals, mastery,
streaks and round selection. No Telegram, no database, time passed in.

A question starts outside any box. A right answer moves it up one box (at most
the last), a wrong one sends it back to the first; the box sets when it is due
again. A question in box 4 or 5 is mastered.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

INTERVAL_DAYS = (1, 3, 7, 16, 35)  # box 1 .. box 5
MASTERED_BOX = 4
TOP_BOX = len(INTERVAL_DAYS)


@dataclass(frozen=True)
class Card:
    box: int  # 0 = never answered
    due_at: datetime | None = None


def review(card: Card, correct: bool, now: datetime) -> Card:
    box = min(card.box + 1, TOP_BOX) if correct else 1
    return Card(box, now + timedelta(days=INTERVAL_DAYS[box - 1]))


def mastery(boxes: Iterable[int], questions: int) -> float:
    """A topic's mastery, 0..1: how far its questions have climbed the boxes."""
    if questions <= 0:
        return 0.0
    return sum(min(box, TOP_BOX) for box in boxes) / (TOP_BOX * questions)


def is_mastered(box: int) -> bool:
    return box >= MASTERED_BOX


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


def topic_mastery(boxes: dict[str, int], topic_of: dict[str, str]) -> dict[str, float]:
    """Mastery of every topic that has questions, from each question's box."""
    questions: dict[str, list[int]] = defaultdict(list)
    for quiz_id, topic in topic_of.items():
        questions[topic].append(boxes.get(quiz_id, 0))
    return {topic: mastery(found, len(found)) for topic, found in questions.items()}
