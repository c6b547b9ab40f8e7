"""The operations pages' figures (``/api/v1/operations/{region_code}/…``): portal,
hotline, and data, infrastructure and security, for one region and month.

Whoever may read indicators may read these: they are the indicators' rows seen
closer, aggregated over the region (no personal data, no single ticket's
contents).  A region outside the caller's scope is a 404, as an unknown one.
Each answer is kept until the data change (``services/operations/answers.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, not_found, require_in_scope
from cityops.api.services.operations.answers import AnswerCache, AnswerT, month_data_version
from cityops.api.services.operations.hotline import HotlineOperations, hotline_operations
from cityops.api.services.operations.infrastructure import (
    InfrastructureOperations,
    infrastructure_operations,
)
from cityops.api.services.operations.month import MonthQuery, month_of
from cityops.api.services.operations.portal import PortalOperations, portal_operations
from cityops.domain.period import Period

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/operations", tags=["operations"])
Reader = Annotated[Principal, Depends(Allowed(Resource.INDICATORS, Action.READ))]
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
RegionPath = Annotated[str, Path(max_length=20, description="A region code.")]
PeriodQuery = Annotated[str, Query(pattern=PERIOD_PATTERN, description="A month, YYYY-MM.")]


_PORTAL: AnswerCache[PortalOperations] = AnswerCache()
_HOTLINE: AnswerCache[HotlineOperations] = AnswerCache()
_INFRASTRUCTURE: AnswerCache[InfrastructureOperations] = AnswerCache()


def _answer(
    cache: AnswerCache[AnswerT],
    page: Callable[[MonthQuery], AnswerT],
    state: StateDep,
    principal: Principal,
    region_code: str,
    period: str,
) -> AnswerT:
    """The page's answer for the region's month, computed again only when the data
    changed (``AnswerCache``); 404 unless the region is known and in scope."""
    require_in_scope(state, principal, region_code, "region", region_code)
    if region_code not in state.region_tree().parents:
        raise not_found("region", region_code)
    month = Period.parse(period)

    def compute() -> AnswerT:
        with month_of(state.workspace, region_code, month) as query:
            return page(query)

    version = month_data_version(state.workspace, state.engine, month)
    return cache.get((state.workspace.root, region_code, month), version, compute)


@router.get(
    "/{region_code}/portal",
    operation_id="get_portal_operations",
    response_model=PortalOperations,
)
def get_portal_operations(
    region_code: RegionPath, period: PeriodQuery, state: StateDep, principal: Reader
) -> PortalOperations:
    """Portal operations (门户运营): registered and real-name users and their coverage of
    residents, daily and monthly actives, retention by registration month, the most
    used services, 一件事 funnels and the ratings (好差评)."""
    return _answer(_PORTAL, portal_operations, state, principal, region_code, period)


@router.get(
    "/{region_code}/hotline",
    operation_id="get_hotline_operations",
    response_model=HotlineOperations,
)
def get_hotline_operations(
    region_code: RegionPath, period: PeriodQuery, state: StateDep, principal: Reader
) -> HotlineOperations:
    """12345 hotline (热线): tickets by status, response and closure times, SLA misses by
    department, the night and each hour of the day, callback satisfaction."""
    return _answer(_HOTLINE, hotline_operations, state, principal, region_code, period)


@router.get(
    "/{region_code}/infrastructure",
    operation_id="get_infrastructure_operations",
    response_model=InfrastructureOperations,
)
def get_infrastructure_operations(
    region_code: RegionPath, period: PeriodQuery, state: StateDep, principal: Reader
) -> InfrastructureOperations:
    """Data, infrastructure and security (数据、设施与安全): the data catalogue and its
    quality by dimension, data sharing, camera availability, cloud utilisation, and
    security incidents by grade with their timelines."""
    return _answer(
        _INFRASTRUCTURE, infrastructure_operations, state, principal, region_code, period
    )
