"""The operating-model advisor (``POST /api/v1/advisor``): a project profile in, the five
typical models ranked with their reasons out — ``cityops advise`` over HTTP.

The advice changes nothing, so asking is a *read* of the advisor; the body is
the same profile a ``examples/advisor/*.yaml`` file holds, with bounded text.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.advisor.profile import CONDITION_FIELDS, ProjectProfile
from cityops.api.deps import Allowed, StateDep, UnitOfWorkDep
from cityops.services.advisor import advise_in_city, answer_record

__all__ = ["AdvicePublic", "AdvisorRequest", "router"]

router = APIRouter(prefix="/api/v1/advisor", tags=["advisor"])
Asker = Annotated[Principal, Depends(Allowed(Resource.ADVISOR, Action.READ))]


class AdvisorRequest(ProjectProfile):
    """A project profile (项目画像), as in a profile file, with bounded text fields."""

    name: str = Field(min_length=1, max_length=200)
    source: str | None = Field(
        None, max_length=500, description="Where the description comes from."
    )
    objects: list[Annotated[str, Field(max_length=100)]] = Field(
        default=[], max_length=50, description="Operation objects (运营对象)."
    )
    assumed: list[str] = Field(
        default=[],
        max_length=len(CONDITION_FIELDS),
        description="Fields whose values the source does not state but the writer assumed.",
    )


class ReasonPublic(BaseModel):
    points: int
    reason: str
    source: str


class ChoicePublic(BaseModel):
    value: str
    implementation: str | None
    reason: str
    source: str


class GatePublic(BaseModel):
    rules_out: list[str]
    investor_modes_ruled_out: list[str]
    status: Literal["holds", "unknown"] = Field(
        description="holds: the models are ruled out; unknown: a fact it tests is unknown"
    )
    fields: list[str]
    reason: str
    source: str


class ModelScorePublic(BaseModel):
    model: str
    score: int
    ruled_out: bool
    ruled_out_by: list[GatePublic]
    reasons: list[ReasonPublic]


class AlternativePublic(BaseModel):
    field: str
    value: str | bool
    recommended: str
    investor_mode: str | None
    operation_type: str | None


class UnknownsPublic(BaseModel):
    fields: list[str]
    certain: bool
    possible_models: list[str]
    deciding_fields: list[str]
    alternatives: list[AlternativePublic]


class CityPublic(BaseModel):
    region: str
    budget_year: int | None
    ppp_budget_share: str | None
    joint_companies: list[str]


class AdvicePublic(BaseModel):
    profile: str
    recommended: str
    return_mechanisms: list[str]
    mechanism_reason: ReasonPublic | None
    ppp_sub_mode: str | None
    sub_mode_reason: ReasonPublic | None
    investor_mode: ChoicePublic | None
    operation_type: ChoicePublic | None
    gates: list[GatePublic]
    risks: list[ReasonPublic]
    unknowns: UnknownsPublic
    city: CityPublic | None = Field(
        description="The workspace's facts for the profile's region, when it names one"
    )
    ranking: list[ModelScorePublic]


@router.post("", operation_id="advise_model", response_model=AdvicePublic)
def advise_model(
    profile: AdvisorRequest, principal: Asker, state: StateDep, uow: UnitOfWorkDep
) -> AdvicePublic:
    """Rank the five typical models (政府购买服务, PPP, EPC, 平台公司, 联合公司) for the
    project by the shipped rules (gates first), and name the investor mode, operation
    type and return mechanism(s), with the answer under each unknown fact's values.
    A region in the profile brings in its budget share and operators, if the caller
    may see that region."""
    if profile.region is not None and not state.region_tree().visible_to(principal, profile.region):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the region is outside your scope")
    advice, facts = advise_in_city(uow, profile)
    return AdvicePublic.model_validate(answer_record(advice, facts))
