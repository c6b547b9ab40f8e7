"""The operating-model advisor (``POST /api/v1/advisor``): a project profile in, the five
typical models ranked with their reasons out — ``cityops advise`` over HTTP.

The advice changes nothing, so asking is a *read* of the advisor; the body is
the same profile a ``examples/advisor/*.yaml`` file holds, with bounded text.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.advisor.advise import Advice, Reason, advise
from cityops.advisor.profile import ProjectProfile
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


class ReasonPublic(BaseModel):
    points: int
    reason: str
    source: str

    @classmethod
    def of(cls, reason: Reason | None) -> ReasonPublic | None:
        if reason is None:
            return None
        return cls(points=reason.points, reason=reason.reason, source=reason.source)


class ModelScorePublic(BaseModel):
    model: str
    score: int
    reasons: list[ReasonPublic]


class AdvicePublic(BaseModel):
    profile: str
    recommended: str
    return_mechanisms: list[str]
    mechanism_reason: ReasonPublic | None
    ppp_sub_mode: str | None
    sub_mode_reason: ReasonPublic | None
    ranking: list[ModelScorePublic]

    @classmethod
    def of(cls, advice: Advice) -> AdvicePublic:
        return cls(
            profile=advice.profile,
            recommended=advice.recommended.value,
            return_mechanisms=[m.value for m in advice.mechanisms],
            mechanism_reason=ReasonPublic.of(advice.mechanism_reason),
            ppp_sub_mode=None if advice.ppp_sub_mode is None else advice.ppp_sub_mode.value,
            sub_mode_reason=ReasonPublic.of(advice.sub_mode_reason),
            ranking=[
                ModelScorePublic(
                    model=score.model.value,
                    score=score.score,
                    reasons=[
                        ReasonPublic(points=r.points, reason=r.reason, source=r.source)
                        for r in score.reasons
                    ],
                )
                for score in advice.ranking
            ],
        )


@router.post("", operation_id="advise_model", response_model=AdvicePublic)
def advise_model(profile: AdvisorRequest, _principal: Asker) -> AdvicePublic:
    """Rank the five typical models (政府购买服务, PPP, EPC, 平台公司, 联合公司) for the
    project by the shipped applicability rules, and name a return mechanism."""
    return AdvicePublic.of(advise(profile, load_rules(DEFAULT_RULES)))
