"""Answer quality on the blind set as a learner sees it, beside baselines.

    python bench/blind_quality.py [--before REV] [--no-baselines] [--split NAME ...]

Nexus is scored on its own output: every message goes through one
`nexus-bot ask --json` process (the installed command), and the reply's status,
answered entry and offered choices are what count (an answer's "🔎 Or:" runners-up,
`alternatives` in the JSON, are offered too; older commits print no such field). The frozen split is the
figure to quote; the calibration split (what bench/calibrate_matcher.py fitted
the matcher's models on), the tune splits (whose misses authors read to sharpen
the content, and whose questions became phrasings) and the older development set
(written with the entries in view) stand beside it. `--split tune4` scores one
split alone: how a new tune split is measured once, as it comes, before anything
uses it, without reading the frozen split.

Baselines, on the same entries, each with the one threshold that keeps
off-topic answers at or under 3% on the calibration split:
- BM25 over each entry's title, phrasings and answer (bench.evaluation);
- embedding search alone: the same MiniLM encoder, best cosine over phrasings;
- the matcher before issue 10 (`--before`, default 5bd42b6), run from a git
  worktree of that commit with its own content, through its own `ask --json`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.blind import (
    TUNE_SPLITS,
    UNREAD_CHECK_SPLITS,
    BlindSplit,
    Question,
    Reply,
    Scores,
    all_messages,
    load_split,
    reply_from_record,
    score,
)
from bench.evaluation import BM25Baseline, load_dev_set
from bench.worktree import checked_out, descends_from
from content import KnowledgeBase, load_knowledge_base
from content.encoder import shared_cache, shared_encoder

ROOT = Path(__file__).parents[1]
BEFORE = "5bd42b6"
MAX_OFF_TOPIC = 0.03
SPLITS = ("frozen", "calibration", *TUNE_SPLITS, "dev")


def full_run_splits(unread: tuple[str, ...]) -> tuple[str, ...]:
    """The splits a run without `--split` reads: all but the unread checks (those are read
    once, by name)."""
    return tuple(name for name in SPLITS if name not in unread)


DEFAULT_SPLITS = full_run_splits(UNREAD_CHECK_SPLITS)
# The same questions, scored against the entries either of two independent
# labellers accepted (see tests/eval/blind/README.md, "A second labeller").
TWO_LABELLERS = {
    "frozen": "frozen (either of two labellers)",
    "calibration": "calibration (either of two labellers)",
}
# The same questions, also accepting entries written after they were labelled that a
# judge found to answer them (see tests/eval/blind/README.md, "Labels when entries
# are added").
LATER_ENTRIES = {"frozen": "frozen (entries added since, judged)"}


def ask_json(
    messages: list[str], cwd: Path, command: list[str], line_breaks: bool = True
) -> dict[str, Reply]:
    """Replies of one `ask --json` process to every message (one per stdin line).

    A message with line breaks (a pasted traceback) goes as a JSON string, which
    `ask --json` decodes, so it is matched as Telegram delivers it. A commit from
    before 2026-12-01 reads every line as it is: `line_breaks=False` flattens them."""
    lines = [
        json.dumps(m, ensure_ascii=False) if line_breaks and "\n" in m else m.replace("\n", " ")
        for m in messages
    ]
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    out = subprocess.run(
        command,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=True,
    ).stdout
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    replies = {}
    for message, record in zip(messages, records, strict=True):
        replies[message] = reply_from_record(record)
    return replies


def dev_as_split(kb: KnowledgeBase) -> BlindSplit:
    dev = load_dev_set()
    questions = tuple(
        Question(f"d{i}", q.text, q.style, q.topic, (q.entry, *q.also))
        for i, q in enumerate(dev.questions)
    )
    return BlindSplit("dev", questions, dev.off_topic, ())


def thresholded(
    scores: dict[str, list[tuple[str, float]]], fitted_on: BlindSplit
) -> Callable[[str], Reply]:
    """A baseline that answers its top entry above one threshold, fitted on `fitted_on`."""
    off = [scores[t][0][1] if scores[t] else 0.0 for t in fitted_on.off_topic]
    threshold = float(np.quantile(off, 1 - MAX_OFF_TOPIC)) + 1e-9 if off else 0.0

    def reply(text: str) -> Reply:
        ranked = scores.get(text, [])
        ids = tuple(i for i, _ in ranked[:3])
        if ranked and ranked[0][1] >= threshold:
            return Reply("answered", ids[0], ids)
        return Reply("no_match", None, ())

    return reply


def bm25_scores(kb: KnowledgeBase, messages: list[str]) -> dict[str, list[tuple[str, float]]]:
    bm25 = BM25Baseline(kb)
    return {m: bm25.scores(m) for m in messages}


def embedding_scores(kb: KnowledgeBase, messages: list[str]) -> dict[str, list[tuple[str, float]]]:
    encoder, cache = shared_encoder(), shared_cache()
    texts, owners = [], []
    for entry in kb.entries:
        for text in (entry.title, *entry.questions):
            texts.append(text)
            owners.append(entry.id)
    matrix = cache.vectors(texts, encoder)
    queries = cache.vectors(messages, encoder)
    result = {}
    for message, vector in zip(messages, queries, strict=True):
        best: dict[str, float] = {}
        for owner, similarity in zip(owners, matrix @ vector, strict=True):
            best[owner] = max(best.get(owner, -1.0), float(similarity))
        result[message] = sorted(best.items(), key=lambda kv: -kv[1])[:3]
    return result


# The commit from which `ask --json` decodes a JSON string line (a message with line
# breaks, as Telegram delivers it); older commits read every line as it is.
ASK_DECODES_JSON_LINES = "09c8786"


def before_replies(rev: str, messages: list[str]) -> dict[str, Reply]:
    """The replies of commit `rev`, each message sent as that commit can read it. (Until
    2026-12-02 every `--before` commit got pastes flattened to one line, newer ones
    too, so a paste split scored beside a newer commit was not a like-for-like read.)"""
    with checked_out(rev) as tree:
        return ask_json(
            messages,
            tree,
            [sys.executable, "-m", "bot", "ask", "--json"],
            line_breaks=descends_from(rev, ASK_DECODES_JSON_LINES),
        )


def row(name: str, s: Scores) -> str:
    """One system's shares; "-" where the split has none of those messages."""
    questions = (
        s.answered_right,
        s.answered_wrong,
        s.suggested,
        s.dont_know,
        s.offered_right,
        s.ranked_right_first,
    )
    cells = [f"{v:.3f}" if s.questions else "-" for v in questions]
    cells.append(f"{s.off_topic_answered:.3f}" if s.off_topic else "-")
    cells.append(f"{s.smalltalk_recognised:.3f}" if s.smalltalk else "-")
    return f"| {name} | " + " | ".join(cells) + " |"


HEADER = (
    "| system | answered right | answered wrong | did you mean | I don't know | right entry offered "
    "| right entry first | off-topic answered | small talk recognised |\n|---|---|---|---|---|---|---|---|---|"
)


def agreement(split: BlindSplit) -> str:
    """How often two independent labellers agree, on the questions the first found covered."""
    pairs = [(q.entries, q.second) for q in split.covered if q.second is not None]
    if not pairs:
        return ""
    n = len(pairs)
    same_first = sum(bool(second) and second[0] == first[0] for first, second in pairs)
    first_agrees = sum(bool(second) and second[0] in first for first, second in pairs)
    overlap = sum(bool(set(first) & set(second)) for first, second in pairs)
    uncovered = sum(not second for _, second in pairs)
    return (
        f"{split.name}: {n} questions labelled twice; the second labeller's first entry is the "
        f"first labeller's first {same_first / n:.3f}, among the first's entries "
        f"{first_agrees / n:.3f}; the two share an entry {overlap / n:.3f}; the second "
        f"found no entry {uncovered / n:.3f}"
    )


def breakdown(title: str, groups: dict[str, tuple[int, float, float]]) -> str:
    lines = [f"| {title} | questions | answered right | right entry offered |", "|---|---|---|---|"]
    lines += [f"| {k} | {n} | {a:.3f} | {b:.3f} |" for k, (n, a, b) in groups.items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--before", default=BEFORE, help="the commit whose matcher is today's baseline"
    )
    parser.add_argument("--no-baselines", action="store_true", help="score Nexus only")
    parser.add_argument(
        "--split",
        action="append",
        choices=SPLITS,
        help="score only this split (repeatable): a new tune split is measured once, "
        "as it comes, without reading the frozen one; without it, every split but the "
        "unread checks",
    )
    args = parser.parse_args()
    kb = load_knowledge_base()
    splits = {
        name: dev_as_split(kb) if name == "dev" else load_split(name, topics=kb.entry_topics)
        for name in args.split or DEFAULT_SPLITS
    }
    labelled_twice = [splits[name] for name in TWO_LABELLERS if name in splits]
    for split in labelled_twice:
        splits[TWO_LABELLERS[split.name]] = split.either_labeller(TWO_LABELLERS[split.name])
    for name, view in LATER_ENTRIES.items():
        if name in splits:
            splits[view] = splits[name].with_later_entries(view)
    messages = all_messages(splits.values())
    nexus = ask_json(messages, ROOT, [sys.executable, "-m", "bot", "ask", "--json"])
    systems: dict[str, Callable[[str], Reply]] = {"Nexus": nexus.__getitem__}
    if not args.no_baselines:
        # The baselines' thresholds are fitted on the calibration split, whichever is scored.
        calibration = splits.get("calibration") or load_split("calibration", topics=kb.entry_topics)
        scored = all_messages([*splits.values(), calibration])
        label = (
            f"matcher before issue 10 ({BEFORE})"
            if args.before == BEFORE
            else f"matcher at {args.before}"
        )
        systems[label] = before_replies(args.before, messages).__getitem__
        systems["BM25 (bm25 over title, phrasings, answer)"] = thresholded(
            bm25_scores(kb, scored), calibration
        )
        systems["embedding search alone (the shipped encoder, phrasings)"] = thresholded(
            embedding_scores(kb, scored), calibration
        )
    print(
        f"{len(kb.entries)} entries. Replies of `nexus-bot ask --json`; "
        "baselines fitted on the calibration split.\n"
    )
    for split in labelled_twice:
        if line := agreement(split):
            print(line + "\n")
    for name, split in splits.items():
        print(
            f"### {name} split: {len(split.covered)} questions, {len(split.off_topic)} off-topic, "
            f"{len(split.smalltalk)} small talk\n"
        )
        print(HEADER)
        for system_name, system in systems.items():
            print(row(system_name, score(split, system)))
        print()
    for name, split in splits.items():
        mine = score(split, nexus.__getitem__)
        print(f"#### Nexus on the {name} split, by style and by topic\n")
        if split.smalltalk:
            print(
                f"Small-talk intent right {mine.intent_right:.3f}; off-topic offered a "
                f'"did you mean" {mine.off_topic_suggested:.3f}.\n'
            )
        print(breakdown("style", mine.per_style) + "\n")
        print(breakdown("topic", mine.per_topic) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
