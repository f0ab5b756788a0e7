"""The semantic signal of the matcher: how close in meaning a question is to each entry.

Every entry contributes two kinds of text: its phrasings (title and questions,
which say what a learner asks) and its answer's paragraphs and bullets (which
say what the entry explains, so a question about a detail still lands). An
entry's score per kind is its best cosine similarity over those texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from content.encoder import SentenceEncoder, VectorCache, Vectors
from content.model import Entry
from content.telegram_html import strip_tags

RECENT_VECTORS = 8
# The phrasings nearest a question vote for their entries: many close phrasings of
# one entry say more than one close phrasing (a single near-duplicate can mislead).
NEIGHBOURS = 10
VOTE_TEMPERATURE = 0.05
# A linear classifier over the phrasings' vectors (ridge regression onto each
# entry's indicator): it learns which directions tell an entry from its
# neighbours, which the nearest phrasing alone cannot. Closed form, so it is
# refitted in milliseconds at start and whenever learned phrasings change.
RIDGE = 0.1
MAX_PASSAGES = 12  # per entry; long answers keep their first ones
_BULLET = re.compile(r"\n\s*[•\-–]\s+")

Scores = npt.NDArray[np.float32]


def _starts(groups: list[list[str]]) -> npt.NDArray[np.int64]:
    """Where each group's rows start when the groups are laid end to end."""
    return np.cumsum([0] + [len(g) for g in groups[:-1]]).astype(np.int64)


def passages(entry: Entry) -> list[str]:
    """The answer cut into paragraphs and bullets, prefixed with the title for context."""
    text = strip_tags(entry.answer)
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        pieces.extend(p.strip() for p in _BULLET.split("\n" + paragraph) if p.strip())
    return [f"{entry.title}: {p}" for p in pieces[:MAX_PASSAGES]] or [entry.title]


class SemanticIndex:
    def __init__(
        self,
        entries: Sequence[Entry],
        encoder: SentenceEncoder,
        cache: VectorCache,
        vectors: tuple[Vectors, Vectors] | None = None,
    ) -> None:
        """`vectors`: the vectors of `phrasing_texts(entries)` and of
        `passage_texts(entries)`, when the caller has looked them up already (a start
        looks the whole knowledge base up at once)."""
        self._encoder = encoder
        self._cache = cache
        self._count = len(entries)
        phrasings = [[e.title, *e.questions] for e in entries]
        answers = [passages(e) for e in entries]
        if vectors is None:
            looked_up = cache.grouped_vectors(
                [self.phrasing_texts(entries), self.passage_texts(entries)], encoder
            )
            vectors = (looked_up[0], looked_up[1])
        self._phrasings, self._passages = vectors
        if len(self._phrasings) != sum(map(len, phrasings)) or len(self._passages) != sum(
            map(len, answers)
        ):
            raise ValueError("the vectors given are not those of these entries' texts")
        self._phrasing_starts = _starts(phrasings)
        self._phrasing_owner = np.repeat(
            np.arange(len(entries), dtype=np.int64), [len(p) for p in phrasings]
        )
        self._passage_starts = _starts(answers)
        self._passage_ends = np.append(self._passage_starts[1:], len(self._passages))
        self._learned: Vectors = np.zeros((0, encoder.dimension), dtype=np.float32)
        self._learned_vectors: dict[str, Vectors] = {}
        self._learned_owner: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._recent: dict[str, Vectors] = {}
        # The classifier's factors from the content's phrasings, computed once.
        self._gram = (self._phrasings.T @ self._phrasings).astype(np.float64)
        self._sums: Vectors = (
            np.add.reduceat(self._phrasings, self._phrasing_starts, axis=0)
            if self._count
            else np.zeros((0, encoder.dimension), dtype=np.float32)
        )
        self._fit_classifier()

    @staticmethod
    def phrasing_texts(entries: Sequence[Entry]) -> list[str]:
        """Each entry's title and questions, entry by entry."""
        return [t for e in entries for t in (e.title, *e.questions)]

    @staticmethod
    def passage_texts(entries: Sequence[Entry]) -> list[str]:
        """Each entry's answer passages, entry by entry."""
        return [t for e in entries for t in passages(e)]

    def set_learned(self, pairs: Sequence[tuple[int, str]]) -> None:
        """Phrasings taught by authors: (entry index, question).

        Phrasings already taught keep their vectors, so a sync that adds one new
        phrasing asks the cache (and the disk behind it) for that one only."""
        new = [text for _, text in pairs if text not in self._learned_vectors]
        fresh = self._cache.vectors(new, self._encoder)
        self._learned_vectors.update(zip(new, fresh, strict=True))
        self._learned = (
            np.stack([self._learned_vectors[text] for _, text in pairs])
            if pairs
            else np.zeros((0, self._encoder.dimension), dtype=np.float32)
        )
        self._learned_owner = np.array([owner for owner, _ in pairs], dtype=np.int64)
        self._fit_classifier()

    def _fit_classifier(self) -> None:
        """The ridge classifier over every phrasing, kept as its two factors: the
        inverse of the phrasings' (regularised) Gram matrix, dimension x dimension,
        and each entry's sum of phrasing vectors. An entry's score is
        sum_e . (inverse @ question), so a teach refits it in milliseconds whatever
        the number of entries: only the learned rows are added to the two factors."""
        dimension = self._phrasings.shape[1]
        gram = self._gram + (self._learned.T @ self._learned) + RIDGE * np.eye(dimension)
        sums = self._sums.copy()
        np.add.at(sums, self._learned_owner, self._learned)
        self._inverse = np.linalg.inv(gram).astype(np.float32)
        self._entry_sums: Vectors = sums

    def trained_scores(self, query: Vectors) -> Scores:
        """Per entry: the ridge classifier's score for the question."""
        scores: Scores = self._entry_sums @ (self._inverse @ query)
        return scores

    def encode(self, text: str) -> Vectors:
        # A message is encoded for the entries and again for small talk, usually as
        # the same text: keep the last few vectors.
        vector = self._recent.get(text)
        if vector is None:
            vector = self._encoder.encode_one(text)
            if len(self._recent) >= RECENT_VECTORS:
                self._recent.pop(next(iter(self._recent)))
            self._recent[text] = vector
        return vector

    def phrasing_scores(self, query: Vectors) -> tuple[Scores, Scores]:
        """Per entry: the best similarity to one of its phrasings (title, questions,
        learned ones), and its share (0..1) of the NEIGHBOURS phrasings nearest the
        question, each weighted by a softmax of its similarity."""
        best = np.zeros(self._count, dtype=np.float32)
        votes = np.zeros(self._count, dtype=np.float32)
        if self._count == 0:
            return best, votes
        similarity = np.concatenate([self._phrasings @ query, self._learned @ query])
        owner = np.concatenate([self._phrasing_owner, self._learned_owner])
        best = np.maximum.reduceat(similarity[: len(self._phrasings)], self._phrasing_starts)
        if len(self._learned_owner):
            np.maximum.at(best, self._learned_owner, similarity[len(self._phrasings) :])
        count = min(NEIGHBOURS, len(similarity))
        nearest = np.argpartition(-similarity, count - 1)[:count]
        weights = np.exp((similarity[nearest] - similarity[nearest].max()) / VOTE_TEMPERATURE)
        np.add.at(votes, owner[nearest], weights / weights.sum())
        return best, votes

    def passage_scores(self, query: Vectors, entries: Sequence[int]) -> dict[int, float]:
        """Best similarity to a passage of the answer, for the given entries only: the
        passages outnumber the phrasings, and only candidates need them."""
        if not entries:
            return {}
        starts = self._passage_starts[list(entries)]
        ends = self._passage_ends[list(entries)]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        offsets = np.concatenate([[0], np.cumsum(ends - starts)[:-1]])
        best = np.maximum.reduceat(self._passages[rows] @ query, offsets)
        return {entry: float(value) for entry, value in zip(entries, best, strict=True)}
