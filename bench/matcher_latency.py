"""Matcher latency per question, on the shipped content and on a synthetic
20,000-entry knowledge base built from it.

    python bench/matcher_latency.py [--entries 20000] [--rounds 3]

Questions are the development set's (in-domain and off-topic), asked `rounds`
times each after one warm-up pass; reports p50/p99 in milliseconds, the index
build time, and the resident memory growth of the process.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.evaluation import load_dev_set, median, percentile
from content import KnowledgeBase, Matcher, load_knowledge_base


def synthetic(kb: KnowledgeBase, size: int, seed: int = 20_000) -> KnowledgeBase:
    """`size` entries: the shipped ones plus perturbed copies with words swapped in
    from the whole vocabulary, so the index has realistic overlap and spread."""
    rng = random.Random(seed)
    words = sorted({w for e in kb.entries for q in e.questions for w in q.lower().split()})
    entries = list(kb.entries)
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
    return replace(kb, entries=tuple(entries))


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kb: KnowledgeBase, questions: list[str], rounds: int) -> dict[str, float]:
    before = rss_mib()
    started = time.perf_counter()
    matcher = Matcher(kb)
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
        "peak_rss_growth_mib": rss_mib() - before,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    kb = load_knowledge_base()
    dev = load_dev_set()
    questions = [q.text for q in dev.questions] + list(dev.off_topic)
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}"
    )
    print(
        "| knowledge base | entries | phrasings | index build | p50 | p99 | max | queries | peak RSS growth |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, base in (("shipped", kb), ("synthetic", synthetic(kb, args.entries))):
        r = measure(base, questions, args.rounds)
        print(
            f"| {name} | {r['entries']:,} | {r['phrasings']:,} | {r['build_s']:.2f} s | "
            f"{r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {r['max_ms']:.2f} ms | "
            f"{r['queries']:,} | {r['peak_rss_growth_mib']:.0f} MiB |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
