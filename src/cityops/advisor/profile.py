"""A project profile (项目画像): what the advisor needs to know about a project.

Written as YAML (``examples/advisor/*.yaml``; schema
``docs/schemas/project-profile.schema.json``).  Each field is one of the
conditions the report's applicability tables name.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cityops.definitions import DefinitionKind

__all__ = [
    "PROFILE_FILE",
    "Level",
    "ProjectProfile",
    "Revenue",
    "Scope",
    "Size",
    "StateCompany",
    "load_profile",
    "profile_json_schema",
]


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


class ProjectProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    source: str | None = Field(None, description="Where the description comes from.")
    objects: list[str] = Field(default=[], description="Operation objects (运营对象).")
    scope: Scope
    investment_size: Size
    revenue_potential: Revenue
    security_sensitivity: Level = Field(description="涉密/敏感程度")
    boundary_clear: bool = Field(description="项目需求明确、边界清晰")
    government_capacity: Level = Field(description="政府统筹管理能力和技术素养")
    fiscal_room: Level = Field(description="财政资金充裕程度")
    wants_local_team: bool = Field(description="希望培育本地化专业运营团队")
    time_critical: bool = Field(description="时效性要求高、希望快速见效")
    long_term_stable_demand: bool = Field(description="需求长期稳定")
    construction_heavy: bool = Field(description="以工程建设为主 (设计-采购-施工)")
    data_operation_need: Level = Field(description="政务数据运营需求")
    local_state_company: StateCompany
    social_capital_builds: bool | None = Field(
        None,
        description="PPP only: the SPV builds and runs the main projects itself (true) or "
        "only designs, finances and manages them (false) — 表7",
    )


PROFILE_FILE = DefinitionKind("project profile", ProjectProfile, "docs/advisor.md")


def load_profile(path: Path) -> ProjectProfile:
    """Read a profile file; errors name the file, the line and the field."""
    return PROFILE_FILE.load(path).model


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of a project profile (``docs/schemas/project-profile.schema.json``)."""
    return PROFILE_FILE.json_schema()
