"""Users' optional TOTP second factor: the encrypted secret and the last step accepted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

Frozen: this file is history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35 and later): a batch copy of
    # ``users`` would drop the table that ``api_tokens`` rows point to.
    op.drop_column("users", "totp_last_step")
    op.drop_column("users", "totp_secret_enc")
