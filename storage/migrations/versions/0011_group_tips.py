"""group tips: the groups the bot is in with their daily tip setting, and one
delivery row per group and local date

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_chats",
        sa.Column("group_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(255), nullable=False, server_default=""),
        sa.Column("tips_enabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("tip_minute", sa.Integer(), nullable=False, server_default="480"),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("migrated_to", sa.BigInteger(), nullable=True),
        sa.Column("next_tip_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_group_chats_next_tip_at", "group_chats", ["next_tip_at"])
    op.create_table(
        "group_tip_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("tip_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.UniqueConstraint("group_id", "local_date", name="uq_group_tip_deliveries_group_day"),
    )
    op.create_index("ix_group_tip_deliveries_group_id", "group_tip_deliveries", ["group_id"])
    op.create_index(
        "ix_group_tip_deliveries_status_claimed",
        "group_tip_deliveries",
        ["status", "claimed_at"],
    )


def downgrade() -> None:
    op.drop_table("group_tip_deliveries")
    op.drop_index("ix_group_chats_next_tip_at", "group_chats")
    op.drop_table("group_chats")
