"""Contracts and their settlement statements (``/api/v1/contracts``, ``/api/v1/statements``).

Scope and ownership: a contract is seen by users whose region contains the
contract's region, and by an operator only when it holds the contract; a
statement is seen exactly when its contract is.  Anything else is a 404, the
same answer as for an identifier that does not exist.

The workflow (draft → reviewed → approved) is the settlement service's: the
reviewer and the approver are the calling users, a step that does not fit the
statement's state is a 409, and an approved statement never changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field

from cityops.access.roles import Action, Resource, Role
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, audit, not_found, require_in_scope
from cityops.api.services.facts import stored_facts
from cityops.api.services.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.api.state import AppState
from cityops.domain.period import Period
from cityops.register.contracts_schema import settlement_statements
from cityops.settlement.model import Contract
from cityops.settlement.money import from_fen
from cityops.settlement.service import (
    approve_statement,
    contract_store,
    list_contracts,
    review_statement,
    settle_period,
    show_statement,
    statement_as_dict,
)
from cityops.settlement.statement import Statement
from cityops.settlement.workflow import SettlementError

__all__ = ["ContractPublic", "StatementPublic", "StatementSummaryPublic", "router"]

router = APIRouter(prefix="/api/v1")

ContractReader = Annotated[Principal, Depends(Allowed(Resource.CONTRACTS, Action.READ))]
StatementReader = Annotated[Principal, Depends(Allowed(Resource.STATEMENTS, Action.READ))]
Settler = Annotated[Principal, Depends(Allowed(Resource.STATEMENTS, Action.WRITE))]
Reviewer = Annotated[Principal, Depends(Allowed(Resource.REVIEW, Action.WRITE))]
Approver = Annotated[Principal, Depends(Allowed(Resource.APPROVAL, Action.WRITE))]
ContractId = Annotated[str, Path(min_length=1, max_length=200)]
StatementId = Annotated[str, Path(min_length=1, max_length=300)]
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class KpiPublic(BaseModel):
    clause_id: str
    indicator: str
    region_code: str
    formula: str
    weight: str
    payment_share: str


class ContractPublic(BaseModel):
    contract_id: str
    name: str
    project_name: str
    region_code: str
    operator_id: str
    model: str
    investor_mode: str
    return_mechanisms: list[str]
    start: str
    end: str
    total_amount: str
    annual_amount: str | None
    settlement_cycle: str
    kpis: list[KpiPublic]

    @classmethod
    def of(cls, contract: Contract) -> ContractPublic:
        return cls(
            contract_id=contract.contract_id,
            name=contract.name,
            project_name=contract.project_name,
            region_code=contract.region_code,
            operator_id=contract.operator_id,
            model=contract.model.value,
            investor_mode=contract.investor_mode.value,
            return_mechanisms=[m.value for m in contract.return_mechanisms],
            start=contract.start.isoformat(),
            end=contract.end.isoformat(),
            total_amount=str(contract.total_amount),
            annual_amount=None if contract.annual_amount is None else str(contract.annual_amount),
            settlement_cycle=contract.settlement_cycle.value,
            kpis=[
                KpiPublic(
                    clause_id=c.clause_id,
                    indicator=c.indicator,
                    region_code=c.region_code,
                    formula=c.formula.value,
                    weight=str(c.weight),
                    payment_share=str(c.payment_share),
                )
                for c in contract.clauses
            ],
        )


class EvidencePublic(BaseModel):
    indicator: str
    region_code: str
    period: str
    definition_hash: str | None
    numerator: float | None
    denominator: float | None


class StatementLinePublic(BaseModel):
    clause_id: str
    status: str
    value: float | None
    completion: str | None
    points: str | None
    share_amount: str
    amount: str | None
    deductions: str
    bonuses: str
    note: str
    evidence: EvidencePublic


class StatementPublic(BaseModel):
    """A statement as ``cityops settle show --json`` prints it: yuan as exact decimal text."""

    statement_id: str
    contract_id: str
    period: str
    version: int
    status: str
    complete: bool
    contract_hash: str
    base_amount: str
    fixed_amount: str
    total_points: str
    total_deductions: str
    total_bonuses: str
    total_payable: str
    withheld: str
    created_at: str
    created_by: str
    reviewed_by: str | None
    reviewed_at: str | None
    approved_by: str | None
    approved_at: str | None
    lines: list[StatementLinePublic]

    @classmethod
    def of(cls, statement: Statement) -> StatementPublic:
        return cls.model_validate(statement_as_dict(statement))


class StatementSummaryPublic(BaseModel):
    statement_id: str
    contract_id: str
    period: str
    version: int
    status: str
    total_payable: str
    created_at: datetime


class SettleRequest(BaseModel):
    period: str = Field(pattern=PERIOD_PATTERN, max_length=7, examples=["2025-01"])


@router.get(
    "/contracts",
    operation_id="list_contracts",
    tags=["contracts"],
    response_model=Page[ContractPublic],
)
def list_contracts_in_scope(
    state: StateDep,
    principal: ContractReader,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[ContractPublic]:
    """The contracts in the caller's scope (an operator: only its own), by contract id."""
    visible = _contracts_in_scope(state, principal)
    return Page(
        total=len(visible),
        limit=limit,
        offset=offset,
        items=[ContractPublic.of(c) for c in visible[offset : offset + limit]],
    )


@router.get(
    "/contracts/{contract_id}",
    operation_id="get_contract",
    tags=["contracts"],
    response_model=ContractPublic,
)
def get_contract(
    contract_id: ContractId, state: StateDep, principal: ContractReader
) -> ContractPublic:
    return ContractPublic.of(_contract_in_scope(state, principal, contract_id))


@router.get(
    "/statements",
    operation_id="list_statements",
    tags=["statements"],
    response_model=Page[StatementSummaryPublic],
)
def list_statements_in_scope(
    state: StateDep,
    principal: StatementReader,
    contract_id: Annotated[str | None, Query(max_length=200)] = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, max_length=7)] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[StatementSummaryPublic]:
    """Statements of the contracts in the caller's scope, by contract, period and version."""
    contract_ids = [c.contract_id for c in _contracts_in_scope(state, principal)]
    if contract_id is not None:
        contract_ids = [c for c in contract_ids if c == contract_id]
    table = settlement_statements
    where: list[sa.ColumnElement[bool]] = [table.c.contract_id.in_(contract_ids)]
    if period is not None:
        where.append(table.c.period == period)
    query = (
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
    )
    with state.engine.connect() as connection:
        total = connection.execute(
            sa.select(sa.func.count()).select_from(table).where(*where)
        ).scalar_one()
        rows = connection.execute(query).mappings().all()
    items = [
        StatementSummaryPublic(
            **{k: v for k, v in row.items() if k != "total_payable_fen"},
            total_payable=str(from_fen(row["total_payable_fen"])),
        )
        for row in rows
    ]
    return Page(total=total, limit=limit, offset=offset, items=items)


@router.get(
    "/statements/{statement_id}",
    operation_id="get_statement",
    tags=["statements"],
    response_model=StatementPublic,
)
def get_statement(
    statement_id: StatementId, state: StateDep, principal: StatementReader
) -> StatementPublic:
    return StatementPublic.of(_statement_in_scope(state, principal, statement_id))


@router.post(
    "/contracts/{contract_id}/statements",
    operation_id="settle_period",
    tags=["statements"],
    response_model=StatementPublic,
    status_code=status.HTTP_201_CREATED,
)
def settle(
    contract_id: ContractId,
    body: SettleRequest,
    request: Request,
    state: StateDep,
    principal: Settler,
) -> StatementPublic:
    """Compute a new draft statement (the next version) of the contract for a month from
    that month's indicator facts."""
    _contract_in_scope(state, principal, contract_id)
    month = Period.parse(body.period)
    if stored_facts(state.workspace, month) is None:  # the service's error names a server path
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"no indicator facts for {month}; compute them first "
            f"(`cityops indicators --period {month}`)",
        )
    statement = settle_period(state.workspace, contract_id, month, by=principal.username)
    audit(state, request, principal, "settle", statement.statement_id, "ok")
    return StatementPublic.of(statement)


@router.post(
    "/statements/{statement_id}/review",
    operation_id="review_statement",
    tags=["statements"],
    response_model=StatementPublic,
)
def review(
    statement_id: StatementId, request: Request, state: StateDep, principal: Reviewer
) -> StatementPublic:
    """Mark a draft reviewed (复核) by the caller."""
    _statement_in_scope(state, principal, statement_id)
    with _conflict(state, request, principal, "review", statement_id):
        reviewed = review_statement(state.workspace, statement_id, by=principal.username)
    audit(state, request, principal, "review", statement_id, "ok")
    return StatementPublic.of(reviewed)


@router.post(
    "/statements/{statement_id}/approve",
    operation_id="approve_statement",
    tags=["statements"],
    response_model=StatementPublic,
)
def approve(
    statement_id: StatementId, request: Request, state: StateDep, principal: Approver
) -> StatementPublic:
    """Approve (批准) a reviewed, complete statement; someone other than its reviewer must
    do it, and it never changes afterwards (approving again is a 409)."""
    _statement_in_scope(state, principal, statement_id)
    with _conflict(state, request, principal, "approve", statement_id):
        approved = approve_statement(state.workspace, statement_id, by=principal.username)
    audit(state, request, principal, "approve", statement_id, "ok")
    return StatementPublic.of(approved)


def _contracts_in_scope(state: AppState, principal: Principal) -> list[Contract]:
    tree = state.region_tree()
    return [
        stored.contract
        for stored in list_contracts(state.workspace)
        if tree.visible_to(principal, stored.contract.region_code)
        and _holds(principal, stored.contract)
    ]


def _contract_in_scope(state: AppState, principal: Principal, contract_id: str) -> Contract:
    with contract_store(state.workspace) as store:
        try:
            contract = store.contract(contract_id).contract
        except SettlementError:
            raise not_found("contract", contract_id) from None
    require_in_scope(state, principal, contract.region_code, "contract", contract_id)
    if not _holds(principal, contract):
        raise not_found("contract", contract_id)
    return contract


def _statement_in_scope(state: AppState, principal: Principal, statement_id: str) -> Statement:
    try:
        statement = show_statement(state.workspace, statement_id)
    except SettlementError:
        raise not_found("statement", statement_id) from None
    try:
        _contract_in_scope(state, principal, statement.contract_id)
    except HTTPException:
        raise not_found("statement", statement_id) from None
    return statement


def _holds(principal: Principal, contract: Contract) -> bool:
    """An operator's users see only the contracts their operator holds."""
    return principal.role is not Role.OPERATOR or contract.operator_id == principal.operator_id


@contextmanager
def _conflict(
    state: AppState, request: Request, principal: Principal, action: str, statement_id: str
) -> Iterator[None]:
    """Turn a workflow refusal (wrong state, approved already, same person) into an
    audited 409: an attempt to approve one's own review is what an auditor looks for."""
    try:
        yield
    except SettlementError as error:
        audit(state, request, principal, action, statement_id, "refused")
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
