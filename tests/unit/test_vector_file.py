"""The vector cache's file, read a chunk of rows at a time: the rows asked for, in the
order asked, from files np.savez wrote (every cache before this reader) and from the
files it writes itself."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from content import vector_file
from content.encoder import VectorCache
from content.vector_file import StoredVectors, write_vectors

DIMENSION = 8


def rows(count: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, DIMENSION)).astype(np.float32)


def savez_file(path: Path, keys: list[str], vectors: np.ndarray) -> Path:
    np.savez(path, keys=np.array(keys), vectors=vectors)
    return path


def test_rows_come_back_as_asked_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_file, "CHUNK_ROWS", 4)
    vectors = rows(23)
    stored = StoredVectors(savez_file(tmp_path / "v.npz", [f"k{i}" for i in range(23)], vectors))
    wanted = [22, 0, 5, 4, 17, 3, 9, 10, 11, 12, 13]
    out = np.zeros((len(wanted) + 2, DIMENSION), dtype=np.float32)
    positions = [p + 2 for p in range(len(wanted))]  # rows 0 and 1 of out are left alone
    stored.read_into(out, positions, wanted)
    assert np.array_equal(out[2:], vectors[wanted])
    assert not out[:2].any()
    assert stored.row_of["k17"] == 17 and len(stored) == 23 and stored.dimension == DIMENSION
    stored.close()


def test_a_written_file_reads_back_and_loads_with_numpy(tmp_path: Path) -> None:
    vectors = rows(10)
    keys = [f"key {i}" for i in range(10)]
    path = tmp_path / "w.npz"
    with path.open("wb") as out:
        write_vectors(out, keys, DIMENSION, [vectors[:3], vectors[3:]])
    with np.load(path) as loaded:
        assert list(loaded["keys"]) == keys
        assert np.array_equal(loaded["vectors"], vectors)
    stored = StoredVectors(path)
    chunks = list(stored.chunks())
    assert [k for part, _ in chunks for k in part] == keys
    assert np.array_equal(np.concatenate([c for _, c in chunks]), vectors)
    stored.close()


def test_writing_fewer_rows_than_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="2 rows written for 3 keys"):
        write_vectors(io.BytesIO(), ["a", "b", "c"], DIMENSION, [rows(2)])


def test_files_that_cannot_be_read_in_place_are_refused(tmp_path: Path) -> None:
    compressed = tmp_path / "c.npz"
    np.savez_compressed(compressed, keys=np.array(["a"]), vectors=rows(1))
    with pytest.raises(ValueError, match="compressed"):
        StoredVectors(compressed)
    mismatched = savez_file(tmp_path / "m.npz", ["a", "b"], rows(3))
    with pytest.raises(ValueError, match="2 keys"):
        StoredVectors(mismatched)
    doubled = savez_file(tmp_path / "d.npz", ["a", "a"], rows(2))
    with pytest.raises(ValueError, match="twice"):
        StoredVectors(doubled)
    truncated = tmp_path / "t.npz"
    truncated.write_bytes(savez_file(tmp_path / "full.npz", ["a"], rows(1)).read_bytes()[:40])
    with pytest.raises((ValueError, zipfile.BadZipFile)):
        StoredVectors(truncated)


def test_a_cache_file_np_savez_wrote_is_read_without_encoding(tmp_path: Path) -> None:
    """Caches written before the chunked reader (by np.savez) stay warm."""
    cache = VectorCache(tmp_path)
    texts = ["what is an etag", "celery retries"]
    vectors = np.random.default_rng(5).standard_normal((2, 384)).astype(np.float32)
    savez_file(cache._path, [cache.key(t) for t in texts], vectors)  # type: ignore[arg-type]

    class NoEncoder:
        def encode(self, texts: list[str], stop: object = None) -> np.ndarray:
            raise AssertionError(f"encoded {texts}")

    assert np.array_equal(cache.vectors(texts[::-1], NoEncoder()), vectors[::-1])  # type: ignore[arg-type]


def test_a_put_replaces_a_stored_vector_at_the_next_save(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path)
    old = np.ones((1, 384), dtype=np.float32)
    cache.put(["a text"], old)
    new = np.full((1, 384), 2.0, dtype=np.float32)

    class Fixed:
        def encode(self, texts: list[str], stop: object = None) -> np.ndarray:
            return np.zeros((len(texts), 384), dtype=np.float32)

    cache.vectors(["another"], Fixed())  # type: ignore[arg-type]  # saves "a text" too
    cache.put(["a text"], new)
    cache.vectors(["a third"], Fixed())  # type: ignore[arg-type]  # saves again
    reread = VectorCache(tmp_path)
    assert len(reread) == 3
    assert np.array_equal(reread.vectors(["a text"], Fixed()), new)  # type: ignore[arg-type]


def test_a_save_closes_the_old_file_before_replacing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows cannot replace a file that is open: the old file is read to the end and
    closed before the rename, and the new one is read afterwards."""
    cache = VectorCache(tmp_path)

    class Fixed:
        def encode(self, texts: list[str], stop: object = None) -> np.ndarray:
            return np.ones((len(texts), 384), dtype=np.float32)

    cache.vectors(["first"], Fixed())  # type: ignore[arg-type]  # the file exists, opened
    stored = cache._stored
    assert stored is not None
    real_replace = os.replace
    open_at_replace = []

    def replace(source: str, target: Path) -> None:
        open_at_replace.append(not stored._file.closed)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    vectors = cache.vectors(["second", "first"], Fixed())  # type: ignore[arg-type]
    assert open_at_replace == [False]
    assert vectors.shape == (2, 384) and len(VectorCache(tmp_path)) == 2


def test_vectors_another_process_overwrote_stay_in_memory_and_are_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bots sharing a cache folder save at the same moment: the later file wins and
    may lack what this one encoded. The lookup still returns it (from memory), and the
    next save writes it again, instead of failing the matcher's build."""
    cache = VectorCache(tmp_path)
    other = np.full((1, 384), 7.0, dtype=np.float32)
    real_replace = os.replace

    def replace_then_overwritten(source: str, target: Path) -> None:
        real_replace(source, target)
        savez_file(Path(target), [cache.key("the other bot's text")], other)

    class Fixed:
        def encode(self, texts: list[str], stop: object = None) -> np.ndarray:
            return np.full((len(texts), 384), 3.0, dtype=np.float32)

    monkeypatch.setattr(os, "replace", replace_then_overwritten)
    mine = cache.vectors(["my text"], Fixed())  # type: ignore[arg-type]
    assert np.array_equal(mine, np.full((1, 384), 3.0, dtype=np.float32))
    assert cache.in_memory == 1  # not on disk: kept for the next save
    monkeypatch.setattr(os, "replace", real_replace)
    cache.vectors(["a later text"], Fixed())  # type: ignore[arg-type]  # saves again
    reread = VectorCache(tmp_path)
    assert len(reread) == 3 and cache.in_memory == 0
    assert np.array_equal(reread.vectors(["the other bot's text"], Fixed()), other)  # type: ignore[arg-type]
