"""Match quality on the development set: the Nexus matcher against two naive baselines.

    python bench/matcher_quality.py [--markdown]

Every system gets its threshold(s) calibrated with the same objective
(bench.evaluation.utility). The Nexus matcher uses content/data/matcher.yaml as
shipped; a two-fold check (calibrate on one half, measure the other) shows how
much of its score is fitted to the set.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.calibrate_matcher import cached_system, calibrate
from bench.evaluation import (
    BM25Baseline,
    DevSet,
    Report,
    WRatioBaseline,
    evaluate,
    load_dev_set,
    utility,
)
from content import Matcher, load_knowledge_base


def calibrated_baseline(baseline, dev: DevSet, thresholds: list[float]) -> float:  # type: ignore[no-untyped-def]
    cache = {m: baseline.scores(m) for m in {q.text for q in dev.questions} | set(dev.off_topic)}
    best = None
    for threshold in thresholds:

        def system(question: str, t: float = threshold) -> tuple[str, list[str]]:
            scores = cache[question]
            ids = [i for i, _ in scores[:3]]
            return ("answered" if scores and scores[0][1] >= t else "no_match"), ids

        score = utility(evaluate(system, dev))
        if best is None or score > best[0]:
            best = (score, threshold)
    assert best is not None
    baseline.threshold = best[1]
    return best[1]


def split(dev: DevSet, half: int) -> DevSet:
    return DevSet(dev.questions[half::2], dev.off_topic[half::2])


def row(name: str, report: Report) -> str:
    return (
        f"| {name} | {report.rank1:.3f} | {report.hit1:.3f} | {report.hit3:.3f} | {report.answered_correct:.3f} | "
        f"{report.answered_wrong:.3f} | {report.off_topic_answered:.1%} | "
        f"{report.off_topic_suggested:.1%} |"
    )


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    kb = load_knowledge_base()
    dev = load_dev_set()
    matcher = Matcher(kb)
    wratio = WRatioBaseline(kb)
    bm25 = BM25Baseline(kb)
    wratio_t = calibrated_baseline(wratio, dev, [50 + i for i in range(51)])
    bm25_t = calibrated_baseline(bm25, dev, [0.5 * i for i in range(1, 81)])
    system_for = cached_system(matcher, dev)
    reports = {
        "Nexus matcher (shipped matcher.yaml)": evaluate(system_for(matcher.settings), dev),
        f"WRatio over phrasings (threshold {wratio_t:g})": evaluate(wratio, dev),
        f"BM25 over phrasings + answer (threshold {bm25_t:g})": evaluate(bm25, dev),
    }
    print(
        f"Development set: {len(dev.questions)} in-domain questions, "
        f"{len(dev.off_topic)} off-topic messages, {len(kb.entries)} entries.\n"
    )
    print(
        "| system | top-ranked right | hit@1 | hit@3 | answered right | answered wrong | off-topic answered | off-topic 'did you mean' |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, report in reports.items():
        print(row(name, report))

    print("\nTwo-fold check of the Nexus matcher (calibrate on one half, measure the other):\n")
    print(
        "| fold | top-ranked right | hit@1 | hit@3 | answered right | answered wrong | off-topic answered | off-topic 'did you mean' |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for half in (0, 1):
        settings, _ = calibrate(matcher, split(dev, half))
        held_out = split(dev, 1 - half)
        print(
            row(
                f"calibrated on half {half}, measured on half {1 - half}",
                evaluate(cached_system(matcher, held_out)(settings), held_out),
            )
        )

    names = list(reports)
    print("\nPer topic, hit@1 / hit@3:\n")
    print("| topic | questions | " + " | ".join(n.split(" (")[0] for n in names) + " |")
    print("| --- | --- |" + " --- |" * len(names))
    for topic, (count, _, _) in reports[names[0]].per_topic.items():
        cells = [
            f"{reports[n].per_topic[topic][1]:.2f} / {reports[n].per_topic[topic][2]:.2f}"
            for n in names
        ]
        print(f"| {topic} | {count} | " + " | ".join(cells) + " |")
    print("\nPer question style, hit@1:\n")
    print("| style | questions | " + " | ".join(n.split(" (")[0] for n in names) + " |")
    print("| --- | --- |" + " --- |" * len(names))
    for style, (count, _) in reports[names[0]].per_style.items():
        cells = [f"{reports[n].per_style[style][1]:.2f}" for n in names]
        print(f"| {style} | {count} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
