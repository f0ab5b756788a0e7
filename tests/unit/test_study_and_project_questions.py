"""Questions about studying, projects and careers, and the technical problems two blind
splits found unanswered (tune23, tune24), reach the entries written for them. Worded
afresh: none of these is a phrasing or a blind message."""

from __future__ import annotations

import pytest

from content import KnowledgeBase, Matcher, MatchStatus


@pytest.fixture(scope="module")
def matcher(bundled_kb: KnowledgeBase) -> Matcher:
    return Matcher(bundled_kb)


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        (
            "i work full time and only have an hour each night, how do i plan my study week",
            "program-study-plan",
        ),
        ("after django what should i learn next", "program-what-to-learn-next"),
        (
            "my celery worker keeps eating more ram every day until it crashes",
            "async-celery-worker-memory-growth",
        ),
        (
            "how do i cancel a celery reminder task after the user pays",
            "async-celery-cancel-scheduled-task",
        ),
        (
            "filter(email=...) misses rows when the case is different",
            "django-case-insensitive-lookups",
        ),
    ],
)
def test_the_question_is_answered_with_its_entry(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    result = matcher.match(question)
    assert result.status is MatchStatus.ANSWERED, (question, result.candidates[:2])
    assert result.candidates[0].entry.id == entry_id


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        (
            "bots keep hammering my django admin login page",
            "security-django-admin-login-protection",
        ),
        (
            "my teammate has not done anything and our project is due soon",
            "program-team-inactive-member",
        ),
        ("what should i show on demo day if my project is only an api", "program-demo-day"),
    ],
)
def test_the_entry_is_offered_first(matcher: Matcher, question: str, entry_id: str) -> None:
    # Answered or a "did you mean", by machine (the int8 encoder's kernels differ
    # between CPUs); either way the entry written for it comes first.
    result = matcher.match(question)
    assert result.status is not MatchStatus.NO_MATCH, question
    assert result.candidates[0].entry.id == entry_id, (question, result.candidates[:2])
