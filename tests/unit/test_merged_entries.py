"""Entries merged into another keep working under their old ids (`replaces`): links,
buttons in old messages and taught phrasings find the entry they became."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from content import KnowledgeBase, Matcher, load_knowledge_base
from content.matcher import MatchStatus
from content.model import short_key
from tests.unit.test_content_validation import ENTRY, OTHER, problems_of, write

BLIND = Path(__file__).parents[1] / "eval" / "blind"


def _former_ids(kb: KnowledgeBase) -> dict[str, str]:
    return {former: e.id for e in kb.entries for former in e.replaces}


def test_a_former_id_finds_the_entry_it_became(tmp_path: Path) -> None:
    merged: dict[str, Any] = {**OTHER, "replaces": ["sql-old-indexes"]}
    root = write(tmp_path, [ENTRY, merged])
    assert problems_of(root) == []
    kb = load_knowledge_base(root)
    found = kb.entry("sql-old-indexes")
    assert found is not None and found.id == "sql-indexes"
    by_short = kb.entry_by_short_id(short_key("sql-old-indexes"))
    assert by_short is not None and by_short.id == "sql-indexes"
    assert kb.entry("sql-never-was") is None


def test_replacing_a_live_entry_is_an_error(tmp_path: Path) -> None:
    merged: dict[str, Any] = {**OTHER, "replaces": ["sql-joins"]}
    assert problems_of(write(tmp_path, [ENTRY, merged])) == [
        ("entries/sql.yaml", "sql-indexes", "replaces", "'sql-joins' is still an entry")
    ]


def test_two_entries_cannot_replace_the_same_id(tmp_path: Path) -> None:
    first: dict[str, Any] = {**ENTRY, "replaces": ["sql-old"]}
    second: dict[str, Any] = {**OTHER, "replaces": ["sql-old"]}
    problems = problems_of(write(tmp_path, [first, second]))
    assert [(p[2], p[3]) for p in problems] == [
        ("replaces", "two entries claim to replace this id")
    ]


def test_a_phrasing_taught_under_a_former_id_answers_with_the_merged_entry(
    bundled_kb: KnowledgeBase,
) -> None:
    former, current = next(iter(_former_ids(bundled_kb).items()))
    matcher = Matcher(bundled_kb)
    odd = "purple giraffe umbrella soup recipe"
    matcher.set_learned([(former, odd)])
    result = matcher.match(odd)
    assert result.status is MatchStatus.ANSWERED
    assert result.best is not None and result.best.entry.id == current


def test_nothing_in_the_content_or_the_blind_labels_names_a_former_id(
    bundled_kb: KnowledgeBase,
) -> None:
    former = _former_ids(bundled_kb)
    assert {"rate-limiting-drf-throttling", "auth-drf-permissions"} <= former.keys()
    assert not former.keys() & {r for e in bundled_kb.entries for r in e.related}
    assert not former.keys() & {q.entry for q in bundled_kb.quizzes}
    assert not former.keys() & {t.entry for t in bundled_kb.tips}
    for split in BLIND.glob("*.yaml"):
        questions = yaml.safe_load(split.read_text(encoding="utf-8"))["questions"]
        labels = {
            label
            for q in questions
            for label in (*q["entries"], *q.get("second", []), *q.get("later", []))
        }
        assert not former.keys() & labels, split.name
