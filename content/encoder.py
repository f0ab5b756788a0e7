"""Sentence vectors: the bundled all-MiniLM-L6-v2 encoder and an on-disk vector cache.

The encoder reads meaning, not words: "my list endpoint runs one query per row"
lands near "N+1 queries" although they share no term. The model is
all-MiniLM-L6-v2 fine-tuned on the knowledge base's own phrasings
(content/models/finetune_minilm.py), as the int8 ONNX file in
content/models/minilm/ (built by content/models/build_minilm.py, license and
checksums in its README), run with onnxruntime on one thread; it never touches
the network.

Encoding the knowledge base takes seconds, so vectors are cached on disk per
text, keyed by a hash of the model and the text: a warm start and a /reload
encode only texts that changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from content.atomic_file import write_atomically
from content.vector_file import StoredVectors, write_vectors
from content.vector_folder import EncodingStopped, cache_folder

MODEL_DIR = Path(__file__).parent / "models" / "minilm"
MODEL_FILE = "model.int8.onnx"
# sha256 of model.int8.onnx; tests check the shipped file against it.
MODEL_SHA256 = "20a2d5c43ed01eee80e8dd00ea7dcfa55e91aec4b5d725d0001df84a9d65e910"
# Part of every cached vector's key: a new model file or a change in how text is
# turned into tokens (PIPELINE) makes old vectors unreachable.
PIPELINE = 2
MODEL_ID = f"all-MiniLM-L6-v2-nexus-int8-{MODEL_SHA256[:12]}-p{PIPELINE}"
DIMENSION = 384
MAX_TOKENS = 128  # questions and answer paragraphs fit; longer text is cut
# Announce an encoding run this long, so a first start is not a silent pause.
ANNOUNCE_TEXTS = 200
SECONDS_PER_TEXT = 0.0033  # measured: 13,672 texts in 44 s on one core (2-vCPU Xeon)
# Encoding this many texts or more (a first start, a /reload with new content) uses
# one thread per core, up to MAX_ENCODE_THREADS; a question is encoded on its own.
PARALLEL_FROM = 64
MAX_ENCODE_THREADS = 4
# A long encoding run (a first start takes a minute or more on a small machine) goes
# chunk by chunk and saves what it has at most this often, and when it stops or
# fails: a process stopped or killed meanwhile (a rollout, an OOM kill, a liveness
# probe) leaves its work on disk, and the next start encodes only the rest.
CHUNK_TEXTS = 1024
SAVE_EVERY_S = 15.0

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class SentenceEncoder:
    """Unit-length sentence vectors; cosine similarity is a dot product."""

    model_id = MODEL_ID
    dimension = DIMENSION

    def __init__(self, model_dir: Path = MODEL_DIR, threads: int = 1) -> None:
        # Imported here so that code which never encodes (content checks) stays light.
        import onnxruntime
        from threadpoolctl import threadpool_limits
        from tokenizers import Tokenizer

        # One BLAS thread: the matcher's matrix-vector products are small, and waking
        # OpenBLAS's worker threads right after an onnxruntime run cost ten times the
        # product itself on a 2-core machine (measured: 20 ms against 1 ms a question).
        threadpool_limits(limits=1, user_api="blas")

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # shape-merge notices on load are not problems
        self._session = onnxruntime.InferenceSession(
            str(model_dir / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # The shipped tokenizer.json pads every text to 128 tokens: texts are encoded
        # one at a time here, unpadded.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)

    def encode(self, texts: Sequence[str], stop: threading.Event | None = None) -> Vectors:
        """One unit vector per text. `stop`, once set, makes a long run raise
        EncodingStopped at its next text (a bot stopping during a first start)."""
        # One text per run, never a padded batch: the int8 model quantizes its
        # activations per run, so padding would shift a text's vector, and a
        # cached passage must get exactly the vector a question would. Many texts
        # (a first start encodes the whole knowledge base) are shared among threads,
        # one run each at a time: onnxruntime runs without the GIL, so each core
        # encodes its share, and every text still gets the vector it gets alone.
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)

        def encode_rows(rows: range) -> None:
            for row in rows:
                if stop is not None and stop.is_set():
                    raise EncodingStopped(f"stopped after {row} of {len(texts)} texts")
                out[row] = self.encode_one(texts[row])

        workers = _workers(len(texts))
        if workers == 1:
            encode_rows(range(len(texts)))
            return out
        with ThreadPoolExecutor(workers, thread_name_prefix="nexus-encode") as pool:
            # Interleaved rows: long and short texts are spread evenly.
            shares = [range(first, len(texts), workers) for first in range(workers)]
            for finished in [pool.submit(encode_rows, share) for share in shares]:
                finished.result()
        return out

    def encode_one(self, text: str) -> Vectors:
        encoded = self._tokenizer.encode(text)
        ids = np.array([encoded.ids], dtype=np.int64)
        mask = np.array([encoded.attention_mask], dtype=np.int64)
        result = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(result[0], dtype=np.float32)


def encoding_seconds(texts: int) -> float:
    """About how long SentenceEncoder.encode takes for this many texts here."""
    return texts * SECONDS_PER_TEXT / _workers(texts)


def _workers(texts: int) -> int:
    return min(_cores(), MAX_ENCODE_THREADS) if texts >= PARALLEL_FROM else 1


def _cores() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class VectorCache:
    """Vectors of texts, kept in one .npz file per model under `folder`.

    `folder=None` keeps them in memory only. A folder's file is read a chunk of rows
    at a time (content/vector_file.py): looking vectors up holds the file's keys,
    never all its rows. Writes are atomic (temporary file, then rename), so a crash
    or a second process never leaves a torn file; two processes writing at once
    each write a complete file, the later one wins."""

    def __init__(self, folder: Path | None, model_id: str = MODEL_ID) -> None:
        self._model_id = model_id
        self.folder = folder
        self._path = folder / f"{model_id}.npz" if folder else None
        # Vectors not (yet) in the file: encoded or put since the last save, or every
        # vector of an in-memory cache.
        self._vectors: dict[str, Vectors] = {}
        self._stored: StoredVectors | None = None
        # /reload indexes new content in a worker thread while the event loop may
        # encode a learned phrasing: one writer at a time.
        self._lock = threading.Lock()
        # Whether _stored is the file as it was opened; see release().
        self._loaded = False
        self._unsaved = False

    def _load(self) -> None:
        """Open the file and read its keys, once until the next release(); caller
        holds the lock."""
        if self._loaded:
            return
        self._loaded = True
        if self._path and self._path.exists():
            try:
                self._stored = StoredVectors(self._path)
            except (OSError, ValueError, KeyError, zipfile.BadZipFile):
                self._stored = None  # unreadable cache: rebuild it, never fail the start

    def _close(self) -> None:
        if self._stored is not None:
            self._stored.close()
            self._stored = None
        self._loaded = False

    def release(self) -> None:
        """Let go of the file's keys (and close it); the next lookup opens it again.

        A matcher copies the vectors it needs into its own arrays; after it is built
        the cache need not keep the file open. Vectors held nowhere else (an
        in-memory cache, or ones a failed save left unsaved) stay."""
        with self._lock:
            if self._path is not None and not self._unsaved:
                self._close()

    def key(self, text: str) -> str:
        return hashlib.sha1(f"{self._model_id}\0{text}".encode()).hexdigest()

    def _has(self, key: str) -> bool:
        return key in self._vectors or (self._stored is not None and key in self._stored.row_of)

    def vectors(self, texts: Sequence[str], encoder: SentenceEncoder) -> Vectors:
        return self.grouped_vectors([texts], encoder)[0]

    def encode_missing(
        self,
        texts: Sequence[str],
        encoder: SentenceEncoder,
        stop: threading.Event | None = None,
    ) -> None:
        """Encode, in one run, whichever of `texts` the cache lacks (stop: see
        grouped_vectors), without reading any vector."""
        self._look_up([texts], encoder, stop, read=False)

    def grouped_vectors(
        self,
        groups: Sequence[Sequence[str]],
        encoder: SentenceEncoder,
        stop: threading.Event | None = None,
    ) -> list[Vectors]:
        """The vectors of each group of texts, one array per group: every text is
        looked up once, and whatever is missing is encoded in one run, chunk by chunk
        (`stop`: see SentenceEncoder.encode; a stopped run keeps the chunks it
        finished)."""
        return self._look_up(groups, encoder, stop, read=True)

    def _look_up(
        self,
        groups: Sequence[Sequence[str]],
        encoder: SentenceEncoder,
        stop: threading.Event | None,
        read: bool,
    ) -> list[Vectors]:
        """Encode what is missing, then (`read`) return each group's vectors."""
        texts = [text for group in groups for text in group]
        if not texts:
            return [np.zeros((0, DIMENSION), dtype=np.float32) for _ in groups] if read else []
        keys = [self.key(t) for t in texts]
        announced = False
        while True:
            with self._lock:
                self._load()  # opened again if another thread released it meanwhile
                missing = sorted(
                    {k: t for k, t in zip(keys, texts, strict=True) if not self._has(k)}.items()
                )
                if not missing:
                    if not read:
                        return []
                    # Looked up and read under one lock: no release or save comes between.
                    one_array_per_group = []
                    start = 0
                    for group in groups:
                        one_array_per_group.append(self._assemble(keys[start : start + len(group)]))
                        start += len(group)
                    return one_array_per_group
            if len(missing) >= ANNOUNCE_TEXTS and not announced:
                log.warning(
                    "Encoding %d texts of the knowledge base (about %d s); "
                    "the vectors are kept in %s for later starts",
                    len(missing),
                    round(encoding_seconds(len(missing))) + 1,
                    self._path.parent if self._path else "memory",
                )
                announced = True
            # Saved as it goes; the next pass finds them (in the file, or in memory
            # where the file could not take them) and reads them.
            self._encode_missing(missing, encoder, stop)

    def _assemble(self, keys: Sequence[str]) -> Vectors:
        """One array of the keys' vectors, in order; caller holds the lock."""
        out = np.zeros((len(keys), DIMENSION), dtype=np.float32)
        positions, rows = [], []
        for position, key in enumerate(keys):
            vector = self._vectors.get(key)
            if vector is not None:
                out[position] = vector
            elif self._stored is not None and key in self._stored.row_of:
                positions.append(position)
                rows.append(self._stored.row_of[key])
            else:
                raise KeyError(f"no vector for key {key}")
        if self._stored is not None:
            self._stored.read_into(out, positions, rows)
        return out

    def _encode_missing(
        self,
        missing: list[tuple[str, str]],
        encoder: SentenceEncoder,
        stop: threading.Event | None,
    ) -> None:
        """Encode (key, text) pairs into the cache, chunk by chunk, saving progress
        every SAVE_EVERY_S and whatever is done when the run ends, however it ends: a
        stopped run (EncodingStopped) keeps every chunk it finished."""
        last_save = time.monotonic()
        try:
            for first in range(0, len(missing), CHUNK_TEXTS):
                chunk = missing[first : first + CHUNK_TEXTS]
                # Encoded outside the lock: a long /reload must not hold up the event loop.
                fresh = encoder.encode([text for _, text in chunk], stop)
                with self._lock:
                    self._load()  # released by another thread meanwhile
                    for (key, _), vector in zip(chunk, fresh, strict=True):
                        self._vectors[key] = vector
                    self._unsaved = True
                    if time.monotonic() - last_save >= SAVE_EVERY_S:
                        self._save()
                        last_save = time.monotonic()
        finally:
            with self._lock:
                if self._unsaved:
                    self._save()

    def put(self, texts: Sequence[str], vectors: Vectors) -> None:
        """Store `vectors` (one row per text) as the texts' vectors, without the encoder.

        For benchmarks and tests that need vectors for many texts without paying for
        encoding them. Kept in memory; a cache with a folder writes them to disk with
        the next encode, so pre-fill an in-memory cache (`VectorCache(None)`)."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        stored = {
            self.key(text): np.asarray(vector, dtype=np.float32)
            for text, vector in zip(texts, vectors, strict=True)
        }
        with self._lock:
            self._load()
            self._vectors.update(stored)
            self._unsaved = True

    @property
    def in_memory(self) -> int:
        """How many vectors are held in memory right now: those not in the file (the
        file's own are read from it at each lookup, never held)."""
        return len(self._vectors)

    def __len__(self) -> int:
        with self._lock:
            self._load()
            stored = self._stored.row_of if self._stored is not None else {}
            return len(stored) + sum(1 for key in self._vectors if key not in stored)

    def _save(self) -> None:
        """Write the file's rows and the unsaved vectors as the new file, then read
        from it; caller holds the lock. The old rows are streamed, a chunk at a time."""
        if self._path is None:
            return
        stored = self._stored
        kept = [k for k in stored.row_of if k not in self._vectors] if stored is not None else []
        fresh = list(self._vectors)

        def rows() -> Iterator[Vectors]:
            if stored is not None:
                for chunk_keys, chunk in stored.chunks():
                    keep = [i for i, k in enumerate(chunk_keys) if k not in self._vectors]
                    yield chunk[keep]
            for first in range(0, len(fresh), CHUNK_TEXTS):
                yield np.stack([self._vectors[k] for k in fresh[first : first + CHUNK_TEXTS]])

        def write(out: IO[bytes]) -> None:
            write_vectors(out, kept + fresh, DIMENSION, rows())
            # Every old row is copied: close the old file before the new one replaces it
            # (Windows refuses to replace a file that is open).
            self._close()

        try:
            write_atomically(self._path, write)
        except OSError as error:
            # A read-only or full disk costs a re-encode at the next start, nothing more.
            log.warning("Could not save the vector cache in %s: %s", self._path.parent, error)
            return
        self._close()
        self._load()
        # Another process may have replaced the file with its own since our rename:
        # vectors it lacks stay in memory, and go into the next save.
        on_disk = self._stored.row_of if self._stored is not None else {}
        self._vectors = {k: v for k, v in self._vectors.items() if k not in on_disk}
        self._unsaved = bool(self._vectors)


_shared_encoder: SentenceEncoder | None = None
_shared_caches: dict[Path, VectorCache] = {}


def shared_encoder() -> SentenceEncoder:
    """One encoder per process: every matcher (and every /reload) reuses it."""
    global _shared_encoder
    if _shared_encoder is None:
        _shared_encoder = SentenceEncoder()
    return _shared_encoder


def shared_cache(folder: Path | None = None) -> VectorCache:
    """One vector cache per folder per process, read from disk once."""
    folder = folder or cache_folder()
    if folder not in _shared_caches:
        _shared_caches[folder] = VectorCache(folder)
    return _shared_caches[folder]
