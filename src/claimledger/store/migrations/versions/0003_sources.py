"""Watched sources, the items seen in them, and versions of a report whose page changed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.Column("last_poll_at", sa.String(40)),
        sa.Column("last_success_at", sa.String(40)),
        sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("next_poll_at", sa.String(40)),
    )
    op.create_table(
        "seen_items",
        sa.Column("source_url", sa.Text, nullable=False),
        sa.Column("guid", sa.Text, nullable=False),
        sa.Column("item_hash", sa.String(64), nullable=False),
        sa.Column("report_id", sa.String(64)),
        sa.PrimaryKeyConstraint("source_url", "guid"),
    )
    op.create_table(
        "report_versions",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("previous_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_versions")
    op.drop_table("seen_items")
    op.drop_table("sources")
