"""The compliance rules file (rules as data) and its loader."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from cityops.definitions import DefinitionKind
from cityops.errors import ConfigError

__all__ = [
    "DEFAULT_RULES",
    "RULES_FILE",
    "Check",
    "ComplianceRule",
    "ComplianceRules",
    "compliance_rules_json_schema",
    "load_rules",
]

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


def _exact(value: object) -> object:
    """A YAML float through its shortest text: 0.10 is exactly Decimal('0.10')."""
    return Decimal(repr(value)) if isinstance(value, float) else value


Limit = Annotated[Decimal, BeforeValidator(_exact)]


class Check(StrEnum):
    """The checks the code knows; a rule picks one and sets its limits."""

    PURCHASE_OF_SERVICE_TERM = "purchase_of_service_term"
    PPP_MINIMUM_TERM = "ppp_minimum_term"
    BT_IS_NOT_PPP = "bt_is_not_ppp"
    PPP_BUDGET_SHARE = "ppp_budget_share"
    NO_NEW_GOVERNMENT_PAY = "no_new_government_pay"
    BUNDLED_USER_PAY_SHARE = "bundled_user_pay_share"
    PURCHASE_OF_SERVICE_NEGATIVE_LIST = "purchase_of_service_negative_list"
    PLATFORM_COMPANY_STATE_CONTROL = "platform_company_state_control"


class ComplianceRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: str
    check: Check
    params: dict[str, Limit] = {}
    lists: dict[str, list[str]] = Field(
        default={},
        description="Named lists of words a check matches, e.g. each category of the "
        "purchase-of-service negative list with its keywords.",
    )
    source: str = Field(min_length=1, description="The document and clause the rule comes from.")
    explanation: str = Field(min_length=1, description="The rule in plain words.")

    def param(self, name: str) -> Decimal:
        if name not in self.params:
            raise ConfigError(f"compliance rule {self.id}: parameter {name!r} is missing")
        return self.params[name]

    def word_lists(self) -> dict[str, list[str]]:
        if not self.lists:
            raise ConfigError(f"compliance rule {self.id}: it needs `lists` (name: [words])")
        return self.lists


class ComplianceRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    rules: list[ComplianceRule] = Field(min_length=1)


RULES_FILE = DefinitionKind("compliance rules", ComplianceRules, "docs/compliance.md")


def load_rules(path: Path = DEFAULT_RULES) -> ComplianceRules:
    """Read a rules file (default: the shipped one); errors name the file and the line."""
    return RULES_FILE.load(path).model


def compliance_rules_json_schema() -> dict[str, Any]:
    """The JSON Schema of a rules file (``docs/schemas/compliance-rules.schema.json``)."""
    return RULES_FILE.json_schema()
