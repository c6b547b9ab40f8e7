"""Register tables (登记库) as the caller may see them (``/api/v1/register``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep, not_found
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.domain.contract import REGISTER_TABLES, Table
from cityops.services.register import scoped_register_rows

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/register", tags=["register"])
Reader = Annotated[Principal, Depends(Allowed(Resource.REGISTER, Action.READ))]

RegisterValue = str | bool | int | float | date | datetime | None
_REGISTERS: dict[str, Table] = {table.name: table for table in REGISTER_TABLES}


class RegisterPage(Page[dict[str, RegisterValue]]):
    """Rows of one register table, each with the table's contract fields."""

    table: str


@router.get("/{table}", operation_id="list_register_rows", response_model=RegisterPage)
def list_register_rows(
    table: Annotated[str, Path(max_length=64, description="A register table of the contract.")],
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reader,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> RegisterPage:
    """The current version of each row of a register table (regions, services, devices,
    cloud_resources, data_resources, systems, staff) in the caller's region scope, by
    key; a department sees its own department's rows only."""
    rows = scoped_register_rows(uow, _register(table), principal, state.region_tree())
    return RegisterPage(
        table=table,
        total=rows.num_rows,
        limit=limit,
        offset=offset,
        items=rows.slice(offset, limit).to_pylist(),
    )


def _register(name: str) -> Table:
    try:
        return _REGISTERS[name]
    except KeyError:
        raise not_found("register table", name) from None
