"""The values storage keeps, as plain frozen dataclasses and enums.

Repositories take and return these, never ORM rows, so a use case cannot write a
row field behind the unit of work's back, and a test can keep them in memory
(tests/fakes_storage.py). They live here, not in bot/, because storage must not
import bot; datetimes are always timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def aware_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else aware(moment)


@dataclass(frozen=True)
class LearnerProfile:
    """A learner as stored: where tips go and how they are scheduled."""

    id: int
    chat_id: int
    created_at: datetime
    last_seen_at: datetime
    language: str | None = None
    timezone: str | None = None  # IANA name; None means the bot's default
    tips_enabled: bool = False
    tip_minute: int = 9 * 60  # local minutes after midnight
    next_tip_at: datetime | None = None
    tips_blocked_at: datetime | None = None
    digest: bool | None = None  # the weekly digest; None follows tips_enabled
    next_digest_at: datetime | None = None

    @property
    def wants_digest(self) -> bool:
        return self.tips_enabled if self.digest is None else self.digest


@dataclass(frozen=True)
class TipSchedule:
    """What a learner chose for daily tips, and when the next one is due."""

    enabled: bool
    minute: int
    timezone: str | None
    next_tip_at: datetime | None


class RoundStatus(StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"
    ABANDONED = "abandoned"  # a newer round started first


@dataclass(frozen=True)
class QuizRound:
    """One round of quiz questions; transitions return a new round, storage saves it."""

    id: int
    user_id: int
    quiz_ids: tuple[str, ...]
    mastery_before: Mapping[str, float] = field(default_factory=dict)
    position: int = 0  # the question being answered
    shown: int = 0  # the last question sent
    status: RoundStatus = RoundStatus.ACTIVE
    finished_at: datetime | None = None

    @property
    def total(self) -> int:
        return len(self.quiz_ids)

    def awaits(self, position: int) -> bool:
        """True while `position` is the active round's open question."""
        return self.status is RoundStatus.ACTIVE and position == self.position

    def answered_before(self, position: int) -> bool:
        """`position` was answered already (a double tap, a retried callback)."""
        finished = self.status is RoundStatus.FINISHED and position < self.total
        return position < self.position or finished

    def show(self, position: int) -> QuizRound:
        return replace(self, shown=position)

    def advance(self, now: datetime) -> QuizRound:
        """The open question was answered: move on, finishing after the last."""
        position = self.position + 1
        if position >= self.total:
            return replace(self, position=position, status=RoundStatus.FINISHED, finished_at=now)
        return replace(self, position=position)


@dataclass(frozen=True)
class RoundAnswer:
    position: int
    quiz_id: str
    choice: int
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class Memory:
    """FSRS state of one question for one learner (see bot/services/repetition.py)."""

    stability: float  # days until predicted recall falls to 90%
    difficulty: float  # 1 (easy) .. 10 (hard)
    last_review: datetime
    due_at: datetime


@dataclass(frozen=True)
class Review:
    """One answer's effect on a card: its new memory state (reviewed at its last_review)."""

    quiz_id: str
    memory: Memory
    correct: bool

    @property
    def reviewed_at(self) -> datetime:
        return self.memory.last_review


@dataclass(frozen=True)
class ProgressCard:
    """A learner's spaced-repetition state for one quiz question."""

    quiz_id: str
    memory: Memory
    correct_count: int = 0
    wrong_count: int = 0

    @property
    def due_at(self) -> datetime:
        return self.memory.due_at


class DeliveryStatus(StrEnum):
    SENDING = "sending"  # claimed; the request may be on its way
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the learner blocked the bot
    UNKNOWN = "unknown"  # the request may or may not have reached Telegram
    FAILED = "failed"  # Telegram refused it for good


# The learner may have seen a tip in these states: it counts as received.
SEEN_LIKE = (DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.UNKNOWN)


@dataclass(frozen=True)
class AskedQuestion:
    """A question to log, with what the bot made of it."""

    user_id: int | None
    text: str
    status: str  # content.MatchStatus's value
    entry_id: str | None
    score: float | None
    asked_at: datetime


@dataclass(frozen=True)
class DeliveryResult:
    """How a claimed tip delivery ended."""

    status: DeliveryStatus
    message_id: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    user_id: int | None
    text: str
    status: str  # content.MatchStatus's value
    entry_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class LearnedPhrasing:
    entry_id: str
    text: str
    taught_by: int | None
    created_at: datetime


@dataclass(frozen=True)
class Lease:
    """Who holds a named lease (e.g. the one poller of a bot) and until when."""

    holder: str
    until: datetime


@dataclass(frozen=True)
class GroupChat:
    """A group (or supergroup) the bot is in, and its daily group tip."""

    chat_id: int
    title: str = ""
    tips_enabled: bool = False
    tip_minute: int = 8 * 60  # local minutes after midnight
    timezone: str | None = None  # None: the bot's default
    thread_id: int | None = None  # the forum topic where /grouptip was set
    active: bool = True  # False once the bot was removed or may no longer write
    migrated_to: int | None = None  # the supergroup this group became
    next_tip_at: datetime | None = None

    @property
    def id(self) -> int:
        """The key deliveries are claimed by (bot/services/deliveries.py)."""
        return self.chat_id


# -- group quizzes and leaderboards ------------------------------------------------------


@dataclass(frozen=True)
class GroupRound:
    """A quiz round played by a whole group, one question at a time.

    `message_id` is the open question's message (None until it is posted), `deadline`
    when it is revealed unless its starter reveals it first; both live in the
    database so a restart still reveals it."""

    id: int
    chat_id: int
    thread_id: int | None
    started_by: int | None
    topic: str | None
    quiz_ids: tuple[str, ...]
    position: int = 0
    status: RoundStatus = RoundStatus.ACTIVE
    message_id: int | None = None
    posted_at: datetime | None = None
    deadline: datetime | None = None

    @property
    def total(self) -> int:
        return len(self.quiz_ids)


@dataclass(frozen=True)
class GroupAnswer:
    """One member's answer to one question of a group round."""

    round_id: int
    position: int
    user_id: int
    quiz_id: str
    choice: int
    correct: bool
    points: int
    answered_at: datetime


@dataclass(frozen=True)
class Standing:
    """One member's points in one group over a period."""

    user_id: int
    points: int
    right: int


@dataclass(frozen=True)
class Member:
    """How a group member is named on its leaderboard."""

    user_id: int
    name: str
    hidden: bool = False
