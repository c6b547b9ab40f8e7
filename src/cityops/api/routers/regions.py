"""The region tree (``/api/v1/regions``), limited to the caller's scope."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, not_found, require_in_scope
from cityops.api.schemas import RegionPublic
from cityops.domain.contract import table
from cityops.register.schema import current_table

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])
Reader = Annotated[Principal, Depends(Allowed(Resource.REGIONS, Action.READ))]


@router.get("", operation_id="list_regions", response_model=list[RegionPublic])
def list_regions(state: StateDep, principal: Reader) -> list[RegionPublic]:
    """Every region in the caller's scope, in code order."""
    visible = state.region_tree().descendants(principal.region_code)
    return [region for region in _all_regions(state) if region.region_code in visible]


@router.get("/{region_code}", operation_id="get_region", response_model=RegionPublic)
def get_region(region_code: str, state: StateDep, principal: Reader) -> RegionPublic:
    require_in_scope(state, principal, region_code, "region", region_code)
    for region in _all_regions(state):
        if region.region_code == region_code:
            return region
    raise not_found("region", region_code)  # an unscoped caller asking for an unknown code


def _all_regions(state: StateDep) -> list[RegionPublic]:
    regions = current_table(table("regions"))
    query = sa.select(
        regions.c.region_code,
        regions.c.name,
        regions.c.level,
        regions.c.parent_code,
        regions.c.resident_population,
    ).order_by(regions.c.region_code)
    with state.engine.connect() as connection:
        return [RegionPublic(**row) for row in connection.execute(query).mappings()]
