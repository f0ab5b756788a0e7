"""Is the confidence model's "did you mean" for long messages a miscalibration?

Reads every covered question of the read tune splits (never the frozen split, nor an unread
check of bench/blind.py) with the shipped matcher, in this process, and prints:

1. per length (words) and per band of the estimated probability that the first entry is right,
   how often it is right (first labels): a calibrated model is right about as often as it says,
   whatever the length;
2. a second reading, sentence by sentence, of the questions left unanswered with two or more
   sentences: how many right and wrong answers it would add if an answer were given whenever a
   sentence read alone puts the same entry first at or above a probability (the way a message of
   code and words is read a second time, content/matcher.py).

    python bench/confidence_shape.py [--splits tune8 tune9 ...]

Takes about two minutes on a 2-vCPU machine (one encoding per question, and per sentence of
the unanswered ones).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.blind import TUNE_SPLITS, UNREAD_CHECK_SPLITS, load_split, readable_splits
from content import load_knowledge_base
from content.matcher import Matcher

LENGTHS = ((1, 15), (16, 30), (31, 10_000))
BANDS = (0.0, 0.26, 0.4, 0.5, 0.6, 0.7, 0.81, 0.9, 1.01)
SENTENCE_BARS = (0.81, 0.9, 0.95)
MIN_SENTENCE_WORDS = 3
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")


@dataclass(frozen=True)
class Read:
    text: str
    accepted: tuple[str, ...]
    first: str | None
    confidence: float


def sentences(text: str) -> list[str]:
    """The message cut at sentence ends and line breaks; pieces under three words dropped."""
    pieces = (p.strip() for p in _SENTENCE_END.split(text))
    return [p for p in pieces if len(p.split()) >= MIN_SENTENCE_WORDS]


def length_group(words: int) -> int:
    """The index in LENGTHS of a message of `words` words."""
    return next(i for i, (low, high) in enumerate(LENGTHS) if low <= words <= high)


def length_label(group: int) -> str:
    low, high = LENGTHS[group]
    return f"{low}+ words" if group == len(LENGTHS) - 1 else f"{low}-{high} words"


def calibration_table(reads: list[Read]) -> list[str]:
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for r in reads:
        band = next(i for i in range(len(BANDS) - 1) if BANDS[i] <= r.confidence < BANDS[i + 1])
        cell = counts[(length_group(len(r.text.split())), band)]
        cell[0] += r.first in r.accepted
        cell[1] += 1
    lines = ["| length | probability | first entry right | share |", "| --- | --- | --- | --- |"]
    for (group, band), (right, total) in sorted(counts.items()):
        upper = min(BANDS[band + 1], 1.0)
        lines.append(
            f"| {length_label(group)} | {BANDS[band]:.2f}-{upper:.2f} | {right} of {total} | "
            f"{right / total:.2f} |"
        )
    return lines


def sentence_readings(matcher: Matcher, reads: list[Read], answer_at: float) -> list[str]:
    unanswered = [
        (r, pieces)
        for r in reads
        if r.confidence < answer_at and len(pieces := sentences(r.text)) >= 2
    ]
    best_agreeing = []
    for r, pieces in unanswered:
        agreeing = [0.0]
        for sentence in pieces:
            alone = matcher.ranking(sentence)
            if alone.candidates and alone.candidates[0][0].id == r.first:
                agreeing.append(alone.confidence)
        best_agreeing.append((r, max(agreeing)))
    lines = [
        f"{len(unanswered)} unanswered questions of two or more sentences.",
        "",
        "| a sentence alone puts the same entry first at | answers added | right | wrong |",
        "| --- | --- | --- | --- |",
    ]
    for bar in SENTENCE_BARS:
        added = [r for r, p in best_agreeing if p >= bar]
        right = sum(r.first in r.accepted for r in added)
        lines.append(f"| {bar:.2f} or more | {len(added)} | {right} | {len(added) - right} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    read_splits = [s for s in TUNE_SPLITS if s not in UNREAD_CHECK_SPLITS]
    parser.add_argument("--splits", nargs="+", default=read_splits)
    args = parser.parse_args()
    splits = readable_splits(args.splits)
    matcher = Matcher(load_knowledge_base())
    reads = []
    for name in splits:
        for q in load_split(name).covered:
            ranking = matcher.ranking(q.text)
            first = ranking.candidates[0][0].id if ranking.candidates else None
            reads.append(Read(q.text, q.entries, first, ranking.confidence))
    answer_at = matcher.settings.answer_probability
    print(f"{len(reads)} covered questions of {len(splits)} splits; answer band {answer_at}")
    print()
    print("\n".join(calibration_table(reads)))
    print()
    print("\n".join(sentence_readings(matcher, reads, answer_at)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
