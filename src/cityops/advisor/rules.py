"""The advisor's rules file (rules as data), loaded in two stages: pydantic checks
the shape, then every condition is checked against the profile's fields and
allowed values, so a misspelt field fails at load, not silently never matching.

Rules come in two kinds.  **Gates** are necessary conditions: when a gate's
``when`` holds, the models it names are ruled out, whatever their points (a
joint company without a local state-owned partner cannot exist).  **Weights**
(``rules``) add points.  Then come the outputs' rules, first match wins:
investor mode (表5), operation type (三（五）1(2)), return mechanism(s), PPP
sub-mode (表7).

A condition on a field the profile states as ``unknown`` is itself unknown
(``None`` from :func:`holds`): it neither fires nor rules out, and the advisor
reports what the field's values would change instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cityops.advisor.profile import CONDITION_FIELDS, UNKNOWN, ProjectProfile, field_values
from cityops.definitions import DefinitionKind, Place
from cityops.settlement.model import (
    InvestorMode,
    OperationType,
    PppSubMode,
    ReturnMechanism,
    TypicalModel,
)

__all__ = [
    "DEFAULT_RULES",
    "RULES_FILE",
    "AdvisorRules",
    "Gate",
    "InvestorModeRule",
    "MechanismRule",
    "ModelRule",
    "OperationTypeRule",
    "RiskRule",
    "SubModeRule",
    "advisor_rules_json_schema",
    "holds",
    "load_rules",
    "matches",
]

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")

Condition = dict[str, str | bool | list[str]]
"""field → required value, or a list of accepted values; all must hold."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: Condition = Field(min_length=1)
    reason: str = Field(min_length=1, description="Why, in plain words.")
    source: str = Field(min_length=1, description="The report's table or section.")


class Gate(_Rule):
    """A necessary condition: when ``when`` holds, ``rules_out`` cannot be used."""

    rules_out: list[TypicalModel] = Field(min_length=1)
    investor_modes_ruled_out: list[InvestorMode] = Field(
        default=[], description="Investor modes (表5) the same fact rules out."
    )


class ModelRule(_Rule):
    model: TypicalModel
    points: int = Field(description="Added to the model's score when the rule holds.")


class MechanismRule(_Rule):
    when: Condition = Field(default={}, description="Empty: always.")
    models: list[TypicalModel] = Field(min_length=1)
    investor_modes: list[InvestorMode] = Field(
        default=[], description="Only for these investor modes (empty: any)."
    )
    mechanisms: list[ReturnMechanism] = Field(min_length=1)


class InvestorModeRule(_Rule):
    """Who invests and who operates (表5), first match wins."""

    when: Condition = Field(default={}, description="Empty: always.")
    models: list[TypicalModel] = Field(
        default=[], description="Only when one of these models comes first (empty: any)."
    )
    investor_mode: InvestorMode
    implementation: str = Field(min_length=1, description="表5 实施方式")


class OperationTypeRule(_Rule):
    """BOT/BOO/TOT/ROT/O&M from the asset status (三（五）1(2)), first match wins."""

    when: Condition = Field(default={}, description="Empty: always.")
    investor_modes: list[InvestorMode] = Field(
        default=[], description="Only for these investor modes (empty: any)."
    )
    operation_type: OperationType


class RiskRule(_Rule):
    """A risk the report names for a model, flagged when that model comes first."""

    when: Condition = Field(default={}, description="Empty: always.")
    models: list[TypicalModel] = Field(min_length=1)


class SubModeRule(_Rule):
    sub_mode: PppSubMode


class AdvisorRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1, 2] = 2
    gates: list[Gate] = Field(default=[], description="Necessary conditions.")
    rules: list[ModelRule] = Field(min_length=1)
    investor_modes: list[InvestorModeRule] = Field(default=[])
    operation_types: list[OperationTypeRule] = Field(default=[])
    risks: list[RiskRule] = Field(default=[], description="Risks flagged for the top model.")
    mechanisms: list[MechanismRule] = Field(min_length=1)
    sub_modes: list[SubModeRule] = Field(
        default=[], description="PPP sub-modes (表7), first match wins"
    )


def holds(condition: Condition, profile: ProjectProfile) -> bool | None:
    """Whether every field of ``condition`` has the required value (or one of the listed
    ones): ``False`` as soon as a known field fails, ``None`` when the rest are unknown."""
    unknown = False
    for name, wanted in condition.items():
        actual = getattr(profile, name)
        if actual == UNKNOWN:
            unknown = True
            continue
        value = actual.value if isinstance(actual, Enum) else actual
        accepted = wanted if isinstance(wanted, list) else [wanted]
        if value not in accepted:
            return False
    return None if unknown else True


def matches(condition: Condition, profile: ProjectProfile) -> bool:
    """``condition`` holds for certain (an unknown field never matches)."""
    return holds(condition, profile) is True


RULES_FILE = DefinitionKind("advisor rules", AdvisorRules, "docs/advisor.md")


def _check_condition(condition: Condition, place: Place, where: str) -> None:
    """Each field a rule's ``when`` tests is one of the profile's, and each value one it
    can take."""
    for name, wanted in condition.items():
        if name not in CONDITION_FIELDS:
            raise place.at(name).error(
                f"{where}: {name!r} is not a profile field a rule can test",
                "test a field of the project profile (docs/advisor.md)",
            )
        allowed = field_values(name)
        for value in wanted if isinstance(wanted, list) else [wanted]:
            ok = any(value == a and type(value) is type(a) for a in allowed)
            if not ok:
                raise place.at(name).error(
                    f"{where}: {value!r} is not a value of {name}",
                    "use a value the profile field can take (docs/advisor.md)",
                )


def load_rules(path: Path = DEFAULT_RULES) -> AdvisorRules:
    """Read a rules file (default: the shipped one) and check every condition against
    the profile's fields; errors name the file and the line."""
    loaded = RULES_FILE.load(path)
    rules = loaded.model
    groups: tuple[tuple[str, str, Sequence[_Rule]], ...] = (
        ("gates", "gate", rules.gates),
        ("rules", "rule", rules.rules),
        ("investor_modes", "investor-mode rule", rules.investor_modes),
        ("operation_types", "operation-type rule", rules.operation_types),
        ("risks", "risk rule", rules.risks),
        ("mechanisms", "mechanism rule", rules.mechanisms),
        ("sub_modes", "sub-mode rule", rules.sub_modes),
    )
    for key, label, group in groups:
        for index, rule in enumerate(group):
            place = loaded.at(key, index, "when")
            _check_condition(rule.when, place, f"{label} {index + 1}")
    return rules


def advisor_rules_json_schema() -> dict[str, Any]:
    """The JSON Schema of an advisor rules file (``docs/schemas/advisor-rules.schema.json``)."""
    return RULES_FILE.json_schema()
