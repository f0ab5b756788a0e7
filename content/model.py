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
    # Ids of entries merged into this one: links, buttons in old messages and taught
    # phrasings that name them still find this entry.
    replaces: tuple[str, ...] = ()

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
    """How the matcher ranks and decides; written by bench/calibrate_matcher.py from the
    tune split of the blind evaluation set (never from the frozen split)."""

    # The lexical score: a blend of phrasing similarity, IDF coverage and BM25 (0..1 each).
    fuzzy_weight: float = 0.2
    coverage_weight: float = 0.1
    bm25_weight: float = 0.7
    # The ranking: a linear model over each candidate's features (see
    # content/matcher.py RANK_FEATURES), fitted on the tune split; the candidates'
    # scores are its softmax shares, 0..100.
    rank_lexical: float = 4.0
    rank_fuzzy: float = 0.0
    rank_coverage: float = 0.0
    rank_bm25: float = 0.0
    rank_phrasing: float = 8.0
    rank_passage: float = 2.0
    rank_lexical_gap: float = 0.0
    rank_phrasing_gap: float = 0.0
    rank_passage_gap: float = 0.0
    rank_trained_gap: float = 0.0
    rank_lexical_rrf: float = 0.0
    rank_phrasing_rrf: float = 0.0
    rank_passage_rrf: float = 0.0
    rank_trained_rrf: float = 0.0
    rank_votes: float = 0.0
    rank_trained: float = 0.0
    rank_program_unasked: float = 0.0
    # Confidence: a logistic model of P(the top entry is right) over the ranking's
    # shape (content/matcher.py CONFIDENCE_FEATURES), fitted on the tune split.
    confidence_bias: float = -4.0
    confidence_share: float = 4.0
    confidence_margin: float = 4.0
    confidence_agree_lexical: float = 0.5
    confidence_agree_phrasing: float = 0.5
    confidence_agree_passage: float = 0.0
    confidence_phrasing: float = 0.0
    confidence_passage: float = 0.0
    confidence_lexical: float = 0.0
    confidence_bm25: float = 0.0
    confidence_coverage: float = 0.0
    confidence_fuzzy: float = 0.0
    confidence_phrasing_lead: float = 0.0
    confidence_lexical_lead: float = 0.0
    confidence_votes: float = 0.0
    confidence_trained: float = 0.0
    confidence_agree_trained: float = 0.0
    confidence_program_unasked: float = 0.0
    # Bands on that probability: answer, offer "did you mean", or say "I don't know".
    answer_probability: float = 0.5
    suggest_probability: float = 0.15
    # Runners-up this close to the answer's ranking score (0..100) are offered beside it,
    margin: float = 4.0
    # ... and so is the runner-up of an answer less sure than this: one answer in twenty
    # or more may be wrong, and then the right entry is usually the runner-up.
    alternative_probability: float = 0.95
    # A message this close in meaning to a small-talk example is small talk, unless an
    # entry's phrasing is closer still ("hi, what's an etag" is a question).
    smalltalk_similarity: float = 0.88
    # ... and a message that no entry is even worth suggesting for is small talk when
    # it is this close to an example ("thanks a lot, that fixed it").
    # Not lower: words that say nothing ("what is the") come as close as 0.51 to a
    # thanks example (bench/calibrate_matcher.py searches from here up).
    smalltalk_fallback: float = 0.55


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
    # Learner English -> plain English (learner_words.yaml), applied before matching.
    learner_words: dict[str, str] = field(default_factory=dict)
    matcher_settings: MatcherSettings = field(default_factory=MatcherSettings)
    # Derived in __post_init__: quiz id -> topic id, and entry id -> topic id.
    quiz_topics: dict[str, str] = field(init=False, repr=False, compare=False)
    entry_topics: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Lookup tables derived once; the object stays immutable from the outside.
        by_id = {former: e for e in self.entries for former in e.replaces}
        by_id.update({e.id: e for e in self.entries})  # a live id wins over a former one
        object.__setattr__(self, "_entries_by_id", by_id)
        object.__setattr__(self, "_entries_by_short", {short_key(i): e for i, e in by_id.items()})
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
        """The entry with this id, or the one it was merged into (`Entry.replaces`)."""
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
