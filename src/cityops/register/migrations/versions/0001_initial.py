"""The initial register: seven register tables with their history, and ingest batches.

Revision ID: 0001
Revises:
Create Date: 2025-11-22

Frozen: this file is history and must not follow later changes of the contract;
a change of the contract gets a new revision.  Each register table is created
twice, as the current version per key (``<name>``) and as every loaded version
(``<name>_history``, keyed by contract key + ``batch_id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ColumnSpec = tuple[str, sa.types.TypeEngine[Any], bool]
"""A column: name, type, nullable."""

REGISTER_TABLES: dict[str, tuple[str, list[ColumnSpec]]] = {
    # name: (key, columns in contract order)
    "regions": (
        "region_code",
        [
            ("region_code", sa.Text(), False),
            ("name", sa.Text(), False),
            ("level", sa.Text(), False),
            ("parent_code", sa.Text(), True),
            ("resident_population", sa.BigInteger(), False),
        ],
    ),
    "services": (
        "service_id",
        [
            ("service_id", sa.Text(), False),
            ("name", sa.Text(), False),
            ("department", sa.Text(), False),
            ("category", sa.Text(), False),
            ("region_code", sa.Text(), False),
            ("on_portal", sa.Boolean(), False),
            ("one_thing_id", sa.Text(), True),
            ("online_since", sa.Date(), False),
            ("offline_at", sa.Date(), True),
        ],
    ),
    "devices": (
        "device_id",
        [
            ("device_id", sa.Text(), False),
            ("kind", sa.Text(), False),
            ("region_code", sa.Text(), False),
            ("installed_at", sa.Date(), False),
            ("retired_at", sa.Date(), True),
            ("shared", sa.Boolean(), False),
            ("heartbeat_interval_s", sa.BigInteger(), True),
        ],
    ),
    "cloud_resources": (
        "resource_id",
        [
            ("resource_id", sa.Text(), False),
            ("department", sa.Text(), False),
            ("region_code", sa.Text(), False),
            ("vcpu_alloc", sa.Double(), False),
            ("mem_alloc_gb", sa.Double(), False),
            ("storage_alloc_tb", sa.Double(), False),
        ],
    ),
    "data_resources": (
        "resource_id",
        [
            ("resource_id", sa.Text(), False),
            ("department", sa.Text(), False),
            ("region_code", sa.Text(), False),
            ("name", sa.Text(), False),
            ("classification", sa.Text(), False),
            ("share_type", sa.Text(), False),
            ("open_type", sa.Text(), False),
            ("update_frequency", sa.Text(), False),
            ("record_count", sa.BigInteger(), False),
        ],
    ),
    "systems": (
        "system_id",
        [
            ("system_id", sa.Text(), False),
            ("name", sa.Text(), False),
            ("department", sa.Text(), False),
            ("region_code", sa.Text(), False),
            ("functions_planned", sa.BigInteger(), False),
            ("functions_live", sa.BigInteger(), False),
            ("interfaces_total", sa.BigInteger(), False),
            ("interfaces_standard", sa.BigInteger(), False),
        ],
    ),
    "staff": (
        "staff_id",
        [
            ("staff_id", sa.Text(), False),
            ("operator", sa.Text(), False),
            ("region_code", sa.Text(), False),
            ("role", sa.Text(), False),
            ("required", sa.Boolean(), False),
            ("certified", sa.Boolean(), False),
        ],
    ),
}


def _columns(fields: list[ColumnSpec]) -> list[sa.Column[Any]]:
    return [
        *(sa.Column(name, type_, nullable=nullable) for name, type_, nullable in fields),
        sa.Column("batch_id", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "ingest_batches",
        sa.Column("batch_id", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("stored", sa.BigInteger(), nullable=False),
        sa.Column("quarantined", sa.BigInteger(), nullable=False),
        sa.Column("duplicates", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name="pk_ingest_batches"),
    )
    op.create_index("ix_ingest_batches_table_name", "ingest_batches", ["table_name", "started_at"])
    for name, (key, fields) in REGISTER_TABLES.items():
        op.create_table(name, *_columns(fields), sa.PrimaryKeyConstraint(key, name=f"pk_{name}"))
        history = f"{name}_history"
        op.create_table(
            history,
            *_columns(fields),
            sa.PrimaryKeyConstraint(key, "batch_id", name=f"pk_{history}"),
        )
        op.create_index(f"ix_{history}_batch_id", history, ["batch_id"])


def downgrade() -> None:
    for name in reversed(REGISTER_TABLES):
        op.drop_table(f"{name}_history")
        op.drop_table(name)
    op.drop_table("ingest_batches")
