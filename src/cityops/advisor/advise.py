"""Advising on a project (pure): gates first, then points, then the outputs.

1. **Gates** (necessary conditions) rule models out: a model whose gate holds
   cannot be recommended, whatever its points, and the answer names the gate.
2. **Weights**: a model's score is the sum of the points of its rules that
   hold; the ranking puts first the models known to be possible, by score (ties
   keep 表6's order), then those whose gate tests an unknown fact (never
   recommended ahead of a model known to be possible: the alternatives say what
   fact would make them so), then the ruled-out ones.
3. **Outputs** for the top model, each the first rule that holds: the investor
   mode (表5), the operation type (三（五）1(2)), the return mechanism(s), and
   when PPP comes first the sub-mode (表7).
4. **Unknowns**: a condition on a field stated ``unknown`` neither fires nor
   rules out (a gate on it only ranks its models after the possible ones);
   instead the advisor sets each unknown field, one at a time, to
   each value it can take and reports every value under which the answer (model,
   investor mode or operation type) changes.  Those fields are the facts that
   would decide; the answer is ``certain`` only when no such value exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from cityops.advisor.profile import ProjectProfile, field_values
from cityops.advisor.rules import AdvisorRules, holds, matches
from cityops.settlement.model import (
    InvestorMode,
    OperationType,
    PppSubMode,
    ReturnMechanism,
    TypicalModel,
)

__all__ = [
    "Advice",
    "Alternative",
    "Choice",
    "GateResult",
    "ModelScore",
    "Outcome",
    "Reason",
    "advise",
]


@dataclass(frozen=True, slots=True)
class Reason:
    points: int
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class GateResult:
    """A gate as it applies to the profile: ``holds`` True rules its models out,
    None means a field it tests is unknown (the models stay, the gate is reported)."""

    models: tuple[TypicalModel, ...]
    investor_modes: tuple[InvestorMode, ...]
    holds: bool | None
    fields: tuple[str, ...]
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class ModelScore:
    model: TypicalModel
    score: int
    reasons: tuple[Reason, ...]
    ruled_out_by: tuple[GateResult, ...] = ()
    undecided_by: tuple[GateResult, ...] = ()
    """Gates that would rule the model out, on facts that are unknown."""

    @property
    def ruled_out(self) -> bool:
        return bool(self.ruled_out_by)

    @property
    def undecided(self) -> bool:
        """Not known to be possible: ranked after the models that are."""
        return not self.ruled_out and bool(self.undecided_by)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Choice(Generic[T]):
    """One output (investor mode, operation type) with why."""

    value: T
    reason: str
    source: str
    implementation: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the answer claims: compared to tell whether an unknown matters."""

    recommended: TypicalModel
    investor_mode: InvestorMode | None
    operation_type: OperationType | None


@dataclass(frozen=True, slots=True)
class Alternative:
    """The answer if the unknown ``field`` had ``value``."""

    field: str
    value: str | bool
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Advice:
    profile: str
    ranking: tuple[ModelScore, ...]
    gates: tuple[GateResult, ...]
    """Every gate that holds or may hold (unknown field)."""
    investor_mode: Choice[InvestorMode] | None
    operation_type: Choice[OperationType] | None
    mechanisms: tuple[ReturnMechanism, ...]
    mechanism_reason: Reason | None
    ppp_sub_mode: PppSubMode | None
    """Only when PPP comes first (表7)."""
    sub_mode_reason: Reason | None
    risks: tuple[Reason, ...] = ()
    """Risks the report names for the recommended model (运营孤岛, 二道贩子)."""
    unknown_fields: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    """The values of unknown fields under which the answer changes."""

    @property
    def recommended(self) -> TypicalModel:
        return self.ranking[0].model

    @property
    def outcome(self) -> Outcome:
        return Outcome(
            self.recommended,
            None if self.investor_mode is None else self.investor_mode.value,
            None if self.operation_type is None else self.operation_type.value,
        )

    @property
    def deciding_fields(self) -> tuple[str, ...]:
        """The unknown facts that would change the answer (what to find out)."""
        return tuple(dict.fromkeys(a.field for a in self.alternatives))

    @property
    def possible_models(self) -> tuple[TypicalModel, ...]:
        """The recommended model and every other one an unknown could lead to."""
        found = [self.recommended, *(a.outcome.recommended for a in self.alternatives)]
        return tuple(dict.fromkeys(found))

    @property
    def certain(self) -> bool:
        """No value of an unknown field would change the answer."""
        return not self.alternatives


def advise(profile: ProjectProfile, rules: AdvisorRules) -> Advice:
    advice = _decide(profile, rules)
    unknown = profile.unknown_fields()
    tested = _tested_fields(rules)
    alternatives = []
    for name in unknown:
        if name not in tested:
            continue
        for value in field_values(name):
            outcome = _decide(profile.model_copy(update={name: value}), rules).outcome
            if outcome != advice.outcome:
                alternatives.append(Alternative(name, value, outcome))
    return Advice(
        profile=advice.profile,
        ranking=advice.ranking,
        gates=advice.gates,
        investor_mode=advice.investor_mode,
        operation_type=advice.operation_type,
        mechanisms=advice.mechanisms,
        mechanism_reason=advice.mechanism_reason,
        ppp_sub_mode=advice.ppp_sub_mode,
        sub_mode_reason=advice.sub_mode_reason,
        risks=advice.risks,
        unknown_fields=unknown,
        alternatives=tuple(alternatives),
    )


def _tested_fields(rules: AdvisorRules) -> set[str]:
    groups = (
        rules.gates,
        rules.rules,
        rules.investor_modes,
        rules.operation_types,
        rules.mechanisms,
        rules.sub_modes,
    )
    return {name for group in groups for rule in group for name in rule.when}


def _decide(profile: ProjectProfile, rules: AdvisorRules) -> Advice:
    """The answer from the known facts alone."""
    gates = []
    for gate in rules.gates:
        state = holds(gate.when, profile)
        if state is not False:
            gates.append(
                GateResult(
                    models=tuple(gate.rules_out),
                    investor_modes=tuple(gate.investor_modes_ruled_out),
                    holds=state,
                    fields=tuple(gate.when),
                    reason=gate.reason,
                    source=gate.source,
                )
            )
    scores = []
    for model in TypicalModel:
        reasons = tuple(
            Reason(rule.points, rule.reason, rule.source)
            for rule in rules.rules
            if rule.model is model and matches(rule.when, profile)
        )
        ruled_out_by = tuple(g for g in gates if g.holds and model in g.models)
        undecided_by = tuple(g for g in gates if g.holds is None and model in g.models)
        total = sum(r.points for r in reasons)
        scores.append(ModelScore(model, total, reasons, ruled_out_by, undecided_by))
    order = list(TypicalModel)
    ranking = tuple(
        sorted(scores, key=lambda s: (s.ruled_out, s.undecided, -s.score, order.index(s.model)))
    )
    top = ranking[0].model
    barred_modes = {mode for g in gates if g.holds for mode in g.investor_modes}
    investor = next(
        (
            r
            for r in rules.investor_modes
            if (not r.models or top in r.models)
            and r.investor_mode not in barred_modes
            and matches(r.when, profile)
        ),
        None,
    )
    mode = None if investor is None else investor.investor_mode
    operation = next(
        (
            r
            for r in rules.operation_types
            if mode is not None
            and (not r.investor_modes or mode in r.investor_modes)
            and matches(r.when, profile)
        ),
        None,
    )
    mechanism = next(
        (
            m
            for m in rules.mechanisms
            if top in m.models
            and (not m.investor_modes or mode in m.investor_modes)
            and matches(m.when, profile)
        ),
        None,
    )
    sub_mode = (
        next((s for s in rules.sub_modes if matches(s.when, profile)), None)
        if top is TypicalModel.PPP
        else None
    )
    return Advice(
        profile=profile.name,
        ranking=ranking,
        gates=tuple(gates),
        investor_mode=None
        if investor is None
        else Choice(
            investor.investor_mode, investor.reason, investor.source, investor.implementation
        ),
        operation_type=None
        if operation is None
        else Choice(operation.operation_type, operation.reason, operation.source),
        mechanisms=tuple(mechanism.mechanisms) if mechanism else (),
        mechanism_reason=Reason(0, mechanism.reason, mechanism.source) if mechanism else None,
        ppp_sub_mode=sub_mode.sub_mode if sub_mode else None,
        sub_mode_reason=Reason(0, sub_mode.reason, sub_mode.source) if sub_mode else None,
        risks=tuple(
            Reason(0, r.reason, r.source)
            for r in rules.risks
            if top in r.models and matches(r.when, profile)
        ),
        unknown_fields=profile.unknown_fields(),
    )
