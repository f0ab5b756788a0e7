"""What quiz use cases return: plain frozen values the views render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
    mastery: float  # share of the topic's questions mastered
    recall: float  # mean predicted recall now of the questions seen
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
    today: date  # the learner's local date, the forecast's first day
    forecast: tuple[int, ...]  # reviews due on each of the next 7 local days (today: overdue too)
    # Answers on each local day from `activity_start` (a Monday, 11 weeks before this
    # week's) through today: the /progress picture's calendar, oldest first.
    activity: tuple[int, ...] = ()
    activity_start: date | None = None

    @property
    def due_today(self) -> int:
        return self.forecast[0]

    @property
    def due_this_week(self) -> int:
        return sum(self.forecast)
