"""The region tree (``/api/v1/regions``), limited to the caller's scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep, not_found, require_in_scope
from cityops.services.regions import RegionRow
from cityops.services.regions import list_regions as registered_regions

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])
Reader = Annotated[Principal, Depends(Allowed(Resource.REGIONS, Action.READ))]


@router.get("", operation_id="list_regions", response_model=list[RegionRow])
def list_regions(state: StateDep, uow: UnitOfWorkDep, principal: Reader) -> list[RegionRow]:
    """Every region in the caller's scope, in code order."""
    visible = state.region_tree().descendants(principal.region_code)
    return [region for region in registered_regions(uow) if region.region_code in visible]


@router.get("/{region_code}", operation_id="get_region", response_model=RegionRow)
def get_region(
    region_code: str, state: StateDep, uow: UnitOfWorkDep, principal: Reader
) -> RegionRow:
    require_in_scope(state, principal, region_code, "region", region_code)
    for region in registered_regions(uow):
        if region.region_code == region_code:
            return region
    raise not_found("region", region_code)  # an unscoped caller asking for an unknown code
