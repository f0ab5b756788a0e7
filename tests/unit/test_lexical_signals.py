"""The word signals summed as arrays give what a loop over each word's postings
gives: the same scores to the last bit, and the same candidates in the same order,
equal scores included (the fuzzy comparison breaks its own ties by that order)."""

from __future__ import annotations

import random
from array import array
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from content import KnowledgeBase, load_knowledge_base
from content.lexical import BM25_K1, CANDIDATE_POOL, LexicalIndex, LexicalSignals
from content.normalize import Normalizer

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


def _loop_pool(postings: list[tuple[list[int], list[float]]]) -> list[int]:
    """The candidates as the loop found them: entries by score, best first, equal
    scores in the order a word first reached them."""
    score: dict[int, float] = defaultdict(float)
    for indices, weights in postings:
        for index, weight in zip(indices, weights, strict=True):
            score[index] += weight
    return sorted(score, key=score.__getitem__, reverse=True)[:CANDIDATE_POOL]


def _array_pool(postings: list[tuple[list[int], list[float]]], entries: int) -> list[int]:
    score = np.zeros(entries)
    touched = []
    for indices, weights in postings:
        rows = np.array(indices, dtype=np.int32)
        score[rows] += np.array(weights)
        touched.append(rows)
    return LexicalIndex._best_by_keywords(score, touched)


@pytest.mark.parametrize("seed", range(20))
def test_equal_scores_keep_the_order_words_reached_them(seed: int) -> None:
    rng = random.Random(seed)
    entries = rng.choice([5, 80, 400])
    # Few distinct weights, so many entries tie, across and within the pool's edge.
    postings = []
    for _ in range(rng.randint(1, 6)):
        indices = rng.sample(range(entries), rng.randint(1, entries))
        postings.append((indices, [rng.choice([0.5, 1.0, 1.5]) for _ in indices]))
    assert _array_pool(postings, entries) == _loop_pool(postings)


def test_no_word_known_gives_no_candidates() -> None:
    assert LexicalIndex._best_by_keywords(np.zeros(3), []) == []


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(FIXTURE)


def _loop_signals(index: LexicalIndex, tokens: list[str]) -> dict[int, LexicalSignals]:
    """LexicalIndex.signals as a loop over each word's postings (before 2026-12-02)."""
    keyword_score: dict[int, float] = defaultdict(float)
    covered: dict[int, float] = defaultdict(float)
    total_idf = best_possible = 0.0
    for token in tokens:
        corrected = index._correct(token)
        if corrected is None:
            total_idf += index._max_idf
            best_possible += index._max_idf * (BM25_K1 + 1)
            continue
        known, trust = corrected
        idf = index._idf[known]
        total_idf += idf
        best_possible += idf * (BM25_K1 + 1)
        found = index._postings.get(known, (array("i"), array("d")))
        for entry, weight in zip(*found, strict=True):
            keyword_score[entry] += weight * trust
            covered[entry] += idf * trust
    pool = sorted(keyword_score, key=keyword_score.__getitem__, reverse=True)[:CANDIDATE_POOL]
    fuzzy = index._fuzzy(" ".join(tokens), pool)
    return {
        entry: LexicalSignals(
            fuzzy=fuzzy.get(entry, 0.0),
            coverage=covered.get(entry, 0.0) / total_idf if total_idf else 0.0,
            bm25=keyword_score.get(entry, 0.0) / best_possible if best_possible else 0.0,
        )
        for entry in pool
    }


@pytest.mark.parametrize(
    "question",
    [
        "what is an etag",
        "selct_related vs prefetch_related for my list endpoint",
        "celery task retries celery worker",
        "xyzzy plugh",
        "why is my django list endpoint slow n+1 queries",
    ],
)
def test_signals_are_those_of_a_loop_over_the_postings(kb: KnowledgeBase, question: str) -> None:
    normalizer = Normalizer(kb.synonyms)
    index = LexicalIndex(kb.entries, normalizer)
    tokens = normalizer.content_tokens(question)
    got = index.signals(tokens)
    expected = _loop_signals(index, tokens)
    assert list(got) == list(expected)
    assert got == expected  # exact floats, not approximately
    assert all(type(s.coverage) is float and type(s.bm25) is float for s in got.values())
