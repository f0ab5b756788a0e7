"""The shipped sentence encoder: the files are the recorded ones, loading and encoding
never touch the network, and the vector cache re-encodes only what changed."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from content import Matcher, load_knowledge_base
from content import encoder as encoder_module
from content.encoder import (
    MODEL_DIR,
    MODEL_FILE,
    MODEL_SHA256,
    PARALLEL_FROM,
    EncodingStopped,
    SentenceEncoder,
    VectorCache,
)

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def test_shipped_files_match_their_recorded_checksums() -> None:
    model = hashlib.sha256((MODEL_DIR / MODEL_FILE).read_bytes()).hexdigest()
    tokenizer = hashlib.sha256((MODEL_DIR / "tokenizer.json").read_bytes()).hexdigest()
    assert (model, tokenizer) == (MODEL_SHA256, TOKENIZER_SHA256)
    readme = (MODEL_DIR / "README.md").read_text()
    assert MODEL_SHA256 in readme and TOKENIZER_SHA256 in readme
    assert "Apache License" in (MODEL_DIR / "LICENSE").read_text()


def test_loading_and_encoding_open_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[object, ...]] = []

    class NoSocket(socket.socket):
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(args)
            raise OSError("network is off in this test")

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", NoSocket)
    encoder = SentenceEncoder()
    vector = encoder.encode_one("why does my endpoint run one query per row")
    assert opened == []
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-3


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_similar_meaning_is_closer_than_shared_words(encoder: SentenceEncoder) -> None:
    n_plus_one = encoder.encode_one("N+1 queries: one query per row in a list endpoint")
    symptom = encoder.encode_one("my api got slow, the log shows hundreds of select statements")
    unrelated = encoder.encode_one("the list of my favourite endpoints in the park")
    assert float(n_plus_one @ symptom) > float(n_plus_one @ unrelated)


def test_a_text_gets_the_same_vector_alone_and_among_others(encoder: SentenceEncoder) -> None:
    alone = encoder.encode_one("thank you")
    among = encoder.encode(["a much longer sentence about database indexes", "thank you"])[1]
    assert float(alone @ among) > 0.9999


def test_many_texts_are_shared_among_cores_and_keep_their_own_vectors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first start encodes thousands of texts: one thread per core, each text
    still run alone, so the vectors are exactly the ones a text gets on its own,
    in the order asked."""
    import threading

    import content.encoder as encoder_module

    monkeypatch.setattr(encoder_module, "_cores", lambda: 2)
    threads: set[str] = set()

    class Watched(SentenceEncoder):
        def encode_one(self, text: str) -> np.ndarray:  # type: ignore[override]
            threads.add(threading.current_thread().name)
            return super().encode_one(text)

    watched = Watched()
    texts = [f"question {i}: why is endpoint {i % 7} slow with {i} rows" for i in range(70)]
    together = watched.encode(texts)
    assert len({name for name in threads if name.startswith("nexus-encode")}) == 2
    threads.clear()
    alone = np.stack([watched.encode_one(text) for text in texts])
    assert np.array_equal(together, alone)
    few = watched.encode(texts[:3])  # below PARALLEL_FROM: in the caller's thread
    assert np.array_equal(few, alone[:3])
    assert threads == {threading.current_thread().name}


class FilledEncoder:
    """Encodes by looking texts up in an in-memory cache filled beforehand."""

    def __init__(self, filled: VectorCache) -> None:
        self.filled = filled

    def encode(self, texts: list[str], stop: threading.Event | None = None) -> np.ndarray:
        return self.filled.vectors(texts, self)  # type: ignore[arg-type]


class CountingEncoder(SentenceEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode_one(self, text: str) -> np.ndarray:  # type: ignore[override]
        self.encoded.append(text)
        return super().encode_one(text)


def test_vector_cache_encodes_each_text_once_across_restarts(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    first = VectorCache(tmp_path).vectors(["what is an etag", "celery retries"], encoder)
    assert sorted(encoder.encoded) == ["celery retries", "what is an etag"]
    encoder.encoded.clear()
    # A new process (a new cache object on the same folder): only the changed text is encoded.
    again = VectorCache(tmp_path).vectors(["what is an etag", "celery retry policy"], encoder)
    assert encoder.encoded == ["celery retry policy"]
    assert np.allclose(first[0], again[0])


def test_vector_cache_survives_a_corrupt_file(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path)
    cache.vectors(["hello"], SentenceEncoder())
    (path,) = tmp_path.glob("*.npz")
    path.write_bytes(b"not a numpy file")
    encoder = CountingEncoder()
    assert VectorCache(tmp_path).vectors(["hello"], encoder).shape == (1, 384)
    assert encoder.encoded == ["hello"]


def test_vectors_put_in_the_cache_are_served_without_encoding() -> None:
    cache = VectorCache(None)
    vectors = np.eye(2, 384, dtype=np.float32)
    cache.put(["first text", "second text"], vectors)
    encoder = CountingEncoder()
    assert np.array_equal(cache.vectors(["second text", "first text"], encoder), vectors[::-1])
    assert encoder.encoded == []
    with pytest.raises(ValueError):
        cache.put(["one text"], vectors)


class RecordingEncoder:
    """Stands in for the model where only the cache's bookkeeping is under test: zero
    vectors, noting what it was asked to encode; `on_encode` runs before each
    run, and a set `stop` ends a run before its first text, as SentenceEncoder's does."""

    def __init__(self, on_encode: Callable[[], None] = lambda: None) -> None:
        self.encoded: list[str] = []
        self.on_encode = on_encode

    def encode(self, texts: list[str], stop: threading.Event | None = None) -> np.ndarray:
        self.on_encode()
        if stop is not None and stop.is_set():
            raise EncodingStopped("stopped before the first text")
        self.encoded.extend(texts)
        return np.zeros((len(texts), 384), dtype=np.float32)


def test_a_long_first_encoding_is_announced_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    texts = [f"text number {i}" for i in range(250)]
    cache = VectorCache(tmp_path)
    with caplog.at_level("WARNING", logger="content.encoder"):
        cache.vectors(texts, RecordingEncoder())  # type: ignore[arg-type]
        cache.vectors(texts, RecordingEncoder())  # type: ignore[arg-type]
    announced = [r.getMessage() for r in caplog.records]
    assert len(announced) == 1 and "Encoding 250 texts" in announced[0]
    assert str(tmp_path) in announced[0]


def test_encode_missing_encodes_only_what_is_new_in_one_announced_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A start encodes every new text of the knowledge base in one run, then its
    indexes read the vectors a group at a time without encoding anything."""
    texts = [f"text number {i}" for i in range(250)]
    cache = VectorCache(tmp_path)
    cache.vectors(texts[:10], RecordingEncoder())  # type: ignore[arg-type]
    encoder = RecordingEncoder()
    with caplog.at_level("WARNING", logger="content.encoder"):
        cache.encode_missing(texts, encoder)  # type: ignore[arg-type]
        cache.encode_missing(texts, encoder)  # type: ignore[arg-type]
    assert sorted(encoder.encoded) == sorted(texts[10:])  # once each, the new ones only
    assert [r.getMessage()[:18] for r in caplog.records] == ["Encoding 240 texts"]
    assert cache.in_memory == 0 and len(VectorCache(tmp_path)) == 250  # saved, none held
    reader = CountingEncoder()
    assert cache.vectors(texts[200:], reader).shape == (50, 384)
    assert reader.encoded == []


def test_an_unwritable_cache_folder_costs_nothing_but_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("a file where the cache folder should be")
    cache = VectorCache(blocked / "vectors")
    with caplog.at_level("WARNING", logger="content.encoder"):
        vectors = cache.vectors(["hello"], RecordingEncoder())  # type: ignore[arg-type]
    assert vectors.shape == (1, 384)
    assert any("Could not save the vector cache" in r.getMessage() for r in caplog.records)
    assert list(tmp_path.iterdir()) == [blocked]  # no stray temporary file


def test_a_cache_holds_none_of_its_files_vectors_and_reads_them_again(tmp_path: Path) -> None:
    """Saved vectors are read from the file at each lookup, never kept in memory (a
    warm start's peak would hold them twice), and a released cache opens it again."""
    cache = VectorCache(tmp_path)
    first = cache.vectors(["what is an etag", "celery retries"], RecordingEncoder())  # type: ignore[arg-type]
    assert cache.in_memory == 0 and len(cache) == 2  # saved, so held only on disk
    cache.release()
    encoder = CountingEncoder()
    again = cache.vectors(["celery retries", "what is an etag"], encoder)
    assert encoder.encoded == []
    assert np.array_equal(again, first[::-1])
    assert cache.in_memory == 0


def test_a_warm_lookup_gives_the_vectors_it_saved_in_any_order(tmp_path: Path) -> None:
    texts = [f"text number {n}" for n in range(30)]
    vectors = np.random.default_rng(7).standard_normal((30, 384)).astype(np.float32)
    filled = VectorCache(None)
    filled.put(texts, vectors)
    writer = VectorCache(tmp_path)
    writer.put(texts[:20], vectors[:20])
    writer.vectors(texts[20:], FilledEncoder(filled))  # encodes 10, saves all 30
    reader = VectorCache(tmp_path)
    groups = reader.grouped_vectors([texts[25:], texts[3:10][::-1], [texts[0]]], CountingEncoder())
    assert np.array_equal(groups[0], vectors[25:])
    assert np.array_equal(groups[1], vectors[3:10][::-1])
    assert np.array_equal(groups[2], vectors[:1])


def test_release_keeps_vectors_that_exist_nowhere_else(tmp_path: Path) -> None:
    in_memory = VectorCache(None)
    in_memory.put(["first text"], np.eye(1, 384, dtype=np.float32))
    in_memory.release()
    assert in_memory.in_memory == 1
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("a file where the cache folder should be")
    unsaved = VectorCache(blocked / "vectors")
    unsaved.vectors(["hello"], RecordingEncoder())  # type: ignore[arg-type]
    unsaved.release()
    encoder = CountingEncoder()
    assert unsaved.vectors(["hello"], encoder).shape == (1, 384)
    assert encoder.encoded == []


def test_a_stopped_run_ends_at_its_next_text(encoder: SentenceEncoder, tmp_path: Path) -> None:
    """A bot stopped during a first start's encoding need not wait for all of it."""
    stop = threading.Event()
    stop.set()
    texts = [f"text number {n}" for n in range(PARALLEL_FROM * 2)]  # the threaded path
    with pytest.raises(EncodingStopped):
        encoder.encode(texts, stop)
    with pytest.raises(EncodingStopped):
        encoder.encode(texts[:3], stop)  # one thread
    cache = VectorCache(tmp_path)
    with pytest.raises(EncodingStopped):
        cache.grouped_vectors([texts[:2], texts[2:4]], encoder, stop)
    assert len(cache) == 0 and not list(tmp_path.iterdir())  # stopped before any text
    assert cache.vectors(texts[:2], encoder).shape == (2, 384)  # no stop: encoded


def test_a_stopped_first_encoding_keeps_the_chunks_it_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bot stopped during its first start's encoding (a rollout, a probe) keeps what
    it encoded: the next start encodes only the rest instead of starting over."""
    monkeypatch.setattr(encoder_module, "CHUNK_TEXTS", 4)
    texts = [f"text number {n}" for n in range(10)]
    stop = threading.Event()
    stopped = RecordingEncoder(on_encode=lambda: stop.set() if stopped.encoded else None)
    with pytest.raises(EncodingStopped):
        VectorCache(tmp_path).grouped_vectors([texts[:5], texts[5:]], stopped, stop)  # type: ignore[arg-type]
    assert len(stopped.encoded) == 4  # one chunk, then the stop
    assert len(VectorCache(tmp_path)) == 4  # saved as the run stopped
    restarted = RecordingEncoder()
    vectors = VectorCache(tmp_path).vectors(texts, restarted)  # type: ignore[arg-type]
    assert vectors.shape == (10, 384)
    assert sorted(stopped.encoded + restarted.encoded) == sorted(texts)


def test_a_long_encoding_saves_its_progress_before_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a killed process (SIGKILL, out of memory) leaves on disk: every chunk done
    before the last save."""
    monkeypatch.setattr(encoder_module, "CHUNK_TEXTS", 4)
    monkeypatch.setattr(encoder_module, "SAVE_EVERY_S", 0.0)
    on_disk: list[int] = []
    encoder = RecordingEncoder(on_encode=lambda: on_disk.append(len(VectorCache(tmp_path))))
    VectorCache(tmp_path).vectors([f"text number {n}" for n in range(10)], encoder)  # type: ignore[arg-type]
    assert on_disk == [0, 4, 8]  # as each chunk starts, the chunks before it are saved
    assert len(VectorCache(tmp_path)) == 10


def test_a_matcher_built_with_its_stop_set_raises_instead_of_encoding(
    encoder: SentenceEncoder,
) -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(EncodingStopped):
        Matcher(load_knowledge_base(FIXTURE), encoder=encoder, cache=VectorCache(None), stop=stop)
