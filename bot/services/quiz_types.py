"""What quiz use cases return: plain frozen values the views render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from content import Entry, QuizItem


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
