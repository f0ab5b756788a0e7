"""What group quiz and leaderboard use cases return: plain frozen values the views render."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from content import QuizItem


@dataclass(frozen=True)
class GroupChat:
    """Where a group round is played: the chat, and the forum topic if there is one."""

    chat_id: int
    thread_id: int | None = None


@dataclass(frozen=True)
class GroupQuestion:
    round_id: int
    position: int
    total: int
    item: QuizItem
    topic_title: str
    chat: GroupChat
    seconds: int  # how long members have to answer


class StartStatus(Enum):
    STARTED = "started"
    ALREADY_RUNNING = "already_running"  # one round per group at a time
    NOTHING_TO_ASK = "nothing_to_ask"


@dataclass(frozen=True)
class GroupStart:
    status: StartStatus
    question: GroupQuestion | None = None


class GroupAnswerStatus(Enum):
    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    CLOSED = "closed"  # revealed already, an old round, or content that is gone


@dataclass(frozen=True)
class GroupAnswerOutcome:
    status: GroupAnswerStatus
    question: GroupQuestion | None = None
    correct: bool = False
    points: int = 0


class RevealRefused(Enum):
    NOT_STARTER = "not_starter"  # only the member who started the round reveals early
    CLOSED = "closed"  # revealed already (by the timer or a press a moment earlier)


@dataclass(frozen=True)
class Reveal:
    question: GroupQuestion
    message_id: int | None  # the question's message, edited once to show the answer
    counts: tuple[int, ...]  # how many chose each option
    first_right: str | None  # the name of who was right first (None: nobody was)
    next: GroupQuestion | None  # the question to post now; None: the round is over

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def right(self) -> int:
        return self.counts[self.question.item.correct]


@dataclass(frozen=True)
class Place:
    rank: int
    name: str | None  # None: the member hides their name ("a member")
    points: int
    right: int
    is_caller: bool = False


@dataclass(frozen=True)
class Board:
    top: tuple[Place, ...]
    own: Place | None = None  # the caller's place when outside the top


@dataclass(frozen=True)
class Leaderboard:
    week: Board
    all_time: Board
