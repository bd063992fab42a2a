"""SQLAlchemy table definitions shared by SQLite and PostgreSQL (the migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

originals = sa.Table(
    "originals",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("captured_at", sa.String(40), nullable=False),
)
reports = sa.Table(
    "reports",
    metadata,
    sa.Column("report_id", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("originals.sha256"), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("path", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("outlet", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.String(10)),
    sa.Column("language", sa.String(16)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("boilerplate", sa.JSON, nullable=False),
    sa.Column("story_id", sa.String(64)),
    sa.Column("ingested_at", sa.String(40), nullable=False),
    sa.Column("processed_version", sa.String(40)),
    sa.Index("reports_published", "published"),
)
claims = sa.Table(
    "claims",
    metadata,
    sa.Column("claim_id", sa.String(64), primary_key=True),
    sa.Column("report_id", sa.String(64), sa.ForeignKey("reports.report_id"), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Index("claims_report", "report_id"),
)
incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("incident_id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("date_start", sa.String(10)),
    sa.Column("data", sa.JSON, nullable=False),
)
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)
users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("review_id", sa.String(64), primary_key=True),
    sa.Column("claim_id", sa.String(64), nullable=False),  # by value: claim ids derive from content
    sa.Column("user", sa.String(80), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("changes", sa.JSON, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("seq", sa.Integer),  # the order reviews were recorded in (none before migration 0006)
    sa.Index("reviews_claim", "claim_id"),
    sa.Index("reviews_seq", "seq"),
)
sources = sa.Table(
    "sources",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("added_at", sa.String(40), nullable=False),
    sa.Column("last_poll_at", sa.String(40)),
    sa.Column("last_success_at", sa.String(40)),
    sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("next_poll_at", sa.String(40)),
)
seen_items = sa.Table(
    "seen_items",
    metadata,
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("guid", sa.Text, nullable=False),
    sa.Column("item_hash", sa.String(64), nullable=False),
    sa.Column("report_id", sa.String(64)),
    sa.PrimaryKeyConstraint("source_url", "guid"),
)
report_versions = sa.Table(
    "report_versions",
    metadata,
    sa.Column("report_id", sa.String(64), primary_key=True),
    sa.Column("previous_id", sa.String(64), nullable=False),
)
attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("report_id", sa.String(64), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.PrimaryKeyConstraint("report_id", "name"),
)
# A web session lives here, not in its cookie, so that logging out, a new role or a new password
# ends it at once in every worker. `session_id` is the SHA-256 of the cookie's random token:
# someone who reads the database cannot sign in with what they read.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("user", sa.String(80), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("last_seen_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("client", sa.Text, nullable=False),
    sa.Index("sessions_user", "user"),
)
# Failed logins per account and per client, shared by every worker and kept across restarts.
# Times are seconds since the epoch.
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("scope", sa.String(16), nullable=False),  # "account" or "client"
    sa.Column("subject", sa.String(200), nullable=False),  # the account name or the client's address
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start", sa.Float, nullable=False),
    sa.Column("locked_until", sa.Float, nullable=False, server_default="0"),
    sa.PrimaryKeyConstraint("scope", "subject"),
)
# The claim index (derived, see migration 0006): each shown claim's incident and what linking
# reads of it, so that a review regroups only the incidents it can touch.
claim_links = sa.Table(
    "claim_links",
    metadata,
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
    sa.Index("claim_links_incident", "incident_id"),
    sa.Index("claim_links_story", "story_id"),
    sa.Index("claim_links_gid", "site_gid", "type", "date_start"),
    sa.Index("claim_links_name", "site_name", "site_country", "type", "date_start"),
    sa.Index("claim_links_admin1", "site_country", "site_admin1", "type"),
    sa.Index("claim_links_lat", "type", "lat"),
)
