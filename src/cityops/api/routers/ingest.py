"""Rows pushed over HTTP into the register or the lake (``/api/v1/ingest``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep, audit, not_found
from cityops.api.request_body import BodyTooLargeError, save_body
from cityops.domain.contract import TABLES, Table
from cityops.services.ingestion import (
    BodyFormat,
    IngestBatch,
    OutsideScopeError,
    RegisterWriteRefusedError,
    body_format,
    incoming_dir,
    ingest_body,
    require_register_write,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/ingest", tags=["ingest"])
Writer = Annotated[Principal, Depends(Allowed(Resource.INGEST, Action.WRITE))]
_TABLES: dict[str, Table] = {table.name: table for table in TABLES}

_ROWS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "object", "additionalProperties": True},
}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The rows: a JSON array of objects, or NDJSON (one object per line).",
        "content": {
            BodyFormat.JSON_ARRAY.value: {"schema": _ROWS_SCHEMA},
            BodyFormat.NDJSON.value: {"schema": {"type": "string"}},
        },
    }
}


class IngestPublic(BaseModel):
    """The accounting of the batch: received = stored + quarantined + duplicates."""

    table: str
    received: int
    stored: int
    quarantined: int
    duplicates: int
    batch_id: str


@router.post(
    "/{table}",
    operation_id="ingest_rows",
    response_model=IngestPublic,
    openapi_extra=_BODY,
    responses={
        403: {
            "description": "A register table and a role that may only read the register, "
            "or a row outside the caller's region scope"
        },
        413: {"description": "The body is larger than the limit"},
        415: {"description": "Not application/json or application/x-ndjson"},
        422: {"description": "Not JSON rows, or rows the contract refuses as a whole"},
    },
)
async def ingest_rows(
    table: Annotated[str, Path(max_length=64, description="A table of the data contract.")],
    request: Request,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Writer,
) -> IngestPublic:
    """Ingest rows of a contract table, checked and accounted for exactly as a file
    given to ``cityops ingest``: rows that fail a check are quarantined, repeats are
    duplicates, and sending the same body again stores nothing new.  The whole
    request is refused, and nothing stored, when the body is not JSON rows or a
    row lies outside the caller's region scope.  Register tables (regions, services,
    devices, cloud_resources, data_resources, systems, staff) are written by an
    administrator only: any other role is refused with 403 before the body is read."""
    contract = _table(table)
    try:
        require_register_write(principal, contract)
    except RegisterWriteRefusedError as refused:
        await run_in_threadpool(audit, uow, request, principal, "write:ingest", table, "refused")
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(refused)) from None
    found = body_format(request.headers.get("content-type"))
    if found is None:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "send the rows as application/json (an array of objects) or "
            "application/x-ndjson (one object per line), in UTF-8",
        )
    with incoming_dir(state.workspace) as directory:
        body = directory / "body"
        try:
            await save_body(request, body, state.settings.api_ingest_max_bytes)
        except BodyTooLargeError as error:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(error)) from None

        def ingest() -> IngestBatch:
            return ingest_body(uow, principal, state.region_tree(), contract, body, found)

        try:
            batch = await run_in_threadpool(ingest)
        except (OutsideScopeError, RegisterWriteRefusedError) as refused:
            await run_in_threadpool(
                audit, uow, request, principal, "write:ingest", f"{table}", "refused"
            )
            raise HTTPException(status.HTTP_403_FORBIDDEN, str(refused)) from None
    await run_in_threadpool(
        audit, uow, request, principal, "write:ingest", f"{table}/{batch.batch_id}", "ok"
    )
    return IngestPublic(
        table=batch.table_name,
        received=batch.received,
        stored=batch.stored,
        quarantined=batch.quarantined,
        duplicates=batch.duplicates,
        batch_id=batch.batch_id,
    )


def _table(name: str) -> Table:
    try:
        return _TABLES[name]
    except KeyError:
        raise not_found("table", name) from None
