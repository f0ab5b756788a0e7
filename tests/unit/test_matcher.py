"""The matcher's bands, normalisation and the failure modes of plain fuzzy matching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from content import (
    Candidate,
    Entry,
    Matcher,
    MatcherSettings,
    MatchResult,
    MatchStatus,
    SmalltalkIntent,
    load_knowledge_base,
)
from content.matcher import decide
from content.ranking import Ranking, Signals
from content.smalltalk import IntentMatch

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    kb = load_knowledge_base(FIXTURE)
    assert kb.matcher_settings.answer_probability == 0.9  # fixed by the fixture's matcher.yaml
    return Matcher(kb)


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        (
            "What is the difference between select_related and prefetch_related?",
            "django-select-related",
        ),
        ("what is an etag", "caching-etag"),
        ("selct_relatd vs prefetch_relatd", "django-select-related"),  # typos
        ("k8s readiness probe", "kubernetes-probes"),  # synonym: k8s -> kubernetes
        ("fix n+1 in django", "django-select-related"),  # synonym with punctuation
        ("ETags??", "caching-etag"),  # plural, punctuation, case
        ("why does my list page fire queries per row", "django-select-related"),  # symptom
        ("my pod restarts in a loop", "kubernetes-probes"),
    ],
)
def test_answers_the_right_entry(matcher: Matcher, question: str, entry_id: str) -> None:
    result = matcher.match(question)
    assert result.status is MatchStatus.ANSWERED, result
    assert result.best is not None and result.best.entry.id == entry_id


@pytest.mark.parametrize(
    "question", ["how do i", "what is the", "How do I do it?", "can you explain"]
)
def test_stop_words_alone_never_match(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert result.status is MatchStatus.NO_MATCH
    assert result.candidates == ()


@pytest.mark.parametrize(
    "question", ["what's the weather in paris", "best pizza recipe", "asdfgh qwerty"]
)
def test_off_topic_is_no_match(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).status is MatchStatus.NO_MATCH


def test_symptom_shares_no_phrasing_words_but_reaches_the_concept(matcher: Matcher) -> None:
    # "bandwidth" and "validator" only appear in keywords: the keyword signal carries it.
    ranked = matcher.rank("validator to save bandwidth")
    assert ranked[0].entry.id == "caching-etag"


def test_close_candidates_are_ambiguous(matcher: Matcher) -> None:
    result = matcher.match("probes and rollouts")
    assert result.status is MatchStatus.AMBIGUOUS
    assert {c.entry.id for c in result.candidates[:2]} == {
        "kubernetes-probes",
        "kubernetes-rolling-update",
    }


def test_smalltalk(matcher: Matcher) -> None:
    for text, intent in [
        ("Hello!", "greeting"),
        ("thank you", "thanks"),
        ("good mornin", "greeting"),
    ]:
        result = matcher.match(text)
        assert result.status is MatchStatus.SMALLTALK, text
        assert result.smalltalk is not None and result.smalltalk.id == intent


def test_domain_question_with_a_greeting_is_still_answered(matcher: Matcher) -> None:
    result = matcher.match("hi, what is an etag?")
    assert result.status is MatchStatus.ANSWERED
    assert result.best is not None and result.best.entry.id == "caching-etag"


def test_a_sure_answer_is_not_encoded_again_for_small_talk(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a sure answer only exact small talk wins, so the message is encoded once
    (for the entries, without its greeting); an unsure one is also encoded as written
    for small talk, and exact small talk still needs no vector to win."""
    encoder = matcher._semantic._encoder
    encoded: list[str] = []
    original = encoder.encode_one

    def counting(text: str) -> Any:
        encoded.append(text)
        return original(text)

    monkeypatch.setattr(encoder, "encode_one", counting)
    matcher._semantic._recent.clear()
    sure = matcher.match("hi, what is an etag?")
    assert sure.status is MatchStatus.ANSWERED and sure.confidence >= 0.9
    assert encoded == ["what is an etag?"]

    encoded.clear()
    matcher._semantic._recent.clear()
    unsure = matcher.match("hey, probes and rollouts")
    assert unsure.status is not MatchStatus.ANSWERED
    assert encoded == ["probes and rollouts", "hey, probes and rollouts"]

    thanks = matcher.match("thanks!")
    assert thanks.status is MatchStatus.SMALLTALK and thanks.smalltalk is not None
    assert thanks.smalltalk.id == "thanks"


def test_scores_are_bounded_and_sorted(matcher: Matcher) -> None:
    ranked = matcher.rank("readiness probe restarts")
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_bundled_knowledge_base_answers_its_own_canonical_questions(bundled_kb) -> None:
    """Each entry's canonical question finds that entry first (a sanity floor, not the eval)."""
    matcher = Matcher(bundled_kb)
    misses = [
        e.id
        for e in bundled_kb.entries
        if (best := matcher.match(e.questions[0]).best) is None or best.entry.id != e.id
    ]
    assert len(misses) <= len(bundled_kb.entries) * 0.02, misses


def _ranking(scores: list[float], confidence: float) -> Ranking:
    signals = Signals(0.5, 0.5, 0.5, 0.5, 0.5, 0.5)
    return Ranking(
        tuple(
            (Entry(i, "t", i.upper(), ("q",), (), "a"), signals, s)
            for i, s in zip("abc", scores, strict=False)
        ),
        confidence,
        (),
    )


BANDS = MatcherSettings(
    answer_probability=0.6,
    suggest_probability=0.2,
    margin=5,
    smalltalk_similarity=0.8,
    smalltalk_fallback=0.6,
    alternative_probability=0.95,
)


@pytest.mark.parametrize(
    ("scores", "confidence", "status", "offered"),
    [
        ([60, 57, 10], 0.9, MatchStatus.ANSWERED, ["a", "b"]),  # answer, offer the close one
        ([80, 10, 5], 0.97, MatchStatus.ANSWERED, ["a"]),  # sure, clear margin: alone
        ([80, 10, 5], 0.9, MatchStatus.ANSWERED, ["a", "b"]),  # less sure: "Or:" the runner-up
        ([60, 57, 56], 0.9, MatchStatus.ANSWERED, ["a", "b", "c"]),  # close ones, no extra
        ([80], 0.9, MatchStatus.ANSWERED, ["a"]),  # nothing to offer beside it
        ([50, 30, 20], 0.4, MatchStatus.AMBIGUOUS, ["a", "b", "c"]),  # unsure: did you mean
        ([50, 30, 20], 0.1, MatchStatus.NO_MATCH, ["a", "b", "c"]),  # nearest kept for the log
        ([], 0.0, MatchStatus.NO_MATCH, []),
    ],
)
def test_decide_bands(
    scores: list[float], confidence: float, status: MatchStatus, offered: list[str]
) -> None:
    result = decide("q", _ranking(scores, confidence), None, BANDS)
    assert result.status is status
    assert [c.entry.id for c in result.candidates] == offered
    assert result.confidence == confidence


def test_smalltalk_by_meaning_yields_to_a_confident_answer() -> None:
    intent = SmalltalkIntent("greeting", ("hi",), "Hi!")
    near = IntentMatch(intent, 0.9)
    exact = IntentMatch(intent, 1.0)
    assert decide("hey", _ranking([60], 0.3), near, BANDS).status is MatchStatus.SMALLTALK
    assert decide("hey etag", _ranking([60], 0.9), near, BANDS).status is MatchStatus.ANSWERED
    # Exact words (or emoji) are small talk whatever an entry scores.
    assert decide("hi", _ranking([60], 0.9), exact, BANDS).status is MatchStatus.SMALLTALK
    # Fairly close: small talk only when no entry is even worth suggesting.
    fair = IntentMatch(intent, 0.7)
    assert decide("x", _ranking([60], 0.1), fair, BANDS).status is MatchStatus.SMALLTALK
    assert decide("x", _ranking([60], 0.4), fair, BANDS).status is MatchStatus.AMBIGUOUS
    # Below the fallback it is not small talk at all.
    far = IntentMatch(intent, 0.5)
    assert decide("x", _ranking([60], 0.1), far, BANDS).status is MatchStatus.NO_MATCH


def test_smalltalk_yields_to_an_entry_phrasing_closer_in_meaning() -> None:
    intent = SmalltalkIntent("help", ("can you explain things simply",), "Here's how I work")
    closer = Ranking(
        ((Entry("nf", "t", "Normal forms", ("q",), (), "a"), Signals(*[0.8] * 6), 60.0),),
        0.1,
        (),
    )
    # "1NF 2NF 3NF explain like im 5": close to a help example, closer to an entry.
    assert decide("x", closer, IntentMatch(intent, 0.7), BANDS).status is MatchStatus.NO_MATCH
    assert decide("x", closer, IntentMatch(intent, 0.85), BANDS).status is MatchStatus.SMALLTALK
    # Exact words of an example are small talk whatever an entry's phrasing says.
    assert decide("x", closer, IntentMatch(intent, 1.0), BANDS).status is MatchStatus.SMALLTALK


def test_an_answer_offers_close_alternatives_as_buttons(matcher: Matcher) -> None:
    from bot.presentation import callbacks, views

    kb = matcher.kb
    etag, control = kb.entry("caching-etag"), kb.entry("caching-cache-control")
    assert etag and control
    result = MatchResult(MatchStatus.ANSWERED, "q", (Candidate(etag, 95), Candidate(control, 93)))
    view = views.match_result(kb, result, log_id=1)
    labels = [b.label for row in view.rows for b in row]
    assert labels[0] == "🔎 Or: Cache-Control headers"
    assert "↪ Cache-Control headers" not in labels  # not offered twice
    # Picking it is kept for the authors, as a "did you mean" pick is.
    assert view.rows[0][0].callback == callbacks.PickSuggestion(control.short_id, 1)
    unlogged = views.match_result(kb, result, log_id=None)
    assert unlogged.rows[0][0].callback == callbacks.ShowEntry(control.short_id)


def test_a_built_matcher_leaves_no_second_copy_of_the_vectors(tmp_path: Path) -> None:
    """The indexes copy what they need; the on-disk cache's vectors leave memory,
    and a taught phrasing is still encoded and cached (then let go again)."""
    from content.encoder import VectorCache, shared_encoder

    cache = VectorCache(tmp_path)
    built = Matcher(load_knowledge_base(FIXTURE), cache=cache)
    assert cache.in_memory == 0
    best = built.match("what is an etag").best
    assert best is not None and best.entry.id == "caching-etag"
    odd = "purple giraffe umbrella soup recipe"
    built.set_learned([("caching-etag", odd)])
    assert cache.in_memory == 0
    taught = built.match(odd)
    assert taught.status is MatchStatus.ANSWERED and taught.best is not None
    assert taught.best.entry.id == "caching-etag"

    class NoEncoder:
        def encode(self, texts: list[str], stop: object = None) -> None:
            raise AssertionError(f"encoded {texts} again")

    on_disk = VectorCache(tmp_path).vectors([odd], NoEncoder())  # type: ignore[arg-type]
    assert on_disk.shape == (1, shared_encoder().dimension)
