"""group quizzes: rounds a whole group plays (one active per chat, the open question's
message and reveal deadline stored), their answers (once per round, question and
member), members' names for the leaderboard, and the hide-my-name setting

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _user_id(primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "user_id",
        sa.BigInteger(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "group_rounds",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("started_by", sa.BigInteger(), nullable=True),
        sa.Column("topic", sa.String(128), nullable=True),
        sa.Column("quiz_ids", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "uq_group_rounds_one_active",
        "group_rounds",
        ["chat_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("ix_group_rounds_status_deadline", "group_rounds", ["status", "deadline"])
    op.create_table(
        "group_answers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "round_id",
            sa.Integer(),
            sa.ForeignKey("group_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _user_id(),
        sa.Column("quiz_id", sa.String(128), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("round_id", "position", "user_id", name="uq_group_answers_once"),
    )
    op.create_index("ix_group_answers_user_id", "group_answers", ["user_id"])
    op.create_index("ix_group_answers_chat_time", "group_answers", ["chat_id", "answered_at"])
    op.create_table(
        "group_members",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        _user_id(primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "leaderboard_settings",
        _user_id(primary_key=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leaderboard_settings")
    op.drop_table("group_members")
    op.drop_table("group_answers")
    op.drop_table("group_rounds")
