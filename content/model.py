"""Domain objects of the knowledge base: plain frozen dataclasses, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    description: str
    min_entries: int = 0


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    title: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    related: tuple[str, ...] = ()

    @property
    def short_id(self) -> str:
        """A stable 8-character key for callback_data (64-byte limit), same across reloads."""
        return short_key(self.id)


@dataclass(frozen=True)
class QuizItem:
    id: str
    entry: str
    difficulty: int
    question: str
    options: tuple[str, ...]
    correct: int
    explanation: str


@dataclass(frozen=True)
class Tip:
    id: str
    entry: str
    text: str


@dataclass(frozen=True)
class SmalltalkIntent:
    id: str
    phrases: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class MatcherSettings:
    """Thresholds on the blended 0-100 score; written by bench/calibrate_matcher.py."""

    answer_threshold: float = 60.0
    suggest_threshold: float = 40.0
    margin: float = 6.0
    # At or above this score the best entry is answered even when others are close
    # (they are offered beside the answer); above 100 it never applies.
    sure_threshold: float = 101.0
    fuzzy_weight: float = 0.5
    coverage_weight: float = 0.3
    bm25_weight: float = 0.2


def short_key(identifier: str) -> str:
    return hashlib.sha1(identifier.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class KnowledgeBase:
    topics: tuple[Topic, ...]
    entries: tuple[Entry, ...]
    quizzes: tuple[QuizItem, ...] = ()
    tips: tuple[Tip, ...] = ()
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    smalltalk: tuple[SmalltalkIntent, ...] = ()
    matcher_settings: MatcherSettings = field(default_factory=MatcherSettings)
    # Derived in __post_init__: quiz id -> topic id, and entry id -> topic id.
    quiz_topics: dict[str, str] = field(init=False, repr=False, compare=False)
    entry_topics: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Lookup tables derived once; the object stays immutable from the outside.
        object.__setattr__(self, "_entries_by_id", {e.id: e for e in self.entries})
        object.__setattr__(self, "_entries_by_short", {e.short_id: e for e in self.entries})
        object.__setattr__(self, "_topics_by_id", {t.id: t for t in self.topics})
        object.__setattr__(self, "_quizzes_by_id", {q.id: q for q in self.quizzes})
        by_entry: dict[str, list[QuizItem]] = {}
        for item in self.quizzes:
            by_entry.setdefault(item.entry, []).append(item)
        object.__setattr__(self, "_quizzes_by_entry", {k: tuple(v) for k, v in by_entry.items()})
        quiz_topics = {
            q.id: entry.topic for q in self.quizzes if (entry := self.entry(q.entry)) is not None
        }
        object.__setattr__(self, "quiz_topics", quiz_topics)
        object.__setattr__(self, "entry_topics", {e.id: e.topic for e in self.entries})

    def entry(self, entry_id: str) -> Entry | None:
        found: Entry | None = self._entries_by_id.get(entry_id)  # type: ignore[attr-defined]
        return found

    def entry_by_short_id(self, short_id: str) -> Entry | None:
        found: Entry | None = self._entries_by_short.get(short_id)  # type: ignore[attr-defined]
        return found

    def topic(self, topic_id: str) -> Topic | None:
        found: Topic | None = self._topics_by_id.get(topic_id)  # type: ignore[attr-defined]
        return found

    def quiz(self, quiz_id: str) -> QuizItem | None:
        found: QuizItem | None = self._quizzes_by_id.get(quiz_id)  # type: ignore[attr-defined]
        return found

    def quizzes_for(self, entry_id: str) -> tuple[QuizItem, ...]:
        found: tuple[QuizItem, ...] = self._quizzes_by_entry.get(entry_id, ())  # type: ignore[attr-defined]
        return found

    def entries_in(self, topic_id: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.topic == topic_id)
