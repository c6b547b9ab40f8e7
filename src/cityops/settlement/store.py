"""The contract register and settlement statements in the register database (存储).

The only door to the tables of ``cityops.register.contracts_schema``: it maps
rows to domain objects and back (money as integer fen), and it is a guarded
repository — it refuses to rewrite an approved statement before the
database's own triggers would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from cityops.domain.period import Period
from cityops.register.contracts_schema import (
    contracts,
    operators,
    region_budgets,
    settlement_lines,
    settlement_statements,
)
from cityops.register.rows import from_row, to_row
from cityops.register.upsert import upsert
from cityops.settlement.files import ContractSpec, RegisterBundle, contract_hash
from cityops.settlement.files import contract_to_domain as spec_to_contract
from cityops.settlement.model import Contract, Operator, RegionBudget, Shareholder
from cityops.settlement.money import from_fen, to_fen
from cityops.settlement.statement import Evidence, Statement, StatementLine, StatementStatus
from cityops.settlement.workflow import SettlementError, StatementLockedError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["ContractStore", "StatementSummary", "StoredContract"]

_FEN = "_fen"
"""Money is stored as integer fen in a column named after the field with this suffix."""
RecordT = TypeVar("RecordT", bound="DataclassInstance")


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
    period: Period
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
                upsert(con, region_budgets),
                [_row(b, region_budgets, loaded_at=loaded_at) for b in bundle.budgets],
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
        query = sa.select(operators).order_by(operators.c.operator_id)
        return [
            _record(
                Operator,
                row,
                shareholders=tuple(
                    Shareholder(s["name"], Decimal(s["share"]), s["state_owned"])
                    for s in json.loads(row["shareholders_json"])
                ),
            )
            for row in self._con.execute(query).mappings()
        ]

    def budgets(self) -> list[RegionBudget]:
        rows = self._con.execute(sa.select(region_budgets)).mappings()
        return [_record(RegionBudget, row) for row in rows]

    # -- statements ---------------------------------------------------------------

    def next_version(self, contract_id: str, period: Period) -> int:
        query = sa.select(sa.func.max(settlement_statements.c.version)).where(
            settlement_statements.c.contract_id == contract_id,
            settlement_statements.c.period == str(period),
        )
        latest = self._con.execute(query).scalar_one_or_none()
        return 1 if latest is None else int(latest) + 1

    def add_statement(self, statement: Statement) -> None:
        """Store a new statement version with its lines."""
        con = self._con
        con.execute(sa.insert(settlement_statements), [_row(statement, settlement_statements)])
        if statement.lines:
            con.execute(
                sa.insert(settlement_lines),
                [
                    _row(
                        line,
                        settlement_lines,
                        statement_id=statement.statement_id,
                        line_no=number,
                        **asdict(line.evidence) | {"period": str(line.evidence.period)},
                    )
                    for number, line in enumerate(statement.lines, start=1)
                ],
            )

    def statement(self, statement_id: str) -> Statement:
        head = (
            self._con.execute(
                sa.select(settlement_statements).where(
                    settlement_statements.c.statement_id == statement_id
                )
            )
            .mappings()
            .one_or_none()
        )
        if head is None:
            raise SettlementError(f"no settlement statement {statement_id!r}")
        lines = self._con.execute(
            sa.select(settlement_lines)
            .where(settlement_lines.c.statement_id == statement_id)
            .order_by(settlement_lines.c.line_no)
        ).mappings()
        return _record(
            Statement,
            head,
            lines=tuple(
                _record(StatementLine, line, evidence=_record(Evidence, line)) for line in lines
            ),
        )

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
        self, contract_ids: Sequence[str], *, period: Period | None, limit: int, offset: int
    ) -> tuple[int, list[StatementSummary]]:
        """How many statements ``contract_ids`` have (in ``period``, when given), and the
        page ``offset``…``offset + limit`` of them by contract, period and version."""
        table = settlement_statements
        where: list[sa.ColumnElement[bool]] = [table.c.contract_id.in_(contract_ids)]
        if period is not None:
            where.append(table.c.period == str(period))
        total = self._con.execute(
            sa.select(sa.func.count()).select_from(table).where(*where)
        ).scalar_one()
        rows = self._con.execute(
            sa.select(table)
            .where(*where)
            .order_by(table.c.contract_id, table.c.period, table.c.version)
            .limit(limit)
            .offset(offset)
        ).mappings()
        return int(total), [_record(StatementSummary, row) for row in rows]

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
    shareholders = [
        {"name": s.name, "share": str(s.share), "state_owned": s.state_owned}
        for s in operator.shareholders
    ]
    return _row(
        operator,
        operators,
        shareholders_json=json.dumps(shareholders, ensure_ascii=False),
        loaded_at=loaded_at,
    )


def _contract_row(spec: ContractSpec, contract: Contract, loaded_at: datetime) -> dict[str, Any]:
    return _row(
        contract,
        contracts,
        return_mechanisms="+".join(m.value for m in contract.return_mechanisms),
        start_date=contract.start,
        end_date=contract.end,
        definition_json=spec.model_dump_json(),
        contract_hash=contract_hash(spec),
        loaded_at=loaded_at,
    )


def _row(record: object, table: sa.Table, **values: Any) -> dict[str, Any]:
    """The row of ``table`` that holds ``record`` (``rows.to_row``), money in integer fen
    in the column named after its field with ``_fen``."""
    money = {
        column.name: _fen(getattr(record, column.name.removesuffix(_FEN)))
        for column in table.columns
        if column.name.endswith(_FEN) and column.name not in values
    }
    return to_row(record, table, **money, **values)


def _record(kind: type[RecordT], row: sa.RowMapping, **values: Any) -> RecordT:
    """The ``kind`` that a row written by ``_row`` holds (``rows.from_row``)."""
    money = {
        field.name: _yuan(row[f"{field.name}{_FEN}"])
        for field in fields(kind)
        if f"{field.name}{_FEN}" in row and field.name not in values
    }
    return from_row(kind, row, **money, **values)


def _fen(amount: Decimal | None) -> int | None:
    return None if amount is None else to_fen(amount)


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else from_fen(fen)
