"""daily tips: per-user schedule on users, one delivery row per user and local date

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("tips_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("tip_minute", sa.Integer(), nullable=False, server_default="540")
        )
        batch.add_column(sa.Column("next_tip_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("tips_blocked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_users_next_tip_at", "users", ["next_tip_at"])
    op.create_table(
        "tip_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("tip_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.UniqueConstraint("user_id", "local_date", name="uq_tip_deliveries_user_day"),
    )
    op.create_index("ix_tip_deliveries_user_id", "tip_deliveries", ["user_id"])
    op.create_index("ix_tip_deliveries_status_claimed", "tip_deliveries", ["status", "claimed_at"])


def downgrade() -> None:
    op.drop_table("tip_deliveries")
    op.drop_index("ix_users_next_tip_at", "users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("tips_blocked_at")
        batch.drop_column("next_tip_at")
        batch.drop_column("tip_minute")
        batch.drop_column("tips_enabled")
