"""The ranking model: one entry's signals in, candidates ordered by a linear model's
softmax share out, with P(the first is right) from a logistic model over the
ranking's shape. Weights are settings in content/data/matcher.yaml, fitted by
bench/calibrate_matcher.py."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from content.model import Entry, MatcherSettings


@dataclass(frozen=True)
class Signals:
    """One entry's evidence: lexical (0..1, with its parts) and semantic similarities."""

    lexical: float
    fuzzy: float
    coverage: float
    bm25: float
    phrasing: float
    passage: float
    votes: float = 0.0  # share of the nearest phrasings that are this entry's
    trained: float = 0.0  # the classifier trained on the phrasings
    # 1.0 for an entry about the program's own projects and lessons when the question
    # does not mention the program: "how do I set up Sentry" wants the Sentry entry.
    program_unasked: float = 0.0


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
    "trained_gap",
    "lexical_rrf",
    "phrasing_rrf",
    "passage_rrf",
    "trained_rrf",
    "votes",
    "trained",
    "program_unasked",
)
RRF_K = 5


@dataclass(frozen=True)
class Ranking:
    """Candidates best first with their signals, and P(the first is right)."""

    candidates: tuple[tuple[Entry, Signals, float], ...]
    confidence: float
    features: tuple[float, ...]  # what the confidence was computed from (CONFIDENCE_FEATURES)


def raw_signals(signals: Sequence[Signals]) -> np.ndarray:
    """One row per candidate: lexical, fuzzy, coverage, bm25, phrasing, passage, votes,
    trained, program_unasked."""
    return np.array(
        [
            [
                *(s.lexical, s.fuzzy, s.coverage, s.bm25, s.phrasing, s.passage),
                *(s.votes, s.trained, s.program_unasked),
            ]
            for s in signals
        ],
        dtype=np.float64,
    ).reshape(-1, 9)


def rank_features(signals: Sequence[Signals]) -> np.ndarray:
    """One row of RANK_FEATURES per candidate."""
    return _rank_features(raw_signals(signals))


def _rank_features(raw: np.ndarray) -> np.ndarray:
    picked = raw[:, [0, 4, 5, 7]]  # lexical, phrasing, passage, trained
    gaps = picked - picked.max(axis=0)
    ranks = (-picked).argsort(axis=0).argsort(axis=0)
    return np.hstack([raw[:, :6], gaps, 1.0 / (RRF_K + ranks), raw[:, 6:]])


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
    "votes",
    "trained",
    "agree_trained",
    "program_unasked",
)


def confidence_features(raw: np.ndarray, shares: np.ndarray, top: int) -> tuple[float, ...]:
    """CONFIDENCE_FEATURES of candidate `top`, from every candidate's raw signals
    (raw_signals) and ranking shares (0..100)."""
    others = np.delete(np.arange(len(shares)), top)
    runner_up = float(shares[others].max()) if len(others) else 0.0
    best = raw.argmax(axis=0)
    lead = raw[top] - (raw[others].max(axis=0) if len(others) else 0.0)
    lexical, fuzzy, coverage, bm25, phrasing, passage, votes, trained, program_unasked = (
        float(v) for v in raw[top]
    )
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
        votes,
        trained,
        float(best[7] == top),
        program_unasked,
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
