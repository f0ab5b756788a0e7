"""The lexical signals of the matcher: what the question's words say.

- fuzzy: rapidfuzz similarity between the question and the entry's phrasings, on
  content tokens only (so "how do I ..." cannot carry a match), tolerant of typos;
- keywords: BM25 over the entry's title, phrasings, keywords and answer, plus the
  share of the question's IDF weight the entry covers. Rare terms ("ETag",
  "select_related") count most, and off-topic words count against every entry.
Query words unknown to the knowledge base are corrected to the closest known word
when they are close enough ("selct" -> "select").
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from content.model import Entry
from content.normalize import Normalizer
from content.telegram_html import strip_tags

BM25_K1 = 0.8
BM25_B = 0.5
# How many entries, best by keywords, get the (costlier) fuzzy comparison, beside
# the entries the semantic signal brings (which rescue questions whose words are
# all misspelt beyond correction).
CANDIDATE_POOL = 60
TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 80.0
TYPO_DISCOUNT = 0.85


Postings = tuple["array[int]", "array[float]"]
_NO_POSTINGS: Postings = (array("i"), array("d"))


@dataclass(frozen=True)
class LexicalSignals:
    """Each in 0..1: phrasing similarity, share of query IDF covered, normalised BM25."""

    fuzzy: float
    coverage: float
    bm25: float


class LexicalIndex:
    # Built from the entries (or restored from what state() returned).
    _sorted_phrasings: list[str]
    _phrasing_owner: list[int]
    _phrasings_of: dict[int, list[int]]
    _idf: dict[str, float]
    _max_idf: float
    # Per token: the entries it occurs in and its BM25 weight in each, as two packed
    # arrays (70,000 postings as tuples of Python ints and floats took about 5 MiB).
    _postings: dict[str, Postings]
    _vocabulary: list[str]

    def __init__(
        self,
        entries: Sequence[Entry],
        normalizer: Normalizer,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Build the index from the entries, or take it from `state` (what `state()`
        returned for the same entries and normalizer: content/lexical_cache.py)."""
        self.normalizer = normalizer
        self._entries = entries
        if state is not None:
            self._restore(state)
            return
        # Titles, keywords and phrasings are tokenized more than once while building
        # (and many repeat across entries): tokenize each distinct text once.
        self._build_terms: dict[str, list[str]] = {}
        self._build_phrasings()
        self._build_bm25()
        self._build_terms = {}

    def state(self) -> dict[str, Any]:
        """Everything built from the entries, as plain JSON values."""
        return {
            "sorted_phrasings": self._sorted_phrasings,
            "phrasing_owner": self._phrasing_owner,
            "phrasings_of": {str(owner): rows for owner, rows in self._phrasings_of.items()},
            "idf": self._idf,
            "postings": {
                token: [indices.tolist(), weights.tolist()]
                for token, (indices, weights) in self._postings.items()
            },
        }

    def _restore(self, state: dict[str, Any]) -> None:
        self._sorted_phrasings = [str(text) for text in state["sorted_phrasings"]]
        self._phrasing_owner = [int(owner) for owner in state["phrasing_owner"]]
        self._phrasings_of = defaultdict(
            list, {int(owner): rows for owner, rows in state["phrasings_of"].items()}
        )
        if len(self._phrasing_owner) != len(self._sorted_phrasings) or any(
            not 0 <= owner < len(self._entries) for owner in self._phrasings_of
        ):
            raise ValueError("the stored index does not fit these entries")
        self._idf = {str(token): float(idf) for token, idf in state["idf"].items()}
        self._max_idf = max(self._idf.values(), default=1.0)
        self._postings = {}
        for token, (indices, weights) in state["postings"].items():
            if len(indices) != len(weights):
                raise ValueError(f"the postings of {token!r} do not pair up")
            self._postings[str(token)] = (array("i", indices), array("d", weights))
        self._vocabulary = sorted(self._idf)

    def _terms(self, text: str) -> list[str]:
        found = self._build_terms.get(text)
        if found is None:
            found = self._build_terms[text] = self.normalizer.terms(text)
        return found

    def _build_phrasings(self) -> None:
        # Each phrasing's content tokens, sorted: token_sort_ratio(a, b) is ratio() of
        # the two sorted forms, so sorting every phrasing once, not at every
        # question, gives the same scores about five times faster.
        self._sorted_phrasings = []
        self._phrasing_owner = []
        self._phrasings_of = defaultdict(list)
        for index, entry in enumerate(self._entries):
            for text in (entry.title, *entry.questions):
                self.add_phrasing(index, text)

    def add_phrasing(self, owner: int, text: str) -> None:
        normalized = " ".join(dict.fromkeys(self._terms(text)))  # content tokens
        if normalized:
            self._phrasings_of[owner].append(len(self._sorted_phrasings))
            self._sorted_phrasings.append(_sorted_tokens(normalized))
            self._phrasing_owner.append(owner)

    def _entry_tokens(self, entry: Entry) -> list[str]:
        # Title and keywords count twice: they name the concept; the answer once.
        weighted = [entry.title, entry.title, *entry.questions, *entry.keywords, *entry.keywords]
        weighted.append(strip_tags(entry.answer))
        return [term for text in weighted for term in self._terms(text)]

    def _build_bm25(self) -> None:
        documents = [self._entry_tokens(entry) for entry in self._entries]
        count = max(len(documents), 1)
        average = sum(len(d) for d in documents) / count or 1.0
        frequency: dict[str, int] = defaultdict(int)
        for document in documents:
            for token in set(document):
                frequency[token] += 1
        self._idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
        self._max_idf = max(self._idf.values(), default=1.0)
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for index, document in enumerate(documents):
            counts: dict[str, int] = defaultdict(int)
            for token in document:
                counts[token] += 1
            norm = BM25_K1 * (1 - BM25_B + BM25_B * len(document) / average)
            for token, tf in counts.items():
                weight = self._idf[token] * tf * (BM25_K1 + 1) / (tf + norm)
                postings[token][0].append(index)
                postings[token][1].append(weight)
        self._postings = {
            token: (array("i", indices), array("d", weights))
            for token, (indices, weights) in postings.items()
        }
        self._vocabulary = sorted(self._idf)

    def knows(self, token: str) -> bool:
        return token in self._idf

    def _correct(self, token: str) -> tuple[str, float] | None:
        """The known token to use for `token` and how much to trust it, or None."""
        if token in self._idf:
            return token, 1.0
        if len(token) < TYPO_MIN_LENGTH or not token.isalpha():
            return None
        found = process.extractOne(
            token, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF
        )
        return (found[0], TYPO_DISCOUNT) if found else None

    def signals(
        self, query_tokens: list[str], also: Sequence[int] = ()
    ) -> dict[int, LexicalSignals]:
        """Signals of the entries best by keywords, and of the entries in `also`."""
        # Sums over every entry a query word occurs in, as arrays: with 20,000 entries a
        # common word's postings run to thousands, too many for a Python loop. The
        # additions are those a loop would make, in the same order, so the scores are
        # the same to the last bit.
        keyword_score = np.zeros(len(self._entries))
        covered = np.zeros(len(self._entries))
        touched: list[npt.NDArray[np.int32]] = []
        total_idf = 0.0
        best_possible = 0.0
        for token in query_tokens:
            corrected = self._correct(token)
            if corrected is None:
                total_idf += self._max_idf  # an unknown word counts against every entry
                best_possible += self._max_idf * (BM25_K1 + 1)
                continue
            known, trust = corrected
            idf = self._idf[known]
            total_idf += idf
            best_possible += idf * (BM25_K1 + 1)
            indices, weights = self._postings.get(known, _NO_POSTINGS)
            if not indices:
                continue
            rows = np.frombuffer(indices, dtype=np.int32)  # unique within one token
            keyword_score[rows] += np.frombuffer(weights, dtype=np.float64) * trust
            covered[rows] += idf * trust
            touched.append(rows)
        pool = list(dict.fromkeys([*self._best_by_keywords(keyword_score, touched), *also]))
        fuzzy = self._fuzzy(" ".join(query_tokens), pool)
        return {
            index: LexicalSignals(
                fuzzy=fuzzy.get(index, 0.0),
                coverage=float(covered[index]) / total_idf if total_idf else 0.0,
                bm25=float(keyword_score[index]) / best_possible if best_possible else 0.0,
            )
            for index in pool
        }

    @staticmethod
    def _best_by_keywords(
        keyword_score: npt.NDArray[np.float64], touched: list[npt.NDArray[np.int32]]
    ) -> list[int]:
        """The CANDIDATE_POOL entries with the highest keyword scores, among those a query
        word occurs in; equal scores in the order a word first reached them (as a
        stable sort of entries in that order would give)."""
        if not touched:
            return []
        reached, first = np.unique(np.concatenate(touched), return_index=True)
        in_order = reached[np.argsort(first, kind="stable")]
        best = np.argsort(-keyword_score[in_order], kind="stable")[:CANDIDATE_POOL]
        return [int(index) for index in in_order[best]]

    def _fuzzy(self, query_text: str, pool: list[int]) -> dict[int, float]:
        best: dict[int, float] = {}
        choices = [p for index in pool for p in self._phrasings_of[index]]
        texts = [self._sorted_phrasings[p] for p in choices]
        for _, score, offset in process.extract(
            _sorted_tokens(query_text), texts, scorer=fuzz.ratio, limit=CANDIDATE_POOL * 3
        ):
            owner = self._phrasing_owner[choices[offset]]
            best[owner] = max(best.get(owner, 0.0), score / 100.0)
        return best


def _sorted_tokens(text: str) -> str:
    """What fuzz.token_sort_ratio compares: the whitespace-split tokens, sorted."""
    return " ".join(sorted(text.split()))
