"""The settlement service layer: what ``cityops contracts|settle`` and the future API
call, one function per use case, each opening the workspace's register for the
call and closing it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cityops.domain.period import Period
from cityops.indicators.facts import read_facts
from cityops.register.engine import make_engine
from cityops.register.migrate import upgrade
from cityops.settlement.files import (
    ContractSpec,
    RegisterBundle,
    contract_to_domain,
    load_register_file,
)
from cityops.settlement.model import Operator
from cityops.settlement.statement import Statement, compute_statement
from cityops.settlement.store import ContractStore, StoredContract
from cityops.settlement.workflow import approve, review
from cityops.workspace.workspace import Workspace

__all__ = [
    "approve_statement",
    "contract_store",
    "list_contracts",
    "list_operators",
    "list_statements",
    "load_contracts",
    "register_contract",
    "review_statement",
    "settle_period",
    "show_statement",
    "statement_as_dict",
]


@contextmanager
def contract_store(workspace: Workspace) -> Iterator[ContractStore]:
    """The contract store on the workspace's register, disposed after use.

    A register made before the contract tables existed is migrated first
    (a no-op when it is at the newest revision).
    """
    upgrade(workspace.register_url)
    engine = make_engine(workspace.register_url)
    try:
        yield ContractStore(engine)
    finally:
        engine.dispose()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def load_contracts(
    workspace: Workspace, path: Path, *, now: datetime | None = None
) -> RegisterBundle:
    """Load a contract register file (operators, contracts, budgets) into the register."""
    bundle = load_register_file(path)
    with contract_store(workspace) as store:
        store.save(bundle, loaded_at=_now(now))
    return bundle


def register_contract(
    workspace: Workspace, spec: ContractSpec, *, now: datetime | None = None
) -> StoredContract:
    """Add or replace one contract (the API's create/update); checked like a file entry."""
    contract = contract_to_domain(spec, where="request")
    with contract_store(workspace) as store:
        store.save(RegisterBundle((), (contract,), (spec,), ()), loaded_at=_now(now))
    return StoredContract.from_spec(spec)


def list_operators(workspace: Workspace) -> list[Operator]:
    with contract_store(workspace) as store:
        return store.operators()


def list_statements(workspace: Workspace, contract_id: str | None = None) -> list[str]:
    """Statement ids, by contract, period and version."""
    with contract_store(workspace) as store:
        return store.statement_ids(contract_id)


def list_contracts(workspace: Workspace, region_code: str | None = None) -> list[StoredContract]:
    with contract_store(workspace) as store:
        return store.contracts(region_code)


def settle_period(
    workspace: Workspace,
    contract_id: str,
    period: Period,
    *,
    by: str = "cityops",
    now: datetime | None = None,
) -> Statement:
    """Compute and store a new draft statement (next version) of ``contract_id`` for
    ``period`` from ``facts/<period>.parquet``."""
    from cityops.pipeline import facts_path

    with contract_store(workspace) as store:
        stored = store.contract(contract_id)
        facts = read_facts(facts_path(workspace, period))
        statement = compute_statement(
            stored.contract,
            facts,
            period=str(period),
            version=store.next_version(contract_id, str(period)),
            contract_hash=stored.hash,
            created_at=_now(now),
            created_by=by,
        )
        store.add_statement(statement)
    return statement


def show_statement(workspace: Workspace, statement_id: str) -> Statement:
    with contract_store(workspace) as store:
        return store.statement(statement_id)


def review_statement(
    workspace: Workspace, statement_id: str, *, by: str, now: datetime | None = None
) -> Statement:
    """Mark a draft statement reviewed (复核) by ``by``."""
    with contract_store(workspace) as store:
        before = store.statement(statement_id)
        after = review(before, by=by, at=_now(now))
        store.record_step(before, after)
    return after


def approve_statement(
    workspace: Workspace, statement_id: str, *, by: str, now: datetime | None = None
) -> Statement:
    """Approve (批准) a reviewed, complete statement; from then on it never changes."""
    with contract_store(workspace) as store:
        before = store.statement(statement_id)
        after = approve(before, by=by, at=_now(now))
        store.record_step(before, after)
    return after


def statement_as_dict(statement: Statement) -> dict[str, Any]:
    """A JSON-ready statement: amounts as decimal strings (exact), evidence per line."""
    lines = [
        {
            "clause_id": line.clause_id,
            "status": line.status.value,
            "value": line.value,
            "completion": _text(line.completion),
            "points": _text(line.points),
            "share_amount": str(line.share_amount),
            "amount": _text(line.amount),
            "deductions": str(line.deductions),
            "bonuses": str(line.bonuses),
            "note": line.note,
            "evidence": {
                "indicator": line.indicator,
                "region_code": line.region_code,
                "period": line.period,
                "definition_hash": line.definition_hash,
                "numerator": line.numerator,
                "denominator": line.denominator,
            },
        }
        for line in statement.lines
    ]
    return {
        "statement_id": statement.statement_id,
        "contract_id": statement.contract_id,
        "period": statement.period,
        "version": statement.version,
        "status": statement.status.value,
        "complete": statement.complete,
        "contract_hash": statement.contract_hash,
        "base_amount": str(statement.base_amount),
        "fixed_amount": str(statement.fixed_amount),
        "total_points": str(statement.total_points),
        "total_deductions": str(statement.total_deductions),
        "total_bonuses": str(statement.total_bonuses),
        "total_payable": str(statement.total_payable),
        "withheld": str(statement.withheld),
        "created_at": statement.created_at.isoformat(),
        "created_by": statement.created_by,
        "reviewed_by": statement.reviewed_by,
        "reviewed_at": _text(statement.reviewed_at),
        "approved_by": statement.approved_by,
        "approved_at": _text(statement.approved_at),
        "lines": lines,
    }


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)
