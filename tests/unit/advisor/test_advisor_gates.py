"""Necessary conditions are gates, not points: a model whose gate holds is ruled out
whatever its score, and the answer names the gate and its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cityops.advisor.advise import Advice, advise
from cityops.advisor.profile import ProjectProfile, load_profile
from cityops.advisor.rules import load_rules
from cityops.settlement.model import InvestorMode, ReturnMechanism, TypicalModel

CASES = Path(__file__).parents[3] / "examples" / "advisor"
RULES = load_rules()


def _profile(case: str, **change: Any) -> ProjectProfile:
    data = load_profile(CASES / f"{case}.yaml").model_dump() | change
    return ProjectProfile.model_validate(data)


def _ruled_out(advice: Advice, model: TypicalModel) -> str:
    """The source of the gate that ruled ``model`` out (fails if none did)."""
    score = next(s for s in advice.ranking if s.model is model)
    assert score.ruled_out, f"{model} was not ruled out"
    assert advice.recommended is not model
    assert score in advice.ranking[-len([s for s in advice.ranking if s.ruled_out]) :]
    return " ".join(gate.source for gate in score.ruled_out_by)


def test_without_a_local_state_partner_there_is_no_joint_company() -> None:
    # 成都天府市民云 scores highest as a joint company; take its state partner away
    profile = _profile("chengdu-tianfu", local_state_company="none")
    score = next(s for s in advise(profile, RULES).ranking if s.model is TypicalModel.JOINT_COMPANY)
    assert score.score > 0, "the points alone would still favour a joint company"
    assert "联合公司化运营" in _ruled_out(advise(profile, RULES), TypicalModel.JOINT_COMPANY)


@pytest.mark.parametrize("state", ["none", "partner"])
def test_a_platform_company_needs_a_state_group_able_to_control_it(state: str) -> None:
    profile = _profile("changsha-shuzhi", local_state_company=state)
    advice = advise(profile, RULES)
    assert "平台公司" in _ruled_out(advice, TypicalModel.PLATFORM_COMPANY)


def test_a_sensitive_domain_gets_only_government_led_models() -> None:
    # 智慧城管: a joint company would win on points (local team, one domain, partner)
    profile = _profile(
        "wode-changsha", name="智慧城管", objects=["智慧城管"], security_sensitivity="high"
    )
    advice = advise(profile, RULES)
    assert "五（二）" in _ruled_out(advice, TypicalModel.JOINT_COMPANY)
    assert "五（二）" in _ruled_out(advice, TypicalModel.PPP)
    assert advice.recommended in {TypicalModel.PURCHASE_OF_SERVICES, TypicalModel.EPC}
    assert advice.investor_mode is not None
    assert advice.investor_mode.value in {
        InvestorMode.GOVERNMENT_GOVERNMENT,
        InvestorMode.GOVERNMENT_ENTERPRISE,
    }


def test_a_sensitive_domain_the_government_can_run_is_government_invested_and_run() -> None:
    profile = _profile(
        "lianjiang", security_sensitivity="high", government_can_operate=True
    )  # 平安城市-like
    advice = advise(profile, RULES)
    assert advice.recommended is TypicalModel.EPC
    assert advice.investor_mode is not None
    assert advice.investor_mode.value is InvestorMode.GOVERNMENT_GOVERNMENT


def test_works_are_not_bought_as_a_service() -> None:
    # 中关村政务云 is bought as services; make it a build programme
    profile = _profile("zhongguancun-gov-cloud", construction_heavy=True)
    advice = advise(profile, RULES)
    assert "政府购买服务管理办法" in _ruled_out(advice, TypicalModel.PURCHASE_OF_SERVICES)


def test_a_small_investment_is_no_ppp() -> None:
    # 湘潭 is a PPP; the same project at a small size is not
    profile = _profile("xiangtan", investment_size="small")
    advice = advise(profile, RULES)
    assert "表6 PPP" in _ruled_out(advice, TypicalModel.PPP)
    assert advice.ppp_sub_mode is None


def test_a_gate_on_an_unknown_fact_does_not_rule_out_but_is_reported() -> None:
    profile = _profile("chengdu-tianfu", local_state_company="unknown")
    advice = advise(profile, RULES)
    undecided = [g for g in advice.gates if g.holds is None]
    assert any(TypicalModel.JOINT_COMPANY in g.models for g in undecided)
    assert not next(s for s in advice.ranking if s.model is TypicalModel.JOINT_COMPANY).ruled_out
    assert "local_state_company" in advice.deciding_fields
    assert not advice.certain


def test_epc_is_paid_as_government_investment_not_as_a_purchase_of_services() -> None:
    advice = advise(_profile("changsha-county"), RULES)
    assert advice.recommended is TypicalModel.EPC
    assert advice.mechanisms[0] is ReturnMechanism.GOVERNMENT_PAY
    assert advice.mechanism_reason is not None
    assert "works" in advice.mechanism_reason.reason
