"""The advisor reproduces the model each of the report's case studies actually used,
from profiles written from the report's descriptions (examples/advisor/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityops.advisor.advise import advise
from cityops.advisor.profile import load_profile
from cityops.advisor.rules import load_rules
from cityops.errors import ConfigError
from cityops.settlement.model import PppSubMode, ReturnMechanism, TypicalModel

CASES = Path(__file__).parents[3] / "examples" / "advisor"
RULES = load_rules()

# the model each case used, from the report's section 四 (典型案例)
ACTUAL = {
    "wode-yongzhou": TypicalModel.PURCHASE_OF_SERVICES,
    "zhongguancun-gov-cloud": TypicalModel.PURCHASE_OF_SERVICES,
    "haikou-yecheng-citizen-cloud": TypicalModel.PURCHASE_OF_SERVICES,
    "hefei-high-tech-zone": TypicalModel.PPP,
    "xiangtan": TypicalModel.PPP,
    "huainan-smart-health": TypicalModel.PPP,
    "changsha-county": TypicalModel.EPC,
    "lianjiang": TypicalModel.EPC,
    "changsha-shuzhi": TypicalModel.PLATFORM_COMPANY,
    "digital-guangdong": TypicalModel.PLATFORM_COMPANY,
    "shanghai-suishenban": TypicalModel.JOINT_COMPANY,
    "chengdu-tianfu": TypicalModel.JOINT_COMPANY,
    "wode-changsha": TypicalModel.JOINT_COMPANY,
    "zande-zhumadian": TypicalModel.JOINT_COMPANY,
}


def test_every_case_study_has_a_profile() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} == set(ACTUAL)


@pytest.mark.parametrize(("case", "model"), sorted(ACTUAL.items()))
def test_the_advisor_recommends_the_model_the_case_actually_used(
    case: str, model: TypicalModel
) -> None:
    advice = advise(load_profile(CASES / f"{case}.yaml"), RULES)
    assert advice.recommended is model
    top, runner_up = advice.ranking[0], advice.ranking[1]
    assert top.score > runner_up.score  # a strict win, not a tie broken by order
    assert any(reason.points > 0 for reason in top.reasons)
    assert all(reason.source for reason in top.reasons)


@pytest.mark.parametrize(
    ("case", "mechanisms"),
    [
        # 表3: 合肥 #1 and 湘潭 #6 使用者付费+可行性缺口补助, 淮南 #5 政府付费
        ("hefei-high-tech-zone", {ReturnMechanism.USER_PAY, ReturnMechanism.VIABILITY_GAP}),
        ("xiangtan", {ReturnMechanism.USER_PAY, ReturnMechanism.VIABILITY_GAP}),
        ("huainan-smart-health", {ReturnMechanism.GOVERNMENT_PAY}),
        # 四（五）: joint companies earn 政府购买服务收入和市场化服务收入
        ("chengdu-tianfu", {ReturnMechanism.PURCHASE_OF_SERVICES, ReturnMechanism.OTHER_INCOME}),
    ],
)
def test_the_return_mechanism_matches_the_case(case: str, mechanisms: set[ReturnMechanism]) -> None:
    assert set(advise(load_profile(CASES / f"{case}.yaml"), RULES).mechanisms) == mechanisms


@pytest.mark.parametrize(
    ("case", "sub_mode"),
    [
        ("hefei-high-tech-zone", PppSubMode.STEWARD),  # 表7 大管家: 合肥市高新区
        ("xiangtan", PppSubMode.INTEGRATED),  # 表7 整体推进: 湖南湘潭市
        ("huainan-smart-health", PppSubMode.BY_DOMAIN),  # 表7 分领域: 安徽省淮南市
    ],
)
def test_the_ppp_cases_get_the_sub_mode_table_7_names(case: str, sub_mode: PppSubMode) -> None:
    advice = advise(load_profile(CASES / f"{case}.yaml"), RULES)
    assert advice.ppp_sub_mode is sub_mode
    assert advice.sub_mode_reason is not None
    assert "表7" in advice.sub_mode_reason.source


def test_a_model_other_than_ppp_gets_no_sub_mode() -> None:
    assert advise(load_profile(CASES / "wode-changsha.yaml"), RULES).ppp_sub_mode is None


def test_a_rule_on_an_unknown_profile_field_fails_at_load(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - {model: PPP, when: {budget_size: large}, points: 1, reason: r, source: s}\n"
        "mechanisms:\n"
        "  - {models: [PPP], when: {revenue_potential: high}, mechanisms: [使用者付费],"
        " reason: r, source: s}\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match="budget_size"):
        load_rules(rules)


def test_a_rule_with_a_value_the_field_cannot_take_fails_at_load(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - {model: PPP, when: {investment_size: huge}, points: 1, reason: r, source: s}\n"
        "mechanisms:\n"
        "  - {models: [PPP], when: {revenue_potential: high}, mechanisms: [使用者付费],"
        " reason: r, source: s}\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match="'huge' is not a value of investment_size"):
        load_rules(rules)


def test_a_profile_with_a_misspelt_field_names_it(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    text = (CASES / "xiangtan.yaml").read_text("utf-8").replace("fiscal_room", "fiscal_rooms")
    profile.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match="fiscal_rooms"):
        load_profile(profile)
