"""The indicator catalogue and the stored facts (``/api/v1/indicators``, ``/api/v1/facts``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, PeriodQuery, StateDep, not_found, require_in_scope
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.indicators.facts import IndicatorFact, select_facts
from cityops.public import Public, derived_from
from cityops.services.definitions import workspace_catalogue, workspace_framework
from cityops.services.indicators import explain_stored_fact, stored_facts
from cityops.types import IndicatorCode, RegionCode

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["indicators"])
Reader = Annotated[Principal, Depends(Allowed(Resource.INDICATORS, Action.READ))]
RegionQuery = Annotated[str, Query(min_length=1, max_length=20, description="A region code.")]


class IndicatorPublic(BaseModel):
    code: str
    name_zh: str
    name_en: str
    direction: str
    direction_zh: str
    direction_en: str
    content: str
    unit: str
    polarity: str
    formula: str


@derived_from(IndicatorFact)
class ExplanationPublic(Public):
    """A stored fact with its definition and the query that computes it."""

    name_zh: str
    name_en: str
    formula: str
    unit: str
    polarity: str
    definition_current: bool
    """False when the definition changed after the fact was computed."""
    sql: str
    parameters: dict[str, str]


@router.get("/indicators", operation_id="list_indicators", response_model=Page[IndicatorPublic])
def list_indicators(
    state: StateDep, _principal: Reader, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> Page[IndicatorPublic]:
    """The workspace's indicator catalogue (指标目录) in catalogue order, each
    indicator's direction named as the workspace's framework names it."""
    catalogue = workspace_catalogue(state.workspace)
    framework = workspace_framework(state.workspace)
    items = [
        IndicatorPublic(
            code=meta.code,
            name_zh=meta.name_zh,
            name_en=meta.name_en,
            direction=meta.direction,
            direction_zh=framework.direction(meta.direction).name_zh,
            direction_en=framework.direction(meta.direction).name_en,
            content=meta.content,
            unit=meta.unit.value,
            polarity=meta.polarity.value,
            formula=meta.formula,
        )
        for meta in catalogue.indicators
    ]
    return Page[IndicatorPublic](
        total=len(items), limit=limit, offset=offset, items=items[offset : offset + limit]
    )


@router.get("/facts", operation_id="list_facts", response_model=Page[IndicatorFact])
def list_facts(
    state: StateDep,
    principal: Reader,
    period: PeriodQuery,
    region: Annotated[str | None, Query(max_length=20, description="Only this region.")] = None,
    indicator: Annotated[
        str | None, Query(max_length=100, description="Only this indicator.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[IndicatorFact]:
    """The stored facts of a month for the regions in the caller's scope, by region and
    indicator (a region outside the scope is a 404, as an unknown one)."""
    if region is not None:
        _require_region(state, principal, region)
    if indicator is not None and indicator not in workspace_catalogue(state.workspace).codes:
        raise not_found("indicator", indicator)
    facts = stored_facts(state.workspace, period)
    if facts is None:
        raise not_found("facts of period", str(period))
    visible = None
    if principal.region_code is not None:
        visible = state.region_tree().descendants(principal.region_code)
    rows = select_facts(facts, regions=visible, region=region, indicator=indicator)
    return Page[IndicatorFact](
        total=rows.num_rows,
        limit=limit,
        offset=offset,
        items=[IndicatorFact.from_row(row) for row in rows.slice(offset, limit).to_pylist()],
    )


@router.get(
    "/facts/{indicator}/explain", operation_id="explain_fact", response_model=ExplanationPublic
)
def explain_fact(
    indicator: Annotated[str, Path(max_length=100)],
    state: StateDep,
    principal: Reader,
    region: RegionQuery,
    period: PeriodQuery,
) -> ExplanationPublic:
    """Why a stored fact is what it is: the formula, the numbers that went into it, the
    query and its parameters, and whether the definition has changed since."""
    _require_region(state, principal, region)
    catalogue = workspace_catalogue(state.workspace)
    if indicator not in catalogue.codes:
        raise not_found("indicator", indicator)
    explanation = (
        explain_stored_fact(
            state.workspace,
            IndicatorCode(indicator),
            RegionCode(region),
            period,
            catalogue=catalogue,
        )
        if stored_facts(state.workspace, period) is not None
        else None
    )
    if explanation is None:
        raise not_found("fact", f"{indicator} {region} {period}")
    return ExplanationPublic.model_validate(explanation.as_dict())


def _require_region(state: StateDep, principal: Principal, region: str) -> None:
    """404 unless ``region`` is a known region in the caller's scope."""
    require_in_scope(state, principal, region, "region", region)
    if region not in state.region_tree().parents:
        raise not_found("region", region)
