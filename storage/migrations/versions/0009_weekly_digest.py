"""weekly digest: the learner's choice and next due time on users, one delivery
row per user and week (the local date of its Sunday)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("digest", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("next_digest_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_users_next_digest_at", "users", ["next_digest_at"])
    # Tip subscribers get the digest by default (users.digest NULL follows tips). Their
    # next tip time stands in as the first due moment: the claim moves a learner whose
    # due day is not a Sunday on to their next Sunday without sending anything.
    op.execute(
        "UPDATE users SET next_digest_at = next_tip_at "
        "WHERE tips_enabled AND next_tip_at IS NOT NULL"
    )
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("week_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.UniqueConstraint("user_id", "week_of", name="uq_digest_deliveries_user_week"),
    )
    op.create_index("ix_digest_deliveries_user_id", "digest_deliveries", ["user_id"])
    op.create_index(
        "ix_digest_deliveries_status_claimed", "digest_deliveries", ["status", "claimed_at"]
    )


def downgrade() -> None:
    op.drop_table("digest_deliveries")
    op.drop_index("ix_users_next_digest_at", "users")
    # Not batch_alter_table: on SQLite that rebuilds users, and dropping the old table
    # with foreign keys on would cascade to every learner's rows. SQLite (3.35+) and
    # PostgreSQL both drop a column in place.
    op.execute("ALTER TABLE users DROP COLUMN next_digest_at")
    op.execute("ALTER TABLE users DROP COLUMN digest")
