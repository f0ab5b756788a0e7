"""The word index kept on disk: a warm start reads what a cold one built, and
changed content, a damaged file or an unwritable folder never give a stale index
or a failed start."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from content import KnowledgeBase, load_knowledge_base
from content.lexical import LexicalIndex
from content.lexical_cache import KEEP_OTHERS, PREFIX, lexical_index
from content.normalize import Normalizer

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
QUESTIONS = (
    ["what is an etag", "selct_related vs prefetch", "celery task retries"],
    ["why is my list endpoint slow", "k8s pod restarts", "xyzzy"],
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(FIXTURE)


def signals(index: LexicalIndex, normalizer: Normalizer) -> list[object]:
    return [
        index.signals(normalizer.content_tokens(q), also=[0, 1])
        for group in QUESTIONS
        for q in group
    ]


def stored(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{PREFIX}*.json"))


def test_a_warm_start_reads_the_index_a_cold_one_built(kb: KnowledgeBase, tmp_path: Path) -> None:
    normalizer = Normalizer(kb.synonyms)
    built = lexical_index(kb.entries, normalizer, tmp_path)
    [path] = stored(tmp_path)
    read = lexical_index(kb.entries, normalizer, tmp_path)
    assert signals(read, normalizer) == signals(built, normalizer)
    assert signals(read, normalizer) == signals(LexicalIndex(kb.entries, normalizer), normalizer)
    assert read.knows("etag") and stored(tmp_path) == [path]
    # It was read, not rebuilt: a marked file's content comes back.
    state = json.loads(path.read_text(encoding="utf-8"))
    state["idf"]["marker-token"] = 1.0
    path.write_text(json.dumps(state), encoding="utf-8")
    assert lexical_index(kb.entries, normalizer, tmp_path).knows("marker-token")


def test_changed_content_or_synonyms_build_a_new_index(kb: KnowledgeBase, tmp_path: Path) -> None:
    normalizer = Normalizer(kb.synonyms)
    lexical_index(kb.entries, normalizer, tmp_path)
    [before] = stored(tmp_path)
    first = kb.entries[0]
    changed = [
        dataclasses.replace(first, questions=(*first.questions, "zanzibar flux capacitor")),
        *kb.entries[1:],
    ]
    index = lexical_index(changed, normalizer, tmp_path)
    assert index.knows("zanzibar")
    assert len(stored(tmp_path)) == 2 and before in stored(tmp_path)  # a new name
    fewer = Normalizer({})
    lexical_index(changed, fewer, tmp_path)
    assert len(stored(tmp_path)) == 3  # a new name for new synonyms too


def test_the_folder_keeps_the_newest_indexes_only(kb: KnowledgeBase, tmp_path: Path) -> None:
    normalizer = Normalizer(kb.synonyms)
    first = kb.entries[0]
    for version in range(KEEP_OTHERS + 3):
        extra = f"version{'z' * version} question"
        entries = [
            dataclasses.replace(first, questions=(*first.questions, extra)),
            *kb.entries[1:],
        ]
        lexical_index(entries, normalizer, tmp_path)
        newest = max(stored(tmp_path), key=lambda path: path.stat().st_mtime_ns)
        assert lexical_index(entries, normalizer, tmp_path).knows(f"version{'z' * version}")
        os.utime(newest, ns=(version * 10**9, version * 10**9))  # written in this order
    assert len(stored(tmp_path)) == KEEP_OTHERS + 1


def test_a_damaged_or_foreign_file_is_rebuilt_with_a_warning(
    kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    normalizer = Normalizer(kb.synonyms)
    expected = signals(LexicalIndex(kb.entries, normalizer), normalizer)
    lexical_index(kb.entries, normalizer, tmp_path)
    [path] = stored(tmp_path)
    good = path.read_text(encoding="utf-8")
    foreign = json.loads(good)
    foreign["phrasings_of"][str(len(kb.entries) + 5)] = [0]  # an entry this content lacks
    for damage in [good[: len(good) // 2], "[]", json.dumps(foreign)]:
        path.write_text(damage, encoding="utf-8")
        with caplog.at_level("WARNING", logger="content.lexical_cache"):
            index = lexical_index(kb.entries, normalizer, tmp_path)
        assert signals(index, normalizer) == expected
        assert "Rebuilding the word index" in caplog.text
        assert path.read_text(encoding="utf-8") == good  # and stored again
        caplog.clear()


def test_an_unwritable_folder_costs_only_a_warning(
    kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("a file where the cache folder should be")
    normalizer = Normalizer(kb.synonyms)
    with caplog.at_level("WARNING", logger="content.lexical_cache"):
        index = lexical_index(kb.entries, normalizer, blocked / "cache")
    assert index.knows("etag")
    assert "Could not save the word index" in caplog.text
    assert list(tmp_path.iterdir()) == [blocked]


def test_unreadable_code_builds_without_a_cache(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed without readable sources (zipped or frozen), the index cannot be
    named by its code: it is built, and nothing is stored."""
    import content.lexical_cache as lexical_cache

    def unreadable(*args: object) -> str:
        raise FileNotFoundError("lexical.py is inside a zip")

    monkeypatch.setattr(lexical_cache, "fingerprint", unreadable)
    index = lexical_index(kb.entries, Normalizer(kb.synonyms), tmp_path)
    assert index.knows("etag") and list(tmp_path.iterdir()) == []


def test_no_folder_builds_in_memory(kb: KnowledgeBase, tmp_path: Path) -> None:
    index = lexical_index(kb.entries, Normalizer(kb.synonyms), None)
    assert index.knows("etag")


def test_a_matcher_keeps_its_word_index_beside_its_vectors(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    from content import Matcher
    from content.encoder import VectorCache

    first = Matcher(kb, cache=VectorCache(tmp_path))
    [path] = stored(tmp_path)
    state = json.loads(path.read_text(encoding="utf-8"))
    state["idf"]["marker-token"] = 1.0
    path.write_text(json.dumps(state), encoding="utf-8")
    again = Matcher(kb, cache=VectorCache(tmp_path))  # a warm start reads it
    assert again._lexical.knows("marker-token") and not first._lexical.knows("marker-token")
    best = again.match("what is an etag").best
    assert best is not None and best.entry.id == "caching-etag"
