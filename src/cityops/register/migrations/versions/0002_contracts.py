"""Contracts, region budgets and settlement statements, with approved statements
made immutable by the database itself.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Frozen: this file is history.  Triggers refuse any UPDATE or DELETE of an
approved statement, and any INSERT, UPDATE or DELETE of the lines of one, on
SQLite and on PostgreSQL alike, so no program can alter a payment that was
approved — a correction is a new version.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCKED = "approved settlement statement is immutable; settle again for a new version"

_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER trg_statement_no_update BEFORE UPDATE ON settlement_statements
    WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER trg_statement_no_delete BEFORE DELETE ON settlement_statements
    WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER trg_line_no_insert BEFORE INSERT ON settlement_lines
    WHEN (SELECT status FROM settlement_statements WHERE statement_id = NEW.statement_id)
         = 'approved'
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER trg_line_no_update BEFORE UPDATE ON settlement_lines
    WHEN (SELECT status FROM settlement_statements WHERE statement_id = OLD.statement_id)
         = 'approved'
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
    f"""CREATE TRIGGER trg_line_no_delete BEFORE DELETE ON settlement_lines
    WHEN (SELECT status FROM settlement_statements WHERE statement_id = OLD.statement_id)
         = 'approved'
    BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END""",
)

_POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION settlement_statement_locked() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'approved' THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    f"""CREATE FUNCTION settlement_line_locked() RETURNS trigger AS $$
    DECLARE parent text;
    BEGIN
        IF TG_OP = 'INSERT' THEN parent := NEW.statement_id; ELSE parent := OLD.statement_id;
        END IF;
        IF EXISTS (SELECT 1 FROM settlement_statements
                   WHERE statement_id = parent AND status = 'approved') THEN
            RAISE EXCEPTION '{LOCKED}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trg_statement_locked BEFORE UPDATE OR DELETE ON settlement_statements
    FOR EACH ROW EXECUTE FUNCTION settlement_statement_locked()""",
    """CREATE TRIGGER trg_line_locked BEFORE INSERT OR UPDATE OR DELETE ON settlement_lines
    FOR EACH ROW EXECUTE FUNCTION settlement_line_locked()""",
)


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("operator_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("state_share", sa.Text(), nullable=False),
        sa.Column("shareholders_json", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("operator_id", name="pk_operators"),
    )
    op.create_table(
        "contracts",
        sa.Column("contract_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("project_name", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("operator_id", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("investor_mode", sa.Text(), nullable=False),
        sa.Column("return_mechanisms", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("total_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("annual_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("settlement_cycle", sa.Text(), nullable=False),
        sa.Column("definition_json", sa.Text(), nullable=False),
        sa.Column("contract_hash", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contract_id", name="pk_contracts"),
    )
    op.create_index("ix_contracts_region_code", "contracts", ["region_code"])
    op.create_table(
        "region_budgets",
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("general_budget_expenditure_fen", sa.BigInteger(), nullable=False),
        sa.Column("other_ppp_expenditure_fen", sa.BigInteger(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "year", name="pk_region_budgets"),
    )
    op.create_table(
        "settlement_statements",
        sa.Column("statement_id", sa.Text(), nullable=False),
        sa.Column("contract_id", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("contract_hash", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("base_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("fixed_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("total_points", sa.Text(), nullable=False),
        sa.Column("total_deductions_fen", sa.BigInteger(), nullable=False),
        sa.Column("total_bonuses_fen", sa.BigInteger(), nullable=False),
        sa.Column("total_payable_fen", sa.BigInteger(), nullable=False),
        sa.Column("withheld_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("statement_id", name="pk_settlement_statements"),
        sa.UniqueConstraint(
            "contract_id", "period", "version", name="uq_settlement_statements_contract_id"
        ),
    )
    op.create_table(
        "settlement_lines",
        sa.Column("statement_id", sa.Text(), nullable=False),
        sa.Column("clause_id", sa.Text(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("share_amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("completion", sa.Text(), nullable=True),
        sa.Column("points", sa.Text(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("deductions_fen", sa.BigInteger(), nullable=False),
        sa.Column("bonuses_fen", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("definition_hash", sa.Text(), nullable=True),
        sa.Column("numerator", sa.Double(), nullable=True),
        sa.Column("denominator", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["settlement_statements.statement_id"],
            name="fk_settlement_lines_statement_id_settlement_statements",
        ),
        sa.PrimaryKeyConstraint("statement_id", "clause_id", name="pk_settlement_lines"),
    )
    triggers = _POSTGRES_TRIGGERS if _dialect() == "postgresql" else _SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("settlement_lines")
    op.drop_table("settlement_statements")
    if _dialect() == "postgresql":
        op.execute("DROP FUNCTION settlement_line_locked()")
        op.execute("DROP FUNCTION settlement_statement_locked()")
    op.drop_table("region_budgets")
    op.drop_index("ix_contracts_region_code", table_name="contracts")
    op.drop_table("contracts")
    op.drop_table("operators")


def _dialect() -> str:
    return op.get_bind().dialect.name
