"""The operating-model advisor (``POST /api/v1/advisor``): a project profile in, the five
typical models ranked with their reasons out — ``cityops advise`` over HTTP.

The advice changes nothing, so asking is a *read* of the advisor; the body is
the same profile a ``examples/advisor/*.yaml`` file holds, with bounded text.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.advisor.advise import Advice, advise
from cityops.advisor.profile import CONDITION_FIELDS, ProjectProfile
from cityops.advisor.record import advice_record
from cityops.advisor.rules import DEFAULT_RULES, load_rules
from cityops.api.deps import Allowed

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
    ranking: list[ModelScorePublic]

    @classmethod
    def of(cls, advice: Advice) -> AdvicePublic:
        return cls.model_validate(advice_record(advice))


@router.post("", operation_id="advise_model", response_model=AdvicePublic)
def advise_model(profile: AdvisorRequest, _principal: Asker) -> AdvicePublic:
    """Rank the five typical models (政府购买服务, PPP, EPC, 平台公司, 联合公司) for the
    project by the shipped rules (gates first), and name the investor mode, operation
    type and return mechanism(s), with the answer under each unknown fact's values."""
    return AdvicePublic.of(advise(profile, load_rules(DEFAULT_RULES)))
