"""The learning simulation (bench/learning_simulation.py) is deterministic, and
both schedulers meet the same learners and questions."""

from __future__ import annotations

from bench.learning_simulation import NEW_PER_DAY, fsrs_schedule, leitner, main, simulate


def test_same_seed_same_outcome_and_the_daily_cap_holds() -> None:
    first = simulate(leitner, learners=3, days=8, items=40, seed=5)
    again = simulate(leitner, learners=3, days=8, items=40, seed=5)
    assert first == again
    assert first.new == 3 * 40 == first.met  # 10 a day for 4 days, then the pool is empty
    fsrs = simulate(fsrs_schedule(0.9), learners=3, days=8, items=40, seed=5)
    assert fsrs.met == first.met and fsrs.new == first.new
    assert 0 < fsrs.recall_sum / fsrs.met < 1 and fsrs.reviews > 0


def test_leitner_climbs_the_old_boxes() -> None:
    state, due = leitner(None, True, 0)
    assert (state, due) == (1, 1)
    state, due = leitner(state, True, due)
    assert (state, due) == (2, 4)
    assert leitner(state, False, 4) == (1, 5)


def test_smoke_prints_the_table(capsys) -> None:
    assert main(["--smoke", "--retention", "0.9"]) == 0
    table = capsys.readouterr().out
    assert f"{NEW_PER_DAY} new a day" in table
    assert "| Leitner 1/3/7/16/35 |" in table and "| FSRS, retention 0.9 |" in table
