"""Anonymous refusals counted per hour and route (``refused_requests``), so that a
flood of unauthenticated requests no longer grows the audit log by one entry each.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Frozen: this file is history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refused_requests",
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("route", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("first_client", sa.Text(), nullable=True),
        sa.Column("last_client", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("window_start", "route", name=op.f("pk_refused_requests")),
    )


def downgrade() -> None:
    op.drop_table("refused_requests")
