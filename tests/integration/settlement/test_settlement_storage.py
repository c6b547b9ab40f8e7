"""Statements in the register database: versions, the workflow, and approved
statements that no interface — service, repository or raw SQL — can alter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from cityops.domain.period import Period
from cityops.indicators.facts import IndicatorFact, write_facts
from cityops.register.engine import make_engine
from cityops.services.settlement import (
    approve_statement,
    list_contracts,
    list_operators,
    list_statements,
    load_contracts,
    review_statement,
    settle_period,
    show_statement,
)
from cityops.services.unit_of_work import UnitOfWork, unit_of_work
from cityops.settlement.model import OperatorType
from cityops.settlement.statement import StatementStatus
from cityops.settlement.store import ContractStore
from cityops.settlement.workflow import SettlementError, StatementLockedError
from cityops.types import IndicatorCode, RegionCode
from cityops.workspace.create import create_workspace

PERIOD = Period(2025, 3)

# base 120,000.00 ÷ 12 = 10,000.00; K1 share 0.6, fixed 0.4 → 4,000.00
CONTRACT = """
operators:
  - {id: OP1, name: 示范市民云服务有限公司, type: 联合公司}
contracts:
  - id: C1
    name: 市民云运营服务
    project: 市民云
    region: "970100"
    operator: OP1
    model: 政府购买服务
    investor_mode: 政府投资企业运营
    return_mechanisms: [政府购买服务]
    start: 2025-01-01
    end: 2025-12-31
    total_amount: "120000.00"
    annual_amount: "120000.00"
    kpis:
      - {id: K1, indicator: effect.mau_rate, formula: linear, floor: 0.2, target: 0.6,
         weight: 100, payment_share: 0.6}
"""


def _facts(value: float) -> list[IndicatorFact]:
    return [
        IndicatorFact(
            indicator=IndicatorCode("effect.mau_rate"),
            region_code=RegionCode("970100"),
            period=PERIOD,
            value=value,
            numerator=value * 1000,
            denominator=1000.0,
            rows_read=1000,
            engine="duckdb",
            definition_hash="def-mau",
        )
    ]


@pytest.fixture
def uow(tmp_path: Path, register_url: str) -> Iterator[UnitOfWork]:
    ws = create_workspace(tmp_path / "ws", name="示范市", register_url=register_url)
    contract_file = tmp_path / "contract.yaml"
    contract_file.write_text(CONTRACT, "utf-8")
    with unit_of_work(ws) as uow:
        load_contracts(uow, contract_file)
        write_facts(ws.facts_path(PERIOD), _facts(0.5))
        yield uow


def _approved(uow: UnitOfWork) -> str:
    statement = settle_period(uow, "C1", PERIOD)
    review_statement(uow, statement.statement_id, by="张审核")
    approve_statement(uow, statement.statement_id, by="李批准")
    return statement.statement_id


def test_a_settled_statement_is_stored_and_read_back_unchanged(uow: UnitOfWork) -> None:
    statement = settle_period(uow, "C1", PERIOD, now=datetime(2025, 4, 1, tzinfo=UTC))
    # K1: (0.5 − 0.2) ÷ (0.6 − 0.2) = 0.75 → 10,000 × 0.6 × 0.75 = 4,500.00; + 4,000.00 fixed
    assert statement.total_payable == Decimal("8500.00")
    assert show_statement(uow, statement.statement_id) == statement
    assert [c.contract.contract_id for c in list_contracts(uow)] == ["C1"]


def test_settling_again_makes_a_new_version_and_leaves_the_approved_one(
    uow: UnitOfWork,
) -> None:
    first = _approved(uow)
    write_facts(uow.workspace.facts_path(PERIOD), _facts(0.6))
    second = settle_period(uow, "C1", PERIOD)
    assert second.version == 2
    # K1 at target: 10,000 × 0.6 = 6,000.00 + 4,000.00
    assert second.total_payable == Decimal("10000.00")
    kept = show_statement(uow, first)
    assert (kept.status, kept.total_payable) == (StatementStatus.APPROVED, Decimal("8500.00"))


def test_the_service_refuses_to_change_an_approved_statement(uow: UnitOfWork) -> None:
    approved = _approved(uow)
    with pytest.raises(StatementLockedError):
        review_statement(uow, approved, by="王")
    with pytest.raises(StatementLockedError):
        approve_statement(uow, approved, by="王")


def test_the_repository_refuses_to_record_a_step_of_an_approved_statement(
    uow: UnitOfWork,
) -> None:
    approved = _approved(uow)
    store = ContractStore(uow.register)
    statement = store.statement(approved)
    with pytest.raises(StatementLockedError):
        store.record_step(statement, statement)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE settlement_statements SET total_payable_fen = 0 WHERE statement_id = :id",
        "UPDATE settlement_statements SET status = 'draft' WHERE statement_id = :id",
        "DELETE FROM settlement_statements WHERE statement_id = :id",
        "UPDATE settlement_lines SET amount_fen = 0 WHERE statement_id = :id",
        "DELETE FROM settlement_lines WHERE statement_id = :id",
        "INSERT INTO settlement_lines (statement_id, clause_id, line_no, indicator, region_code,"
        " period, status, share_amount_fen, deductions_fen, bonuses_fen, note)"
        " VALUES (:id, 'K9', 9, 'x', '970100', '2025-03', 'scored', 1, 0, 0, '')",
    ],
)
def test_the_database_refuses_raw_sql_that_alters_an_approved_statement(
    uow: UnitOfWork, sql: str
) -> None:
    approved = _approved(uow)
    engine = make_engine(uow.workspace.register_url)
    try:
        with pytest.raises(sa.exc.DBAPIError, match="immutable"), engine.begin() as con:
            con.execute(sa.text(sql), {"id": approved})
    finally:
        engine.dispose()
    assert show_statement(uow, approved).total_payable == Decimal("8500.00")


def test_a_draft_may_still_be_corrected_in_the_database(uow: UnitOfWork) -> None:
    draft = settle_period(uow, "C1", PERIOD)
    engine = make_engine(uow.workspace.register_url)
    try:
        with engine.begin() as con:
            con.execute(
                sa.text(
                    "UPDATE settlement_statements SET created_by = 'x' WHERE statement_id = :id"
                ),
                {"id": draft.statement_id},
            )
    finally:
        engine.dispose()
    assert show_statement(uow, draft.statement_id).created_by == "x"


def test_an_unknown_contract_says_how_to_register_it(uow: UnitOfWork) -> None:
    with pytest.raises(SettlementError, match="cityops contracts load"):
        settle_period(uow, "NOPE", PERIOD)


def test_operators_and_statement_versions_are_listed(uow: UnitOfWork) -> None:
    (operator,) = list_operators(uow)
    assert (operator.operator_id, operator.type) == ("OP1", OperatorType.JOINT_COMPANY)
    settle_period(uow, "C1", PERIOD)
    settle_period(uow, "C1", PERIOD)
    assert list_statements(uow, "C1") == ["C1@2025-03#v1", "C1@2025-03#v2"]
