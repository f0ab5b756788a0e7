"""Add a tune split's learner questions to their entries' phrasings (run once per split).

    python bench/tune_to_phrasings.py [--split tune|tune2|...]  (any tests/eval/blind/tune*.yaml)

The tune split (tests/eval/blind/tune.yaml) exists to be tuned on: its questions
are real learner wording (problems, errors, Pidgin, typos) labelled with the
entry that answers them. Each becomes a phrasing of its first labelled entry, as
authors would teach it from /unanswered. Measured on the calibration split (which
no author reads): rank@1 0.826 -> 0.853, answered right 0.566 -> 0.644 at the
same wrong-answer rate. The frozen split is untouched.

Lines are inserted after each entry's last phrasing, so the files keep their
hand formatting; questions already present are skipped. A split's small-talk
messages join their intent's examples in smalltalk.yaml the same way (emoji-only
ones aside: emoji have their own table in content/smalltalk.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.blind import TUNE_SPLITS, BlindSplit, load_split
from content import BUNDLED_CONTENT_DIR, KnowledgeBase, load_knowledge_base
from content.normalize import Normalizer
from content.overlap import NEAR_DUPLICATE
from content.smalltalk import without_symbols


def insert(path: Path, additions: dict[str, list[str]]) -> int:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    entry: str | None = None
    in_questions = False
    added = 0
    for index, line in enumerate(lines):
        out.append(line)
        if found := re.match(r"  - id: (\S+)", line):
            entry, in_questions = found.group(1), False
        elif line.startswith("    questions:"):
            in_questions = True
        if in_questions and line.startswith("      - "):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if not following.startswith("      - ") and entry in additions:
                for text in additions.pop(entry):
                    out.append(f"      - {json.dumps(text, ensure_ascii=False)}\n")
                    added += 1
                in_questions = False
    path.write_text("".join(out), encoding="utf-8")
    return added


def _said_nearly(key: str, texts: list[str]) -> bool:
    """Whether a text says `key` nearly word for word (as `content check` judges)."""
    found = process.extractOne(
        key, texts, scorer=fuzz.token_sort_ratio, score_cutoff=NEAR_DUPLICATE
    )
    return found is not None


def add_smalltalk(path: Path, additions: dict[str, list[str]]) -> int:
    """Append examples to each intent's one-line `phrases: [...]` list."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    intent: str | None = None
    added = 0
    for index, line in enumerate(lines):
        if found := re.match(r"  - id: (\S+)", line):
            intent = found.group(1)
        elif line.startswith("    phrases: [") and line.rstrip().endswith("]") and intent:
            texts = additions.pop(intent, [])
            items = "".join(f", {json.dumps(t, ensure_ascii=False)}" for t in texts)
            lines[index] = line.rstrip()[:-1] + items + "]\n"
            added += len(texts)
    path.write_text("".join(lines), encoding="utf-8")
    return added


def smalltalk_additions(split: BlindSplit, kb: KnowledgeBase) -> dict[str, list[str]]:
    """The split's small-talk messages that no example of their intent already says
    (case, punctuation and emoji aside), by intent."""
    normalizer = Normalizer(kb.synonyms)
    intents = {intent.id for intent in kb.smalltalk}

    def key(text: str) -> str:
        return " ".join(normalizer.tokens(without_symbols(text)))

    seen = {key(p) for intent in kb.smalltalk for p in intent.phrases}
    additions: dict[str, list[str]] = {}
    for text, intent in split.smalltalk:
        if intent in intents and any(c.isalnum() for c in text) and key(text) not in seen:
            seen.add(key(text))
            additions.setdefault(intent, []).append(" ".join(text.split()))
    return additions


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--split", default="tune", choices=TUNE_SPLITS)
    args = parser.parse_args()
    kb = load_knowledge_base()
    tune = load_split(args.split, topics=kb.entry_topics)
    additions: dict[str, list[str]] = {}
    # A question that an entry already has, or nearly (labellers of different splits
    # may disagree on which entry answers it), is skipped: one text under two entries
    # splits the matcher's confidence between them (`nexus-bot content check` warns).
    normalizer = Normalizer(kb.synonyms)
    known = [" ".join(normalizer.content_tokens(q)) for e in kb.entries for q in e.questions]
    for question in tune.covered:
        entry = kb.entry(question.entries[0])
        text = " ".join(question.text.split())  # one line: pasted tracebacks keep their words
        key = " ".join(normalizer.content_tokens(text))
        if entry is None or not key or _said_nearly(key, known):
            continue
        known.append(key)
        additions.setdefault(entry.id, []).append(text)
    total = 0
    for path in sorted((BUNDLED_CONTENT_DIR / "entries").glob("*.yaml")):
        total += insert(path, additions)
    chat = smalltalk_additions(tune, kb)
    examples = add_smalltalk(BUNDLED_CONTENT_DIR / "smalltalk.yaml", chat)
    print(f"added {total} phrasings and {examples} small-talk examples")
    if additions or chat:
        print(f"not placed: {sorted(additions)} {sorted(chat)}")
    return 0 if not additions and not chat else 1


if __name__ == "__main__":
    raise SystemExit(main())
