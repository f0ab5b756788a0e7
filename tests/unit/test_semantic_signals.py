"""The matcher's meaning signals beside the nearest phrasing: the nearest phrasings'
votes, the classifier trained on every phrasing, and the program-topic prior."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from content import KnowledgeBase, Matcher, load_knowledge_base

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge_base(FIXTURE))


def _signals(matcher: Matcher, text: str) -> dict[str, object]:
    return {entry.id: signals for entry, signals in matcher.signals(text)}


def test_votes_are_shares_of_the_nearest_phrasings(matcher: Matcher) -> None:
    semantic = matcher._semantic
    _, votes = semantic.phrasing_scores(
        semantic.encode("why does my list page fire queries per row")
    )
    assert votes.sum() == pytest.approx(1.0, abs=1e-5)
    assert (votes >= 0).all()
    ids = [e.id for e in matcher.kb.entries]
    assert ids[int(np.argmax(votes))] == "django-select-related"


def test_the_trained_classifier_knows_each_entry_by_its_phrasings(matcher: Matcher) -> None:
    semantic = matcher._semantic
    entries = matcher.kb.entries
    hits = 0
    for index, entry in enumerate(entries):
        scores = semantic.trained_scores(semantic.encode(entry.questions[0]))
        hits += int(np.argmax(scores)) == index
    assert hits == len(entries)


def test_a_taught_phrasing_moves_the_trained_classifier(matcher: Matcher) -> None:
    semantic = matcher._semantic
    index = [e.id for e in matcher.kb.entries].index("caching-etag")
    odd = "my phone keeps downloading the same huge json every refresh"
    before = float(semantic.trained_scores(semantic.encode(odd))[index])
    matcher.set_learned([("caching-etag", odd)])
    try:
        after = float(semantic.trained_scores(semantic.encode(odd))[index])
    finally:
        matcher.set_learned([])
    assert after > before + 0.1
    assert float(semantic.trained_scores(semantic.encode(odd))[index]) == pytest.approx(before)


def test_program_entries_wait_for_a_question_about_the_program(bundled_kb: KnowledgeBase) -> None:
    matcher = Matcher(bundled_kb)
    general = _signals(matcher, "add sentry error tracking to my django app")
    about = _signals(matcher, "how did the alx prodev program set up sentry")
    program = {e.id for e in bundled_kb.entries if e.topic == "program"}
    assert program & general.keys() and program & about.keys()
    assert all(general[i].program_unasked == 1.0 for i in program & general.keys())  # type: ignore[attr-defined]
    assert all(about[i].program_unasked == 0.0 for i in program & about.keys())  # type: ignore[attr-defined]
    assert all(s.program_unasked == 0.0 for i, s in general.items() if i not in program)  # type: ignore[attr-defined]
    best = matcher.match("add sentry error tracking to my django app").best
    assert best is not None and best.entry.id == "observability-sentry"


def test_the_index_holds_its_vectors_as_int8(matcher: Matcher) -> None:
    semantic = matcher._semantic
    texts = semantic.phrasing_texts(matcher.kb.entries)
    assert semantic._phrasings.values.dtype == np.int8
    assert semantic._phrasings.values.shape == (len(texts), semantic._encoder.dimension)
    assert semantic._passages.values.dtype == np.int8
    # The nearest phrasing of a phrasing is itself, at a similarity of about 1.
    best, _ = semantic.phrasing_scores(semantic.encode(texts[0]))
    assert float(best.max()) == pytest.approx(1.0, abs=0.005)
