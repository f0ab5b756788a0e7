"""The older development set (tests/eval/dev/), the BM25 baseline, and the
percentiles the benchmarks report. The blind set and its scoring are in bench/blind.py.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from content import KnowledgeBase
from content.telegram_html import strip_tags

EVAL_DIR = Path(__file__).parents[1] / "tests" / "eval"


@dataclass(frozen=True)
class DevQuestion:
    text: str
    entry: str
    topic: str
    style: str
    also: tuple[str, ...] = ()  # other entries that answer it equally well

    @property
    def acceptable(self) -> set[str]:
        return {self.entry, *self.also}


@dataclass(frozen=True)
class DevSet:
    questions: tuple[DevQuestion, ...]
    off_topic: tuple[str, ...]


def load_dev_set(folder: Path = EVAL_DIR) -> DevSet:
    questions = []
    for path in sorted((folder / "dev").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text())["questions"]:
            questions.append(
                DevQuestion(
                    item["q"],
                    item["entry"],
                    path.stem,
                    item.get("style", ""),
                    tuple(item.get("also", ())),
                )
            )
    off_topic = yaml.safe_load((folder / "off_topic.yaml").read_text())["messages"]
    return DevSet(tuple(questions), tuple(off_topic))


# -- the BM25 baseline ------------------------------------------------------------------


class BM25Baseline:
    """Textbook BM25 (k1=1.2, b=0.75) over each entry's phrasings and answer,
    lowercase word tokens, no stemming, synonyms or stop words."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.ids = [e.id for e in kb.entries]
        documents = [
            _words(" ".join((e.title, *e.questions, strip_tags(e.answer)))) for e in kb.entries
        ]
        self.lengths = [len(d) for d in documents]
        self.average = sum(self.lengths) / len(documents)
        self.counts = [_counter(d) for d in documents]
        frequency: dict[str, int] = defaultdict(int)
        for document in documents:
            for word in set(document):
                frequency[word] += 1
        n = len(documents)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}

    def scores(self, question: str) -> list[tuple[str, float]]:
        words = _words(question)
        result = []
        for index, counts in enumerate(self.counts):
            norm = 1.2 * (1 - 0.75 + 0.75 * self.lengths[index] / self.average)
            score = sum(
                self.idf[w] * counts[w] * 2.2 / (counts[w] + norm) for w in words if w in counts
            )
            if score > 0:
                result.append((self.ids[index], score))
        return sorted(result, key=lambda kv: -kv[1])


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_]+", text.lower())


def _counter(words: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for word in words:
        counts[word] += 1
    return counts


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
