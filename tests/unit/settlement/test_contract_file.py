"""The contract file format: what it accepts, and errors that say where and what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.errors import ConfigError
from cityops.settlement.files import load_register_file, parse_register_text
from cityops.settlement.model import ReturnMechanism, completed_months, term_months
from cityops.settlement.money import parse_money

BASE = """
operators:
  - id: OP1
    name: 示范市民云服务有限公司
    type: 联合公司
    shareholders:
      - {name: 示范城投, share: 0.6, state_owned: true}
      - {name: 某科技公司, share: 0.4}
contracts:
  - id: C1
    name: 运营服务
    project: 市民云
    region: 970100
    operator: OP1
    model: 政府购买服务
    investor_mode: 政府投资企业运营
    return_mechanisms: [政府购买服务]
    start: 2025-01-01
    end: 2025-12-31
    total_amount: 1200000
    annual_amount: 1200000
    kpis:
      - {id: K1, indicator: effect.mau_rate, formula: linear, floor: 0.2, target: 0.5,
         weight: 60, payment_share: 0.5}
      - {id: K2, indicator: effect.rating_good_rate, formula: pass_fail, target: 0.9,
         weight: 40, payment_share: 0.3}
budgets:
  - {region: 970100, year: 2025, general_budget_expenditure: "5000000000.00"}
"""


def test_a_valid_file_gives_operators_contracts_and_budgets() -> None:
    bundle = parse_register_text(BASE, where="c.yaml")
    assert bundle.operators[0].state_share == Decimal("0.6")
    contract = bundle.contracts[0]
    assert contract.region_code == "970100"  # unquoted in YAML, kept as text
    assert contract.clauses[0].region_code == "970100"  # the contract's region by default
    assert contract.fixed_share == Decimal("0.2")  # 1 − 0.5 − 0.3
    assert bundle.budgets[0].general_budget_expenditure == Decimal("5000000000.00")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("weight: 40", "weight: 30"), "weights sum to 90"),
        (("payment_share: 0.3", "payment_share: 0.6"), "payment shares sum to 1.1"),
        (("floor: 0.2, target: 0.5", "floor: 0.5, target: 0.2"), "must be above floor"),
        (("end: 2025-12-31", "end: 2024-12-31"), "is before start"),
        (("total_amount: 1200000", "total_amount: 1200000.005"), "fractions of a fen"),
        (("model: 政府购买服务", "model: BT"), "contracts 'C1', field model"),
    ],
)
def test_a_wrong_contract_is_refused_with_the_place_and_the_reason(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        parse_register_text(BASE.replace(*change), where="c.yaml")
    assert "c.yaml" in str(raised.value)


def test_money_from_a_yaml_float_keeps_its_written_decimals() -> None:
    assert parse_money(0.1, "x") == Decimal("0.10")
    assert parse_money("1,200,000.50", "x") == Decimal("1200000.50")


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2025-01-01", "2025-12-31", 12),
        ("2025-01-01", "2027-12-31", 36),
        ("2025-01-01", "2028-12-31", 48),
        ("2025-01-01", "2026-01-01", 13),  # a started month counts
        ("2025-01-15", "2026-01-14", 12),
    ],
)
def test_the_term_counts_months_with_the_end_day_included(
    start: str, end: str, months: int
) -> None:
    assert term_months(date.fromisoformat(start), date.fromisoformat(end)) == months


def test_contracts_and_budgets_load_from_csv_with_plus_separated_lists(tmp_path: Path) -> None:
    contracts_csv = tmp_path / "contracts.csv"
    contracts_csv.write_text(
        "\ufeffid,name,project,region,operator,model,investor_mode,return_mechanisms,"
        "operation_type,start,end,total_amount,annual_amount,bundled,user_pay_share\n"
        "P1,智慧停车,停车,970100,OP1,PPP,联合投资企业运营,使用者付费+可行性缺口补助,BOT,"
        "2025-01-01,2036-12-31,90000000,,true,0.35\n",
        "utf-8",
    )
    (contract,) = load_register_file(contracts_csv).contracts
    assert contract.return_mechanisms == (
        ReturnMechanism.USER_PAY,
        ReturnMechanism.VIABILITY_GAP,
    )
    assert (contract.annual_amount, contract.bundled, contract.user_pay_share) == (
        None,
        True,
        Decimal("0.35"),
    )
    budgets_csv = tmp_path / "budgets.csv"
    budgets_csv.write_text(
        "region,year,general_budget_expenditure,other_ppp_expenditure\n"
        "970100,2025,8000000000.00,\n",
        "utf-8",
    )
    (budget,) = load_register_file(budgets_csv).budgets
    assert (budget.year, budget.other_ppp_expenditure) == (2025, Decimal("0.00"))


def test_a_csv_whose_header_says_nothing_known_is_refused(tmp_path: Path) -> None:
    unknown = tmp_path / "x.csv"
    unknown.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(ConfigError, match="cannot tell what the CSV holds"):
        load_register_file(unknown)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2025-01-01", "2034-12-31", 120),
        ("2025-01-01", "2034-12-15", 119),  # 9 years, 11 months and 15 days
        ("2025-01-15", "2025-02-14", 1),
        ("2025-01-15", "2025-02-13", 0),
        ("2025-01-31", "2025-02-27", 1),  # to the end of the shorter month
        ("2025-01-31", "2025-02-26", 0),
    ],
)
def test_a_minimum_term_counts_only_whole_months_completed(
    start: str, end: str, months: int
) -> None:
    assert completed_months(date.fromisoformat(start), date.fromisoformat(end)) == months


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    st.integers(min_value=0, max_value=20_000),
)
def test_whole_months_never_exceed_started_months_and_differ_by_at_most_one(
    start: date, days: int
) -> None:
    end = start + timedelta(days=days)
    whole, started = completed_months(start, end), term_months(start, end)
    assert whole <= started <= whole + 1


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)).filter(
        lambda d: d.day <= 28
    ),
    st.integers(min_value=1, max_value=400),
)
def test_a_term_of_exactly_n_months_is_n_months_both_ways(start: date, n: int) -> None:
    month = start.month - 1 + n
    end = date(start.year + month // 12, month % 12 + 1, start.day) - timedelta(days=1)
    assert completed_months(start, end) == term_months(start, end) == n
