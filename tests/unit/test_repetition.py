"""The learning model with a fake clock."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bot.services.repetition import (
    INTERVAL_DAYS,
    Card,
    Pick,
    is_mastered,
    mastery,
    pick_round,
    review,
    streaks,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_right_answers_climb_the_boxes_with_growing_intervals() -> None:
    card, now = Card(0), NOW
    seen = []
    for _ in range(7):
        card = review(card, True, now)
        assert card.due_at is not None
        seen.append((card.box, (card.due_at - now).days))
        now = card.due_at
    assert seen == [(1, 1), (2, 3), (3, 7), (4, 16), (5, 35), (5, 35), (5, 35)]


def test_a_wrong_answer_sends_the_question_back_to_the_start() -> None:
    card = review(Card(4, NOW), False, NOW)
    assert card == Card(1, NOW + timedelta(days=INTERVAL_DAYS[0]))


def test_mastery_and_mastered() -> None:
    assert mastery([], 4) == 0.0
    assert mastery([5, 5, 5, 5], 4) == 1.0
    assert mastery([5, 0], 4) == 0.25  # unanswered questions of the topic count as 0
    assert not is_mastered(3) and is_mastered(4)


def test_streaks_count_consecutive_days() -> None:
    d = date(2026, 11, 20)
    days = [d, d + timedelta(1), d + timedelta(2), d + timedelta(5), d + timedelta(6)]
    assert streaks(days, today=d + timedelta(6)) == (2, 3)
    assert streaks(days, today=d + timedelta(7)) == (2, 3)  # yesterday still counts
    assert streaks(days, today=d + timedelta(8)) == (0, 3)  # broken
    assert streaks([], today=d) == (0, 0)
    assert streaks([d, d], today=d) == (1, 1)  # several answers a day count once


def test_round_takes_due_reviews_first_then_mixes_new_topics() -> None:
    due = [Pick("d1", "sql"), Pick("d2", "sql")]
    unseen = [Pick(f"s{i}", "sql") for i in range(5)] + [Pick(f"c{i}", "caching") for i in range(5)]
    chosen = pick_round(due, unseen, new_allowed=10, size=5, rng=random.Random(1))
    assert chosen[:2] == ["d1", "d2"]
    new = chosen[2:]
    assert len(new) == 3 and {q[0] for q in new} == {"s", "c"}  # both topics represented


def test_daily_new_cap_then_practice_fills_the_round() -> None:
    unseen = [Pick(f"n{i}", "sql") for i in range(5)]
    practice = [Pick("p1", "sql"), Pick("p2", "sql"), Pick("p3", "sql")]
    chosen = pick_round([], unseen, new_allowed=1, size=3, rng=random.Random(0), practice=practice)
    assert len(chosen) == 3 and chosen[0].startswith("n") and chosen[1:] == ["p1", "p2"]
    assert pick_round([], [], new_allowed=0, size=5, rng=random.Random(0)) == []
