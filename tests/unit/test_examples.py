"""The examples Nexus shows (in /start, /help and small-talk replies, and the
`ask --json` examples in README.md and docs/) behave as shown with the real matcher
on the bundled content, so they cannot drift."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.presentation.views import help_text, welcome
from content import Matcher, MatchStatus, load_knowledge_base

KB = load_knowledge_base()
EXAMPLE = re.compile(r"<i>([^<]+)</i>")
SHOWN = sorted(
    {
        *EXAMPLE.findall(welcome("Ada").text),
        *EXAMPLE.findall(help_text().text),
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


ROOT = Path(__file__).parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# An `ask --json` record as the docs show it: its question, band and entry.
RECORD = re.compile(
    r'\{"question": ("(?:[^"\\]|\\.)*"), "status": "(\w+)"(?:, "entry_id": ("[^"]*"|null))?'
)
DOCUMENTED = sorted(
    {
        (path.relative_to(ROOT).as_posix(), json.loads(q), status, json.loads(entry or "null"))
        for path in DOCUMENTS
        for q, status, entry in RECORD.findall(path.read_text(encoding="utf-8"))
    }
)


def test_the_docs_show_ask_examples() -> None:
    assert any(doc == "README.md" or doc.startswith("docs/") for doc, *_ in DOCUMENTED)


@pytest.mark.parametrize(("document", "question", "status", "entry_id"), DOCUMENTED)
def test_every_documented_ask_example_gets_the_documented_band(
    matcher: Matcher, document: str, question: str, status: str, entry_id: str | None
) -> None:
    result = matcher.match(question)
    assert result.status.value == status, (document, question, result.candidates[:2])
    if status == "answered":
        assert result.best is not None and result.best.entry.id == entry_id
