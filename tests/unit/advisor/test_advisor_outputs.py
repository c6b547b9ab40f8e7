"""Besides the model, the advice names the investor mode (表5), the operation type
(三（五）1(2)) and the return mechanism(s), each with its source; ``cityops advise
--json`` keeps its keys and adds the new ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cityops.advisor.advise import advise
from cityops.advisor.profile import ProjectProfile, load_profile
from cityops.advisor.rules import load_rules
from cityops.cli.app import app
from cityops.settlement.model import InvestorMode, OperationType, ReturnMechanism, TypicalModel

CASES = Path(__file__).parents[3] / "examples" / "advisor"
RULES = load_rules()

COMMERCIAL = {
    "source": "报告 三（二）2(3)、3(4)",
    "scope": "single_service",
    "revenue_potential": "high",
    "security_sensitivity": "low",
    "boundary_clear": True,
    "government_capacity": "unknown",
    "fiscal_room": "unknown",
    "wants_local_team": "unknown",
    "time_critical": "unknown",
    "long_term_stable_demand": True,
    "data_operation_need": "low",
    "local_state_company": "unknown",
}
"""What the report states of its commercial examples (智慧停车, 智慧灯杆): strong user
demand, a clear profit model, nothing sensitive; the rest is unknown."""


def _profile(**facts: Any) -> ProjectProfile:
    return ProjectProfile.model_validate(COMMERCIAL | facts)


def test_zhuzhou_lamp_post_advertising_is_enterprise_operation() -> None:
    """三（二）3(4): 株洲 leased the advertising on 18 existing smart lamp posts' LED
    screens for 34.8万元 a year over three years; the winner earns the advertising."""
    lamp_posts = _profile(
        name="株洲市中心广场智慧路灯广告位经营权",
        objects=["智慧灯杆"],
        investment_size="small",
        construction_heavy=False,
        assets="existing",
    )
    advice = advise(lamp_posts, RULES)
    assert advice.investor_mode is not None
    assert advice.investor_mode.value is InvestorMode.ENTERPRISE_ENTERPRISE
    assert "表5 企业投资企业运营" in advice.investor_mode.source
    assert ReturnMechanism.OTHER_INCOME in advice.mechanisms  # advertising income
    assert ReturnMechanism.PURCHASE_OF_SERVICES not in advice.mechanisms
    assert advice.operation_type is not None
    assert advice.operation_type.value is OperationType.TOT  # the operating right is transferred


def test_smart_parking_is_a_concession() -> None:
    """表5: 智慧停车 is 企业投资企业运营, implemented as 特许经营."""
    parking = _profile(
        name="智慧停车",
        objects=["智慧停车"],
        investment_size="medium",
        construction_heavy=True,
        assets="new_build",
    )
    advice = advise(parking, RULES)
    assert advice.investor_mode is not None
    assert advice.investor_mode.value is InvestorMode.ENTERPRISE_ENTERPRISE
    assert advice.investor_mode.implementation is not None
    assert "特许经营" in advice.investor_mode.implementation
    assert ReturnMechanism.USER_PAY in advice.mechanisms
    assert advice.operation_type is not None
    assert advice.operation_type.value in {OperationType.BOO, OperationType.BOT}


@pytest.mark.parametrize(
    ("case", "mode"),
    [
        ("zhongguancun-gov-cloud", InvestorMode.GOVERNMENT_ENTERPRISE),  # 表5 政府投资企业运营
        ("changsha-county", InvestorMode.GOVERNMENT_ENTERPRISE),  # EPC + 政府购买服务
        ("xiangtan", InvestorMode.JOINT_ENTERPRISE),  # 表5 联合投资企业运营: 湘潭 PPP
        ("wode-changsha", InvestorMode.JOINT_ENTERPRISE),  # 表5: "我的长沙"市民云
    ],
)
def test_the_investor_mode_is_the_one_table_5_names_for_the_case(
    case: str, mode: InvestorMode
) -> None:
    advice = advise(load_profile(CASES / f"{case}.yaml"), RULES)
    assert advice.investor_mode is not None
    assert advice.investor_mode.value is mode
    assert "表5" in advice.investor_mode.source


def test_a_system_the_government_runs_itself_is_government_investment_and_operation() -> None:
    profile = load_profile(CASES / "lianjiang.yaml").model_copy(
        update={"government_can_operate": True}
    )
    advice = advise(profile, RULES)
    assert advice.investor_mode is not None
    assert advice.investor_mode.value is InvestorMode.GOVERNMENT_GOVERNMENT


@pytest.mark.parametrize(
    ("assets", "operation"),
    [
        ("new_build", OperationType.BOT),  # BOT、BOO等适用于新建项目
        ("existing", OperationType.TOT),  # O&M、TOT、ROT等适用于存量项目
        ("existing_renovated", OperationType.ROT),
        ("mixed", OperationType.TOT_BOT),  # 智慧老河口, 表3 #3
    ],
)
def test_a_ppp_operation_type_follows_the_asset_status(
    assets: str, operation: OperationType
) -> None:
    profile = load_profile(CASES / "xiangtan.yaml").model_copy(update={"assets": assets})
    advice = advise(profile, RULES)
    assert advice.recommended is TypicalModel.PPP
    assert advice.operation_type is not None
    assert advice.operation_type.value is operation
    assert "三（五）1(2)" in advice.operation_type.source


@pytest.mark.parametrize("assets", ["new_build", "existing"])
def test_a_government_invested_system_is_operated_under_o_and_m(assets: str) -> None:
    profile = load_profile(CASES / "zhongguancun-gov-cloud.yaml").model_copy(
        update={"assets": assets}
    )
    advice = advise(profile, RULES)
    assert advice.operation_type is not None
    assert advice.operation_type.value is OperationType.OM


def test_purchase_of_services_with_market_income_is_a_mix() -> None:
    """四（一）1: 我的永州 earns from 政府购买服务和市场化增值服务."""
    advice = advise(load_profile(CASES / "wode-yongzhou.yaml"), RULES)
    assert advice.recommended is TypicalModel.PURCHASE_OF_SERVICES
    assert advice.mechanisms == (
        ReturnMechanism.PURCHASE_OF_SERVICES,
        ReturnMechanism.OTHER_INCOME,
    )


def test_the_json_answer_keeps_its_keys_and_adds_the_new_ones() -> None:
    result = CliRunner().invoke(app, ["advise", str(CASES / "xiangtan.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert {
        "profile",
        "recommended",
        "return_mechanisms",
        "mechanism_reason",
        "ppp_sub_mode",
        "sub_mode_reason",
        "ranking",
        "investor_mode",
        "operation_type",
        "gates",
        "unknowns",
    } <= set(answer)
    assert answer["recommended"] == "PPP"
    assert answer["investor_mode"]["value"] == "联合投资企业运营"
    assert answer["operation_type"]["value"] == "BOT"
    assert answer["ranking"][0]["model"] == "PPP"
    assert answer["unknowns"]["certain"] is (not answer["unknowns"]["alternatives"])
