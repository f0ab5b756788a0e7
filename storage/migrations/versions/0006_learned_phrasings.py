"""learned phrasings: questions admins taught from /unanswered, per entry

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_phrasings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(128), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("taught_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("entry_id", "text", name="uq_learned_phrasings_entry_text"),
    )


def downgrade() -> None:
    op.drop_table("learned_phrasings")
