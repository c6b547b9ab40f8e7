"""Register tables of contracts and settlement (合同与结算登记), on the register's
``metadata`` so the "migrations equal metadata" test covers them.

Money is stored as integer fen (``*_fen``, BIGINT) so SQLite and PostgreSQL
keep it exactly; completions and points are exact decimal text.  A contract's
full definition (its file entry, KPI clauses included) is kept as JSON with
its hash, so a statement can say which definition it was computed from, while
the columns beside it serve listings and compliance queries.

``settlement_statements`` and ``settlement_lines`` of an approved statement
cannot be updated or deleted: migration 0002 installs triggers that refuse it
on both databases, whatever program writes.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityops.register.schema import UtcDateTime, metadata

__all__ = [
    "contracts",
    "operators",
    "region_budgets",
    "settlement_lines",
    "settlement_statements",
]

operators = sa.Table(
    "operators",
    metadata,
    sa.Column("operator_id", sa.Text(), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("type", sa.Text(), nullable=False),
    sa.Column("state_share", sa.Text(), nullable=False),
    sa.Column("shareholders_json", sa.Text(), nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
)

contracts = sa.Table(
    "contracts",
    metadata,
    sa.Column("contract_id", sa.Text(), primary_key=True),
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
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.Index(None, "region_code"),
)

region_budgets = sa.Table(
    "region_budgets",
    metadata,
    sa.Column("region_code", sa.Text(), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("general_budget_expenditure_fen", sa.BigInteger(), nullable=False),
    sa.Column("other_ppp_expenditure_fen", sa.BigInteger(), nullable=False),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("region_code", "year"),
)

settlement_statements = sa.Table(
    "settlement_statements",
    metadata,
    sa.Column("statement_id", sa.Text(), primary_key=True),
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
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Text(), nullable=False),
    sa.Column("reviewed_by", sa.Text(), nullable=True),
    sa.Column("reviewed_at", UtcDateTime(), nullable=True),
    sa.Column("approved_by", sa.Text(), nullable=True),
    sa.Column("approved_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("contract_id", "period", "version"),
)

settlement_lines = sa.Table(
    "settlement_lines",
    metadata,
    sa.Column(
        "statement_id",
        sa.Text(),
        sa.ForeignKey("settlement_statements.statement_id"),
        nullable=False,
    ),
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
    sa.PrimaryKeyConstraint("statement_id", "clause_id"),
)
