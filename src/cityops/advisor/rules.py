"""The advisor's rules file (rules as data), loaded in two stages: pydantic checks
the shape, then every condition is checked against the profile's fields and
allowed values, so a misspelt field fails at load, not silently never matching."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cityops.advisor.profile import ProjectProfile
from cityops.definitions import DefinitionKind, Place
from cityops.settlement.model import PppSubMode, ReturnMechanism, TypicalModel

__all__ = [
    "DEFAULT_RULES",
    "RULES_FILE",
    "AdvisorRules",
    "MechanismRule",
    "ModelRule",
    "SubModeRule",
    "advisor_rules_json_schema",
    "load_rules",
]

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")

Condition = dict[str, str | bool | list[str]]
"""field → required value, or a list of accepted values; all must hold."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: Condition = Field(min_length=1)
    reason: str = Field(min_length=1, description="Why, in plain words.")
    source: str = Field(min_length=1, description="The report's table or section.")


class ModelRule(_Rule):
    model: TypicalModel
    points: int = Field(description="Added to the model's score when the rule holds.")


class MechanismRule(_Rule):
    models: list[TypicalModel] = Field(min_length=1)
    mechanisms: list[ReturnMechanism] = Field(min_length=1)


class SubModeRule(_Rule):
    sub_mode: PppSubMode


class AdvisorRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    rules: list[ModelRule] = Field(min_length=1)
    mechanisms: list[MechanismRule] = Field(min_length=1)
    sub_modes: list[SubModeRule] = Field(
        default=[], description="PPP sub-modes (表7), first match wins"
    )


def matches(condition: Condition, profile: ProjectProfile) -> bool:
    """Every field of ``condition`` has the required value (or one of the listed ones)."""
    for name, wanted in condition.items():
        actual = getattr(profile, name)
        value = actual.value if isinstance(actual, Enum) else actual
        accepted = wanted if isinstance(wanted, list) else [wanted]
        if value not in accepted:
            return False
    return True


RULES_FILE = DefinitionKind("advisor rules", AdvisorRules, "docs/advisor.md")


def _check_condition(condition: Condition, place: Place, where: str) -> None:
    """Each field a rule's ``when`` tests is one of the profile's, and each value one it
    can take."""
    for name, wanted in condition.items():
        field = ProjectProfile.model_fields.get(name)
        if field is None or name in {"name", "source", "objects"}:
            raise place.at(name).error(
                f"{where}: {name!r} is not a profile field a rule can test",
                "test a field of the project profile (docs/advisor.md)",
            )
        annotation = field.annotation
        for value in wanted if isinstance(wanted, list) else [wanted]:
            if annotation in (bool, bool | None):
                ok = isinstance(value, bool)
            elif isinstance(annotation, type) and issubclass(annotation, Enum):
                ok = value in {member.value for member in annotation}
            else:
                ok = False
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
        ("rules", "rule", rules.rules),
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
