"""The matcher's bands, normalisation and the failure modes of plain fuzzy matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from content import Matcher, MatchStatus, load_knowledge_base

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    kb = load_knowledge_base(FIXTURE)
    assert kb.matcher_settings.answer_threshold == 50.0  # fixed by the fixture's matcher.yaml
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
    assert {c.entry.id for c in result.candidates} == {
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
