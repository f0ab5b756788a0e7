"""The development set and the metrics every matcher is judged by.

A *system* maps a question to (status, ranked entry ids). Statuses follow the
bot: "answered", "ambiguous" (did you mean), "smalltalk" or "no_match".
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

from content import KnowledgeBase
from content.telegram_html import strip_tags

EVAL_DIR = Path(__file__).parents[1] / "tests" / "eval"

System = Callable[[str], tuple[str, list[str]]]


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


@dataclass(frozen=True)
class Report:
    questions: int
    rank1: float  # the top-ranked entry is right, whatever the status
    hit1: float
    hit3: float
    answered_correct: float
    answered_wrong: float
    off_topic: int
    off_topic_answered: float
    off_topic_suggested: float
    per_topic: dict[str, tuple[int, float, float]]
    per_style: dict[str, tuple[int, float]]


def evaluate(system: System, dev: DevSet) -> Report:
    topic_hits: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    style_hits: dict[str, list[bool]] = defaultdict(list)
    rank1 = hit1 = hit3 = correct = wrong = 0
    for question in dev.questions:
        status, ranked = system(question.text)
        offered = status in ("answered", "ambiguous")
        first = offered and bool(ranked) and ranked[0] in question.acceptable
        top3 = offered and bool(question.acceptable & set(ranked[:3]))
        rank1 += bool(ranked) and ranked[0] in question.acceptable
        hit1 += first
        hit3 += top3
        correct += status == "answered" and first
        wrong += status == "answered" and not first
        topic_hits[question.topic].append((first, top3))
        style_hits[question.style].append(first)
    answered = suggested = 0
    for message in dev.off_topic:
        status, _ = system(message)
        answered += status == "answered"
        suggested += status == "ambiguous"
    n, m = len(dev.questions), len(dev.off_topic)
    return Report(
        questions=n,
        rank1=rank1 / n,
        hit1=hit1 / n,
        hit3=hit3 / n,
        answered_correct=correct / n,
        answered_wrong=wrong / n,
        off_topic=m,
        off_topic_answered=answered / m,
        off_topic_suggested=suggested / m,
        per_topic={
            t: (len(h), sum(a for a, _ in h) / len(h), sum(b for _, b in h) / len(h))
            for t, h in sorted(topic_hits.items())
        },
        per_style={s: (len(h), sum(h) / len(h)) for s, h in sorted(style_hits.items())},
    )


def utility(report: Report) -> float:
    """What calibration maximises: right answers, minus wrong ones, and off-topic
    answers cost three times as much (a confident wrong answer misleads a learner)."""
    return (
        report.answered_correct
        + 0.5 * (report.hit3 - report.answered_correct)
        - report.answered_wrong
        - 3 * report.off_topic_answered * report.off_topic / max(report.questions, 1)
        - 0.5 * report.off_topic_suggested * report.off_topic / max(report.questions, 1)
    )


# -- the two naive baselines ----------------------------------------------------------


class WRatioBaseline:
    """Plain rapidfuzz WRatio of the question against every phrasing (title + questions)."""

    def __init__(self, kb: KnowledgeBase, threshold: float = 85.0) -> None:
        self.threshold = threshold
        self.texts: list[str] = []
        self.owner: list[str] = []
        for entry in kb.entries:
            for text in (entry.title, *entry.questions):
                self.texts.append(utils.default_process(text))
                self.owner.append(entry.id)

    def scores(self, question: str) -> list[tuple[str, float]]:
        best: dict[str, float] = {}
        for _, score, index in process.extract(
            utils.default_process(question), self.texts, scorer=fuzz.WRatio, limit=60
        ):
            best[self.owner[index]] = max(best.get(self.owner[index], 0.0), score)
        return sorted(best.items(), key=lambda kv: -kv[1])

    def __call__(self, question: str) -> tuple[str, list[str]]:
        return thresholded(self.scores(question), self.threshold)


class BM25Baseline:
    """Textbook BM25 (k1=1.2, b=0.75) over each entry's phrasings and answer,
    lowercase word tokens, no stemming, synonyms or stop words."""

    def __init__(self, kb: KnowledgeBase, threshold: float = 5.0) -> None:
        self.threshold = threshold
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

    def __call__(self, question: str) -> tuple[str, list[str]]:
        return thresholded(self.scores(question), self.threshold)


def thresholded(scores: list[tuple[str, float]], threshold: float) -> tuple[str, list[str]]:
    if not scores or scores[0][1] < threshold:
        return "no_match", [i for i, _ in scores[:3]]
    return "answered", [i for i, _ in scores[:3]]


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
