"""Rows that ingestion refused, with where and why (``/api/v1/quarantine``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep, not_found
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.domain.contract import TABLES
from cityops.services.quarantine import scoped_quarantine

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/quarantine", tags=["quarantine"])
Reader = Annotated[Principal, Depends(Allowed(Resource.QUARANTINE, Action.READ))]
_TABLE_NAMES = frozenset(table.name for table in TABLES)


class QuarantinedRowPublic(BaseModel):
    batch_id: str
    table_name: str
    file: str
    """The source file's name (never its path on the server)."""
    line: int
    field: str
    reason: str
    row: str
    """The raw row as JSON, values that look like personal data masked as ``***``."""


@router.get("", operation_id="list_quarantined_rows", response_model=Page[QuarantinedRowPublic])
def list_quarantined_rows(
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reader,
    table: Annotated[
        str | None, Query(max_length=64, description="Only rows of this contract table.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[QuarantinedRowPublic]:
    """Quarantined rows in the caller's scope, by table, file and line.  Fix them in the
    source and ingest it again; rows stored already count as duplicates."""
    if table is not None and table not in _TABLE_NAMES:
        raise not_found("table", table)
    rows = scoped_quarantine(uow, principal, state.region_tree(), table)
    return Page[QuarantinedRowPublic](
        total=rows.num_rows,
        limit=limit,
        offset=offset,
        items=[QuarantinedRowPublic(**row) for row in rows.slice(offset, limit).to_pylist()],
    )
