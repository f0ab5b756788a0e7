"""FSRS progress: Leitner boxes become FSRS memory states (stability, difficulty)

Quiz progress was a Leitner box (1..5, reviewed again 1, 3, 7, 16 or 35 days after
the last answer). FSRS keeps a stability instead: the number of days after which
the predicted recall falls to 90%, the desired retention. A card in box b was due
INTERVALS[b - 1] days after its last answer, so that interval is its stability:
with it FSRS predicts 90% recall exactly on the stored due date, and the due date,
the last answer (FSRS's last review), the counts and quiz_answers (the streaks)
stay as they are. Difficulty comes from the learner's own record with the question:
never missed gives FSRS's difficulty after a first Good, always missed its
difficulty after a first Again, and a mix lies between in proportion.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import math

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INTERVALS = (1, 3, 7, 16, 35)  # the Leitner boxes 1..5 this migration replaces
# FSRS-6 default parameters w4, w5: initial difficulty D0(rating) = w4 - e^(w5 (rating - 1)) + 1.
W4, W5 = 6.4133, 0.8334
EASIEST = W4 - math.exp(W5 * 2) + 1  # D0(Good), about 2.12
HARDEST = W4  # D0(Again)

progress = sa.table(
    "quiz_progress",
    sa.column("user_id", sa.BigInteger),
    sa.column("quiz_id", sa.String),
    sa.column("box", sa.Integer),
    sa.column("stability", sa.Float),
    sa.column("difficulty", sa.Float),
    sa.column("correct_count", sa.Integer),
    sa.column("wrong_count", sa.Integer),
)


def stability_of_box(box: int) -> float:
    return float(INTERVALS[min(max(box, 1), len(INTERVALS)) - 1])


def difficulty_of_record(correct: int, wrong: int) -> float:
    answers = correct + wrong
    return EASIEST + (HARDEST - EASIEST) * (wrong / answers if answers else 0.0)


def box_of_stability(stability: float) -> int:
    return max([1] + [box for box, days in enumerate(INTERVALS, 1) if days <= stability])


def _key(user_id: int, quiz_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(progress.c.user_id == user_id, progress.c.quiz_id == quiz_id)


def upgrade() -> None:
    with op.batch_alter_table("quiz_progress") as batch:
        batch.add_column(sa.Column("stability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("difficulty", sa.Float(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            progress.c.user_id,
            progress.c.quiz_id,
            progress.c.box,
            progress.c.correct_count,
            progress.c.wrong_count,
        )
    ).all()
    for row in rows:
        connection.execute(
            progress.update()
            .where(_key(row.user_id, row.quiz_id))
            .values(
                stability=stability_of_box(row.box),
                difficulty=difficulty_of_record(row.correct_count or 0, row.wrong_count or 0),
            )
        )
    with op.batch_alter_table("quiz_progress") as batch:
        batch.alter_column("stability", existing_type=sa.Float(), nullable=False)
        batch.alter_column("difficulty", existing_type=sa.Float(), nullable=False)
        batch.drop_column("box")


def downgrade() -> None:
    """Back to boxes: the highest box whose interval the stability reaches."""
    with op.batch_alter_table("quiz_progress") as batch:
        batch.add_column(sa.Column("box", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(progress.c.user_id, progress.c.quiz_id, progress.c.stability)
    ).all()
    for row in rows:
        connection.execute(
            progress.update()
            .where(_key(row.user_id, row.quiz_id))
            .values(box=box_of_stability(row.stability))
        )
    with op.batch_alter_table("quiz_progress") as batch:
        batch.alter_column("box", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("stability")
        batch.drop_column("difficulty")
