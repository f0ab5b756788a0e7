"""A content round's harm read: each split it may be tuned on, before and after.

A round of new entries and phrasings is kept only if it does no harm on the blind splits
authors may read (see tests/eval/blind/README.md). This prints, for a base commit and the
round (a commit or a folder, the working tree by default), every non-frozen split's right
and wrong answers (first labels), off-topic messages answered and small talk recognised,
flags a split that lost more than one right answer or gained more than one wrong one, and
with `--moves` lists every question whose right answer or right first entry was lost or
whose reply became a new wrong answer. Beside those counts it reads each question as the
learner sees it (the first entry of the reply, answered or offered): how many lost a right
first entry, and how many are now answered by an entry that was not first before (a theft);
the learner rule allows one of each per split. The entry rule counts only the moves made by
the entries the round added or changed (and refuses an off-topic message answered by one),
and bounds the rest pooled over every split. The frozen split is never read; a round's check
splits, named with `--hold` (and the unread checks of `bench/blind.py`, always), are left
out, so they can be read once when its content is final (`bench/blind_quality.py --split`).

    python bench/content_round.py --base main --hold tune34 --hold tune35 --moves

Both trees answer through their own `nexus-bot ask --json` (about four minutes each
on a 2-vCPU machine for the 9,000 messages); compare on one machine, in one run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import astuple, dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.blind import (
    TUNE_SPLITS,
    UNREAD_CHECK_SPLITS,
    BlindSplit,
    Reply,
    all_messages,
    load_split,
)
from bench.blind_quality import ask_json, before_replies, dev_as_split
from content import load_knowledge_base

ROOT = Path(__file__).parents[1]
# The house rule: per split, at most one right answer lost and one wrong answer gained.
MOST_LOST_PER_SPLIT = 1
MOST_WRONG_GAINED_PER_SPLIT = 1
# The learner rule: per split, at most one right first entry lost and one theft. A right
# answer that becomes a "did you mean" with the same entry first costs a learner one tap,
# and entries near a band's edge cross it both ways when any content changes (docs/
# benchmarks.md, the features rounds), so the house rule alone mostly counts that noise.
MOST_FIRST_LOST_PER_SPLIT = 1
MOST_THEFTS_PER_SPLIT = 1
# The entry rule: the learner rule counting only the moves the round's own entries (added or
# changed) make, per split, and no off-topic message answered by one of them; pooled, right
# answers not lower, wrong answers not higher, answered off-topic messages up by at most one and
# small talk down by at most one. A large round also moves unrelated questions across a band's
# edge or swaps two old entries (it refits the phrasing classifier and shifts every signal's
# scale); no content change can bring those back, so they are bounded pooled, not per split.
# The off-topic bound allowed none until round 9 (docs/benchmarks.md, 2026-12-04) failed on one
# off-topic message an old entry answered at 0.82 against a 0.81 band; the per-split rules
# already allow one such band-edge move per split, and the round's own entries still may answer
# none.
MOST_OFFTOPIC_BY_ROUND_PER_SPLIT = 0
MOST_OFFTOPIC_GAINED_POOLED = 1
MOST_SMALLTALK_LOST_POOLED = 1
# Pooled right answers may fall by three: adding any entry lowers every question's lexical
# signals and the phrasing classifier's scores a little, so a few old answers at the band's edge
# become a "did you mean" still led by their right entry. Three placebo rounds of a round's size
# and kind on 971 entries (two everyday Django entries nobody asks about, never shipped;
# docs/benchmarks.md, 2026-12-07, the thirty-second session) moved pooled right answers by -2, -3
# and -3 and nothing else, so a fall of three is what adding two entries can cost. Set from those
# reads, for the rounds registered after them (the bound was one, from five placebo rounds on
# about 885 entries on 2026-12-05); wrong answers never rose in any placebo round.
MOST_RIGHT_LOST_POOLED = 3


@dataclass(frozen=True)
class Counts:
    right: int
    wrong: int
    off_topic_answered: int
    smalltalk: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.right + other.right,
            self.wrong + other.wrong,
            self.off_topic_answered + other.off_topic_answered,
            self.smalltalk + other.smalltalk,
        )


@dataclass(frozen=True)
class Move:
    split: str
    question: str
    labels: tuple[str, ...]
    before: Reply
    after: Reply
    text: str


def is_right(reply: Reply, labels: tuple[str, ...]) -> bool:
    return reply.status == "answered" and reply.entry in labels


def is_wrong(reply: Reply, labels: tuple[str, ...]) -> bool:
    return reply.status == "answered" and reply.entry not in labels


def counts(split: BlindSplit, replies: dict[str, Reply]) -> Counts:
    return Counts(
        right=sum(is_right(replies[q.text], q.entries) for q in split.covered),
        wrong=sum(is_wrong(replies[q.text], q.entries) for q in split.covered),
        off_topic_answered=sum(replies[t].status == "answered" for t in split.off_topic),
        smalltalk=sum(replies[t].status == "smalltalk" for t, _ in split.smalltalk),
    )


def harmed(before: Counts, after: Counts) -> bool:
    """Whether a split breaks the house rule."""
    return (
        before.right - after.right > MOST_LOST_PER_SPLIT
        or after.wrong - before.wrong > MOST_WRONG_GAINED_PER_SPLIT
    )


@dataclass(frozen=True)
class FirstPlace:
    """How a round moved the first entry of the replies a learner sees."""

    lost: int  # a right first entry (answered or offered) is no longer first
    thefts: int  # answered by a wrong entry that was not the reply's first before
    lost_to_round: int = 0  # of `lost`, those whose new first entry is one of the round's
    thefts_by_round: int = 0  # of `thefts`, those answered by one of the round's entries
    off_topic_by_round: int = 0  # off-topic messages answered by one of the round's entries

    def __add__(self, other: FirstPlace) -> FirstPlace:
        return FirstPlace(
            self.lost + other.lost,
            self.thefts + other.thefts,
            self.lost_to_round + other.lost_to_round,
            self.thefts_by_round + other.thefts_by_round,
            self.off_topic_by_round + other.off_topic_by_round,
        )


def first_is_right(reply: Reply, labels: tuple[str, ...]) -> bool:
    return bool(reply.offered) and reply.offered[0] in labels


def first_lost(old: Reply, new: Reply, labels: tuple[str, ...]) -> bool:
    """Whether the reply's first entry (answered or offered) was right and no longer is."""
    return first_is_right(old, labels) and not first_is_right(new, labels)


def first_place(
    split: BlindSplit,
    before: dict[str, Reply],
    after: dict[str, Reply],
    round_entries: frozenset[str] = frozenset(),
) -> FirstPlace:
    lost = thefts = lost_to_round = thefts_by_round = 0
    for q in split.covered:
        old, new = before[q.text], after[q.text]
        if first_lost(old, new, q.entries):
            lost += 1
            lost_to_round += bool(new.offered) and new.offered[0] in round_entries
        if is_wrong(new, q.entries) and old.offered[:1] != (new.entry,):
            thefts += 1
            thefts_by_round += new.entry in round_entries
    off_topic_by_round = sum(
        after[t].status == "answered" and after[t].entry in round_entries for t in split.off_topic
    )
    return FirstPlace(lost, thefts, lost_to_round, thefts_by_round, off_topic_by_round)


def breaks_learner_rule(moved: FirstPlace) -> bool:
    return moved.lost > MOST_FIRST_LOST_PER_SPLIT or moved.thefts > MOST_THEFTS_PER_SPLIT


def breaks_entry_rule(moved: FirstPlace) -> bool:
    return (
        moved.lost_to_round > MOST_FIRST_LOST_PER_SPLIT
        or moved.thefts_by_round > MOST_THEFTS_PER_SPLIT
        or moved.off_topic_by_round > MOST_OFFTOPIC_BY_ROUND_PER_SPLIT
    )


def pooled_harm(before: Counts, after: Counts) -> bool:
    """Whether the pooled counts break the entry rule."""
    return (
        before.right - after.right > MOST_RIGHT_LOST_POOLED
        or after.wrong > before.wrong
        or after.off_topic_answered - before.off_topic_answered > MOST_OFFTOPIC_GAINED_POOLED
        or before.smalltalk - after.smalltalk > MOST_SMALLTALK_LOST_POOLED
    )


def git_output(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def entries_of(tree_or_rev: str) -> dict[str, dict]:
    """Every entry of a folder's or a commit's content, by id, as parsed."""
    folder = Path(tree_or_rev)
    entries_dir = "content/data/entries"
    if folder.is_dir():
        texts = [
            p.read_text(encoding="utf-8") for p in sorted((folder / entries_dir).glob("*.yaml"))
        ]
    else:
        names = git_output("ls-tree", "--name-only", f"{tree_or_rev}:{entries_dir}").split()
        texts = [git_output("show", f"{tree_or_rev}:{entries_dir}/{name}") for name in names]
    return {e["id"]: e for text in texts for e in (yaml.safe_load(text) or {}).get("entries", [])}


def round_entry_ids(base: str, new: str) -> frozenset[str]:
    """The entries the round added or changed."""
    old, now = entries_of(base), entries_of(new)
    return frozenset(i for i, e in now.items() if old.get(i) != e)


def moves(split: BlindSplit, before: dict[str, Reply], after: dict[str, Reply]) -> list[Move]:
    """Questions whose right answer or right first entry was lost, or whose reply is a wrong
    answer it was not."""
    found = []
    for q in split.covered:
        old, new = before[q.text], after[q.text]
        lost = (is_right(old, q.entries) and not is_right(new, q.entries)) or first_lost(
            old, new, q.entries
        )
        newly_wrong = is_wrong(new, q.entries) and not (
            is_wrong(old, q.entries) and old.entry == new.entry
        )
        if lost or newly_wrong:
            found.append(Move(split.name, q.id, q.entries, old, new, " ".join(q.text.split())))
    return found


def left_out(held: set[str]) -> set[str]:
    """The tune splits a harm read never reads: those held as a round's check and the unread
    checks of `bench/blind.py`."""
    return held | set(UNREAD_CHECK_SPLITS)


def splits_read(held: set[str], also_later: bool = False) -> list[BlindSplit]:
    """The splits a round may be tuned on (never the frozen split or those `left_out`); with
    `also_later`, a question also accepts the entries a judge found to answer it after it was
    labelled (its `later` field)."""
    kb = load_knowledge_base()
    skipped = left_out(held)
    names = [n for n in ("calibration", *TUNE_SPLITS) if n not in skipped]
    splits = [load_split(n) for n in names] + [dev_as_split(kb)]
    return [s.with_later_entries(s.name) for s in splits] if also_later else splits


def replies_of(tree_or_rev: str, messages: list[str]) -> dict[str, Reply]:
    folder = Path(tree_or_rev)
    if folder.is_dir():
        return ask_json(messages, folder, [sys.executable, "-m", "bot", "ask", "--json"])
    return before_replies(tree_or_rev, messages)


def table_row(
    name: str,
    old: Counts,
    new: Counts,
    rule: str,
    moved: FirstPlace,
    learner_rule: str,
    entry_rule: str,
) -> str:
    cells = [f"{a} -> {b}" for a, b in zip(astuple(old), astuple(new), strict=True)]
    cells += [rule, str(moved.lost), str(moved.thefts), learner_rule]
    cells += [str(moved.lost_to_round), str(moved.thefts_by_round)]
    cells += [str(moved.off_topic_by_round), entry_rule]
    return f"| {name} | {' | '.join(cells)} |"


def describe(reply: Reply) -> str:
    return f"{reply.status} {', '.join(reply.offered[:3]) or '-'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the commit (or folder) before the round")
    parser.add_argument(
        "--new", default=str(ROOT), help="the round: a folder (default: this tree) or a commit"
    )
    parser.add_argument(
        "--hold",
        action="append",
        default=[],
        choices=TUNE_SPLITS,
        help="a check split to leave out",
    )
    parser.add_argument("--moves", action="store_true", help="list the questions that moved")
    parser.add_argument(
        "--also-later",
        action="store_true",
        help="also accept the entries a judge added to a question after its first label "
        "(`later`): a new entry that rightly answers an older question is then not wrong",
    )
    args = parser.parse_args()
    splits = splits_read(set(args.hold), args.also_later)
    messages = all_messages(splits)
    before, after = replies_of(args.base, messages), replies_of(args.new, messages)
    round_entries = round_entry_ids(args.base, args.new)
    labels = "first labels and judged later ones" if args.also_later else "first labels"
    print(
        f"{len(messages)} messages; {labels}; "
        f"held out: {', '.join(sorted(left_out(set(args.hold)))) or 'none'}; "
        f"{len(round_entries)} entries added or changed by the round\n"
    )
    print(
        "| split | right | wrong | off-topic answered | small talk | house rule "
        "| right first entry lost | thefts | learner rule "
        "| lost to the round's entries | thefts by them | off-topic answered by them "
        "| entry rule |"
    )
    print("| --- " * 13 + "|")
    pooled_before = pooled_after = Counts(0, 0, 0, 0)
    pooled_moved = FirstPlace(0, 0)
    for split in splits:
        old, new = counts(split, before), counts(split, after)
        moved = first_place(split, before, after, round_entries)
        pooled_before, pooled_after = pooled_before + old, pooled_after + new
        pooled_moved += moved
        house = "broken" if harmed(old, new) else "kept"
        learner = "broken" if breaks_learner_rule(moved) else "kept"
        entry = "broken" if breaks_entry_rule(moved) else "kept"
        print(table_row(split.name, old, new, house, moved, learner, entry))
    pooled = "broken" if pooled_harm(pooled_before, pooled_after) else "kept"
    print(table_row("pooled", pooled_before, pooled_after, "", pooled_moved, "", pooled))
    if args.moves:
        print()
        for split in splits:
            for m in moves(split, before, after):
                print(f"- {m.split}/{m.question} (labels {', '.join(m.labels[:2])})")
                print(f"  {describe(m.before)} -> {describe(m.after)}")
                print(f"  {m.text[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
