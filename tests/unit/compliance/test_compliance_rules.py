"""Each fiscal rule on its boundary: just inside passes, just outside fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cityops.compliance.checks import Finding, Outcome, check_all, ppp_expenditure
from cityops.compliance.rules import load_rules
from cityops.settlement.model import (
    Contract,
    InvestorMode,
    OperationType,
    RegionBudget,
    ReturnMechanism,
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


def _outcomes(rule_id: str, contracts: list[Contract], budgets: list[RegionBudget]) -> list[str]:
    findings: list[Finding] = check_all(RULES, contracts, budgets)
    return [f.outcome.value for f in findings if f.rule_id == rule_id]


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
    ("end", "outcome"), [(date(2034, 12, 31), "pass"), (date(2034, 11, 30), "fail")]
)
def test_a_ppp_term_is_at_least_10_years(end: date, outcome: str) -> None:
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
