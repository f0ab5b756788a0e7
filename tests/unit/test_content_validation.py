"""One broken fixture per kind of content error: each is reported with file, item and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from content import ContentError, load_knowledge_base, read_content
from content.duplicate_keys import duplicate_key_problems

ENTRY: dict[str, Any] = {
    "id": "sql-joins",
    "topic": "sql",
    "title": "Joins",
    "questions": ["What is a join?", "inner vs left join"],
    "keywords": ["join"],
    "answer": "<b>Joins</b> combine rows of two tables.",
    "related": ["sql-indexes"],
}
OTHER: dict[str, Any] = {**ENTRY, "id": "sql-indexes", "title": "Indexes", "related": ["sql-joins"]}
QUIZ: dict[str, Any] = {
    "id": "sql-joins-q1",
    "entry": "sql-joins",
    "difficulty": 1,
    "question": "Which join keeps unmatched left rows?",
    "options": ["INNER", "LEFT", "CROSS"],
    "correct": 1,
    "explanation": "LEFT JOIN keeps every left row.",
}
TIP: dict[str, Any] = {
    "id": "sql-joins-tip",
    "entry": "sql-joins",
    "text": "Prefer explicit JOINs.",
}


def write(root: Path, entries: list[dict[str, Any]], quizzes=(QUIZ,), tips=(TIP,)) -> Path:
    for folder in ("entries", "quizzes", "tips"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "topics.yaml").write_text(yaml.safe_dump({"topics": [{"id": "sql", "title": "SQL"}]}))
    (root / "entries" / "sql.yaml").write_text(yaml.safe_dump({"entries": entries}))
    (root / "quizzes" / "sql.yaml").write_text(yaml.safe_dump({"quizzes": list(quizzes)}))
    (root / "tips" / "sql.yaml").write_text(yaml.safe_dump({"tips": list(tips)}))
    (root / "matcher.yaml").write_text("thresholds:\n  answer_probability: 0.8\n")
    return root


def problems_of(root: Path) -> list[tuple[str, str, str, str]]:
    _, problems = read_content(root)
    return [(p.file, p.item, p.field, p.message) for p in problems if not p.warning]


def test_valid_fixture_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, [ENTRY, OTHER])) == []
    assert len(load_knowledge_base(tmp_path).entries) == 2


@pytest.mark.parametrize(
    ("change", "item", "field", "message"),
    [
        ({"topic": "nosql"}, "sql-joins", "topic", "unknown topic 'nosql'"),
        ({"related": ["sql-missing"]}, "sql-joins", "related", "unknown entry 'sql-missing'"),
        ({"questions": ["ok", ""]}, "sql-joins", "questions[1]", "empty phrasing"),
        ({"questions": []}, "sql-joins", "questions", "at least one phrasing"),
        ({"answer": "x" * 4097}, "sql-joins", "answer", "over Telegram's 4096"),
        ({"answer": "<h1>Joins</h1>"}, "sql-joins", "answer", "not in Telegram's HTML subset"),
        ({"answer": "<b>Joins"}, "sql-joins", "answer", "unclosed"),
        ({"answer": "a < b"}, "sql-joins", "answer", "unescaped '<'"),
        ({"title": None}, "sql-joins", "title", "missing"),
        ({"title": "x" * 251}, "sql-joins", "title", "251 characters, over 250"),
        ({"keywords": [f"k{i}" for i in range(41)]}, "sql-joins", "keywords", "41 keywords"),
        ({"questions": "one string"}, "sql-joins", "questions", "expected a list"),
        ({"colour": "red"}, "sql-joins", "colour", "unknown field"),
        ({"id": "SQL Joins"}, "SQL Joins", "id", "lowercase"),
    ],
)
def test_entry_problems_name_file_item_and_field(
    tmp_path: Path, change: dict[str, Any], item: str, field: str, message: str
) -> None:
    entry = {**ENTRY, **change}
    found = problems_of(write(tmp_path, [entry, OTHER], quizzes=(), tips=()))
    assert any(
        p[0] == "entries/sql.yaml" and p[1] == item and p[2] == field and message in p[3]
        for p in found
    ), found


def test_duplicate_ids(tmp_path: Path) -> None:
    found = problems_of(write(tmp_path, [ENTRY, OTHER, ENTRY]))
    assert ("entries/sql.yaml", "sql-joins", "id", "duplicate entry id") in found


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"entry": "sql-nope"}, "entry", "unknown entry"),
        ({"correct": 3}, "correct", "exactly one option"),
        ({"options": ["A", "B"], "correct": 0}, "options", "3 or 4 options"),
        ({"options": ["A", "A", "B"]}, "options", "the same"),
        ({"explanation": "x" * 201}, "explanation", "1-200"),
        ({"difficulty": 5}, "difficulty", "1, 2 or 3"),
        ({"question": "<b>which"}, "question", "unclosed"),
        # Options and explanations are plain text: an entity or a tag would show as typed.
        ({"options": ["INNER", "&lt;LEFT&gt;", "CROSS"]}, "options[1]", "plain text"),
        ({"explanation": "Use <code>INNER</code>."}, "explanation", "plain text"),
    ],
)
def test_quiz_problems(tmp_path: Path, change: dict[str, Any], field: str, message: str) -> None:
    found = problems_of(write(tmp_path, [ENTRY, OTHER], quizzes=({**QUIZ, **change},)))
    assert any(p[0] == "quizzes/sql.yaml" and p[2] == field and message in p[3] for p in found), (
        found
    )


def test_plain_angle_brackets_in_options_and_explanations_are_fine(tmp_path: Path) -> None:
    quiz = {**QUIZ, "options": ["INNER", "a < b", "CROSS"], "explanation": "get_<name>() & co."}
    found = problems_of(write(tmp_path, [ENTRY, OTHER], quizzes=(quiz,)))
    assert not [p for p in found if p[0] == "quizzes/sql.yaml"], found


def test_tip_problems(tmp_path: Path) -> None:
    found = problems_of(write(tmp_path, [ENTRY, OTHER], tips=({**TIP, "text": "y" * 601},)))
    assert any(p[:3] == ("tips/sql.yaml", "sql-joins-tip", "text") for p in found), found


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, [ENTRY, OTHER])
    (tmp_path / "entries" / "broken.yaml").write_text("entries:\n  - id: x\n   bad: [")
    found = problems_of(tmp_path)
    assert any(p[0] == "entries/broken.yaml" and "cannot read YAML" in p[3] for p in found)


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    broken = {**ENTRY, "topic": "nosql", "related": ["gone"], "answer": "<p>x</p>"}
    with pytest.raises(ContentError) as raised:
        load_knowledge_base(write(tmp_path, [broken, OTHER]))
    fields = {p.field for p in raised.value.problems}
    assert {"topic", "related", "answer"} <= fields


def test_bundled_content_is_valid() -> None:
    _, problems = read_content(Path(__file__).parents[2] / "content" / "data")
    assert [str(p) for p in problems if not p.warning] == []


def test_bundled_content_has_no_warnings() -> None:
    # Stricter than errors: every shipped entry has keywords and a related entry (a merge
    # that moved keyword lists between entries left 22 with none, with no error).
    _, problems = read_content(Path(__file__).parents[2] / "content" / "data")
    assert [str(p) for p in problems] == []


def test_an_entry_without_keywords_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, [{**ENTRY, "keywords": []}, OTHER])
    warnings = [p for p in read_content(tmp_path)[1] if p.warning]
    assert [(p.item, p.field) for p in warnings] == [("sql-joins", "keywords")]
    assert len(load_knowledge_base(tmp_path).entries) == 2  # it still loads


def test_near_duplicate_phrasings_of_different_entries_are_warned(tmp_path: Path) -> None:
    twin = {**OTHER, "questions": ["What is a JOIN??", "index types"]}
    write(tmp_path, [ENTRY, twin])
    quick = [p for p in read_content(tmp_path)[1] if p.warning]
    thorough = [p for p in read_content(tmp_path, thorough=True)[1] if p.warning]
    assert quick == []
    assert [(p.item, p.field) for p in thorough] == [("sql-joins", "questions[0]")]
    assert "near-duplicate of sql-indexes questions[0]" in thorough[0].message
    load_knowledge_base(tmp_path)  # warnings never stop the bot


def test_an_entry_without_related_is_a_dead_end_warning(tmp_path: Path) -> None:
    write(tmp_path, [{**ENTRY, "related": []}, OTHER])
    warnings = [p for p in read_content(tmp_path)[1] if p.warning]
    assert [(p.item, p.field) for p in warnings] == [("sql-joins", "related")]


def test_a_key_written_twice_is_an_error_of_content_check(tmp_path: Path) -> None:
    write(tmp_path, [ENTRY, OTHER])
    # The second `questions:` silently replaces the first in any YAML loader.
    entries = (tmp_path / "entries" / "sql.yaml").read_text()
    twice = entries.replace("  questions:", "  questions:\n  - lost\n  questions:", 1)
    (tmp_path / "entries" / "sql.yaml").write_text(twice)
    (tmp_path / "learner_words.yaml").write_text(
        'phrases:\n  "don scatter": "is broken"\n  "abeg": "please"\n  "don scatter": "has broken"\n'
    )
    thorough = [p for p in read_content(tmp_path, thorough=True)[1] if not p.warning]
    assert [(p.file, p.item) for p in thorough] == [
        ("entries/sql.yaml", "questions"),
        ("learner_words.yaml", "don scatter"),
    ]
    assert "key written twice (line 4)" in thorough[1].message
    assert problems_of(tmp_path) == []  # a start reads the last value and goes on


def test_bundled_content_writes_no_key_twice() -> None:
    assert duplicate_key_problems(Path(__file__).parents[2] / "content" / "data") == []
