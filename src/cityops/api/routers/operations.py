"""The operations pages' figures (``/api/v1/operations/{region_code}/…``): portal,
hotline, and data, infrastructure and security, for one region and month.

Whoever may read indicators may read these: they are the indicators' rows seen
closer, aggregated over the region (no personal data, no single ticket's
contents).  A region outside the caller's scope is a 404, as an unknown one.
Each answer is kept until the data change (``cityops.services.operations``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import (
    Allowed,
    PeriodQuery,
    StateDep,
    UnitOfWorkDep,
    not_found,
    require_in_scope,
)
from cityops.services.operations import (
    HOTLINE,
    INFRASTRUCTURE,
    PORTAL,
    HotlineOperations,
    InfrastructureOperations,
    PortalOperations,
)
from cityops.types import RegionCode

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/operations", tags=["operations"])
Reader = Annotated[Principal, Depends(Allowed(Resource.INDICATORS, Action.READ))]
RegionPath = Annotated[str, Path(max_length=20, description="A region code.")]


def _require_region(state: StateDep, principal: Principal, region_code: str) -> None:
    """404 unless the region is known and in the caller's scope."""
    require_in_scope(state, principal, region_code, "region", region_code)
    if region_code not in state.region_tree().parents:
        raise not_found("region", region_code)


@router.get(
    "/{region_code}/portal",
    operation_id="get_portal_operations",
    response_model=PortalOperations,
)
def get_portal_operations(
    region_code: RegionPath,
    period: PeriodQuery,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reader,
) -> PortalOperations:
    """Portal operations (门户运营): registered and real-name users and their coverage of
    residents, daily and monthly actives, retention by registration month, the most
    used services, 一件事 funnels and the ratings (好差评)."""
    _require_region(state, principal, region_code)
    return PORTAL.answer(uow, RegionCode(region_code), period)


@router.get(
    "/{region_code}/hotline",
    operation_id="get_hotline_operations",
    response_model=HotlineOperations,
)
def get_hotline_operations(
    region_code: RegionPath,
    period: PeriodQuery,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reader,
) -> HotlineOperations:
    """12345 hotline (热线): tickets by status, response and closure times, SLA misses by
    department, the night and each hour of the day, callback satisfaction."""
    _require_region(state, principal, region_code)
    return HOTLINE.answer(uow, RegionCode(region_code), period)


@router.get(
    "/{region_code}/infrastructure",
    operation_id="get_infrastructure_operations",
    response_model=InfrastructureOperations,
)
def get_infrastructure_operations(
    region_code: RegionPath,
    period: PeriodQuery,
    state: StateDep,
    uow: UnitOfWorkDep,
    principal: Reader,
) -> InfrastructureOperations:
    """Data, infrastructure and security (数据、设施与安全): the data catalogue and its
    quality by dimension, data sharing, camera availability, cloud utilisation, and
    security incidents by grade with their timelines."""
    _require_region(state, principal, region_code)
    return INFRASTRUCTURE.answer(uow, RegionCode(region_code), period)
