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

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from pydantic import BaseModel

from cityops.access.roles import Action, Resource, Role
from cityops.access.scope import Principal
from cityops.api.deps import (
    Allowed,
    OptionalPeriodQuery,
    StateDep,
    UnitOfWorkDep,
    audit,
    not_found,
    require_in_scope,
)
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.api.state import AppState
from cityops.domain.period import Period
from cityops.public import Public, derived_from
from cityops.services.indicators import stored_facts
from cityops.services.settlement import (
    StatementPublic,
    StatementSummary,
    approve_statement,
    get_contract,
    list_contracts,
    review_statement,
    settle_period,
    show_statement,
    statement_summaries,
)
from cityops.services.unit_of_work import UnitOfWork
from cityops.settlement.model import Contract, KpiClause
from cityops.settlement.statement import Statement
from cityops.settlement.workflow import SettlementError

__all__ = ["ContractPublic", "router"]

router = APIRouter(prefix="/api/v1")

ContractReader = Annotated[Principal, Depends(Allowed(Resource.CONTRACTS, Action.READ))]
StatementReader = Annotated[Principal, Depends(Allowed(Resource.STATEMENTS, Action.READ))]
Settler = Annotated[Principal, Depends(Allowed(Resource.STATEMENTS, Action.WRITE))]
Reviewer = Annotated[Principal, Depends(Allowed(Resource.REVIEW, Action.WRITE))]
Approver = Annotated[Principal, Depends(Allowed(Resource.APPROVAL, Action.WRITE))]
ContractId = Annotated[str, Path(min_length=1, max_length=200)]
StatementId = Annotated[str, Path(min_length=1, max_length=300)]


@derived_from(
    KpiClause,
    fields=("clause_id", "indicator", "region_code", "formula", "weight", "payment_share"),
)
class KpiPublic(Public):
    """A KPI clause: what it measures, where, and its weight and share of the payment."""


@derived_from(
    Contract,
    exclude=(
        "objects",
        "ppp_sub_mode",
        "operation_type",
        "stable_service",
        "bundled",
        "user_pay_share",
        "period_cap",
        "clauses",
    ),
)
class ContractPublic(Public):
    """A contract as listed: its parties, model, term and amounts (yuan, as exact decimal
    text), with its KPI clauses."""

    kpis: list[KpiPublic]


class SettleRequest(BaseModel):
    period: Period


@router.get(
    "/contracts",
    operation_id="list_contracts",
    tags=["contracts"],
    response_model=Page[ContractPublic],
)
def list_contracts_in_scope(
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: ContractReader,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[ContractPublic]:
    """The contracts in the caller's scope (an operator: only its own), by contract id."""
    visible = _contracts_in_scope(state, uow, principal)
    return Page(
        total=len(visible),
        limit=limit,
        offset=offset,
        items=[ContractPublic.of(c, kpis=c.clauses) for c in visible[offset : offset + limit]],
    )


@router.get(
    "/contracts/{contract_id}",
    operation_id="get_contract",
    tags=["contracts"],
    response_model=ContractPublic,
)
def get_contract_in_scope(
    contract_id: ContractId, state: StateDep, uow: UnitOfWorkDep, principal: ContractReader
) -> ContractPublic:
    contract = _contract_in_scope(state, uow, principal, contract_id)
    return ContractPublic.of(contract, kpis=contract.clauses)


@router.get(
    "/statements",
    operation_id="list_statements",
    tags=["statements"],
    response_model=Page[StatementSummary],
)
def list_statements_in_scope(
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: StatementReader,
    contract_id: Annotated[str | None, Query(max_length=200)] = None,
    period: OptionalPeriodQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[StatementSummary]:
    """Statements of the contracts in the caller's scope, by contract, period and version."""
    contract_ids = [c.contract_id for c in _contracts_in_scope(state, uow, principal)]
    if contract_id is not None:
        contract_ids = [c for c in contract_ids if c == contract_id]
    total, summaries = statement_summaries(
        uow, contract_ids, period=period, limit=limit, offset=offset
    )
    return Page(total=total, limit=limit, offset=offset, items=summaries)


@router.get(
    "/statements/{statement_id}",
    operation_id="get_statement",
    tags=["statements"],
    response_model=StatementPublic,
)
def get_statement(
    statement_id: StatementId, state: StateDep, uow: UnitOfWorkDep, principal: StatementReader
) -> StatementPublic:
    return StatementPublic.of(_statement_in_scope(state, uow, principal, statement_id))


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
    uow: UnitOfWorkDep,
    principal: Settler,
) -> StatementPublic:
    """Compute a new draft statement (the next version) of the contract for a month from
    that month's indicator facts."""
    _contract_in_scope(state, uow, principal, contract_id)
    month = body.period
    if stored_facts(state.workspace, month) is None:  # the service's error names a server path
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"no indicator facts for {month}; compute them first "
            f"(`cityops indicators --period {month}`)",
        )
    statement = settle_period(uow, contract_id, month, by=principal.username)
    audit(uow, request, principal, "settle", statement.statement_id, "ok")
    return StatementPublic.of(statement)


@router.post(
    "/statements/{statement_id}/review",
    operation_id="review_statement",
    tags=["statements"],
    response_model=StatementPublic,
)
def review(
    statement_id: StatementId,
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reviewer,
) -> StatementPublic:
    """Mark a draft reviewed (复核) by the caller."""
    return _step(review_statement, "review", statement_id, request, state, uow, principal)


@router.post(
    "/statements/{statement_id}/approve",
    operation_id="approve_statement",
    tags=["statements"],
    response_model=StatementPublic,
)
def approve(
    statement_id: StatementId,
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Approver,
) -> StatementPublic:
    """Approve (批准) a reviewed, complete statement; someone other than its reviewer must
    do it, and it never changes afterwards (approving again is a 409)."""
    return _step(approve_statement, "approve", statement_id, request, state, uow, principal)


def _step(
    take: Callable[..., Statement],
    action: str,
    statement_id: str,
    request: Request,
    state: AppState,
    uow: UnitOfWork,
    principal: Principal,
) -> StatementPublic:
    """Take a workflow step (``take``: the service's review or approval) as the caller,
    audited as ``action``.  A refusal (wrong state, approved already, the reviewer
    approving) is an audited 409: an attempt to approve one's own review is what an
    auditor looks for."""
    _statement_in_scope(state, uow, principal, statement_id)
    try:
        taken = take(uow, statement_id, by=principal.username)
    except SettlementError as error:
        uow.rollback()  # a refused step leaves nothing behind, nor holds a lock
        audit(uow, request, principal, action, statement_id, "refused")
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    audit(uow, request, principal, action, statement_id, "ok")
    return StatementPublic.of(taken)


def _contracts_in_scope(state: AppState, uow: UnitOfWork, principal: Principal) -> list[Contract]:
    tree = state.region_tree()
    return [
        stored.contract
        for stored in list_contracts(uow)
        if tree.visible_to(principal, stored.contract.region_code)
        and _holds(principal, stored.contract)
    ]


def _contract_in_scope(
    state: AppState, uow: UnitOfWork, principal: Principal, contract_id: str
) -> Contract:
    try:
        contract = get_contract(uow, contract_id).contract
    except SettlementError:
        raise not_found("contract", contract_id) from None
    require_in_scope(state, principal, contract.region_code, "contract", contract_id)
    if not _holds(principal, contract):
        raise not_found("contract", contract_id)
    return contract


def _statement_in_scope(
    state: AppState, uow: UnitOfWork, principal: Principal, statement_id: str
) -> Statement:
    try:
        statement = show_statement(uow, statement_id)
    except SettlementError:
        raise not_found("statement", statement_id) from None
    try:
        _contract_in_scope(state, uow, principal, statement.contract_id)
    except HTTPException:
        raise not_found("statement", statement_id) from None
    return statement


def _holds(principal: Principal, contract: Contract) -> bool:
    """An operator's users see only the contracts their operator holds."""
    return principal.role is not Role.OPERATOR or contract.operator_id == principal.operator_id
