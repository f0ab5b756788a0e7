"""bench/content_round.py: a round's harm read counts first-label answers per split,
flags a split that breaks the house rule, and lists the questions that moved."""

from __future__ import annotations

import pytest

from bench import content_round
from bench.blind import TUNE_SPLITS, UNREAD_CHECK_SPLITS, BlindSplit, Question, Reply
from bench.blind_quality import DEFAULT_SPLITS, SPLITS, full_run_splits
from bench.content_round import (
    Counts,
    FirstPlace,
    breaks_entry_rule,
    breaks_learner_rule,
    counts,
    first_place,
    harmed,
    moves,
    pooled_harm,
    round_entry_ids,
    splits_read,
    table_row,
)

SPLIT = BlindSplit(
    "tuneX",
    (
        Question("a", "what is an etag", "definition", "api-design", ("http-etag",)),
        Question("b", "n+1 queries", "definition", "django", ("django-n-plus-one",)),
        Question("c", "why is my list slow", "problem", "django", ("django-n-plus-one",)),
        Question("d", "send a pdf by mail", "problem", "django", ()),  # not covered
    ),
    ("celery soup recipe",),
    (("hi there", "greeting"),),
)

BEFORE = {
    "what is an etag": Reply("answered", "http-etag", ("http-etag",)),
    "n+1 queries": Reply("answered", "django-n-plus-one", ("django-n-plus-one",)),
    "why is my list slow": Reply("answered", "django-caching", ("django-caching",)),
    "send a pdf by mail": Reply("no_match", None, ()),
    "celery soup recipe": Reply("no_match", None, ()),
    "hi there": Reply("smalltalk", None, (), "greeting"),
}
AFTER = {
    **BEFORE,
    # lost: a "did you mean" that still offers the right entry first
    "n+1 queries": Reply("ambiguous", None, ("django-n-plus-one", "django-pdf-mail")),
    # a new wrong answer, where there was another wrong one before
    "why is my list slow": Reply("answered", "django-pdf-mail", ("django-pdf-mail",)),
    # an uncovered question answered: not counted either way
    "send a pdf by mail": Reply("answered", "django-pdf-mail", ("django-pdf-mail",)),
    "celery soup recipe": Reply("answered", "async-celery", ("async-celery",)),
}


def test_counts_use_first_labels_and_skip_uncovered_questions() -> None:
    assert counts(SPLIT, BEFORE) == Counts(right=2, wrong=1, off_topic_answered=0, smalltalk=1)
    assert counts(SPLIT, AFTER) == Counts(right=1, wrong=1, off_topic_answered=1, smalltalk=1)


def test_a_split_breaks_the_rule_past_one_lost_or_one_gained() -> None:
    base = Counts(10, 2, 0, 0)
    assert not harmed(base, Counts(9, 3, 0, 0))
    assert harmed(base, Counts(8, 2, 0, 0))
    assert harmed(base, Counts(10, 4, 0, 0))
    assert not harmed(base, Counts(12, 1, 0, 0))


def test_moves_list_lost_answers_and_new_wrong_answers_only() -> None:
    found = moves(SPLIT, BEFORE, AFTER)
    assert [(m.question, m.before.status, m.after.status) for m in found] == [
        ("b", "answered", "ambiguous"),
        ("c", "answered", "answered"),
    ]
    assert found[1].after.entry == "django-pdf-mail"
    assert moves(SPLIT, BEFORE, BEFORE) == []


def test_a_judged_later_label_makes_a_new_entrys_answer_right() -> None:
    judged = Question(
        "c",
        "why is my list slow",
        "problem",
        "django",
        ("django-n-plus-one",),
        later=("django-pdf-mail",),
    )
    split = BlindSplit("tuneX", (judged,), (), ())
    assert counts(split, AFTER).wrong == 1
    assert counts(split.with_later_entries("tuneX"), AFTER) == Counts(1, 0, 0, 0)


def test_the_splits_read_never_include_the_frozen_or_held_ones() -> None:
    names = [s.name for s in splits_read({"tune34", "tune35"})]
    assert "frozen" not in names and "tune34" not in names and "tune35" not in names
    assert names[0] == "calibration" and names[-1] == "dev" and "tune33" in names
    assert [s.name for s in splits_read(set(), also_later=True)][:2] == ["calibration", "tune"]


def test_an_unread_check_split_is_never_read_even_when_no_one_holds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(content_round, "UNREAD_CHECK_SPLITS", ("tune37",))
    names = {s.name for s in splits_read(set())}
    assert "tune37" not in names and "tune36" in names


def test_the_checks_read_once_are_splits_for_designing_now() -> None:
    # tune37 to tune44, tune46, tune50, tune53, tune55 to tune67, tune69, tune72, tune75 to
    # tune77, tune82, tune83, tune86, tune88, tune92, tune94, tune96, tune98, tune99, tune100,
    # tune104, tune105, tune108, tune112, tune113, tune114, tune116 to tune120, tune122 to tune125,
    # tune127, tune129 and tune133 were each read once as a round's check (README here); a check still
    # waiting (tune45 and tune54, rounds 15's and 21's) is never read.
    assert set(UNREAD_CHECK_SPLITS) <= set(TUNE_SPLITS)
    names = {s.name for s in splits_read(set())}
    read_checks = {f"tune{n}" for n in (*range(37, 45), 46, 50, 53, *range(55, 68), 69, 72)}
    read_checks |= {f"tune{n}" for n in (75, 76, 77, 82, 83, 86, 88, 92, 94, 96, 98, 99, 100)}
    read_checks |= {f"tune{n}" for n in (104, 105, 108, 112, 113, 114, *range(116, 121))}
    # tune126, tune128, tune130, tune131 and tune132 exist only inside rounds 93, 95, 97, 98 and
    # 99's patches (tests/eval/blind/rounds/).
    read_checks |= {f"tune{n}" for n in (*range(122, 126), 127, 129, 133)}
    assert read_checks <= names
    assert names.isdisjoint(UNREAD_CHECK_SPLITS)


def test_a_row_shows_each_count_before_and_after_and_pooled_counts_add_up() -> None:
    before, after = counts(SPLIT, BEFORE), counts(SPLIT, AFTER)
    moved = first_place(SPLIT, BEFORE, AFTER)
    assert table_row("tuneX", before, after, "kept", moved, "kept", "kept") == (
        "| tuneX | 2 -> 1 | 1 -> 1 | 0 -> 1 | 1 -> 1 | kept | 0 | 1 | kept | 0 | 0 | 0 | kept |"
    )
    assert before + after == Counts(3, 2, 1, 2)


def test_first_place_counts_what_the_learner_sees_first() -> None:
    # b: a "did you mean" that still offers the right entry first is no first place lost;
    # c: answered by an entry that was not first before is a theft (the old wrong one was
    # another entry); d: an uncovered question is not counted.
    assert first_place(SPLIT, BEFORE, AFTER) == FirstPlace(lost=0, thefts=1)
    assert first_place(SPLIT, BEFORE, BEFORE) == FirstPlace(0, 0)
    pushed_down = {
        **BEFORE,
        "what is an etag": Reply("ambiguous", None, ("django-pdf-mail", "http-etag")),
        "n+1 queries": Reply("no_match", None, ()),
    }
    assert first_place(SPLIT, BEFORE, pushed_down) == FirstPlace(lost=2, thefts=0)


def test_an_answer_by_the_entry_already_offered_first_is_no_theft() -> None:
    offered_first = {
        **BEFORE,
        "why is my list slow": Reply("ambiguous", None, ("django-pdf-mail",)),
    }
    now_answered = {
        **BEFORE,
        "why is my list slow": Reply("answered", "django-pdf-mail", ("django-pdf-mail",)),
    }
    assert first_place(SPLIT, offered_first, now_answered).thefts == 0


def test_the_learner_rule_allows_one_of_each_per_split() -> None:
    assert not breaks_learner_rule(FirstPlace(1, 1))
    assert breaks_learner_rule(FirstPlace(2, 0))
    assert breaks_learner_rule(FirstPlace(0, 2))
    assert FirstPlace(1, 0) + FirstPlace(0, 2) == FirstPlace(1, 2)


def test_moves_also_list_a_right_first_entry_pushed_down() -> None:
    pushed_down = {
        **BEFORE,
        "what is an etag": Reply("ambiguous", None, ("django-pdf-mail", "http-etag")),
    }
    assert [m.question for m in moves(SPLIT, BEFORE, pushed_down)] == ["a"]
    # a "did you mean" whose right first entry is pushed down by another is listed too
    offered = {**BEFORE, "what is an etag": Reply("ambiguous", None, ("http-etag",))}
    pushed = {
        **BEFORE,
        "what is an etag": Reply("ambiguous", None, ("django-caching", "http-etag")),
    }
    assert [m.question for m in moves(SPLIT, offered, pushed)] == ["a"]


def test_the_entry_rule_counts_only_moves_to_the_rounds_own_entries() -> None:
    moved = {
        **BEFORE,
        # pushed down by an old entry (a band's edge, two old entries swapping): not the round's
        "what is an etag": Reply("ambiguous", None, ("django-caching", "http-etag")),
        # pushed down by the round's new entry
        "n+1 queries": Reply("ambiguous", None, ("django-pdf-mail", "django-n-plus-one")),
        # answered by the round's new entry, which was not first before: its theft
        "why is my list slow": Reply("answered", "django-pdf-mail", ("django-pdf-mail",)),
    }
    place = first_place(SPLIT, BEFORE, moved, frozenset({"django-pdf-mail"}))
    assert place == FirstPlace(lost=2, thefts=1, lost_to_round=1, thefts_by_round=1)
    assert breaks_learner_rule(place) and not breaks_entry_rule(place)
    assert breaks_entry_rule(FirstPlace(2, 0, 2, 0)) and breaks_entry_rule(FirstPlace(0, 2, 0, 2))
    assert FirstPlace(1, 1, 1, 0) + FirstPlace(0, 1, 0, 1) == FirstPlace(1, 2, 1, 1)


def test_pooled_counts_may_lose_three_right_answers_and_gain_no_wrong_one() -> None:
    base = Counts(100, 5, 1, 50)
    assert not pooled_harm(base, Counts(104, 4, 1, 49))
    # three right answers lost pooled is what the placebo rounds showed adding two entries can cost
    assert not pooled_harm(base, Counts(97, 4, 1, 50))
    assert pooled_harm(base, Counts(96, 4, 1, 50))
    assert pooled_harm(base, Counts(97, 6, 1, 50))
    assert pooled_harm(base, Counts(104, 6, 1, 50))
    assert pooled_harm(base, Counts(104, 4, 1, 48))
    # one more off-topic message answered (an old entry at a band's edge) is allowed, two are not
    assert not pooled_harm(base, Counts(104, 4, 2, 50))
    assert pooled_harm(base, Counts(104, 4, 3, 50))


def test_an_off_topic_message_answered_by_the_rounds_entry_breaks_the_entry_rule() -> None:
    # AFTER answers "celery soup recipe" with async-celery: the round's if it added or changed it
    assert first_place(SPLIT, BEFORE, AFTER, frozenset({"async-celery"})).off_topic_by_round == 1
    assert first_place(SPLIT, BEFORE, AFTER, frozenset({"django-pdf-mail"})).off_topic_by_round == 0
    assert breaks_entry_rule(FirstPlace(0, 0, 0, 0, off_topic_by_round=1))
    assert not breaks_entry_rule(FirstPlace(1, 1, 1, 1, off_topic_by_round=0))


def test_the_rounds_entries_are_those_added_or_changed(tmp_path) -> None:
    def tree(name: str, entries: str):
        folder = tmp_path / name / "content" / "data" / "entries"
        folder.mkdir(parents=True)
        (folder / "django.yaml").write_text(entries, encoding="utf-8")
        return str(tmp_path / name)

    old = tree("old", "entries:\n  - {id: a, title: A}\n  - {id: b, title: B}\n")
    new = tree(
        "new", "entries:\n  - {id: a, title: A}\n  - {id: b, title: B2}\n  - {id: c, title: C}\n"
    )
    assert round_entry_ids(old, new) == frozenset({"b", "c"})
    assert round_entry_ids(old, old) == frozenset()


def test_a_full_quality_run_leaves_the_unread_checks_to_be_named() -> None:
    full_run = full_run_splits(("tune38", "tune39"))
    assert "tune38" not in full_run and "tune39" not in full_run
    assert {"tune38", "tune39"} <= set(SPLITS)  # still read by name, once: `--split`
    assert "frozen" in full_run and "tune37" in full_run
    assert set(DEFAULT_SPLITS) == set(full_run_splits(UNREAD_CHECK_SPLITS))
    assert set(DEFAULT_SPLITS).isdisjoint(UNREAD_CHECK_SPLITS)
    assert "tune39" in DEFAULT_SPLITS  # read as round 10's check: every full run reads it now
