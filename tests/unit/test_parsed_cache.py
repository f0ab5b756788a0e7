"""The parsed content kept on disk: a warm start reads what a cold one parsed, and
changed files, values JSON cannot hold, broken YAML or a damaged cache never give
other content or hide a problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from content import ContentError, load_knowledge_base, read_content
from content.parsed_cache import KEEP_OTHERS, PREFIX, ParsedFiles, is_missing

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"


def stored(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{PREFIX}*.json"))


def refuse_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a topics, entries, quizzes, tips, synonyms or small-talk file is parsed
    (the loader reads those from an open file; the small settings files are text)."""
    parse = yaml.load

    def refuse(stream: Any, Loader: Any) -> Any:
        if hasattr(stream, "name"):
            raise AssertionError(f"{stream.name} was parsed again")
        return parse(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", refuse)


def test_a_second_load_reads_the_kept_state_and_gives_the_same_content(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cold = load_knowledge_base(content, cache_folder=cache)
    assert len(stored(cache)) == 1
    refuse_yaml(monkeypatch)
    assert load_knowledge_base(content, cache_folder=cache) == cold
    monkeypatch.undo()
    assert load_knowledge_base(content) == cold


def test_without_a_folder_nothing_is_kept(content: Path, tmp_path: Path) -> None:
    load_knowledge_base(content)
    assert not list(tmp_path.rglob(f"{PREFIX}*.json"))


def test_a_changed_file_is_parsed_again(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    before = load_knowledge_base(content, cache_folder=cache)
    entries = next((content / "entries").glob("*.yaml"))
    first = before.entries[0]
    text = entries.read_text(encoding="utf-8")
    assert f"title: {first.title}" in text
    entries.write_text(
        text.replace(f"title: {first.title}", "title: A new title", 1), encoding="utf-8"
    )
    after = load_knowledge_base(content, cache_folder=cache)
    assert any(e.title == "A new title" for e in after.entries)
    assert len(stored(cache)) == 2  # the new state beside the old one
    refuse_yaml(monkeypatch)
    assert load_knowledge_base(content, cache_folder=cache) == after


def test_broken_yaml_is_reported_at_every_load(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (content / "tips" / "broken.yaml").write_text("tips: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        _, problems = read_content(content, cache_folder=cache)
        assert any(
            p.file == "tips/broken.yaml" and "cannot read YAML" in p.message for p in problems
        )
    with pytest.raises(ContentError):
        load_knowledge_base(content, cache_folder=cache)


def test_a_value_json_cannot_hold_is_parsed_each_time(content: Path, tmp_path: Path) -> None:
    """A YAML date would come back from JSON as text: that file is never kept."""
    cache = tmp_path / "cache"
    synonyms = content / "synonyms.yaml"
    synonyms.write_text(
        synonyms.read_text(encoding="utf-8") + "written: 2026-12-02\n", encoding="utf-8"
    )
    first, _ = read_content(content, cache_folder=cache)
    second, _ = read_content(content, cache_folder=cache)
    assert first == second
    (state,) = stored(cache)
    assert "2026-12-02" not in state.read_text(encoding="utf-8")


def test_a_damaged_state_is_ignored(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = load_knowledge_base(content, cache_folder=cache)
    (state,) = stored(cache)
    for damage in ("{not json", "[1, 2, 3]", '{"abc": {"entries": []}}'):
        state.write_text(damage, encoding="utf-8")
        assert load_knowledge_base(content, cache_folder=cache) == cold


def test_an_unwritable_folder_costs_a_parse_not_a_start(content: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert load_knowledge_base(content, cache_folder=blocked).entries


def test_old_states_are_pruned(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tips = content / "tips" / "extra.yaml"
    for number in range(KEEP_OTHERS + 3):
        tips.write_text(
            f"tips:\n- id: extra-{number}\n  entry: caching-etag\n  text: Tip number {number}.\n",
            encoding="utf-8",
        )
        read_content(content, cache_folder=cache)
    assert len(stored(cache)) == KEEP_OTHERS + 1


def test_a_file_edited_while_it_is_read_is_not_kept(content: Path, tmp_path: Path) -> None:
    """The state is named by the bytes `open` hashed: a value parsed from newer bytes
    must not be stored under it."""
    cache = tmp_path / "cache"
    parsed = ParsedFiles(cache)
    parsed.open(content)
    topics = content / "topics.yaml"
    assert is_missing(parsed.value(topics))
    topics.write_text(topics.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    parsed.keep(topics, yaml.safe_load(topics.read_text(encoding="utf-8")))
    parsed.save()
    assert stored(cache) == []  # nothing was kept, so no state was written
