"""Small talk is an intent of its own on the bundled content: emoji, punctuation and
case never turn a greeting into a knowledge answer, and a question after a greeting
is still answered."""

from __future__ import annotations

import pytest

from content import Matcher, MatchStatus, load_knowledge_base


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge_base())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hi", "greeting"),
        ("HELLO!!!", "greeting"),
        ("hey nexus 👋", "greeting"),
        ("👋", "greeting"),
        ("thanks 🙏🏾", "thanks"),
        ("🙏", "thanks"),
        ("thank you nexus!!", "thanks"),
        ("👍", "acknowledgement"),
        ("ok", "acknowledgement"),
        ("bye", "farewell"),
        ("are you a bot?", "identity"),
        ("who made you", "identity"),
        ("how do i use this bot", "help"),
        ("where do i start", "start"),
        ("that's wrong", "complaint"),
    ],
)
def test_small_talk_intents(matcher: Matcher, text: str, intent: str) -> None:
    result = matcher.match(text)
    assert result.status is MatchStatus.SMALLTALK, result
    assert result.smalltalk is not None and result.smalltalk.id == intent


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("hi, what's an etag", "caching-etag"),
        ("hello nexus, what is a python decorator?", "python-decorators"),
        ("CrashLoopBackOff", "kubernetes-pods"),
    ],
)
def test_a_question_after_a_greeting_is_answered(matcher: Matcher, text: str, entry: str) -> None:
    result = matcher.match(text)
    assert result.status is MatchStatus.ANSWERED, result
    assert result.best is not None and result.best.entry.id == entry


def test_where_to_start_answers_with_the_program_path(matcher: Matcher) -> None:
    result = matcher.match("where do i start")
    assert result.smalltalk is not None
    reply = result.smalltalk.reply
    assert reply.index("Python") < reply.index("Django") < reply.index("Docker")


def test_punctuation_alone_is_not_small_talk(matcher: Matcher) -> None:
    assert matcher.match("??").status is MatchStatus.NO_MATCH
