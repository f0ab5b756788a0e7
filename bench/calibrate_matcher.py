"""Calibrate the matcher's weights and thresholds on the development set.

    python bench/calibrate_matcher.py            # print the best settings
    python bench/calibrate_matcher.py --write    # also write content/data/matcher.yaml

Signals are computed once per question; the grid search then only re-blends and
re-decides, so the whole search takes seconds.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import asdict, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.evaluation import DevSet, evaluate, load_dev_set, utility
from content import BUNDLED_CONTENT_DIR, Matcher, MatcherSettings, load_knowledge_base
from content.matcher import decide, rank

WEIGHT_STEPS = [round(0.1 * i, 1) for i in range(11)]
# Coarse thresholds to rank the weight mixes, then a fine grid for the best few.
COARSE = ([35.0, 45.0, 55.0, 65.0, 75.0], [10.0, 20.0], [0.0, 4.0, 8.0])
FINE = (
    [30 + 2.5 * i for i in range(21)],  # answer threshold 30 .. 80
    [5.0, 10.0, 15.0, 20.0, 25.0],  # suggest threshold = answer threshold - gap
    [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0],  # margin over the runner-up
)
SURE_THRESHOLDS = [70.0, 75.0, 80.0, 85.0, 90.0, 95.0, 101.0]  # 101: never
BEST_MIXES = 4


def cached_system(matcher: Matcher, dev: DevSet):  # type: ignore[no-untyped-def]
    """Precompute signals and smalltalk per message; return a settings -> system factory."""
    messages = {q.text for q in dev.questions} | set(dev.off_topic)
    signals = {m: matcher.signals(m) for m in messages}
    smalltalk = {m: matcher.smalltalk(m) for m in messages}

    rankings: dict[tuple[float, float, float], dict[str, list]] = {}  # type: ignore[type-arg]

    def system_for(settings: MatcherSettings):  # type: ignore[no-untyped-def]
        weights = (settings.fuzzy_weight, settings.coverage_weight, settings.bm25_weight)
        if weights not in rankings:
            rankings[weights] = {m: rank(s, settings) for m, s in signals.items()}
        ranked_by_message = rankings[weights]

        def system(question: str) -> tuple[str, list[str]]:
            ranked = ranked_by_message[question]
            result = decide(question, ranked, smalltalk[question], settings)
            return result.status.value, [c.entry.id for c in ranked[:3]]

        return system

    return system_for


def _search(
    system_for, dev: DevSet, mixes: list[MatcherSettings], grid: tuple[list[float], ...]
) -> list[tuple[float, MatcherSettings]]:  # type: ignore[no-untyped-def]
    scored = []
    for base in mixes:
        for answer, gap, margin in itertools.product(*grid):
            settings = replace(
                base, answer_threshold=answer, suggest_threshold=answer - gap, margin=margin
            )
            scored.append((utility(evaluate(system_for(settings), dev)), settings))
    return sorted(scored, key=lambda pair: -pair[0])


def calibrate(matcher: Matcher, dev: DevSet) -> tuple[MatcherSettings, float]:
    system_for = cached_system(matcher, dev)
    mixes = [
        MatcherSettings(fuzzy_weight=f, coverage_weight=c, bm25_weight=round(1 - f - c, 1))
        for f, c in itertools.product(WEIGHT_STEPS, WEIGHT_STEPS)
        if f > 0 and round(1 - f - c, 1) >= 0
    ]
    coarse = _search(system_for, dev, mixes, COARSE)
    best_mixes: list[MatcherSettings] = []
    for _, settings in coarse:
        mix = replace(
            MatcherSettings(),
            fuzzy_weight=settings.fuzzy_weight,
            coverage_weight=settings.coverage_weight,
            bm25_weight=settings.bm25_weight,
        )
        if mix not in best_mixes:
            best_mixes.append(mix)
        if len(best_mixes) == BEST_MIXES:
            break
    _, settings = _search(system_for, dev, best_mixes, FINE)[0]
    scored = [
        (utility(evaluate(system_for(replace(settings, sure_threshold=sure)), dev)), sure)
        for sure in SURE_THRESHOLDS
    ]
    # Highest utility; on a tie the highest threshold (the most conservative).
    score, sure = max(scored)
    return replace(settings, sure_threshold=sure), score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write content/data/matcher.yaml")
    args = parser.parse_args()
    kb = load_knowledge_base()
    dev = load_dev_set()
    settings, score = calibrate(Matcher(kb), dev)
    print(f"best utility {score:.4f} with {settings}")
    if args.write:
        lines = [
            "# Written by bench/calibrate_matcher.py on the development set in tests/eval/.",
            "# Re-run it after changing the matcher, the content or the development set.",
            "thresholds:",
            *(f"  {k}: {v}" for k, v in asdict(settings).items()),
        ]
        (BUNDLED_CONTENT_DIR / "matcher.yaml").write_text("\n".join(lines) + "\n")
        print(f"wrote {BUNDLED_CONTENT_DIR / 'matcher.yaml'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
