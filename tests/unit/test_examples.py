"""The examples Nexus shows learners (in /start and in small-talk replies) are answered
by the real matcher on the bundled content, so they cannot drift."""

from __future__ import annotations

import re

import pytest

from bot.presentation.views import welcome
from content import Matcher, MatchStatus, load_knowledge_base

KB = load_knowledge_base()
EXAMPLE = re.compile(r"<i>([^<]+)</i>")
SHOWN = sorted(
    {
        *EXAMPLE.findall(welcome("Ada").text),
        *(text for intent in KB.smalltalk for text in EXAMPLE.findall(intent.reply)),
    }
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(KB)


def test_there_are_examples_to_check() -> None:
    assert len(SHOWN) >= 3


@pytest.mark.parametrize("example", SHOWN)
def test_every_shown_example_is_answered(matcher: Matcher, example: str) -> None:
    result = matcher.match(example)
    assert result.status is MatchStatus.ANSWERED, (example, result.candidates[:2])
