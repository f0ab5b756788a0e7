"""Learner English (Pidgin, Swahili and Sheng, Ghanaian English, chat shorthand) is
rewritten to plain English before matching; English and technical words never are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content import KnowledgeBase, Matcher, MatchStatus
from content.learner_english import FILE_NAME, LearnerEnglish, read_learner_words
from content.loader import read_content

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


def test_longest_phrase_first_whole_words_any_case() -> None:
    plain = LearnerEnglish({"dey": "is", "no dey work": "is not working", "abeg": ""})
    assert plain.rewrite("Abeg my celery worker NO DEY   work") == "my celery worker is not working"
    assert plain.rewrite("the app dey slow") == "the app is slow"
    # Inside a longer word nothing changes.
    assert plain.rewrite("monday deyo abegging") == "monday deyo abegging"


def test_an_empty_lexicon_changes_nothing() -> None:
    assert LearnerEnglish({}).rewrite("  how far,  etag? ") == "  how far,  etag? "


def test_the_bundled_lexicon_reads_learners_but_leaves_english_alone(
    bundled_kb: KnowledgeBase,
) -> None:
    plain = LearnerEnglish(bundled_kb.learner_words)
    assert len(bundled_kb.learner_words) >= 250
    swahili = plain.rewrite("celery task yangu inakaa pending, nifanye aje?")
    assert "my" in swahili.split() and "stays" in swahili.split()
    assert "what should i do" in swahili
    assert plain.rewrite("how i fit stop am").startswith("how can i")
    english = "the O(n) loop fits in memory; I don't sha256 the I/O, set the pwd and run it"
    assert plain.rewrite(english) == english


def test_a_learner_question_reaches_its_entry(bundled_kb: KnowledgeBase) -> None:
    matcher = Matcher(bundled_kb)
    result = matcher.match("nataka kupunguza size ya docker image yangu, ni kubwa sana")
    assert result.status is not MatchStatus.NO_MATCH
    assert result.candidates[0].entry.id in {"docker-image-size", "docker-multi-stage-builds"}


def test_a_missing_file_is_an_empty_lexicon(tmp_path: Path) -> None:
    problems: list = []
    assert read_learner_words(tmp_path, problems) == {}
    assert problems == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("phrases: [dey, is]\n", "expected a 'phrases:' mapping"),
        ('phrases:\n  "dey": [is]\n', "expected plain English text"),
        ("phrases: {dey: is\n", "cannot read"),
    ],
)
def test_a_broken_lexicon_is_a_content_error(tmp_path: Path, text: str, message: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / FILE_NAME).write_text(text, encoding="utf-8")
    _, problems = read_content(content)
    assert any(p.file == FILE_NAME and message in p.message for p in problems), problems
