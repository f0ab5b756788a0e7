"""Find the knowledge-base entry a learner's question is about, and how sure to be.

Three signals per entry, fused into one ranking score:
- lexical (content/lexical.py): the question's words, typos corrected, rare terms
  weighted (BM25, IDF coverage, fuzzy phrasing similarity);
- phrasing (content/semantic.py): closeness in meaning to the entry's title and
  questions, from a sentence encoder ("one query per row" meets "N+1");
- passage: closeness in meaning to a paragraph or bullet of the entry's answer.
The band (answer, "did you mean", "I don't know") follows an estimated
probability that the top entry is right, from a logistic model over the
ranking's shape (top score, margin, whether words and meaning agree) fitted on
the tune split of the blind evaluation set. Small talk is an intent of its own
(content/smalltalk.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from content.encoder import SentenceEncoder, VectorCache, shared_cache, shared_encoder
from content.lexical import LexicalIndex, LexicalSignals
from content.model import Entry, KnowledgeBase, MatcherSettings, SmalltalkIntent
from content.normalize import Normalizer
from content.semantic import SemanticIndex
from content.smalltalk import IntentMatch, SmalltalkClassifier, without_opener, without_symbols

MAX_SUGGESTIONS = 3
SEMANTIC_POOL = 20  # entries best by meaning that join the lexical candidates
# An intent matched by its exact words or emoji wins even over a confident entry;
# one matched by meaning only when no entry is a confident answer.
EXACT_INTENT = 1.0


class MatchStatus(StrEnum):
    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float  # the ranking model's share for this entry, 0..100


@dataclass(frozen=True)
class MatchResult:
    """`candidates`: for ANSWERED the answer then close runners-up; for AMBIGUOUS the
    choices; for NO_MATCH the nearest entries (for authors), best first.
    `confidence`: the estimated probability that the first candidate is right."""

    status: MatchStatus
    query: str
    candidates: tuple[Candidate, ...] = ()
    smalltalk: SmalltalkIntent | None = None
    confidence: float = 0.0

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Signals:
    """One entry's evidence: lexical (0..1, with its parts) and semantic similarities."""

    lexical: float
    fuzzy: float
    coverage: float
    bm25: float
    phrasing: float
    passage: float


# What the ranking model sees per candidate: the signals, each signal's gap to the
# best candidate's, and each signal's reciprocal rank among the candidates.
RANK_FEATURES = (
    "lexical",
    "fuzzy",
    "coverage",
    "bm25",
    "phrasing",
    "passage",
    "lexical_gap",
    "phrasing_gap",
    "passage_gap",
    "lexical_rrf",
    "phrasing_rrf",
    "passage_rrf",
)
RRF_K = 5


@dataclass(frozen=True)
class Ranking:
    """Candidates best first with their signals, and P(the first is right)."""

    candidates: tuple[tuple[Entry, Signals, float], ...]
    confidence: float
    features: tuple[float, ...]  # what the confidence was computed from (CONFIDENCE_FEATURES)


class Matcher:
    def __init__(
        self,
        kb: KnowledgeBase,
        settings: MatcherSettings | None = None,
        encoder: SentenceEncoder | None = None,
        cache: VectorCache | None = None,
    ) -> None:
        self.kb = kb
        self.settings = settings or kb.matcher_settings
        self.normalizer = Normalizer(kb.synonyms)
        self._entries = kb.entries
        encoder = encoder or shared_encoder()
        cache = cache or shared_cache()
        self._lexical = LexicalIndex(kb.entries, self.normalizer)
        smalltalk_phrases = SmalltalkClassifier.phrases(kb.smalltalk)
        # Encode whatever is new in one go (a first start says so once, then waits).
        cache.vectors(SemanticIndex.texts(kb.entries) + smalltalk_phrases, encoder)
        self._semantic = SemanticIndex(kb.entries, encoder, cache)
        self._smalltalk = SmalltalkClassifier(
            kb.smalltalk, self.normalizer, cache.vectors(smalltalk_phrases, encoder)
        )
        self._learned: dict[str, int] = {}

    def set_learned(self, phrasings: Sequence[tuple[str, str]]) -> None:
        """Replace the phrasings authors taught from /unanswered: (entry id, question).

        A taught question is answered with its entry outright, and its meaning joins
        the entry's phrasings. Pairs naming an entry this knowledge base lacks are
        ignored (content may have been reloaded without it)."""
        index_of = {entry.id: index for index, entry in enumerate(self._entries)}
        known = [(index_of[e], q) for e, q in phrasings if e in index_of]
        self._learned = {key: i for i, q in known if (key := self._key(q))}
        self._semantic.set_learned(known)

    def _key(self, text: str) -> str:
        return " ".join(self.normalizer.content_tokens(text))

    # -- ranking ----------------------------------------------------------------------

    def signals(self, text: str) -> list[tuple[Entry, Signals]]:
        """The signals of every plausible entry (for ranking and calibration)."""
        query = without_opener(without_symbols(text))
        tokens = self.normalizer.content_tokens(query)
        if not tokens:
            return []
        vector = self._semantic.encode(query)
        phrasing = self._semantic.phrasing_scores(vector)
        by_meaning: list[int] = []
        if len(phrasing):
            count = min(SEMANTIC_POOL, len(phrasing))
            by_meaning = [int(i) for i in np.argpartition(-phrasing, count - 1)[:count]]
        lexical = self._lexical.signals(tokens, also=by_meaning)
        pool = sorted(lexical)
        passage = self._semantic.passage_scores(vector, pool)
        none = LexicalSignals(0.0, 0.0, 0.0)
        found = []
        for i in pool:
            words = lexical.get(i, none)
            found.append(
                (
                    self._entries[i],
                    Signals(
                        self._lexical_score(words),
                        words.fuzzy,
                        words.coverage,
                        words.bm25,
                        float(phrasing[i]),
                        passage[i],
                    ),
                )
            )
        return found

    def _lexical_score(self, signals: LexicalSignals) -> float:
        s = self.settings
        return (
            s.fuzzy_weight * signals.fuzzy
            + s.coverage_weight * signals.coverage
            + s.bm25_weight * signals.bm25
        )

    def ranking(self, text: str) -> Ranking:
        return rank_signals(self.signals(text), self.settings)

    def rank(self, text: str) -> list[Candidate]:
        """Every plausible entry with its fused score, best first."""
        return [Candidate(entry, score) for entry, _, score in self.ranking(text).candidates]

    # -- deciding ---------------------------------------------------------------------

    def match(self, text: str) -> MatchResult:
        query = text.strip()
        taught = self._learned.get(self._key(query))
        if taught is not None:
            entry = self._entries[taught]
            return MatchResult(MatchStatus.ANSWERED, query, (Candidate(entry, 100.0),), None, 1.0)
        return decide(query, self.ranking(query), self.intent(query), self.settings)

    def intent(self, text: str) -> IntentMatch | None:
        """The small-talk intent `text` is closest to, and how close."""
        words = without_symbols(text)
        vector = self._semantic.encode(words) if any(c.isalnum() for c in words) else None
        return self._smalltalk.classify(text, vector)


def raw_signals(signals: Sequence[Signals]) -> np.ndarray:
    """One row per candidate: lexical, fuzzy, coverage, bm25, phrasing, passage."""
    return np.array(
        [[s.lexical, s.fuzzy, s.coverage, s.bm25, s.phrasing, s.passage] for s in signals],
        dtype=np.float64,
    ).reshape(-1, 6)


def rank_features(signals: Sequence[Signals]) -> np.ndarray:
    """One row of RANK_FEATURES per candidate."""
    return _rank_features(raw_signals(signals))


def _rank_features(raw: np.ndarray) -> np.ndarray:
    picked = raw[:, [0, 4, 5]]  # lexical, phrasing, passage
    gaps = picked - picked.max(axis=0, initial=0.0)
    ranks = (-picked).argsort(axis=0).argsort(axis=0)
    return np.hstack([raw, gaps, 1.0 / (RRF_K + ranks)])


def rank_weights(settings: MatcherSettings) -> np.ndarray:
    return np.array([getattr(settings, f"rank_{name}") for name in RANK_FEATURES])


# What the confidence model sees: the top entry's softmax share and margin, whether
# it is also the best by words, by phrasing and by passage, its raw signals, and
# how far it leads the next entry by phrasing and by words.
CONFIDENCE_FEATURES = (
    "share",
    "margin",
    "agree_lexical",
    "agree_phrasing",
    "agree_passage",
    "phrasing",
    "passage",
    "lexical",
    "bm25",
    "coverage",
    "fuzzy",
    "phrasing_lead",
    "lexical_lead",
)


def confidence_features(raw: np.ndarray, shares: np.ndarray, top: int) -> tuple[float, ...]:
    """CONFIDENCE_FEATURES of candidate `top`, from every candidate's raw signals
    (raw_signals) and ranking shares (0..100)."""
    others = np.delete(np.arange(len(shares)), top)
    runner_up = float(shares[others].max()) if len(others) else 0.0
    best = raw.argmax(axis=0)
    lead = raw[top] - (raw[others].max(axis=0) if len(others) else 0.0)
    lexical, fuzzy, coverage, bm25, phrasing, passage = (float(v) for v in raw[top])
    return (
        float(shares[top]) / 100,
        (float(shares[top]) - runner_up) / 100,
        float(best[0] == top),
        float(best[4] == top),
        float(best[5] == top),
        phrasing,
        passage,
        lexical,
        bm25,
        coverage,
        fuzzy,
        float(lead[4]),
        float(lead[0]),
    )


def probability(features: tuple[float, ...], settings: MatcherSettings) -> float:
    weights = [getattr(settings, f"confidence_{name}") for name in CONFIDENCE_FEATURES]
    z = settings.confidence_bias + sum(w * f for w, f in zip(weights, features, strict=True))
    return 1 / (1 + math.exp(-max(min(z, 50.0), -50.0)))


def rank_signals(signals: list[tuple[Entry, Signals]], settings: MatcherSettings) -> Ranking:
    """Candidates ordered by the ranking model; each scored by its softmax share (0..100)."""
    if not signals:
        return Ranking((), 0.0, (0.0,) * len(CONFIDENCE_FEATURES))
    raw = raw_signals([s for _, s in signals])
    logits = _rank_features(raw) @ rank_weights(settings)
    shares = np.exp(logits - logits.max())
    shares = 100 * shares / shares.sum()
    rounded = np.round(shares, 2)
    order = sorted(range(len(signals)), key=lambda i: (-rounded[i], signals[i][0].id))
    ranked = tuple((signals[i][0], signals[i][1], float(rounded[i])) for i in order)
    features = confidence_features(raw, rounded, order[0])
    return Ranking(ranked, probability(features, settings), features)


def decide(
    query: str,
    ranking: Ranking,
    intent: IntentMatch | None,
    settings: MatcherSettings,
) -> MatchResult:
    """The band: small talk, answered, "did you mean" or no match."""
    ranked = [Candidate(entry, score) for entry, _, score in ranking.candidates]
    p = ranking.confidence
    if intent is not None and (
        (
            intent.similarity >= settings.smalltalk_similarity
            and (intent.similarity >= EXACT_INTENT or p < settings.answer_probability)
        )
        or (intent.similarity >= settings.smalltalk_fallback and p < settings.suggest_probability)
    ):
        return MatchResult(MatchStatus.SMALLTALK, query, (), intent.intent, p)
    if p >= settings.answer_probability:
        top = ranked[0].score
        close = [c for c in ranked[1:MAX_SUGGESTIONS] if top - c.score < settings.margin]
        return MatchResult(MatchStatus.ANSWERED, query, (ranked[0], *close), None, p)
    if p >= settings.suggest_probability:
        return MatchResult(MatchStatus.AMBIGUOUS, query, tuple(ranked[:MAX_SUGGESTIONS]), None, p)
    return MatchResult(MatchStatus.NO_MATCH, query, tuple(ranked[:MAX_SUGGESTIONS]), None, p)
