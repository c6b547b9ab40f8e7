"""A project profile (项目画像): what the advisor needs to know about a project.

Written as YAML (``examples/advisor/*.yaml``; schema
``docs/schemas/project-profile.schema.json``).  Each field is one of the
conditions the report's applicability tables name, and each may be ``unknown``:
the advisor then does not guess, it reports the answer under each value that
would change it (``advise.Advice.unknowns``).  A profile written from a source
lists under ``assumed`` the fields whose values the source does not state.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cityops.definitions import DefinitionKind

__all__ = [
    "CONDITION_FIELDS",
    "PROFILE_FILE",
    "UNKNOWN",
    "Assets",
    "Level",
    "PppBudgetShare",
    "ProjectProfile",
    "Revenue",
    "Scope",
    "Size",
    "StateCompany",
    "Unknown",
    "field_values",
    "load_profile",
    "profile_json_schema",
]


UNKNOWN: Final = "unknown"
Unknown = Literal["unknown"]
"""A fact the profile's writer does not know (不详)."""


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Size(StrEnum):
    """Investment size: small < 0.5 亿元 ≤ medium < 2 亿元 ≤ large."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Revenue(StrEnum):
    """Revenue potential from users and the market (收益性)."""

    NONE = "none"  # 纯公益, 非经营性
    LOW = "low"
    MEDIUM = "medium"  # 准经营性
    HIGH = "high"  # 经营性


class Scope(StrEnum):
    SINGLE_SERVICE = "single_service"  # 单一服务或系统 (e.g. 政务云, one APP)
    SINGLE_DOMAIN = "single_domain"  # 一个领域 (e.g. 智慧医疗, 市民云)
    CITY_WIDE = "city_wide"  # 全域整体 (many domains)


class StateCompany(StrEnum):
    """What local state capital can do (本地国资)."""

    NONE = "none"  # no local state-owned company to partner with
    PARTNER = "partner"  # a local state-owned company can co-invest with a firm
    CAPABLE_LEAD = "capable_lead"  # a strong state group can found and control an operator


class Assets(StrEnum):
    """What the operator starts from (三（五）1(2)): BOT/BOO for new projects,
    O&M/TOT/ROT for existing ones (存量项目)."""

    NEW_BUILD = "new_build"  # 新建项目
    EXISTING = "existing"  # 存量资产, run as they are
    EXISTING_RENOVATED = "existing_renovated"  # 存量资产, to be rebuilt (改建)
    MIXED = "mixed"  # both, e.g. 智慧老河口 TOT+BOT (表3 #3)


class PppBudgetShare(StrEnum):
    """The level's PPP expenditure from the general public budget as a share of that
    budget's expenditure (财金〔2019〕10号): above 10 % no new PPP, above 5 % no new
    政府付费 PPP."""

    WITHIN_5 = "within_5"  # ≤ 5 %
    ABOVE_5 = "above_5"  # > 5 % and ≤ 10 %
    ABOVE_10 = "above_10"  # > 10 %

    @classmethod
    def of(cls, share: Decimal) -> PppBudgetShare:
        if share > Decimal("0.10"):
            return cls.ABOVE_10
        return cls.ABOVE_5 if share > Decimal("0.05") else cls.WITHIN_5


_YES_NO_FIELDS: Final = (
    "boundary_clear",
    "wants_local_team",
    "time_critical",
    "long_term_stable_demand",
    "construction_heavy",
    "government_can_operate",
    "existing_joint_company",
    "social_capital_builds",
)
"""The condition fields that are booleans (or ``unknown``)."""


class ProjectProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: str | None = Field(None, description="Where the description comes from.")
    objects: list[str] = Field(default=[], description="Operation objects (运营对象).")
    assumed: list[str] = Field(
        default=[],
        description="Fields whose values the source does not state but the writer assumed.",
    )
    scope: Scope | Unknown
    investment_size: Size | Unknown
    revenue_potential: Revenue | Unknown
    security_sensitivity: Level | Unknown = Field(
        description="涉密/敏感程度; high for 平安城市、智慧城管 and other sensitive domains"
    )
    boundary_clear: bool | Unknown = Field(description="项目需求明确、边界清晰")
    government_capacity: Level | Unknown = Field(description="政府统筹管理能力和技术素养")
    fiscal_room: Level | Unknown = Field(description="财政资金充裕程度")
    wants_local_team: bool | Unknown = Field(description="希望培育本地化专业运营团队")
    time_critical: bool | Unknown = Field(description="时效性要求高、希望快速见效")
    long_term_stable_demand: bool | Unknown = Field(description="需求长期稳定")
    construction_heavy: bool | Unknown = Field(
        description="以工程建设为主 (设计-采购-施工): works, which cannot be bought as a service"
    )
    data_operation_need: Level | Unknown = Field(description="政务数据运营需求")
    local_state_company: StateCompany | Unknown
    assets: Assets | Unknown = Field(
        UNKNOWN, description="新建 or 存量: decides the operation type (三（五）1(2))"
    )
    government_can_operate: bool | Unknown = Field(
        UNKNOWN,
        description="政府下属信息中心/大数据中心 can run the system itself (表5 政府投资政府运营)",
    )
    region: str | None = Field(
        None,
        pattern=r"^[0-9]{6}$",
        description="区划代码: with a workspace, its budgets and operators inform the advice",
    )
    ppp_budget_share: PppBudgetShare | Unknown | None = Field(
        None,
        description="PPP share of the general budget (财金〔2019〕10号); filled from the "
        "workspace when region is named; absent: not considered",
    )
    existing_joint_company: bool | Unknown | None = Field(
        None,
        description="The city already has a joint company (运营孤岛 risk); filled from the "
        "workspace when region is named",
    )
    social_capital_builds: bool | Unknown | None = Field(
        None,
        description="PPP only: the SPV builds and runs the main projects itself (true) or "
        "only designs, finances and manages them (false) — 表7",
    )

    @field_validator(*_YES_NO_FIELDS, mode="before")
    @classmethod
    def _yes_no_is_a_boolean(cls, value: object) -> object:
        """``true``, ``false`` or ``unknown``, as written: no ``0``, ``1`` or ``"yes"``
        read as a boolean, which the published schema does not allow either."""
        if value is None or isinstance(value, bool) or value == UNKNOWN:
            return value
        raise ValueError("must be true, false or unknown")

    @field_validator("assumed")
    @classmethod
    def _assumed_are_conditions(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in CONDITION_FIELDS:
                raise ValueError(f"{name!r} is not a condition field of a profile")
        return names

    def unknown_fields(self) -> tuple[str, ...]:
        """The condition fields this profile states as ``unknown``."""
        return tuple(name for name in CONDITION_FIELDS if getattr(self, name) == UNKNOWN)


def field_values(name: str) -> tuple[str | bool, ...]:
    """The values a condition field can take, ``unknown`` left out."""
    annotation = ProjectProfile.model_fields[name].annotation
    values: list[str | bool] = []
    for part in getattr(annotation, "__args__", (annotation,)):
        if part is bool:
            values += [True, False]
        elif isinstance(part, type) and issubclass(part, StrEnum):
            values += [member.value for member in part]
    return tuple(values)


CONDITION_FIELDS: Final = (
    "scope",
    "investment_size",
    "revenue_potential",
    "security_sensitivity",
    "boundary_clear",
    "government_capacity",
    "fiscal_room",
    "wants_local_team",
    "time_critical",
    "long_term_stable_demand",
    "construction_heavy",
    "data_operation_need",
    "local_state_company",
    "assets",
    "government_can_operate",
    "ppp_budget_share",
    "existing_joint_company",
    "social_capital_builds",
)
"""The fields a rule can test (everything but the name, source, objects, assumed and
region)."""


PROFILE_FILE = DefinitionKind("project profile", ProjectProfile, "docs/advisor.md")


def load_profile(path: Path) -> ProjectProfile:
    """Read a profile file; errors name the file, the line and the field."""
    return PROFILE_FILE.load(path).model


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of a project profile (``docs/schemas/project-profile.schema.json``)."""
    return PROFILE_FILE.json_schema()
