"""Settlement use cases (结算): contracts into the register, statements from the
facts, and their workflow — what ``cityops contracts|settle``, the API and the
console call, each on the caller's unit of work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa

from cityops.audit.log import AuditEntry, read_entries
from cityops.domain.period import Period
from cityops.public import OFFSET_TIME, Public, derived_from
from cityops.register.contracts_schema import settlement_statements
from cityops.services.actors import Credentials, audit_step, authenticate_actor
from cityops.services.audit import Verification, record, verify
from cityops.services.indicators import period_facts
from cityops.services.unit_of_work import UnitOfWork
from cityops.settlement.files import (
    ContractSpec,
    RegisterBundle,
    contract_to_domain,
    load_register_file,
)
from cityops.settlement.model import Operator, RegionBudget
from cityops.settlement.statement import Statement, StatementStatus, compute_statement
from cityops.settlement.statement import statement_id as make_statement_id
from cityops.settlement.store import ContractStore, StatementSummary, StoredContract
from cityops.settlement.workflow import SettlementError, approve, review
from cityops.types import RegionCode

__all__ = [
    "SEAL_ACTION",
    "Credentials",
    "StatementPublic",
    "StatementSummary",
    "altered_statements",
    "approve_statement",
    "get_contract",
    "latest_statements",
    "list_budgets",
    "list_contracts",
    "list_operators",
    "list_statements",
    "load_contracts",
    "register_contract",
    "review_statement",
    "settle_as",
    "settle_period",
    "show_statement",
    "statement_as_dict",
    "statement_seal",
    "statement_summaries",
    "step_as",
    "verify_audit",
]


_VERSION_ATTEMPTS = 20
"""Drafts of one contract and month made at the same moment each get the next free
version: a draft that lost the race for a version number takes the one after."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def load_contracts(uow: UnitOfWork, path: Path, *, now: datetime | None = None) -> RegisterBundle:
    """Load a contract register file (operators, contracts, budgets) into the register."""
    bundle = load_register_file(path)
    ContractStore(uow.register).save(bundle, loaded_at=_now(now))
    uow.commit()
    return bundle


def register_contract(
    uow: UnitOfWork, spec: ContractSpec, *, now: datetime | None = None
) -> StoredContract:
    """Add or replace one contract (the API's create/update); checked like a file entry."""
    contract = contract_to_domain(spec, where="request")
    ContractStore(uow.register).save(
        RegisterBundle((), (contract,), (spec,), ()), loaded_at=_now(now)
    )
    uow.commit()
    return StoredContract.from_spec(spec)


def list_operators(uow: UnitOfWork) -> list[Operator]:
    return ContractStore(uow.register).operators()


def list_budgets(uow: UnitOfWork) -> list[RegionBudget]:
    return ContractStore(uow.register).budgets()


def list_statements(uow: UnitOfWork, contract_id: str | None = None) -> list[str]:
    """Statement ids, by contract, period and version."""
    return ContractStore(uow.register).statement_ids(contract_id)


def list_contracts(uow: UnitOfWork, region_code: RegionCode | None = None) -> list[StoredContract]:
    return ContractStore(uow.register).contracts(region_code)


def get_contract(uow: UnitOfWork, contract_id: str) -> StoredContract:
    """The registered contract; a ``SettlementError`` names a missing one."""
    return ContractStore(uow.register).contract(contract_id)


def settle_period(
    uow: UnitOfWork,
    contract_id: str,
    period: Period,
    *,
    by: str = "cityops",
    now: datetime | None = None,
) -> Statement:
    """Compute and store a new draft statement (next version) of ``contract_id`` for
    ``period`` from the period's stored indicator facts."""
    store = ContractStore(uow.register)
    stored = store.contract(contract_id)
    facts = period_facts(uow, period)
    for attempt in range(1, _VERSION_ATTEMPTS + 1):
        statement = compute_statement(
            stored.contract,
            facts,
            period=period,
            version=store.next_version(contract_id, period),
            contract_hash=stored.hash,
            created_at=_now(now),
            created_by=by,
        )
        try:
            store.add_statement(statement)
            uow.commit()
        except sa.exc.IntegrityError:
            # another draft of the same contract and month took this version meanwhile
            uow.rollback()
            if attempt == _VERSION_ATTEMPTS:
                raise
            continue
        return statement
    raise AssertionError("unreachable: the last attempt returns or raises")


def settle_as(
    uow: UnitOfWork, credentials: Credentials, contract_id: str, period: Period
) -> Statement:
    """Draft (编制) a statement as the user ``credentials`` prove (``settle_period``):
    refused and audited unless that user may write statements in the contract's
    region; the draft is audited too."""
    contract = get_contract(uow, contract_id).contract
    obj = f"{contract_id}@{period}"
    principal = authenticate_actor(
        uow, credentials, "settle", obj, region_code=contract.region_code
    )
    statement = settle_period(uow, contract_id, period, by=principal.username)
    audit_step(uow, principal, "settle", statement.statement_id, "ok", client=credentials.client)
    return statement


def step_as(
    uow: UnitOfWork, credentials: Credentials, step: Literal["review", "approve"], statement_id: str
) -> Statement:
    """Review (复核) or approve (批准) ``statement_id`` as the user ``credentials`` prove.

    Refused and audited when that user is not proven, may not take the step, or the
    workflow refuses it (the drafter reviewing, the drafter or the reviewer
    approving, a step that does not fit the statement's state); audited when taken."""
    statement = show_statement(uow, statement_id)
    contract = get_contract(uow, statement.contract_id).contract
    principal = authenticate_actor(
        uow, credentials, step, statement_id, region_code=contract.region_code
    )
    take = review_statement if step == "review" else approve_statement
    try:
        taken = take(uow, statement_id, by=principal.username)
    except SettlementError:
        uow.rollback()
        audit_step(uow, principal, step, statement_id, "refused", client=credentials.client)
        raise
    audit_step(uow, principal, step, statement_id, "ok", client=credentials.client)
    return taken


def statement_summaries(
    uow: UnitOfWork,
    contract_ids: Sequence[str],
    *,
    period: Period | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[StatementSummary]]:
    """The statements of ``contract_ids`` (of ``period`` when given), counted, and one
    page of them by contract, period and version."""
    return ContractStore(uow.register).statement_summaries(
        contract_ids, period=period, limit=limit, offset=offset
    )


def show_statement(uow: UnitOfWork, statement_id: str) -> Statement:
    return ContractStore(uow.register).statement(statement_id)


def latest_statements(uow: UnitOfWork, period: Period) -> list[Statement]:
    """The latest version of each contract's statement for ``period`` (none: empty)."""
    store = ContractStore(uow.register)
    found = []
    for stored in store.contracts():
        contract_id = stored.contract.contract_id
        latest = store.next_version(contract_id, period) - 1
        if latest > 0:
            found.append(store.statement(make_statement_id(contract_id, period, latest)))
    return found


def review_statement(
    uow: UnitOfWork, statement_id: str, *, by: str, now: datetime | None = None
) -> Statement:
    """Mark a draft statement reviewed (复核) by ``by``."""
    return _step(uow, statement_id, lambda before: review(before, by=by, at=_now(now)))


def approve_statement(
    uow: UnitOfWork, statement_id: str, *, by: str, now: datetime | None = None
) -> Statement:
    """Approve (批准) a reviewed, complete statement; from then on it never changes.

    The approval is sealed: the same transaction appends a ``seal`` entry to the
    audit chain whose object is the statement id and the hash of its content as
    stored (``statement_seal``), which ``cityops audit verify`` derives again."""
    store = ContractStore(uow.register)
    before = store.statement(statement_id)
    after = approve(before, by=by, at=_now(now))
    store.record_step(before, after)
    stored = store.statement(statement_id)
    record(uow, AuditEntry(SEAL_ACTION, f"{statement_id} {statement_seal(stored)}", "ok", by))
    return after


SEAL_ACTION = "seal"
"""The audit action of a statement's seal (its object: ``<statement id> sha256:<hex>``)."""

_UNSEALED_FIELDS = frozenset({"status"})
"""Left out of the seal: the status alone may yet change legitimately (a correction
marks the statement it corrects as superseded); who approved and when are sealed."""


def statement_seal(statement: Statement) -> str:
    """``sha256:<hex>`` of the statement's canonical content: its public shape
    (``StatementPublic``: contract hash, amounts as exact decimal text, every line
    with its evidence — the facts' definition hash, value, numerator and
    denominator —, who drafted, reviewed and approved it and when) as JSON with
    sorted keys and no blanks, every field but ``status``."""
    shape = {
        name: value
        for name, value in statement_as_dict(statement).items()
        if name not in _UNSEALED_FIELDS
    }
    canonical = json.dumps(shape, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"sha256:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def verify_audit(uow: UnitOfWork) -> Verification:
    """What ``cityops audit verify`` and ``GET /api/v1/audit/verify`` report: the keyed
    chain against its anchors (``cityops.services.audit.verify``), then every approved
    statement's seal derived again from the register (``altered_statements``)."""
    chain = verify(uow)
    return replace(chain, altered_statements=tuple(altered_statements(uow)))


def altered_statements(uow: UnitOfWork) -> list[str]:
    """Every sealed statement whose stored content no longer matches its seal, and
    every approved statement without a seal, each as ``<id>: why``, by id."""
    sealed: dict[str, str] = {}
    for _seq, entry, _prev, _hash in read_entries(uow.register):
        if entry.action == SEAL_ACTION and entry.result == "ok":
            statement_id, _, digest = entry.object.rpartition(" ")
            sealed[statement_id] = digest
    approved = set(
        uow.register.execute(
            sa.select(settlement_statements.c.statement_id).where(
                settlement_statements.c.status == StatementStatus.APPROVED.value
            )
        ).scalars()
    )
    store = ContractStore(uow.register)
    found: list[str] = []
    for statement_id in sorted(sealed.keys() | approved):
        if statement_id not in sealed:
            found.append(f"{statement_id}: approved, but never sealed by an approval")
            continue
        try:
            statement = store.statement(statement_id)
        except SettlementError:
            found.append(f"{statement_id}: sealed, but no longer stored")
            continue
        if statement_id not in approved:
            found.append(f"{statement_id}: sealed, but now {statement.status.value}")
        elif statement_seal(statement) != sealed[statement_id]:
            found.append(f"{statement_id}: its stored content no longer matches its seal")
    return found


def _step(uow: UnitOfWork, statement_id: str, take: Callable[[Statement], Statement]) -> Statement:
    store = ContractStore(uow.register)
    before = store.statement(statement_id)
    after = take(before)
    store.record_step(before, after)
    uow.commit()
    return after


@derived_from(Statement, formats={datetime: OFFSET_TIME})
class StatementPublic(Public):
    """A statement as the API answers it and ``cityops settle show --json`` prints it:
    yuan as exact decimal text, each line with the fact behind it (its evidence)."""


def statement_as_dict(statement: Statement) -> dict[str, Any]:
    """A JSON-ready statement (``StatementPublic``)."""
    return StatementPublic.of(statement).model_dump(mode="json")
