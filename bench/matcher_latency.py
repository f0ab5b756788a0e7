"""Matcher latency per question, on the shipped content and on a synthetic
20,000-entry knowledge base built from it.

    python bench/matcher_latency.py [--entries 20000] [--rounds 3] [--noise 0.02]
                                    [--compare REV] [--split NAME]

Questions are the development set's (in-domain and off-topic), or with `--split` the
messages of one blind split (tune17 to tune19 paste code, which the matcher reads twice:
content/pasted_code.py), asked `rounds`
times each after one warm-up pass, one at a time; reports p50/p99 in milliseconds, the
index build time, and the peak resident memory growth of the process from just before
the index build (VmHWM, reset then, minus VmRSS then).

The synthetic knowledge base is the shipped one plus perturbed copies of its entries
(words swapped in from the whole vocabulary). The matcher encodes every phrasing and
answer passage with the sentence encoder (about 2 ms each), and the copies have about
300,000 texts, so their vectors are not encoded: an in-memory vector cache is pre-filled
with, for each text of a copy, the vector of the text it was copied from plus Gaussian
noise (`--noise`, standard deviation per dimension), renormalised. The shipped texts'
vectors are the real ones (the on-disk cache; encoded if missing), and every question is
encoded for real, as in the bot. The vectors held by the pre-filled cache are allocated
before the index build, so "peak RSS growth" does not count them; their size is printed.

`--compare REV` also runs this same script in a temporary `git worktree` of REV, with
the same questions, against that revision's matcher and its own content, and prints
both tables and the p50/p99 ratios. A revision without a sentence encoder
(content/encoder.py) runs without vectors: there is nothing to pre-fill.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.blind import load_split
from bench.evaluation import load_dev_set, median, percentile
from content import Entry, KnowledgeBase, Matcher, load_knowledge_base

if TYPE_CHECKING:
    from content.encoder import SentenceEncoder, VectorCache, Vectors

ROOT = Path(__file__).parents[1]
CHUNK = 8192  # texts per step of the pre-fill, to keep its transient memory small
COMPARE_TIMEOUT_S = 3 * 3600


def has_encoder() -> bool:
    """False for revisions before the sentence encoder (the matcher is words only).

    Looks in the imported `content` package's own folder: an editable install's import
    finder would otherwise find the installed checkout's content/encoder.py."""
    import content

    return (Path(content.__file__).parent / "encoder.py").is_file()


def synthetic(
    kb: KnowledgeBase, size: int, seed: int = 20_000
) -> tuple[KnowledgeBase, list[Entry]]:
    """`size` entries: the shipped ones plus perturbed copies with words swapped in
    from the whole vocabulary, so the index has realistic overlap and spread. Also the
    entry each one was copied from (a shipped entry is its own source)."""
    rng = random.Random(seed)
    words = sorted({w for e in kb.entries for q in e.questions for w in q.lower().split()})
    entries = list(kb.entries)
    sources = list(kb.entries)
    while len(entries) < size:
        base = rng.choice(kb.entries)
        n = len(entries)

        def mutate(text: str) -> str:
            parts = text.split()
            for _ in range(max(1, len(parts) // 3)):
                parts[rng.randrange(len(parts))] = rng.choice(words)
            return " ".join(parts)

        entries.append(
            replace(
                base,
                id=f"{base.id}-synthetic-{n}",
                title=f"{mutate(base.title)} {rng.choice(words)}",
                questions=tuple(mutate(q) for q in base.questions),
                keywords=tuple(rng.sample(words, 6)),
                related=(),
            )
        )
        sources.append(base)
    return replace(kb, entries=tuple(entries)), sources


class QueriesOnly:
    """The real encoder for questions (`encode_one`); refuses to encode knowledge-base
    texts (`encode`), which must all have been pre-filled."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self._encoder = encoder
        self.model_id = encoder.model_id
        self.dimension = encoder.dimension

    def encode(self, texts: Sequence[str], stop: object = None) -> Vectors:
        if texts:
            raise RuntimeError(
                f"{len(texts)} knowledge-base texts were not pre-filled, e.g. {texts[0]!r}"
            )
        return np.zeros((0, self.dimension), dtype=np.float32)

    def encode_one(self, text: str) -> Vectors:
        return self._encoder.encode_one(text)


def prefilled_cache(
    kb: KnowledgeBase, sources: Sequence[Entry], noise: float, seed: int = 10
) -> tuple[VectorCache, dict[str, float]]:
    """An in-memory vector cache holding a vector for every text the matcher of `kb`
    encodes: real vectors for the shipped texts and the small-talk phrases, and for a
    copy's texts its source text's vector plus N(0, noise^2) per dimension, renormalised."""
    from content.encoder import VectorCache, shared_cache, shared_encoder
    from content.semantic import passages
    from content.smalltalk import SmalltalkClassifier

    def texts_of(entry: Entry) -> list[str]:
        # What content/semantic.py encodes per entry: title, questions, answer passages.
        return [entry.title, *entry.questions, *passages(entry)]

    started = time.perf_counter()
    encoder, real = shared_encoder(), shared_cache()
    cache = VectorCache(None)
    originals = [e for e, source in zip(kb.entries, sources, strict=True) if e is source]
    shipped = [t for e in originals for t in texts_of(e)]
    shipped += SmalltalkClassifier.phrases(kb.smalltalk)
    cache.put(shipped, real.vectors(shipped, encoder))
    copies: list[str] = []
    copied_from: list[str] = []
    for entry, source in zip(kb.entries, sources, strict=True):
        if entry is not source:
            own, theirs = texts_of(entry), texts_of(source)
            if len(own) != len(theirs):
                raise RuntimeError(f"{entry.id}: {len(own)} texts, its source {len(theirs)}")
            copies += own
            copied_from += theirs
    refuse = cast("SentenceEncoder", QueriesOnly(encoder))  # every source text is in `cache`
    rng = np.random.default_rng(seed)
    cosines = []
    for start in range(0, len(copies), CHUNK):
        base = cache.vectors(copied_from[start : start + CHUNK], refuse)
        noisy = base + rng.normal(0.0, noise, base.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        cosines.append(np.sum(noisy * base, axis=1))
        cache.put(copies[start : start + CHUNK], noisy)
    cosine = np.concatenate(cosines) if cosines else np.zeros(1)
    return cache, {
        "real_texts": len(shipped),
        "noisy_texts": len(copies),
        "vectors": len(cache),
        "vectors_mib": len(cache) * encoder.dimension * 4 / 2**20,
        "mean_cosine": float(cosine.mean()),
        "min_cosine": float(cosine.min()),
        "prefill_s": time.perf_counter() - started,
    }


def memory_mib(field: str) -> float:
    """VmRSS or VmHWM (peak) of this process, from /proc/self/status.

    Not getrusage's ru_maxrss: on Linux a process started by a bigger one (as --compare
    starts this script) inherits its parent's peak there."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_mib() -> float:
    """Resets VmHWM to the current RSS where the kernel allows it; the baseline that a
    later VmHWM is to be compared with."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return memory_mib("VmHWM")
    return memory_mib("VmRSS")


def measure(
    kb: KnowledgeBase, questions: list[str], rounds: int, cache: VectorCache | None = None
) -> dict[str, float]:
    before = reset_peak_mib()
    started = time.perf_counter()
    if cache is None:
        matcher = Matcher(kb)
    else:
        from content.encoder import shared_encoder

        guard = cast("SentenceEncoder", QueriesOnly(shared_encoder()))
        matcher = Matcher(kb, encoder=guard, cache=cache)
    build = time.perf_counter() - started
    for question in questions:  # warm-up: caches, lazy imports
        matcher.match(question)
    samples = []
    for _ in range(rounds):
        for question in questions:
            t0 = time.perf_counter()
            matcher.match(question)
            samples.append((time.perf_counter() - t0) * 1000)
    return {
        "entries": len(kb.entries),
        "phrasings": sum(len(e.questions) + 1 for e in kb.entries),
        "build_s": build,
        "p50_ms": median(samples),
        "p99_ms": percentile(samples, 99),
        "max_ms": max(samples),
        "queries": len(samples),
        "peak_rss_growth_mib": memory_mib("VmHWM") - before,
    }


HEADER = (
    "| knowledge base | entries | phrasings | index build | p50 | p99 | max | queries "
    "| peak RSS growth |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def table_row(name: str, r: dict[str, Any]) -> str:
    return (
        f"| {name} | {r['entries']:,} | {r['phrasings']:,} | {r['build_s']:.2f} s | "
        f"{r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {r['max_ms']:.2f} ms | "
        f"{r['queries']:,} | {r['peak_rss_growth_mib']:.0f} MiB |"
    )


def run(entries: int, rounds: int, noise: float, questions: list[str]) -> list[dict[str, Any]]:
    """Both cases in this process, printing each row as it is measured."""
    import content

    vectors = has_encoder()
    print(f"code: {Path(content.__file__).parent}; sentence encoder: {'yes' if vectors else 'no'}")
    print(HEADER, flush=True)
    kb = load_knowledge_base()
    results = []
    shipped = measure(kb, questions, rounds)
    print(table_row("shipped", shipped), flush=True)
    results.append({"name": "shipped", **shipped})
    big, sources = synthetic(kb, entries)
    cache, prefill = None, None
    if vectors:
        cache, prefill = prefilled_cache(big, sources, noise)
    r = measure(big, questions, rounds, cache)
    name = "synthetic (vectors pre-filled)" if vectors else "synthetic"
    print(table_row(name, r), flush=True)
    results.append({"name": "synthetic", **r})
    if prefill:
        print(
            f"\nPre-filled vector cache: {prefill['vectors']:,} vectors "
            f"({prefill['vectors_mib']:.0f} MiB, not in the RSS growth): "
            f"{prefill['real_texts']:,} real (shipped texts, small-talk phrases), "
            f"{prefill['noisy_texts']:,} copies' texts = source vector + N(0, {noise}^2) per "
            f"dimension, renormalised (cosine to the source: mean {prefill['mean_cosine']:.3f}, "
            f"min {prefill['min_cosine']:.3f}); filled in {prefill['prefill_s']:.1f} s.",
            flush=True,
        )
    return results


def run_revision(
    rev: str, entries: int, rounds: int, noise: float, questions: list[str]
) -> tuple[str, list[dict[str, Any]]]:
    """This script, run in a temporary worktree of `rev`: its stdout and its results."""
    from bench.worktree import checked_out  # not in older revisions, which run this copy

    with checked_out(rev) as tree, tempfile.TemporaryDirectory() as folder:
        (tree / "bench").mkdir(exist_ok=True)
        script = tree / "bench" / "matcher_latency.py"
        shutil.copyfile(Path(__file__), script)
        asked = Path(folder) / "questions.json"
        asked.write_text(json.dumps(questions))
        results = Path(folder) / "results.json"
        out = subprocess.run(
            [
                sys.executable,
                str(script),
                f"--entries={entries}",
                f"--rounds={rounds}",
                f"--noise={noise}",
                f"--questions={asked}",
                f"--json={results}",
            ],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            timeout=COMPARE_TIMEOUT_S,
        ).stdout
        return out, json.loads(results.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--noise", type=float, default=0.02, help="per-dimension noise of copied vectors"
    )
    parser.add_argument("--compare", metavar="REV", help="also run a git revision, and compare")
    parser.add_argument(
        "--split",
        metavar="NAME",
        help="ask a blind split's messages (tests/eval/blind/NAME.yaml) instead of the "
        "development set's: tune17, for one, pastes code",
    )
    parser.add_argument("--questions", type=Path, help=argparse.SUPPRESS)  # JSON list
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # results, for --compare
    parser.add_argument(
        "--smoke", action="store_true", help="500 entries, 40 questions, one round: seconds"
    )
    args = parser.parse_args()
    if args.smoke:
        args.entries, args.rounds = 500, 1
    if args.questions:
        questions = list(json.loads(args.questions.read_text()))
    elif args.split:
        questions = load_split(args.split).messages()
    else:
        dev = load_dev_set()
        questions = [q.text for q in dev.questions] + list(dev.off_topic)
        if args.smoke:
            questions = questions[:20] + questions[-20:]
    if not args.json:
        from bench.machine import load_line, machine_line  # not in older revisions

        print(machine_line(f"numpy {np.__version__}"))
        print(load_line("at start"))
        print(f"\n### this checkout ({_describe('HEAD')})\n", flush=True)
    results = run(args.entries, args.rounds, args.noise, questions)
    if args.json:
        args.json.write_text(json.dumps(results))
    if args.compare:
        print(f"\n### {args.compare} ({_describe(args.compare)}), its own content\n", flush=True)
        out, before = run_revision(args.compare, args.entries, args.rounds, args.noise, questions)
        print(out.rstrip(), flush=True)
        print(f"\n### ratios: this checkout / {args.compare}\n")
        print("| knowledge base | entries | p50 | p99 | p50 ratio | p99 ratio |")
        print("| --- | --- | --- | --- | --- | --- |")
        for now, then in zip(results, before, strict=True):
            print(
                f"| {now['name']} | {now['entries']:,} / {then['entries']:,} | "
                f"{now['p50_ms']:.2f} / {then['p50_ms']:.2f} ms | "
                f"{now['p99_ms']:.2f} / {then['p99_ms']:.2f} ms | "
                f"{now['p50_ms'] / then['p50_ms']:.1f}x | {now['p99_ms'] / then['p99_ms']:.1f}x |"
            )
    if not args.json:
        print(f"\n{load_line('at the end')}")
    return 0


def _describe(rev: str) -> str:
    """The short commit id of `rev`, with "+ changes" if HEAD has uncommitted ones."""
    found = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True
    )
    name = found.stdout.strip() or rev
    if rev == "HEAD":
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if dirty:
            name += " + uncommitted changes"
    return name


if __name__ == "__main__":
    raise SystemExit(main())
