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


def test_voice_typing_reads_technical_words_but_leaves_their_english_alone(
    bundled_kb: KnowledgeBase,
) -> None:
    plain = LearnerEnglish(bundled_kb.learner_words)
    assert plain.rewrite("cube cuddle get pods") == "kubectl get pods"
    assert plain.rewrite("connect jango to post grass") == "connect django to postgres"
    assert plain.rewrite("my sequel query returns jason") == "my sql query returns json"
    assert plain.rewrite("the salary task never runs") == "the celery task never runs"
    assert plain.rewrite("doctor compose up fails on four oh four") == (
        "docker compose up fails on 404"
    )
    # Common English words are read as technical ones only beside the words that
    # give them away: a payroll model's salary, a clinic's doctor, a course and cash.
    english = "the salary field of a doctor is cash; which course covers red is mine"
    assert plain.rewrite(english) == english


def test_a_voice_typed_question_reaches_its_entry(bundled_kb: KnowledgeBase) -> None:
    matcher = Matcher(bundled_kb)
    # Read as typed, nothing in the knowledge base is near "jango" and "post grass".
    result = matcher.match("how do i connect jango to post grass")
    assert result.status is MatchStatus.ANSWERED
    assert result.candidates[0].entry.id == "django-postgresql-setup"


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
