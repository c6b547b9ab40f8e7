"""The contract register and settlement statements in the register database (存储).

The only door to the tables of ``cityops.register.contracts_schema``: it maps
rows to domain objects and back (money as integer fen), and it is a guarded
repository — it refuses to rewrite an approved statement before the
database's own triggers would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from cityops.register.contracts_schema import (
    contracts,
    operators,
    region_budgets,
    settlement_lines,
    settlement_statements,
)
from cityops.register.upsert import upsert
from cityops.settlement.files import ContractSpec, RegisterBundle, contract_hash
from cityops.settlement.files import contract_to_domain as spec_to_contract
from cityops.settlement.model import Contract, Operator, OperatorType, RegionBudget, Shareholder
from cityops.settlement.money import from_fen, to_fen
from cityops.settlement.statement import (
    LineStatus,
    Statement,
    StatementLine,
    StatementStatus,
)
from cityops.settlement.workflow import SettlementError, StatementLockedError

__all__ = ["ContractStore", "StatementSummary", "StoredContract"]


@dataclass(frozen=True, slots=True)
class StoredContract:
    """A contract as registered: its definition (as loaded), the domain object and
    the definition's hash."""

    spec: ContractSpec
    contract: Contract
    hash: str

    @classmethod
    def from_spec(cls, spec: ContractSpec) -> StoredContract:
        return cls(spec, spec_to_contract(spec, where="register"), contract_hash(spec))


@dataclass(frozen=True, slots=True)
class StatementSummary:
    """A statement's head, for lists: who and what, without its lines."""

    statement_id: str
    contract_id: str
    period: str
    version: int
    status: StatementStatus
    total_payable: Decimal
    created_at: datetime


class ContractStore:
    """Operators, contracts, region budgets and statements on one register connection;
    the caller (a unit of work) commits."""

    def __init__(self, connection: sa.Connection) -> None:
        self._con = connection

    # -- the register -------------------------------------------------------------

    def save(self, bundle: RegisterBundle, *, loaded_at: datetime) -> None:
        """Insert or replace every operator, contract and budget of ``bundle``, in the
        caller's transaction (a file loads whole or not at all)."""
        con = self._con
        if bundle.operators:
            con.execute(
                upsert(con, operators), [_operator_row(o, loaded_at) for o in bundle.operators]
            )
        if bundle.specs:
            con.execute(
                upsert(con, contracts),
                [
                    _contract_row(s, c, loaded_at)
                    for s, c in zip(bundle.specs, bundle.contracts, strict=True)
                ],
            )
        if bundle.budgets:
            con.execute(
                upsert(con, region_budgets), [_budget_row(b, loaded_at) for b in bundle.budgets]
            )

    def contracts(self, region_code: str | None = None) -> list[StoredContract]:
        query = sa.select(contracts.c.definition_json).order_by(contracts.c.contract_id)
        if region_code is not None:
            query = query.where(contracts.c.region_code == region_code)
        rows = self._con.execute(query).scalars().all()
        return [StoredContract.from_spec(ContractSpec.model_validate_json(text)) for text in rows]

    def contract(self, contract_id: str) -> StoredContract:
        query = sa.select(contracts.c.definition_json).where(contracts.c.contract_id == contract_id)
        text = self._con.execute(query).scalar_one_or_none()
        if text is None:
            raise SettlementError(
                f"no contract {contract_id!r} in the register; "
                "load it with `cityops contracts load FILE.yaml`"
            )
        return StoredContract.from_spec(ContractSpec.model_validate_json(text))

    def operators(self) -> list[Operator]:
        rows = self._con.execute(sa.select(operators).order_by(operators.c.operator_id)).all()
        return [
            Operator(
                operator_id=r.operator_id,
                name=r.name,
                type=OperatorType(r.type),
                shareholders=tuple(
                    Shareholder(s["name"], Decimal(s["share"]), s["state_owned"])
                    for s in json.loads(r.shareholders_json)
                ),
            )
            for r in rows
        ]

    def budgets(self) -> list[RegionBudget]:
        rows = self._con.execute(sa.select(region_budgets)).all()
        return [
            RegionBudget(
                region_code=r.region_code,
                year=r.year,
                general_budget_expenditure=from_fen(r.general_budget_expenditure_fen),
                other_ppp_expenditure=from_fen(r.other_ppp_expenditure_fen),
            )
            for r in rows
        ]

    # -- statements ---------------------------------------------------------------

    def next_version(self, contract_id: str, period: str) -> int:
        query = sa.select(sa.func.max(settlement_statements.c.version)).where(
            settlement_statements.c.contract_id == contract_id,
            settlement_statements.c.period == period,
        )
        latest = self._con.execute(query).scalar_one_or_none()
        return 1 if latest is None else int(latest) + 1

    def add_statement(self, statement: Statement) -> None:
        """Store a new statement version with its lines."""
        con = self._con
        con.execute(sa.insert(settlement_statements), [_statement_row(statement)])
        if statement.lines:
            con.execute(
                sa.insert(settlement_lines),
                [
                    _line_row(statement.statement_id, number, line)
                    for number, line in enumerate(statement.lines, start=1)
                ],
            )

    def statement(self, statement_id: str) -> Statement:
        head = self._con.execute(
            sa.select(settlement_statements).where(
                settlement_statements.c.statement_id == statement_id
            )
        ).one_or_none()
        if head is None:
            raise SettlementError(f"no settlement statement {statement_id!r}")
        lines = self._con.execute(
            sa.select(settlement_lines)
            .where(settlement_lines.c.statement_id == statement_id)
            .order_by(settlement_lines.c.line_no)
        ).all()
        return _statement(head._mapping, [line._mapping for line in lines])

    def statement_ids(self, contract_id: str | None = None) -> list[str]:
        query = sa.select(settlement_statements.c.statement_id).order_by(
            settlement_statements.c.contract_id,
            settlement_statements.c.period,
            settlement_statements.c.version,
        )
        if contract_id is not None:
            query = query.where(settlement_statements.c.contract_id == contract_id)
        return list(self._con.execute(query).scalars().all())

    def statement_summaries(
        self, contract_ids: Sequence[str], *, period: str | None, limit: int, offset: int
    ) -> tuple[int, list[StatementSummary]]:
        """How many statements ``contract_ids`` have (in ``period``, when given), and the
        page ``offset``…``offset + limit`` of them by contract, period and version."""
        table = settlement_statements
        where: list[sa.ColumnElement[bool]] = [table.c.contract_id.in_(contract_ids)]
        if period is not None:
            where.append(table.c.period == period)
        total = self._con.execute(
            sa.select(sa.func.count()).select_from(table).where(*where)
        ).scalar_one()
        rows = self._con.execute(
            sa.select(
                table.c.statement_id,
                table.c.contract_id,
                table.c.period,
                table.c.version,
                table.c.status,
                table.c.total_payable_fen,
                table.c.created_at,
            )
            .where(*where)
            .order_by(table.c.contract_id, table.c.period, table.c.version)
            .limit(limit)
            .offset(offset)
        ).all()
        return int(total), [
            StatementSummary(
                statement_id=row.statement_id,
                contract_id=row.contract_id,
                period=row.period,
                version=row.version,
                status=StatementStatus(row.status),
                total_payable=from_fen(row.total_payable_fen),
                created_at=row.created_at,
            )
            for row in rows
        ]

    def record_step(self, before: Statement, after: Statement) -> None:
        """Store a workflow step (review or approval) of ``before``.

        Only the workflow columns change, and only while the stored row is still
        in ``before``'s status and not approved: a concurrent step or an
        approved statement makes it fail instead of overwriting.
        """
        if before.status is StatementStatus.APPROVED:
            raise StatementLockedError(f"statement {before.statement_id} is approved")
        table = settlement_statements
        changed = self._con.execute(
            sa.update(table)
            .where(
                table.c.statement_id == before.statement_id,
                table.c.status == before.status.value,
            )
            .values(
                status=after.status.value,
                reviewed_by=after.reviewed_by,
                reviewed_at=after.reviewed_at,
                approved_by=after.approved_by,
                approved_at=after.approved_at,
            )
        ).rowcount
        if changed != 1:
            raise SettlementError(
                f"statement {before.statement_id} changed meanwhile; show it and try again"
            )


def _operator_row(operator: Operator, loaded_at: datetime) -> dict[str, Any]:
    return {
        "operator_id": operator.operator_id,
        "name": operator.name,
        "type": operator.type.value,
        "state_share": str(operator.state_share),
        "shareholders_json": json.dumps(
            [
                {"name": s.name, "share": str(s.share), "state_owned": s.state_owned}
                for s in operator.shareholders
            ],
            ensure_ascii=False,
        ),
        "loaded_at": loaded_at,
    }


def _contract_row(spec: ContractSpec, contract: Contract, loaded_at: datetime) -> dict[str, Any]:
    return {
        "contract_id": contract.contract_id,
        "name": contract.name,
        "project_name": contract.project_name,
        "region_code": contract.region_code,
        "operator_id": contract.operator_id,
        "model": contract.model.value,
        "investor_mode": contract.investor_mode.value,
        "return_mechanisms": "+".join(m.value for m in contract.return_mechanisms),
        "start_date": contract.start,
        "end_date": contract.end,
        "total_amount_fen": to_fen(contract.total_amount),
        "annual_amount_fen": None
        if contract.annual_amount is None
        else to_fen(contract.annual_amount),
        "settlement_cycle": contract.settlement_cycle.value,
        "definition_json": spec.model_dump_json(),
        "contract_hash": contract_hash(spec),
        "loaded_at": loaded_at,
    }


def _budget_row(budget: RegionBudget, loaded_at: datetime) -> dict[str, Any]:
    return {
        "region_code": budget.region_code,
        "year": budget.year,
        "general_budget_expenditure_fen": to_fen(budget.general_budget_expenditure),
        "other_ppp_expenditure_fen": to_fen(budget.other_ppp_expenditure),
        "loaded_at": loaded_at,
    }


def _statement_row(s: Statement) -> dict[str, Any]:
    return {
        "statement_id": s.statement_id,
        "contract_id": s.contract_id,
        "period": s.period,
        "version": s.version,
        "contract_hash": s.contract_hash,
        "status": s.status.value,
        "base_amount_fen": to_fen(s.base_amount),
        "fixed_amount_fen": to_fen(s.fixed_amount),
        "total_points": str(s.total_points),
        "total_deductions_fen": to_fen(s.total_deductions),
        "total_bonuses_fen": to_fen(s.total_bonuses),
        "total_payable_fen": to_fen(s.total_payable),
        "withheld_fen": to_fen(s.withheld),
        "created_at": s.created_at,
        "created_by": s.created_by,
        "reviewed_by": s.reviewed_by,
        "reviewed_at": s.reviewed_at,
        "approved_by": s.approved_by,
        "approved_at": s.approved_at,
    }


def _line_row(statement_id: str, number: int, line: StatementLine) -> dict[str, Any]:
    return {
        "statement_id": statement_id,
        "clause_id": line.clause_id,
        "line_no": number,
        "indicator": line.indicator,
        "region_code": line.region_code,
        "period": line.period,
        "status": line.status.value,
        "share_amount_fen": to_fen(line.share_amount),
        "value": line.value,
        "completion": None if line.completion is None else str(line.completion),
        "points": None if line.points is None else str(line.points),
        "amount_fen": None if line.amount is None else to_fen(line.amount),
        "deductions_fen": to_fen(line.deductions),
        "bonuses_fen": to_fen(line.bonuses),
        "note": line.note,
        "definition_hash": line.definition_hash,
        "numerator": line.numerator,
        "denominator": line.denominator,
    }


def _optional_decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _statement(head: Any, lines: Sequence[Any]) -> Statement:
    return Statement(
        statement_id=head["statement_id"],
        contract_id=head["contract_id"],
        period=head["period"],
        version=head["version"],
        contract_hash=head["contract_hash"],
        status=StatementStatus(head["status"]),
        base_amount=from_fen(head["base_amount_fen"]),
        fixed_amount=from_fen(head["fixed_amount_fen"]),
        total_points=Decimal(head["total_points"]),
        total_deductions=from_fen(head["total_deductions_fen"]),
        total_bonuses=from_fen(head["total_bonuses_fen"]),
        total_payable=from_fen(head["total_payable_fen"]),
        withheld=from_fen(head["withheld_fen"]),
        lines=tuple(
            StatementLine(
                clause_id=r["clause_id"],
                indicator=r["indicator"],
                region_code=r["region_code"],
                period=r["period"],
                status=LineStatus(r["status"]),
                share_amount=from_fen(r["share_amount_fen"]),
                value=r["value"],
                completion=_optional_decimal(r["completion"]),
                points=_optional_decimal(r["points"]),
                amount=None if r["amount_fen"] is None else from_fen(r["amount_fen"]),
                deductions=from_fen(r["deductions_fen"]),
                bonuses=from_fen(r["bonuses_fen"]),
                note=r["note"],
                definition_hash=r["definition_hash"],
                numerator=r["numerator"],
                denominator=r["denominator"],
            )
            for r in lines
        ),
        created_at=head["created_at"],
        created_by=head["created_by"],
        reviewed_by=head["reviewed_by"],
        reviewed_at=head["reviewed_at"],
        approved_by=head["approved_by"],
        approved_at=head["approved_at"],
    )
