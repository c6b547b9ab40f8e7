"""The ``api_key`` of each Open311 client application.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Frozen: this file is history.  GeoReport v2 requires an ``api_key`` to submit
a service request; keys are issued per client application and only their
SHA-256 digest is stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_digest", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("key_digest", name=op.f("uq_open311_keys_key_digest")),
    )


def downgrade() -> None:
    op.drop_table("open311_keys")
