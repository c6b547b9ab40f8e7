"""Each fiscal rule on its boundary: just inside passes, just outside fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cityops.compliance.checks import Finding, Outcome, Portfolio, check_all, ppp_expenditure
from cityops.compliance.rules import load_rules
from cityops.settlement.model import (
    Contract,
    InvestorMode,
    OperationType,
    Operator,
    OperatorType,
    RegionBudget,
    ReturnMechanism,
    Shareholder,
    TypicalModel,
)
from cityops.types import RegionCode

RULES = load_rules()

PURCHASE = Contract(
    contract_id="POS",
    name="政务云服务",
    project_name="政务云",
    region_code=RegionCode("970100"),
    operator_id="OP",
    objects=("基础设施",),
    model=TypicalModel.PURCHASE_OF_SERVICES,
    investor_mode=InvestorMode.GOVERNMENT_ENTERPRISE,
    return_mechanisms=(ReturnMechanism.PURCHASE_OF_SERVICES,),
    start=date(2025, 1, 1),
    end=date(2025, 12, 31),
    total_amount=Decimal("1000000.00"),
    annual_amount=Decimal("1000000.00"),
)
PPP = replace(
    PURCHASE,
    contract_id="PPP",
    model=TypicalModel.PPP,
    investor_mode=InvestorMode.JOINT_ENTERPRISE,
    return_mechanisms=(ReturnMechanism.GOVERNMENT_PAY,),
    operation_type=OperationType.BOT,
    end=date(2034, 12, 31),  # 120 months
    annual_amount=Decimal("100000.00"),
)
BUDGET = RegionBudget("970100", 2025, Decimal("1000000.00"))


def _findings(
    rule_id: str,
    contracts: list[Contract],
    budgets: list[RegionBudget],
    operators: list[Operator] | None = None,
) -> list[Finding]:
    findings = check_all(RULES, Portfolio(contracts, budgets, operators or []))
    return [f for f in findings if f.rule_id == rule_id]


def _outcomes(
    rule_id: str,
    contracts: list[Contract],
    budgets: list[RegionBudget],
    operators: list[Operator] | None = None,
) -> list[str]:
    return [f.outcome.value for f in _findings(rule_id, contracts, budgets, operators)]


@pytest.mark.parametrize(
    ("end", "stable", "outcome"),
    [
        (date(2025, 12, 31), False, "pass"),  # 12 months
        (date(2026, 1, 31), False, "fail"),  # 13 months without the stated conditions
        (date(2027, 12, 31), True, "pass"),  # 3 years with the conditions
        (date(2027, 12, 31), False, "fail"),  # 3 years without them
        (date(2028, 12, 31), True, "fail"),  # 4 years: never
        (date(2028, 1, 1), True, "fail"),  # 36 months and a day
    ],
)
def test_a_purchase_of_service_term_is_at_most_1_year_or_3_with_stated_conditions(
    end: date, stable: bool, outcome: str
) -> None:
    contract = replace(PURCHASE, end=end, stable_service=stable)
    assert _outcomes("purchase_of_service_term", [contract], []) == [outcome]


@pytest.mark.parametrize(
    ("end", "outcome"),
    [
        (date(2034, 12, 31), "pass"),  # 10 years to the day
        (date(2034, 12, 30), "fail"),  # a day short
        (date(2034, 12, 15), "fail"),  # 9 years, 11 months and 15 days: 119 whole months
        (date(2034, 11, 30), "fail"),
    ],
)
def test_a_ppp_term_is_at_least_10_years_of_whole_months(end: date, outcome: str) -> None:
    assert _outcomes("ppp_minimum_term", [replace(PPP, end=end)], [BUDGET]) == [outcome]


def test_bt_is_not_ppp() -> None:
    assert _outcomes("bt_is_not_ppp", [replace(PPP, operation_type=OperationType.BT)], []) == [
        "fail"
    ]
    assert _outcomes("bt_is_not_ppp", [PPP], []) == ["pass"]


@pytest.mark.parametrize(
    ("annual", "outcome"),
    [
        ("100000.00", "pass"),  # 100,000 ÷ 1,000,000 = 10.00 %
        ("100100.00", "fail"),  # 100,100 ÷ 1,000,000 = 10.01 %
    ],
)
def test_ppp_expenditure_is_at_most_10_percent_of_the_general_budget(
    annual: str, outcome: str
) -> None:
    contract = replace(PPP, annual_amount=Decimal(annual))
    # the first finding is 970100/2025, which has budget figures (later years have none)
    assert _outcomes("ppp_budget_share", [contract], [BUDGET])[0] == outcome


def test_the_ppp_expenditure_adds_other_ppp_and_only_contracts_active_that_year() -> None:
    budget = replace(BUDGET, other_ppp_expenditure=Decimal("20000.00"))
    later = replace(PPP, contract_id="LATER", start=date(2026, 1, 1), end=date(2036, 12, 31))
    elsewhere = replace(PPP, contract_id="ELSEWHERE", region_code=RegionCode("970102"))
    # 20,000 (other) + 100,000 (PPP, active 2025); LATER starts 2026, ELSEWHERE is another level
    assert ppp_expenditure(budget, [PPP, later, elsewhere]) == Decimal("120000.00")


@pytest.mark.parametrize(
    ("annual", "outcome"),
    [
        ("50000.00", "pass"),  # 5.00 %: not above 5 %
        ("50100.00", "fail"),  # 5.01 %: no new 政府付费 project
    ],
)
def test_no_new_government_pay_project_where_the_ppp_share_exceeds_5_percent(
    annual: str, outcome: str
) -> None:
    contract = replace(PPP, annual_amount=Decimal(annual))
    assert _outcomes("no_new_government_pay_above_5pct", [contract], [BUDGET]) == [outcome]


def test_a_user_pay_ppp_is_not_held_to_the_5_percent_rule() -> None:
    user_pay = replace(
        PPP, annual_amount=Decimal("60000.00"), return_mechanisms=(ReturnMechanism.USER_PAY,)
    )
    assert _outcomes("no_new_government_pay_above_5pct", [user_pay], [BUDGET]) == []


@pytest.mark.parametrize(
    ("share", "outcome"), [("0.10", "pass"), ("0.0999", "fail"), (None, "unknown")]
)
def test_a_bundle_needs_a_user_pay_share_of_at_least_10_percent(
    share: str | None, outcome: str
) -> None:
    bundle = replace(
        PPP,
        bundled=True,
        return_mechanisms=(ReturnMechanism.USER_PAY, ReturnMechanism.VIABILITY_GAP),
        user_pay_share=None if share is None else Decimal(share),
    )
    assert _outcomes("bundled_user_pay_share", [bundle], [BUDGET]) == [outcome]


def test_a_ppp_year_without_budget_figures_is_unknown_not_compliant() -> None:
    outcomes = _outcomes("ppp_budget_share", [replace(PPP, end=date(2035, 12, 31))], [BUDGET])
    assert outcomes[0] == "pass"  # 2025 has figures
    assert set(outcomes[1:]) == {Outcome.UNKNOWN.value}  # 2026 … 2035 do not
    assert len(outcomes) == 11


def test_every_rule_names_its_source_and_explains_itself() -> None:
    assert all(rule.source and len(rule.explanation) > 40 for rule in RULES.rules)
    assert len({rule.check for rule in RULES.rules}) == len(RULES.rules)


def test_a_purchase_of_service_term_binds_a_joint_company_paid_by_purchase_of_services() -> None:
    joint = replace(
        PURCHASE,
        model=TypicalModel.JOINT_COMPANY,
        investor_mode=InvestorMode.JOINT_ENTERPRISE,
        end=date(2029, 12, 31),  # 5 years
        stable_service=True,
    )
    (finding,) = _findings("purchase_of_service_term", [joint], [])
    assert finding.outcome is Outcome.FAIL
    assert "60 months" in finding.detail


def test_a_contract_not_paid_through_purchase_of_services_is_not_held_to_its_term() -> None:
    platform = replace(
        PURCHASE,
        model=TypicalModel.PLATFORM_COMPANY,
        return_mechanisms=(ReturnMechanism.USER_PAY,),
        end=date(2029, 12, 31),
    )
    assert _outcomes("purchase_of_service_term", [platform], []) == []


@pytest.mark.parametrize(
    ("items", "outcome", "named"),
    [
        (("12345热线坐席运营服务", "城市门户内容运营"), "pass", None),
        (("城市门户内容运营", "数据中心机房建设"), "fail", "（三）"),
        (("运营期间垫资",), "fail", "（四）"),
        (("热线坐席劳务派遣",), "fail", "（五）"),
        ((), "unknown", None),
    ],
)
def test_purchase_items_are_checked_against_the_negative_list(
    items: tuple[str, ...], outcome: str, named: str | None
) -> None:
    (finding,) = _findings(
        "purchase_of_service_negative_list", [replace(PURCHASE, purchase_items=items)], []
    )
    assert finding.outcome.value == outcome
    if named is not None:
        assert named in finding.detail


def _platform_operator(*shares: tuple[str, bool]) -> Operator:
    return Operator(
        "OP",
        "示范市数字城市运营有限公司",
        OperatorType.PLATFORM_COMPANY,
        tuple(Shareholder(f"S{i}", Decimal(s), state) for i, (s, state) in enumerate(shares)),
    )


@pytest.mark.parametrize(
    ("shares", "outcome"),
    [
        ((("0.51", True), ("0.49", False)), "pass"),
        ((("0.30", True), ("0.21", True), ("0.49", False)), "pass"),  # 51 % state-owned
        ((("0.50", True), ("0.50", False)), "fail"),  # half is not more than half
        ((), "unknown"),  # no shareholders stated
    ],
)
def test_a_platform_company_is_state_controlled(
    shares: tuple[tuple[str, bool], ...], outcome: str
) -> None:
    contract = replace(PURCHASE, model=TypicalModel.PLATFORM_COMPANY)
    operators = [_platform_operator(*shares)]
    assert _outcomes("platform_company_state_control", [contract], [], operators) == [outcome]


def test_an_unregistered_operator_of_a_platform_contract_is_unknown() -> None:
    contract = replace(PURCHASE, model=TypicalModel.PLATFORM_COMPANY)
    assert _outcomes("platform_company_state_control", [contract], []) == ["unknown"]


CITATIONS = {
    "purchase_of_service_term": ["财政部令第102号"],
    "ppp_minimum_term": ["财金〔2019〕10号"],
    "bt_is_not_ppp": ["财办金〔2017〕92号"],
    "ppp_budget_share": ["财金〔2015〕21号", "第二十五条", "财金〔2019〕10号"],
    "no_new_government_pay_above_5pct": ["财金〔2019〕10号"],
    "bundled_user_pay_share": ["财金〔2019〕10号"],
    "purchase_of_service_negative_list": ["财政部令第102号", "第十条"],
    "platform_company_state_control": ["表6"],
}


@pytest.mark.parametrize(("rule_id", "documents"), sorted(CITATIONS.items()))
def test_each_rule_cites_the_documents_it_comes_from(rule_id: str, documents: list[str]) -> None:
    (rule,) = [r for r in RULES.rules if r.id == rule_id]
    missing = [d for d in documents if d not in rule.source]
    assert not missing, f"{rule_id} does not cite {missing}"


def test_every_shipped_rule_has_its_citations_checked() -> None:
    assert {r.id for r in RULES.rules} == set(CITATIONS)
