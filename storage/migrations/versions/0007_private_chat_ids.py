"""private chat ids: learners whose stored chat became a group get their private chat back

Before group privacy was enforced, any command in a group overwrote the learner's
stored chat id with the group's, so their private daily tips went to the group.
A private chat's id is the user's id; group ids are negative. This resets every
learner whose chat id is not their own to their private chat.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE users SET chat_id = id WHERE chat_id <> id")


def downgrade() -> None:
    """Nothing to restore: the group ids were never the learners' chats."""
