"""Small talk is an intent of its own on the bundled content: emoji, punctuation and
case never turn a greeting into a knowledge answer, and a question after a greeting
is still answered."""

from __future__ import annotations

import pytest

from bot.presentation import callbacks, views
from content import Matcher, MatchStatus, load_knowledge_base
from content.smalltalk import without_address, without_name, without_opener


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
        ("CrashLoopBackOff", "kubernetes-crashloopbackoff"),
        # "Project Nexus" is the program's capstone, not the bot's name: without it the
        # question was "what is project" and got the Django project-vs-app entry.
        ("wetin be project nexus", "program-nexus-readme"),
        ("hi nexus, what is project nexus", "program-nexus-readme"),
    ],
)
def test_a_question_after_a_greeting_is_answered(matcher: Matcher, text: str, entry: str) -> None:
    result = matcher.match(text)
    assert result.status is MatchStatus.ANSWERED, result
    assert result.best is not None and result.best.entry.id == entry


@pytest.mark.parametrize(
    "question",
    [
        "where do i start",
        "What should I learn first?",
        "i'm new, where to begin",
        "how do i get started",
        "I just joined, what should I study first",
    ],
)
def test_where_to_start_leads_onto_the_path(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert result.status is MatchStatus.SMALLTALK, result
    assert result.smalltalk is not None and result.smalltalk.id == views.START_INTENT
    assert "/path" in result.smalltalk.reply and "/next" in result.smalltalk.reply
    shown = views.match_result(matcher.kb, result, log_id=None)
    assert [[(b.label, b.callback) for b in row] for row in shown.rows] == [
        [("🧭 My path", callbacks.OpenPath()), ("▶️ Next concept", callbacks.OpenNext())]
    ]


def test_punctuation_alone_is_not_small_talk(matcher: Matcher) -> None:
    assert matcher.match("??").status is MatchStatus.NO_MATCH


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("chale, noted oo", "acknowledgement"),  # not the greeting "chale"
        ("boss abeg, i don understand now", "acknowledgement"),
        ("sir, thank you jare", "thanks"),
        ("nexus my guy, who made you sef", "identity"),
    ],
)
def test_words_that_only_address_the_bot_do_not_decide_the_intent(
    matcher: Matcher, text: str, intent: str
) -> None:
    result = matcher.match(text)
    assert result.status is MatchStatus.SMALLTALK, result
    assert result.smalltalk is not None and result.smalltalk.id == intent


def test_address_words_are_dropped_only_when_something_is_left() -> None:
    assert without_address("chale, thank you oo") == "thank you"
    assert without_address("Nexus my guy, you try!") == "you try!"
    assert without_address("chale") == "chale"  # the whole greeting
    assert without_address("boss o") == "boss o"
    assert without_address("how do I fix cors abeg") == "how do I fix cors"


def test_the_bot_s_name_is_dropped_but_not_from_project_nexus() -> None:
    assert without_name("thanks nexus") == "thanks"
    assert without_opener("nexus, what is an etag") == "what is an etag"
    for kept in ("what is project nexus", "Project Nexus deadline", "my nexus project readme"):
        assert without_name(kept) == kept
        assert without_opener(kept) == kept
        assert without_address(kept) == kept
    assert without_opener("hi nexus what is project nexus") == "what is project nexus"
