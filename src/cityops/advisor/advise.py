"""Ranking the typical models for a profile (pure).

A model's score is the sum of the points of its rules that hold for the
profile; the ranking is by score (ties keep 表6's order).  The return
mechanism is the first mechanism rule that holds for the top model, and when
that is PPP the sub-mode is the first sub-mode rule that holds.  Every
number comes with the rules behind it, so the advice explains itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityops.advisor.profile import ProjectProfile
from cityops.advisor.rules import AdvisorRules, matches
from cityops.settlement.model import PppSubMode, ReturnMechanism, TypicalModel

__all__ = ["Advice", "ModelScore", "Reason", "advise"]


@dataclass(frozen=True, slots=True)
class Reason:
    points: int
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class ModelScore:
    model: TypicalModel
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Advice:
    profile: str
    ranking: tuple[ModelScore, ...]
    mechanisms: tuple[ReturnMechanism, ...]
    mechanism_reason: Reason | None
    ppp_sub_mode: PppSubMode | None
    """Only when PPP comes first (表7)."""
    sub_mode_reason: Reason | None

    @property
    def recommended(self) -> TypicalModel:
        return self.ranking[0].model


def advise(profile: ProjectProfile, rules: AdvisorRules) -> Advice:
    scores = []
    for model in TypicalModel:
        reasons = tuple(
            Reason(rule.points, rule.reason, rule.source)
            for rule in rules.rules
            if rule.model is model and matches(rule.when, profile)
        )
        scores.append(ModelScore(model, sum(r.points for r in reasons), reasons))
    order = list(TypicalModel)
    ranking = tuple(sorted(scores, key=lambda s: (-s.score, order.index(s.model))))
    top = ranking[0].model
    mechanism = next(
        (m for m in rules.mechanisms if top in m.models and matches(m.when, profile)), None
    )
    sub_mode = (
        next((s for s in rules.sub_modes if matches(s.when, profile)), None)
        if top is TypicalModel.PPP
        else None
    )
    return Advice(
        profile=profile.name,
        ranking=ranking,
        mechanisms=tuple(mechanism.mechanisms) if mechanism else (),
        mechanism_reason=Reason(0, mechanism.reason, mechanism.source) if mechanism else None,
        ppp_sub_mode=sub_mode.sub_mode if sub_mode else None,
        sub_mode_reason=Reason(0, sub_mode.reason, sub_mode.source) if sub_mode else None,
    )
