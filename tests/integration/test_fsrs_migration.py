"""Migration 0008 turns Leitner boxes into FSRS memory states without moving a due
date or touching the answers streaks come from (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.services import repetition
from storage import Database
from storage.database import alembic_config, upgrade

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
INTERVALS = (1, 3, 7, 16, 35)
# quiz id, box, days since the last answer, right answers, wrong answers
HISTORY = [
    ("k8s-1", 1, 0, 0, 1),  # just missed: due tomorrow
    ("k8s-2", 2, 2, 2, 0),  # due tomorrow
    ("sql-1", 3, 9, 3, 1),  # overdue by two days
    ("sql-2", 4, 1, 4, 0),  # mastered: 90% recall still 14 days ahead
    ("sql-3", 5, 30, 7, 1),
]


async def seed_leitner(database: Database) -> dict[str, datetime]:
    """A learner's Leitner progress at revision 0007; returns each question's due date."""
    await upgrade(database.engine, "0007")
    due: dict[str, datetime] = {}
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO users (id, chat_id, tips_enabled, tip_minute, created_at,"
                " last_seen_at) VALUES (1, 1, false, 540, :now, :now)"
            ),
            {"now": NOW - timedelta(days=60)},
        )
        await connection.execute(
            text(
                "INSERT INTO quiz_rounds (id, user_id, quiz_ids, position, shown, status,"
                " mastery_before, created_at) VALUES (1, 1, '[]', 0, 0, 'finished', '{}', :t)"
            ),
            {"t": NOW - timedelta(days=60)},
        )
        for position, (quiz_id, box, ago, right, wrong) in enumerate(HISTORY):
            last = NOW - timedelta(days=ago, hours=position)
            due[quiz_id] = last + timedelta(days=INTERVALS[box - 1])
            await connection.execute(
                text(
                    "INSERT INTO quiz_progress (user_id, quiz_id, box, due_at, correct_count,"
                    " wrong_count, first_seen_at, last_answered_at)"
                    " VALUES (1, :quiz, :box, :due, :right, :wrong, :first, :last)"
                ),
                {
                    "quiz": quiz_id,
                    "box": box,
                    "due": due[quiz_id],
                    "right": right,
                    "wrong": wrong,
                    "first": NOW - timedelta(days=60),
                    "last": last,
                },
            )
            await connection.execute(
                text(
                    "INSERT INTO quiz_answers (user_id, round_id, position, quiz_id, choice,"
                    " correct, answered_at) VALUES (1, 1, :position, :quiz, 0, true, :last)"
                ),
                {"position": position, "quiz": quiz_id, "last": last},
            )
    return due


async def test_boxes_become_stabilities_that_keep_every_due_date(
    fresh_database: Database,
) -> None:
    due = await seed_leitner(fresh_database)
    async with fresh_database.unit_of_work() as uow:
        times_before = sorted(await uow.quizzes.answer_times(1))
    await upgrade(fresh_database.engine)
    async with fresh_database.unit_of_work() as uow:
        progress = await uow.quizzes.progress(1)
        times_after = sorted(await uow.quizzes.answer_times(1))
        overdue = await uow.quizzes.due(1, NOW)
    assert {q: c.due_at for q, c in progress.items()} == due  # not one due date moved
    assert times_after == times_before  # streaks read these
    assert overdue == ["sql-1"]
    for quiz_id, box, _, right, wrong in HISTORY:
        card = progress[quiz_id]
        memory = card.memory
        assert memory.stability == INTERVALS[box - 1]
        assert memory.due_at - memory.last_review == timedelta(days=INTERVALS[box - 1])
        assert (card.correct_count, card.wrong_count) == (right, wrong)
        # FSRS would ask again within a day of the Leitner date: recall hits 90% on it.
        assert repetition.recall(memory, memory.due_at) == pytest.approx(0.9)
        assert repetition.recall(memory, memory.due_at - timedelta(days=1)) > 0.9
        assert repetition.recall(memory, memory.due_at + timedelta(days=1)) < 0.9
    difficulty = {q: c.memory.difficulty for q, c in progress.items()}
    assert difficulty["k8s-2"] == difficulty["sql-2"] == pytest.approx(2.118, abs=0.001)
    assert difficulty["k8s-1"] == pytest.approx(6.4133)  # never right: FSRS's first Again
    assert difficulty["k8s-2"] < difficulty["sql-3"] < difficulty["sql-1"] < difficulty["k8s-1"]
    # Box 4 and 5 (16 and 35 days) are mastered only while recall holds two weeks ahead.
    mastered = {q for q, c in progress.items() if repetition.is_mastered(c.memory, NOW)}
    assert mastered == {"sql-2"}


async def test_a_migrated_card_is_reviewed_by_fsrs(fresh_database: Database) -> None:
    await seed_leitner(fresh_database)
    await upgrade(fresh_database.engine)
    async with fresh_database.unit_of_work() as uow:
        card = (await uow.quizzes.progress(1))["sql-1"]
    right = repetition.Scheduler().review(card.memory, True, NOW)
    assert right.stability > card.memory.stability and right.due_at > NOW + timedelta(days=7)


async def test_downgrade_gives_the_boxes_back(fresh_database: Database) -> None:
    await seed_leitner(fresh_database)
    await upgrade(fresh_database.engine)

    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")

    async with fresh_database.engine.begin() as connection:
        await connection.run_sync(downgrade)
    async with fresh_database.engine.connect() as connection:
        rows = await connection.execute(text("SELECT quiz_id, box FROM quiz_progress"))
        boxes = {quiz_id: box for quiz_id, box in rows}
    assert boxes == {quiz_id: box for quiz_id, box, *_ in HISTORY}
