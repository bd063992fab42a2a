"""The claim index: each claim as analysts left it, its incident, story, type, linking dates and
site, so that a review regroups only the incidents it can touch (not the whole ledger).

It is derived (rebuilt from claims, reviews and incidents when empty), so the migration only
creates it. Reviews also get the order they were recorded in (`seq`): two reviews of a claim
within one second (a rejection, then a confirmation) were ordered by their hash.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_links",
        sa.Column("claim_id", sa.String(64), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("story_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("date_start", sa.String(10)),
        sa.Column("date_end", sa.String(10)),
        sa.Column("site_precision", sa.String(16)),
        sa.Column("site_name", sa.Text),
        sa.Column("site_country", sa.String(8)),
        sa.Column("site_admin1", sa.Text),
        sa.Column("site_gid", sa.BigInteger),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
    )
    op.create_index("claim_links_incident", "claim_links", ["incident_id"])
    op.create_index("claim_links_story", "claim_links", ["story_id"])
    # Each read of a claim's reach narrows by site, then type, then date.
    op.create_index("claim_links_gid", "claim_links", ["site_gid", "type", "date_start"])
    op.create_index("claim_links_name", "claim_links", ["site_name", "site_country", "type", "date_start"])
    op.create_index("claim_links_admin1", "claim_links", ["site_country", "site_admin1", "type"])
    op.create_index("claim_links_lat", "claim_links", ["type", "lat"])
    op.add_column("reviews", sa.Column("seq", sa.Integer))
    op.create_index("reviews_seq", "reviews", ["seq"])


def downgrade() -> None:
    op.drop_index("reviews_seq", "reviews")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("seq")
    op.drop_table("claim_links")
