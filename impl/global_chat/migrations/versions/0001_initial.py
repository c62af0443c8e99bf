"""Organizations, users, principals, harnesses, sessions; the AUTH_MODE=none defaults.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Upstream's well-known identities of AUTH_MODE=none.
DEFAULT_ORGANIZATION_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")
ANONYMOUS_USER_ID = uuid.UUID("00000000-0000-0000-0000-000000000001")
# Fixed UUIDv7-shaped IDs so that every database seeds the same rows.
ANONYMOUS_PRINCIPAL_ID = uuid.UUID("00000000-0000-7000-8000-000000000001")
DEFAULT_PLATFORM_CHAT_HARNESS_ID = uuid.UUID("00000000-0000-7000-8000-000000000002")

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    organizations = op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("platform_chat_harness_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    users = op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    principals = op.create_table(
        "principals",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("kind", "subject_id", name="uq_principals_kind_subject"),
    )
    harnesses = op.create_table(
        "harnesses",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("is_builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("harness_id", sa.Uuid(), sa.ForeignKey("harnesses.id"), nullable=False),
        sa.Column("owner_principal_id", sa.Uuid(), sa.ForeignKey("principals.id"), nullable=False),
        sa.Column("global_chat_user_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("locale", sa.String(128), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("organization_id", "global_chat_user_id", name="uq_sessions_global_chat"),
    )
    op.create_index("ix_sessions_organization_owner", "sessions", ["organization_id", "owner_principal_id"])
    op.create_table(
        "rate_limit_windows",
        sa.Column("organization_id", sa.Uuid(), primary_key=True),
        sa.Column("bucket", sa.String(64), primary_key=True),
        sa.Column("window_start", sa.Integer(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )

    op.bulk_insert(
        organizations,
        [
            {
                "id": DEFAULT_ORGANIZATION_ID,
                "name": "Default organization",
                "platform_chat_harness_id": DEFAULT_PLATFORM_CHAT_HARNESS_ID,
                "created_at": EPOCH,
            }
        ],
    )
    op.bulk_insert(users, [{"id": ANONYMOUS_USER_ID, "display_name": "Anonymous", "created_at": EPOCH}])
    op.bulk_insert(
        principals,
        [{"id": ANONYMOUS_PRINCIPAL_ID, "kind": "user", "subject_id": ANONYMOUS_USER_ID, "created_at": EPOCH}],
    )
    op.bulk_insert(
        harnesses,
        [
            {
                "id": DEFAULT_PLATFORM_CHAT_HARNESS_ID,
                "organization_id": DEFAULT_ORGANIZATION_ID,
                "name": "Platform Chat",
                "slug": "platform-chat",
                "is_builtin": True,
                "created_at": EPOCH,
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("rate_limit_windows")
    op.drop_index("ix_sessions_organization_owner", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("harnesses")
    op.drop_table("principals")
    op.drop_table("users")
    op.drop_table("organizations")
