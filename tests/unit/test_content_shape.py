"""Content that cannot be read, or is silently wrong, is a listed error naming the file
and field: never an exception, never a default that changes how the bot answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content import read_content

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


def errors_of(root: Path) -> list[tuple[str, str, str, str]]:
    _, problems = read_content(root)
    return [(p.file, p.item, p.field, p.message) for p in problems if not p.warning]


def test_the_fixture_itself_is_valid(content: Path) -> None:
    assert errors_of(content) == []


@pytest.mark.parametrize("name", ["entries/entries.yaml", "smalltalk.yaml", "matcher.yaml"])
def test_a_file_that_is_not_utf8_is_an_error(content: Path, name: str) -> None:
    (content / name).write_bytes(b"entries:\n  - id: caf\xe9\n")
    errors = errors_of(content)
    assert any(file == name and "UTF-8" in message for file, _, _, message in errors), errors


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("thresholds: 5\n", "thresholds"),
        ("- just\n- a list\n", "-"),
        ("thresholds:\n  answer_probability: high\n", "answer_probability"),
        ("thresholds:\n  answer_probability: .nan\n", "answer_probability"),
        ("thresholds:\n  answer_probability: 1.5\n", "answer_probability"),
        ("thresholds:\n  suggest_probability: -0.1\n", "suggest_probability"),
        ("thresholds:\n  margin: -3\n", "margin"),
        ("thresholds:\n  rank_phrasing: .inf\n", "rank_phrasing"),
        ("thresholds:\n  answer_probability: true\n", "answer_probability"),
        ("thresholds: {}\n", "thresholds"),
    ],
)
def test_wrong_matcher_settings_are_errors(content: Path, text: str, field: str) -> None:
    (content / "matcher.yaml").write_text(text)
    errors = errors_of(content)
    assert any(file == "matcher.yaml" and f == field for file, _, f, _ in errors), errors


def test_suggesting_above_answering_is_an_error(content: Path) -> None:
    (content / "matcher.yaml").write_text(
        "thresholds:\n  answer_probability: 0.4\n  suggest_probability: 0.6\n"
    )
    errors = errors_of(content)
    assert any(f == "suggest_probability" for _, _, f, _ in errors), errors


@pytest.mark.parametrize("missing", ["quizzes", "tips", "matcher.yaml", "entries"])
def test_a_missing_part_of_the_content_is_an_error(content: Path, missing: str) -> None:
    path = content / missing
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    errors = errors_of(content)
    assert any(missing in file or missing in field for file, _, field, _ in errors), errors


def test_an_empty_tips_folder_is_an_error(content: Path) -> None:
    for path in (content / "tips").glob("*.yaml"):
        path.unlink()
    assert any("tips" in file for file, _, _, _ in errors_of(content))


def test_a_tips_file_without_items_is_an_error(content: Path) -> None:
    for path in (content / "tips").glob("*.yaml"):
        path.write_text("tips: []\n")
    assert ("tips/", "-", "-", "no items: at least one is needed") in errors_of(content)
