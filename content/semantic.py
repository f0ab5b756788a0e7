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
MAX_PASSAGES = 12  # per entry; long answers keep their first ones
_BULLET = re.compile(r"\n\s*[•\-–]\s+")

Scores = npt.NDArray[np.float32]


def passages(entry: Entry) -> list[str]:
    """The answer cut into paragraphs and bullets, prefixed with the title for context."""
    text = strip_tags(entry.answer)
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        pieces.extend(p.strip() for p in _BULLET.split("\n" + paragraph) if p.strip())
    return [f"{entry.title}: {p}" for p in pieces[:MAX_PASSAGES]] or [entry.title]


class SemanticIndex:
    def __init__(
        self, entries: Sequence[Entry], encoder: SentenceEncoder, cache: VectorCache
    ) -> None:
        self._encoder = encoder
        self._cache = cache
        self._count = len(entries)
        phrasings = [[e.title, *e.questions] for e in entries]
        answers = [passages(e) for e in entries]
        self._phrasings, self._phrasing_starts = self._grouped(phrasings)
        self._passages, self._passage_starts = self._grouped(answers)
        self._learned: Vectors = np.zeros((0, encoder.dimension), dtype=np.float32)
        self._learned_owner: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._recent: dict[str, Vectors] = {}

    @staticmethod
    def texts(entries: Sequence[Entry]) -> list[str]:
        """Every text the index encodes, to warm a cache in one go."""
        return [t for e in entries for t in (e.title, *e.questions, *passages(e))]

    def _grouped(self, groups: list[list[str]]) -> tuple[Vectors, npt.NDArray[np.int64]]:
        """All texts' vectors in entry order, and where each entry's rows start."""
        texts = [t for group in groups for t in group]
        starts = np.cumsum([0] + [len(g) for g in groups[:-1]]).astype(np.int64)
        return self._cache.vectors(texts, self._encoder), starts

    def set_learned(self, pairs: Sequence[tuple[int, str]]) -> None:
        """Phrasings taught by authors: (entry index, question)."""
        self._learned = self._cache.vectors([text for _, text in pairs], self._encoder)
        self._learned_owner = np.array([owner for owner, _ in pairs], dtype=np.int64)

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

    def scores(self, query: Vectors) -> tuple[Scores, Scores]:
        """Per entry: best similarity to a phrasing, and to a passage of the answer."""
        if self._count == 0:
            empty = np.zeros(0, dtype=np.float32)
            return empty, empty
        phrasing = np.maximum.reduceat(self._phrasings @ query, self._phrasing_starts)
        if len(self._learned_owner):
            np.maximum.at(phrasing, self._learned_owner, self._learned @ query)
        passage = np.maximum.reduceat(self._passages @ query, self._passage_starts)
        return phrasing, passage
