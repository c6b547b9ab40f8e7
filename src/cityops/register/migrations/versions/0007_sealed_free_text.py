"""Free text of service requests (description, status notes) sealed at rest.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Frozen: this file is history.  A description or a note may hold a phone or
ID-card number the citizen typed in, so, like the contacts, it is stored
encrypted, in ``description_enc`` and ``status_notes_enc``.  The key lives in
the workspace (``secret.key``), not here, so the rows written before this
revision are sealed by ``cityops migrate`` (and ``cityops serve``) right after
the migration (``tickets.store.seal_free_text``), which then empties the old
columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("status_notes_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_column("status_notes_enc")
        batch_op.drop_column("description_enc")
