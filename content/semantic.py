"""The semantic signal of the matcher: how close in meaning a question is to each entry.

Every entry contributes two kinds of text: its phrasings (title and questions,
which say what a learner asks) and its answer's paragraphs and bullets (which
say what the entry explains, so a question about a detail still lands). An
entry's score per kind is its best cosine similarity over those texts.
"""

from __future__ import annotations

import re
import threading
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
# The phrasing and passage vectors are held as int8, each row with its own scale
# (its largest magnitude over 127): a quarter of float32's memory, similarities
# off by at most about 0.002. Products convert PRODUCT_ROWS rows to float32 at a time.
PRODUCT_ROWS = 256  # 384 KiB of float32 a block: it stays in the CPU cache
_BULLET = re.compile(r"\n\s*[•\-–]\s+")

Scores = npt.NDArray[np.float32]


class Int8Rows:
    """Unit vectors held as int8 rows with one float32 scale per row."""

    def __init__(self, rows: Vectors) -> None:
        self.values = np.empty(rows.shape, dtype=np.int8)
        self.scales: Scores = np.empty(len(rows), dtype=np.float32)
        # A block at a time: no float32 temporary the size of all the rows.
        for first in range(0, len(rows), PRODUCT_ROWS):
            block = rows[first : first + PRODUCT_ROWS]
            largest = np.abs(block).max(axis=1)
            scales = np.where(largest > 0, largest / 127.0, 1.0).astype(np.float32)
            self.scales[first : first + len(block)] = scales
            self.values[first : first + len(block)] = np.rint(block / scales[:, None])

    def __len__(self) -> int:
        return len(self.values)

    def dot(self, query: Vectors) -> Scores:
        """Every row's dot product with `query`."""
        out = np.empty(len(self.values), dtype=np.float32)
        for first in range(0, len(self.values), PRODUCT_ROWS):
            block = self.values[first : first + PRODUCT_ROWS]
            out[first : first + len(block)] = block.astype(np.float32) @ query
        out *= self.scales
        return out

    def dot_rows(self, rows: npt.NDArray[np.int64], query: Vectors) -> Scores:
        """The dot product with `query` of the given rows only."""
        scores: Scores = (self.values[rows].astype(np.float32) @ query) * self.scales[rows]
        return scores


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
        stop: threading.Event | None = None,
    ) -> None:
        """Looks the phrasings' vectors up, then the passages', one group at a time:
        each is held as int8 and its float32 rows let go before the next is read, so
        a start never holds all of them as float32 at once. (A start has every text
        encoded first, in one run: Matcher.) `stop`: see SentenceEncoder.encode."""
        self._encoder = encoder
        self._cache = cache
        self._count = len(entries)
        phrasings = [[e.title, *e.questions] for e in entries]
        answers = [passages(e) for e in entries]
        self._phrasing_starts = _starts(phrasings)
        self._phrasing_owner = np.repeat(
            np.arange(len(entries), dtype=np.int64), [len(p) for p in phrasings]
        )
        phrasing_vectors = cache.grouped_vectors([self.phrasing_texts(entries)], encoder, stop)[0]
        # The classifier's factors come from the float32 rows, computed once.
        self._gram = (phrasing_vectors.T @ phrasing_vectors).astype(np.float64)
        self._sums: Vectors = (
            np.add.reduceat(phrasing_vectors, self._phrasing_starts, axis=0)
            if self._count
            else np.zeros((0, encoder.dimension), dtype=np.float32)
        )
        self._phrasings = Int8Rows(phrasing_vectors)
        del phrasing_vectors
        passage_vectors = cache.grouped_vectors([self.passage_texts(entries)], encoder, stop)[0]
        self._passages = Int8Rows(passage_vectors)
        del passage_vectors
        self._passage_starts = _starts(answers)
        self._passage_ends = np.append(self._passage_starts[1:], len(self._passages))
        self._learned: Vectors = np.zeros((0, encoder.dimension), dtype=np.float32)
        self._learned_vectors: dict[str, Vectors] = {}
        self._learned_owner: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._recent: dict[str, Vectors] = {}
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
        dimension = self._gram.shape[0]
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
        similarity = np.concatenate([self._phrasings.dot(query), self._learned @ query])
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
        best = np.maximum.reduceat(self._passages.dot_rows(rows, query), offsets)
        return {entry: float(value) for entry, value in zip(entries, best, strict=True)}
