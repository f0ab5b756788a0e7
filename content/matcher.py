"""Find the knowledge-base entry a learner's question is about.

Two signals, blended into one 0-100 score per entry:
- fuzzy: rapidfuzz similarity between the question and the entry's phrasings, on
  content tokens only (so "how do I ..." cannot carry a match), tolerant of typos;
- keywords: BM25 over the entry's title, phrasings, keywords and answer, plus the
  share of the question's IDF weight the entry covers. This reaches symptom-style
  questions that share no words with any phrasing, and punishes off-topic words.
Query words unknown to the knowledge base are corrected to the closest known word
when they are close enough ("selct" -> "select").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from content.model import Entry, KnowledgeBase, MatcherSettings, SmalltalkIntent
from content.normalize import Normalizer
from content.telegram_html import strip_tags

BM25_K1 = 0.8
BM25_B = 0.5
# How many entries, best by keywords, get the (costlier) fuzzy comparison.
CANDIDATE_POOL = 60
# Below this many phrasings every phrasing is also fuzzy-scanned (cheap, and it
# rescues questions whose words are all misspelt beyond correction).
FULL_SCAN_PHRASINGS = 5000
TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 80.0
TYPO_DISCOUNT = 0.85
SMALLTALK_CUTOFF = 86.0
MAX_SUGGESTIONS = 3


class MatchStatus(StrEnum):
    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True)
class MatchResult:
    """`candidates`: for ANSWERED the answer then close runners-up; for AMBIGUOUS the
    choices; for NO_MATCH the nearest entries (for authors), best first."""

    status: MatchStatus
    query: str
    candidates: tuple[Candidate, ...] = ()
    smalltalk: SmalltalkIntent | None = None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Signals:
    """Each in 0..1: phrasing similarity, share of query IDF covered, normalised BM25."""

    fuzzy: float
    coverage: float
    bm25: float


class Matcher:
    def __init__(self, kb: KnowledgeBase, settings: MatcherSettings | None = None) -> None:
        self.kb = kb
        self.settings = settings or kb.matcher_settings
        self.normalizer = Normalizer(kb.synonyms)
        self._entries = kb.entries
        self._build_phrasings()
        self._build_bm25()
        self._smalltalk = [
            (" ".join(self.normalizer.tokens(phrase)), intent)
            for intent in kb.smalltalk
            for phrase in intent.phrases
        ]

    # -- index building -------------------------------------------------------------

    def _build_phrasings(self) -> None:
        self._phrasings: list[str] = []
        self._phrasing_owner: list[int] = []
        for index, entry in enumerate(self._entries):
            for text in (entry.title, *entry.questions):
                normalized = " ".join(self.normalizer.content_tokens(text))
                if normalized:
                    self._phrasings.append(normalized)
                    self._phrasing_owner.append(index)
        self._phrasings_of: dict[int, list[int]] = defaultdict(list)
        for position, owner in enumerate(self._phrasing_owner):
            self._phrasings_of[owner].append(position)

    def _entry_tokens(self, entry: Entry) -> list[str]:
        # Title and keywords count twice: they name the concept; the answer once.
        weighted = [entry.title, entry.title, *entry.questions, *entry.keywords, *entry.keywords]
        weighted.append(strip_tags(entry.answer))
        return [term for text in weighted for term in self.normalizer.terms(text)]

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
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, document in enumerate(documents):
            counts: dict[str, int] = defaultdict(int)
            for token in document:
                counts[token] += 1
            norm = BM25_K1 * (1 - BM25_B + BM25_B * len(document) / average)
            for token, tf in counts.items():
                weight = self._idf[token] * tf * (BM25_K1 + 1) / (tf + norm)
                self._postings[token].append((index, weight))
        self._vocabulary = sorted(self._idf)

    # -- querying -------------------------------------------------------------------

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

    def _signals(self, query_tokens: list[str]) -> dict[int, Signals]:
        keyword_score: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
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
            for index, weight in self._postings[known]:
                keyword_score[index] += weight * trust
                covered[index] += idf * trust
        pool = sorted(keyword_score, key=keyword_score.__getitem__, reverse=True)[:CANDIDATE_POOL]
        query_text = " ".join(query_tokens)
        fuzzy = self._fuzzy(query_text, pool)
        return {
            index: Signals(
                fuzzy=fuzzy.get(index, 0.0),
                coverage=covered.get(index, 0.0) / total_idf if total_idf else 0.0,
                bm25=keyword_score.get(index, 0.0) / best_possible if best_possible else 0.0,
            )
            for index in set(pool) | set(fuzzy)
        }

    def _fuzzy(self, query_text: str, pool: list[int]) -> dict[int, float]:
        best: dict[int, float] = {}
        choices: Sequence[int]
        if len(self._phrasings) <= FULL_SCAN_PHRASINGS:
            choices = range(len(self._phrasings))
        else:
            choices = [p for index in pool for p in self._phrasings_of[index]]
        texts = [self._phrasings[p] for p in choices]
        for _, score, offset in process.extract(
            query_text, texts, scorer=fuzz.token_sort_ratio, limit=CANDIDATE_POOL * 3
        ):
            owner = self._phrasing_owner[choices[offset]]
            best[owner] = max(best.get(owner, 0.0), score / 100.0)
        return best

    def signals(self, text: str) -> list[tuple[Entry, Signals]]:
        """The raw signals of every plausible entry (for ranking and calibration)."""
        query_tokens = self.normalizer.content_tokens(text)
        if not query_tokens:
            return []
        return [(self._entries[i], s) for i, s in self._signals(query_tokens).items()]

    def rank(self, text: str) -> list[Candidate]:
        """Every plausible entry with its blended score, best first."""
        return rank(self.signals(text), self.settings)

    def smalltalk(self, text: str) -> SmalltalkIntent | None:
        normalized = " ".join(self.normalizer.tokens(text))
        if not normalized or not self._smalltalk:
            return None
        found = process.extractOne(
            normalized,
            [phrase for phrase, _ in self._smalltalk],
            scorer=fuzz.ratio,
            score_cutoff=SMALLTALK_CUTOFF,
        )
        return self._smalltalk[found[2]][1] if found else None

    def match(self, text: str) -> MatchResult:
        query = text.strip()
        ranked = self.rank(query)
        top = ranked[0].score if ranked else 0.0
        # Smalltalk only when no entry is a confident answer: "hi, what is an etag" is a question.
        intent = self.smalltalk(query) if top < self.settings.answer_threshold else None
        return decide(query, ranked, intent, self.settings)


def blend(signals: Signals, settings: MatcherSettings) -> float:
    return round(
        100
        * (
            settings.fuzzy_weight * signals.fuzzy
            + settings.coverage_weight * signals.coverage
            + settings.bm25_weight * signals.bm25
        ),
        2,
    )


def rank(signals: list[tuple[Entry, Signals]], settings: MatcherSettings) -> list[Candidate]:
    ranked = [Candidate(entry, blend(s, settings)) for entry, s in signals]
    ranked.sort(key=lambda c: (-c.score, c.entry.id))
    return ranked


def decide(
    query: str,
    ranked: list[Candidate],
    smalltalk: SmalltalkIntent | None,
    settings: MatcherSettings,
) -> MatchResult:
    """The band a ranked list falls in: answered, ambiguous, smalltalk or no match."""
    top = ranked[0].score if ranked else 0.0
    if smalltalk is not None and top < settings.answer_threshold:
        return MatchResult(MatchStatus.SMALLTALK, query, (), smalltalk)
    if top < settings.suggest_threshold:
        return MatchResult(MatchStatus.NO_MATCH, query, tuple(ranked[:MAX_SUGGESTIONS]))
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    clear = top - runner_up >= settings.margin
    if top >= settings.sure_threshold or (top >= settings.answer_threshold and clear):
        # The answer, plus any close runner-up the learner may have meant instead.
        close_ones = [c for c in ranked[1:MAX_SUGGESTIONS] if top - c.score < settings.margin]
        return MatchResult(MatchStatus.ANSWERED, query, (ranked[0], *close_ones))
    close = [c for c in ranked[:MAX_SUGGESTIONS] if c.score >= settings.suggest_threshold]
    return MatchResult(MatchStatus.AMBIGUOUS, query, tuple(close))
