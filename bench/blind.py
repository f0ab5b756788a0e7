"""The blind evaluation set and how a system's replies are scored against it.

The set (tests/eval/blind/, see its README) was written by people who never saw
the knowledge base and labelled afterwards by others. A *reply* is what the bot
sends, as `nexus-bot ask --json` prints it: a status ("answered", "ambiguous",
"smalltalk", "no_match"), the answered entry and the offered choices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

BLIND_DIR = Path(__file__).parents[1] / "tests" / "eval" / "blind"
# Every tune split on disk, in the order they were written (tune, tune2, ...): a new
# split file is picked up by the bench scripts without listing it anywhere.
TUNE_SPLITS = tuple(
    sorted((p.stem for p in BLIND_DIR.glob("tune*.yaml")), key=lambda name: (len(name), name))
)
# Splits kept unread as the check of a content round that has not landed yet
# (tests/eval/blind/README.md): nothing is fitted to them and a harm read never reads them,
# so they still measure new questions when that check comes. Take a split out once it is read;
# the README's list of splits says which round each belongs to and when it was read
# (tune45 is round 15's check, tune54 round 21's third attempt's).
UNREAD_CHECK_SPLITS: tuple[str, ...] = ("tune45", "tune54")


def readable_splits(names: list[str]) -> list[str]:
    """The named splits, refusing the frozen split and the unread checks: a build-time or
    diagnostic read of the splits (bench/encoder_transfer.py, bench/confidence_shape.py)
    may look at neither."""
    for name in names:
        if name == "frozen" or name in UNREAD_CHECK_SPLITS:
            raise SystemExit(f"{name} is not to be read here")
    return names


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    style: str
    topic: str
    entries: tuple[str, ...]  # acceptable answers, best first; () = not covered
    # What a second, independent labeller gave (best first; () = no entry), or
    # None where the question was labelled once.
    second: tuple[str, ...] | None = None
    # Entries written after the question was labelled that a later judge, shown the
    # question and only those entries (never a reply of Nexus), found to answer it; and,
    # from a registered label audit (docs/benchmarks.md), older entries such a judge
    # found to answer it. Only ever added to, never the first label.
    later: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlindSplit:
    name: str
    questions: tuple[Question, ...]
    off_topic: tuple[str, ...]
    smalltalk: tuple[tuple[str, str], ...]  # (text, intent)

    @property
    def covered(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.entries)

    def messages(self) -> list[str]:
        texts = [q.text for q in self.questions] + list(self.off_topic)
        return texts + [t for t, _ in self.smalltalk]

    def either_labeller(self, name: str) -> BlindSplit:
        """The same split, also accepting the second labeller's entries after the
        first's. Only questions the first labeller found covered are extended, so the
        covered questions, and every share's denominator, stay the same."""
        return self._also_accepting(name, lambda q: q.second or ())

    def with_later_entries(self, name: str) -> BlindSplit:
        """The same split, also accepting the entries a judge found to answer a question
        after it was labelled (`later`); covered questions only, as above."""
        return self._also_accepting(name, lambda q: q.later)

    def _also_accepting(
        self, name: str, extra: Callable[[Question], tuple[str, ...]]
    ) -> BlindSplit:
        def accepted(q: Question) -> Question:
            if not q.entries:
                return q
            return replace(q, entries=q.entries + tuple(e for e in extra(q) if e not in q.entries))

        return replace(self, name=name, questions=tuple(accepted(q) for q in self.questions))


def load_split(
    name: str, folder: Path = BLIND_DIR, topics: dict[str, str] | None = None
) -> BlindSplit:
    """`topics`: entry id -> topic, so each question is reported under its answer's topic."""
    raw = yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
    topic_of = topics or {}
    questions = tuple(
        Question(
            q["id"],
            q["q"],
            q["style"],
            topic_of.get(q["entries"][0], q["topic_guess"]) if q["entries"] else q["topic_guess"],
            tuple(q["entries"]),
            tuple(q["second"]) if "second" in q else None,
            tuple(q.get("later", ())),
        )
        for q in raw.get("questions", [])
    )
    return BlindSplit(
        name,
        questions,
        tuple(o["text"] for o in raw.get("off_topic", [])),
        tuple((s["text"], s["intent"]) for s in raw.get("smalltalk", [])),
    )


@dataclass(frozen=True)
class Reply:
    status: str
    entry: str | None  # the answered entry
    offered: tuple[str, ...]  # every entry offered: the answer first, then choices
    intent: str | None = None


def reply_from_record(record: dict) -> Reply:  # type: ignore[type-arg]
    """A reply from one line of `nexus-bot ask --json`."""
    offered = [record["entry_id"]] if record.get("entry_id") else []
    # An answer's "🔎 Or:" buttons offer entries too (older commits print no such field).
    offered += [a["entry_id"] for a in record.get("alternatives", [])]
    offered += [s["entry_id"] for s in record.get("suggestions", [])]
    return Reply(record["status"], record.get("entry_id"), tuple(offered), record.get("intent"))


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


@dataclass(frozen=True)
class Scores:
    """What the issue's targets are stated in, as shares."""

    questions: int
    answered_right: float
    answered_wrong: float
    suggested: float
    suggested_right_first: float
    dont_know: float
    offered_right: float
    ranked_right_first: float  # the first entry offered (answer or choice) is right
    off_topic: int
    off_topic_answered: float
    off_topic_suggested: float
    smalltalk: int
    smalltalk_recognised: float
    intent_right: float
    not_covered: int
    not_covered_answered: float
    per_style: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    per_topic: dict[str, tuple[int, float, float]] = field(default_factory=dict)


def score(split: BlindSplit, reply_of: Callable[[str], Reply]) -> Scores:
    right, wrong, suggested, suggested_first, dont_know, offered, first = ([] for _ in range(7))
    by_style: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    by_topic: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for question in split.covered:
        reply = reply_of(question.text)
        good = set(question.entries)
        is_right = reply.status == "answered" and reply.entry in good
        is_offered = bool(good & set(reply.offered))
        right.append(is_right)
        wrong.append(reply.status == "answered" and reply.entry not in good)
        suggested.append(reply.status == "ambiguous")
        suggested_first.append(
            reply.status == "ambiguous"
            and reply.offered[:1] == (reply.offered[0],)
            and reply.offered[0] in good
            if reply.offered
            else False
        )
        dont_know.append(reply.status == "no_match")
        offered.append(is_offered and reply.status in ("answered", "ambiguous"))
        first.append(bool(reply.offered) and reply.offered[0] in good)
        by_style[question.style].append((is_right, offered[-1]))
        by_topic[question.topic].append((is_right, offered[-1]))
    off = [reply_of(text) for text in split.off_topic]
    small = [(reply_of(text), intent) for text, intent in split.smalltalk]
    uncovered = [reply_of(q.text) for q in split.questions if not q.entries]

    def table(groups: dict[str, list[tuple[bool, bool]]]) -> dict[str, tuple[int, float, float]]:
        return {
            k: (len(v), _share([a for a, _ in v]), _share([b for _, b in v]))
            for k, v in sorted(groups.items())
        }

    return Scores(
        questions=len(right),
        answered_right=_share(right),
        answered_wrong=_share(wrong),
        suggested=_share(suggested),
        suggested_right_first=_share(suggested_first),
        dont_know=_share(dont_know),
        offered_right=_share(offered),
        ranked_right_first=_share(first),
        off_topic=len(off),
        off_topic_answered=_share([r.status == "answered" for r in off]),
        off_topic_suggested=_share([r.status == "ambiguous" for r in off]),
        smalltalk=len(small),
        smalltalk_recognised=_share([r.status == "smalltalk" for r, _ in small]),
        intent_right=_share([r.status == "smalltalk" and r.intent == i for r, i in small]),
        not_covered=len(uncovered),
        not_covered_answered=_share([r.status == "answered" for r in uncovered]),
        per_style=table(by_style),
        per_topic=table(by_topic),
    )


def all_messages(splits: Iterable[BlindSplit]) -> list[str]:
    seen: dict[str, None] = {}
    for split in splits:
        for text in split.messages():
            seen.setdefault(text)
    return list(seen)
