"""The learning model (FSRS mapping, recall, mastery, rounds) with a fake clock."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.repetition import (
    MASTERY_HORIZON,
    Pick,
    Scheduler,
    is_mastered,
    mastery,
    pick_round,
    recall,
    streaks,
    topic_mastery,
)
from storage.records import Memory
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_a_first_right_answer_rates_good_and_a_wrong_one_again() -> None:
    right = Scheduler().review(None, True, NOW)
    wrong = Scheduler().review(None, False, NOW)
    # FSRS-6 defaults: initial stability w2 = 2.3065 days (Good), w0 = 0.212 (Again).
    assert right.stability == pytest.approx(2.3065) and right.due_at == NOW + timedelta(days=2)
    assert wrong.stability == pytest.approx(0.212) and wrong.due_at == NOW + timedelta(days=1)
    assert wrong.difficulty > right.difficulty
    assert right.last_review == wrong.last_review == NOW


def test_right_answers_on_the_due_date_space_out_at_the_desired_retention() -> None:
    clock, memory, intervals = FakeClock(NOW), None, []
    scheduler = Scheduler()
    for _ in range(5):
        memory = scheduler.review(memory, True, clock())
        intervals.append((memory.due_at - clock()).days)
        clock.now = memory.due_at
        # due when predicted recall has fallen to 90% (intervals are whole days)
        assert recall(memory, memory.due_at) == pytest.approx(0.9, abs=0.01)
    assert intervals == [2, 11, 46, 163, 497]


def test_a_wrong_answer_collapses_stability_and_brings_the_question_back_soon() -> None:
    scheduler = Scheduler()
    memory = scheduler.review(scheduler.review(None, True, NOW), True, NOW + timedelta(days=2))
    later = memory.due_at
    lapsed = scheduler.review(memory, False, later)
    assert lapsed.stability < memory.stability / 2
    assert lapsed.difficulty > memory.difficulty
    assert lapsed.due_at - later <= timedelta(days=3)


def test_an_early_practice_answer_gains_less_than_a_due_review() -> None:
    scheduler = Scheduler()
    memory = scheduler.review(scheduler.review(None, True, NOW), True, NOW + timedelta(days=2))
    early = scheduler.review(memory, True, memory.last_review + timedelta(days=1))
    due = scheduler.review(memory, True, memory.due_at)
    same_day = scheduler.review(memory, True, memory.last_review + timedelta(hours=2))
    assert memory.stability < early.stability < due.stability
    assert memory.stability <= same_day.stability < early.stability
    assert early.due_at < due.due_at


def test_a_higher_desired_retention_asks_again_sooner() -> None:
    memory = Scheduler().review(None, True, NOW)
    relaxed = Scheduler(0.8).review(memory, True, memory.due_at)
    strict = Scheduler(0.95).review(memory, True, memory.due_at)
    assert relaxed.stability == pytest.approx(strict.stability)
    assert strict.due_at < relaxed.due_at


def test_times_in_any_zone_are_reviewed_as_utc() -> None:
    berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    assert Scheduler().review(None, True, berlin) == Scheduler().review(None, True, NOW)


def test_recall_falls_with_time_and_mastery_needs_it_two_weeks_ahead() -> None:
    assert recall(None, NOW) == 0.0
    memory = Memory(stability=20.0, difficulty=5.0, last_review=NOW, due_at=NOW)
    assert recall(memory, NOW) == 1.0
    assert recall(memory, NOW + timedelta(days=20)) == pytest.approx(0.9)
    assert recall(memory, NOW + timedelta(days=40)) < 0.85
    assert is_mastered(memory, NOW)  # 90% or more 14 days ahead
    assert is_mastered(memory, NOW + timedelta(days=20) - MASTERY_HORIZON)
    assert not is_mastered(memory, NOW + timedelta(days=7))  # forgetting un-masters it
    fresh = Memory(stability=2.3, difficulty=2.1, last_review=NOW, due_at=NOW)
    assert recall(fresh, NOW) == 1.0 and not is_mastered(fresh, NOW)
    assert not is_mastered(None, NOW)


def test_three_right_answers_on_time_master_a_question() -> None:
    scheduler, memory, mastered = Scheduler(), None, []
    at = NOW
    for _ in range(3):
        memory = scheduler.review(memory, True, at)
        mastered.append(is_mastered(memory, at))
        at = memory.due_at
    assert mastered == [False, False, True]


def test_topic_mastery_is_the_share_of_mastered_questions() -> None:
    strong = Memory(30.0, 3.0, NOW, NOW + timedelta(days=30))
    weak = Memory(1.0, 7.0, NOW, NOW + timedelta(days=1))
    assert mastery([], 4, NOW) == 0.0
    assert mastery([strong, strong], 2, NOW) == 1.0
    assert mastery([strong, weak], 4, NOW) == 0.25  # unanswered questions count as 0
    topic_of = {"a": "sql", "b": "sql", "c": "caching", "d": "caching"}
    found = topic_mastery({"a": strong, "b": strong, "c": weak}, topic_of, NOW)
    assert found == {"sql": 1.0, "caching": 0.0}
    assert topic_mastery({"a": strong}, topic_of, NOW + timedelta(days=60))["sql"] == 0.0


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
