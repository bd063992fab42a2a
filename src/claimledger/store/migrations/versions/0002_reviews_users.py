"""Accounts and analyst reviews: reviews are new records pointing at the machine's claim.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("review_id", sa.String(64), primary_key=True),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("user", sa.String(80), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("reviews_claim", "reviews", ["claim_id"])


def downgrade() -> None:
    op.drop_index("reviews_claim", "reviews")
    op.drop_table("reviews")
    op.drop_table("users")
