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

import threading
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from content.encoder import SentenceEncoder, VectorCache, shared_cache, shared_encoder
from content.learner_english import LearnerEnglish
from content.lexical import LexicalSignals
from content.lexical_cache import lexical_index
from content.log_lines import what_failed
from content.match_result import MAX_SUGGESTIONS, Candidate, MatchResult, MatchStatus
from content.model import Entry, KnowledgeBase, MatcherSettings
from content.normalize import Normalizer
from content.pasted_code import learners_words
from content.ranking import Ranking, Signals, rank_signals
from content.semantic import SemanticIndex
from content.smalltalk import (
    IntentMatch,
    SmalltalkClassifier,
    without_address,
    without_opener,
    without_symbols,
)

SEMANTIC_POOL = 20  # entries best by meaning that join the lexical candidates
# Entries of this topic tell the program's own projects and lessons; a question that
# names none of these words asks about the concept, not about the program.
PROGRAM_TOPIC = "program"
PROGRAM_WORDS = (
    "alx prodev program programme course curriculum syllabus cohort bootcamp lesson "
    "mentor kogidi jechspace healthbridge nexus"
)
TRAINED_POOL = 5  # entries best by the trained classifier that join them too
# An intent matched by its exact words or emoji wins even over a confident entry;
# one matched by meaning only when no entry is a confident answer.
EXACT_INTENT = 1.0


def question_as_read(plain_english: LearnerEnglish, text: str) -> str:
    """A message as the matcher reads it: what failed in a paste, without an opener or
    symbols, learner English in plain English. Build-time tools that must read a question
    the way the matcher does (the encoder's fine-tuning, its transfer test) call this too."""
    # Pasted output's prefixes and a traceback's frames say little and drown the line
    # that failed (content/log_lines.py, content/tracebacks.py).
    return plain_english.rewrite(without_opener(without_symbols(what_failed(text))))


def _best(scores: np.ndarray, count: int) -> list[int]:
    """The indices of the `count` highest scores, in no particular order."""
    count = min(count, len(scores))
    return [int(i) for i in np.argpartition(-scores, count - 1)[:count]] if count else []


class Matcher:
    def __init__(
        self,
        kb: KnowledgeBase,
        settings: MatcherSettings | None = None,
        encoder: SentenceEncoder | None = None,
        cache: VectorCache | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        """`stop`, once set, ends a first start's encoding of the knowledge base early
        (EncodingStopped): a bot asked to stop meanwhile need not wait a minute."""
        self.kb = kb
        self.settings = settings or kb.matcher_settings
        self.normalizer = Normalizer(kb.synonyms)
        self.plain_english = LearnerEnglish(kb.learner_words)
        self._program_words = frozenset(self.normalizer.content_tokens(PROGRAM_WORDS))
        self._entries = kb.entries
        encoder = encoder if encoder is not None else shared_encoder()
        cache = cache if cache is not None else shared_cache()  # an empty cache is falsy
        # Kept beside the vectors: a warm start reads the word index instead of building it.
        self._lexical = lexical_index(kb.entries, self.normalizer, cache.folder)
        smalltalk_phrases = SmalltalkClassifier.phrases(kb.smalltalk)
        # Encode whatever is new in one run (a first start says so once, then waits);
        # the indexes then read the vectors a group at a time.
        cache.encode_missing(
            [
                *SemanticIndex.phrasing_texts(kb.entries),
                *SemanticIndex.passage_texts(kb.entries),
                *smalltalk_phrases,
            ],
            encoder,
            stop,
        )
        self._semantic = SemanticIndex(kb.entries, encoder, cache, stop)
        smalltalk = cache.grouped_vectors([smalltalk_phrases], encoder, stop)[0]
        self._smalltalk = SmalltalkClassifier(kb.smalltalk, self.normalizer, smalltalk)
        self._learned: dict[str, int] = {}
        # The indexes hold their own copies of the vectors now.
        self._cache = cache
        cache.release()

    def set_learned(self, phrasings: Sequence[tuple[str, str]]) -> None:
        """Replace the phrasings authors taught from /unanswered: (entry id, question).

        A taught question is answered with its entry outright, and its meaning joins
        the entry's phrasings. Pairs naming an entry this knowledge base lacks are
        ignored (content may have been reloaded without it); a pair naming an entry
        merged into another (`Entry.replaces`) counts for the one it became."""
        index_of = {entry.id: index for index, entry in enumerate(self._entries)}
        current = ((self.kb.entry(e), q) for e, q in phrasings)
        known = [(index_of[entry.id], q) for entry, q in current if entry is not None]
        self._learned = {key: i for i, q in known if (key := self._key(q))}
        self._semantic.set_learned(known)
        self._cache.release()

    def _key(self, text: str) -> str:
        return " ".join(self.normalizer.content_tokens(text))

    # -- ranking ----------------------------------------------------------------------

    def signals(self, text: str) -> list[tuple[Entry, Signals]]:
        """The signals of every plausible entry (for ranking and calibration)."""
        query = question_as_read(self.plain_english, text)
        tokens = self.normalizer.content_tokens(query)
        if not tokens:
            return []
        vector = self._semantic.encode(query)
        phrasing, votes = self._semantic.phrasing_scores(vector)
        trained = self._semantic.trained_scores(vector)
        by_meaning = [
            *_best(phrasing, SEMANTIC_POOL),
            *(int(i) for i in np.flatnonzero(votes)),
            *_best(trained, TRAINED_POOL),
        ]
        lexical = self._lexical.signals(tokens, also=by_meaning)
        pool = sorted(lexical)
        passage = self._semantic.passage_scores(vector, pool)
        none = LexicalSignals(0.0, 0.0, 0.0)
        unasked = 0.0 if self._program_words.intersection(tokens) else 1.0
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
                        float(votes[i]),
                        float(trained[i]),
                        unasked if self._entries[i].topic == PROGRAM_TOPIC else 0.0,
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
        whole = rank_signals(self.signals(text), self.settings)
        # A message of code and words is also read as its words alone
        # (content/pasted_code.py). When both readings put the same entry first, the
        # surer one says how sure: the code and the words agree. The candidates, and
        # so the choices a "did you mean" offers, stay the whole message's. A message
        # answered as it is needs no second reading (it would only take the runner-up
        # off an answer, and it costs a second encoding and ranking).
        if not whole.candidates or whole.confidence >= self.settings.answer_probability:
            return whole
        words = learners_words(text)
        if words is None:
            return whole
        alone = rank_signals(self.signals(words), self.settings)
        same_first = (
            bool(alone.candidates) and alone.candidates[0][0].id == whole.candidates[0][0].id
        )
        if same_first and alone.confidence > whole.confidence:
            return replace(whole, confidence=alone.confidence, features=alone.features)
        return whole

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
        ranking = self.ranking(query)
        # Over a sure answer only small talk matched by its exact words or emoji wins
        # (decide), and that needs no vector: the message is encoded a second time for
        # small talk (when its words differ from the question's) only when unsure.
        unsure = ranking.confidence < self.settings.answer_probability
        return decide(query, ranking, self.intent(query, by_meaning=unsure), self.settings)

    def intent(self, text: str, by_meaning: bool = True) -> IntentMatch | None:
        """The small-talk intent `text` is closest to, and how close; with `by_meaning`
        False, only by emoji, exact words and spelling."""
        words = without_address(without_symbols(text))
        encode = by_meaning and any(c.isalnum() for c in words)
        vector = self._semantic.encode(words) if encode else None
        return self._smalltalk.classify(text, vector)


def decide(
    query: str,
    ranking: Ranking,
    intent: IntentMatch | None,
    settings: MatcherSettings,
) -> MatchResult:
    """The band: small talk, answered, "did you mean" or no match."""
    ranked = [Candidate(entry, score) for entry, _, score in ranking.candidates]
    p = ranking.confidence
    if (
        intent is not None
        and intent_is_nearer(intent.similarity, closest_phrasing(ranking))
        and (
            (
                intent.similarity >= settings.smalltalk_similarity
                and (intent.similarity >= EXACT_INTENT or p < settings.answer_probability)
            )
            or (
                intent.similarity >= settings.smalltalk_fallback
                and p < settings.suggest_probability
            )
        )
    ):
        return MatchResult(MatchStatus.SMALLTALK, query, (), intent.intent, p)
    if p >= settings.answer_probability:
        return MatchResult(
            MatchStatus.ANSWERED, query, (ranked[0], *alternatives(ranked, p, settings)), None, p
        )
    if p >= settings.suggest_probability:
        return MatchResult(MatchStatus.AMBIGUOUS, query, tuple(ranked[:MAX_SUGGESTIONS]), None, p)
    return MatchResult(MatchStatus.NO_MATCH, query, tuple(ranked[:MAX_SUGGESTIONS]), None, p)


def alternatives(
    ranked: Sequence[Candidate], p: float, settings: MatcherSettings
) -> list[Candidate]:
    """The runners-up an answer offers beside it ("🔎 Or: ..."): those ranked this close
    to it, and the runner-up whenever the answer is less sure than
    `alternative_probability`. A wrong answer's right entry is usually the runner-up
    (for 14 of 18 wrong answers on the calibration split, 2026-12-02), so a learner
    who got the wrong one is a tap away from the right one."""
    top = ranked[0].score
    close = [c for c in ranked[1:MAX_SUGGESTIONS] if top - c.score < settings.margin]
    if not close and len(ranked) > 1 and p < settings.alternative_probability:
        close = [ranked[1]]
    return close


def closest_phrasing(ranking: Ranking) -> float:
    """How close in meaning the message is to the nearest phrasing of any entry."""
    return max((signals.phrasing for _, signals, _ in ranking.candidates), default=0.0)


def intent_is_nearer(intent_similarity: float, phrasing_similarity: float) -> bool:
    """Small talk only when no entry's phrasing is closer than the nearest example
    (an exact example always is): "1NF 2NF 3NF explain like im 5" asks about
    normal forms, though "can you explain things simply" is help."""
    return intent_similarity >= EXACT_INTENT or intent_similarity >= phrasing_similarity
