"""A quality floor on the frozen split of the blind set (tests/eval/blind/README.md).

Scored on what `nexus-bot ask --json` prints (bot.presentation.reports.ask_record), so a change that
breaks understanding fails CI. The floors sit a small margin under the figures
measured by `python bench/blind_quality.py` and reported in docs/benchmarks.md;
nothing is fitted to this split.

Scored against the first labels plus the entries written since that a judge,
shown only the questions and those entries, found to answer them (`later`): on the
first labels alone, an entry written later that answers a question counts as a
wrong answer, so those figures drift down as content grows without any change in
understanding. (Moved to this view on 2026-12-01, after that drift took the
first-label wrong-answer rate over its ceiling: 0.056, 13 of 232, of which 5 are
such entries; docs/benchmarks.md reports both.)
"""

from __future__ import annotations

import pytest

from bench.blind import Reply, Scores, load_split, reply_from_record, score
from bot.presentation.reports import ask_record
from content import Matcher, load_knowledge_base

# Measured on the frozen split with later entries judged (docs/benchmarks.md), minus a margin.
FLOOR_ANSWERED_RIGHT = 0.70  # measured 0.784
FLOOR_OFFERED_RIGHT = 0.90  # measured 0.957 (an answer's runner-up counts)
CEILING_ANSWERED_WRONG = 0.05  # measured 0.026
CEILING_DONT_KNOW = 0.06  # measured 0.004
CEILING_OFF_TOPIC_ANSWERED = 0.02  # measured 0.011 (1 of 92)
FLOOR_SMALLTALK = 0.94  # measured 0.971 (66 of 68)


@pytest.fixture(scope="module")
def frozen() -> Scores:
    kb = load_knowledge_base()
    matcher = Matcher(kb)

    def reply(text: str) -> Reply:
        return reply_from_record(ask_record(matcher.kb, matcher.match(text)))

    first_labels = load_split("frozen", topics=kb.entry_topics)
    return score(first_labels.with_later_entries("frozen (entries added since, judged)"), reply)


def test_the_frozen_split_is_the_one_written_blind() -> None:
    split = load_split("frozen")
    assert (len(split.questions), len(split.off_topic), len(split.smalltalk)) == (232, 92, 68)


def test_in_domain_questions(frozen: Scores) -> None:
    assert frozen.answered_right >= FLOOR_ANSWERED_RIGHT
    assert frozen.offered_right >= FLOOR_OFFERED_RIGHT
    assert frozen.answered_wrong <= CEILING_ANSWERED_WRONG
    assert frozen.dont_know <= CEILING_DONT_KNOW


def test_off_topic_and_small_talk(frozen: Scores) -> None:
    assert frozen.off_topic_answered <= CEILING_OFF_TOPIC_ANSWERED
    assert frozen.smalltalk_recognised >= FLOOR_SMALLTALK
