"""Settlement statements on hand-worked contracts: every expected amount is worked
out in the comments, in yuan, from the contract below."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.domain.period import Period
from cityops.errors import ConfigError, PipelineError
from cityops.indicators.facts import IndicatorFact
from cityops.settlement.files import parse_register_text
from cityops.settlement.model import Contract, Formula, KpiClause
from cityops.settlement.scoring import completion
from cityops.settlement.statement import LineStatus, Statement, compute_statement
from cityops.types import IndicatorCode, RegionCode

PERIOD = Period(2025, 3)
CITY = RegionCode("970100")

# base = 1,200,000.00 ÷ 12 = 100,000.00 a month; KPI shares 0.40 + 0.30 + 0.10 + 0.10
# = 0.90, so the fixed part is 0.10 × 100,000.00 = 10,000.00.
CONTRACT_YAML = """
contracts:
  - id: C1
    name: 市民云运营服务
    project: 示范市市民云
    region: 970100
    operator: OP1
    model: 政府购买服务
    investor_mode: 政府投资企业运营
    return_mechanisms: [政府购买服务]
    start: 2025-01-01
    end: 2025-12-31
    total_amount: "1200000.00"
    annual_amount: 1200000
    kpis:
      - id: K1
        indicator: effect.resident_coverage
        formula: linear
        floor: 0.30
        target: 0.60
        weight: 40
        payment_share: 0.40
        bonuses:
          - {threshold: 0.65, amount: "8000.00", reason: 覆盖率超过65%}
        cap: "45000.00"
      - id: K2
        indicator: capability.online_availability
        formula: bands
        bands:
          - {threshold: 0.999, completion: 1.0}
          - {threshold: 0.99, completion: 0.8}
          - {threshold: 0.95, completion: 0.5}
        weight: 30
        payment_share: 0.30
        deductions:
          - {threshold: 0.99, amount: "5000.00", reason: 可用性低于99%}
      - id: K3
        indicator: security.leak_incidents
        formula: pass_fail
        polarity: lower
        target: 0
        weight: 10
        payment_share: 0.10
      - id: K4
        indicator: infra.network_latency_p95_ms
        formula: linear
        polarity: lower
        floor: 200
        target: 100
        weight: 20
        payment_share: 0.10
"""

NOW = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)


def _contract(text: str = CONTRACT_YAML) -> Contract:
    return parse_register_text(text, where="test.yaml").contracts[0]


def _fact(indicator: str, value: float | None, region: str = CITY) -> IndicatorFact:
    return IndicatorFact(
        indicator=IndicatorCode(indicator),
        region_code=RegionCode(region),
        period=PERIOD,
        value=value,
        numerator=value,
        denominator=1.0,
        rows_read=1,
        engine="hand",
        definition_hash=f"hash-{indicator}",
    )


def _settle(contract: Contract, values: Mapping[str, float | None]) -> Statement:
    facts = [_fact(indicator, value) for indicator, value in values.items()]
    return compute_statement(
        contract,
        facts,
        period=PERIOD,
        version=1,
        contract_hash="h",
        created_at=NOW,
        created_by="tester",
    )


NORMAL: dict[str, float | None] = {
    "effect.resident_coverage": 0.45,
    "capability.online_availability": 0.995,
    "security.leak_incidents": 0.0,
    "infra.network_latency_p95_ms": 125.0,
}


def test_a_contract_with_linear_banded_and_pass_fail_clauses_pays_the_worked_amount() -> None:
    statement = _settle(_contract(), NORMAL)
    amounts = {line.clause_id: line.amount for line in statement.lines}
    # K1 linear: (0.45 − 0.30) ÷ (0.60 − 0.30) = 0.5 → 100,000 × 0.40 × 0.5 = 20,000.00
    # K2 bands: 0.995 ≥ 0.99 → 0.8 → 100,000 × 0.30 × 0.8 = 24,000.00 (no deduction: ≥ 0.99)
    # K3 pass/fail, lower is better: 0 ≤ 0 → 1 → 100,000 × 0.10 = 10,000.00
    # K4 linear, lower is better: (125 − 200) ÷ (100 − 200) = 0.75 → 100,000 × 0.10 × 0.75
    #    = 7,500.00
    assert amounts == {
        "K1": Decimal("20000.00"),
        "K2": Decimal("24000.00"),
        "K3": Decimal("10000.00"),
        "K4": Decimal("7500.00"),
    }
    assert statement.base_amount == Decimal("100000.00")
    assert statement.fixed_amount == Decimal("10000.00")
    # 10,000 + 20,000 + 24,000 + 10,000 + 7,500 = 71,500.00
    assert statement.total_payable == Decimal("71500.00")
    # points: 40 × 0.5 + 30 × 0.8 + 10 × 1 + 20 × 0.75 = 20 + 24 + 10 + 15 = 69
    assert statement.total_points == Decimal("69.00")
    assert statement.complete


def test_every_line_links_to_the_fact_behind_it() -> None:
    statement = _settle(_contract(), NORMAL)
    k4 = next(line for line in statement.lines if line.clause_id == "K4").evidence
    assert (k4.indicator, k4.region_code, k4.period) == (
        "infra.network_latency_p95_ms",
        CITY,
        PERIOD,
    )
    assert k4.definition_hash == "hash-infra.network_latency_p95_ms"
    assert (k4.numerator, k4.denominator) == (125.0, 1.0)


def test_a_bonus_is_capped_at_the_clause_cap() -> None:
    statement = _settle(_contract(), {**NORMAL, "effect.resident_coverage": 0.66})
    k1 = next(line for line in statement.lines if line.clause_id == "K1")
    # completion 1 (0.66 > target 0.60) → 40,000.00, + bonus 8,000.00 (0.66 ≥ 0.65)
    # = 48,000.00 > cap 45,000.00 → 45,000.00
    assert k1.amount == Decimal("45000.00")
    assert k1.bonuses == Decimal("8000.00")
    # 10,000 + 45,000 + 24,000 + 10,000 + 7,500 = 96,500.00
    assert statement.total_payable == Decimal("96500.00")


def test_a_deduction_applies_when_the_value_is_worse_than_its_threshold() -> None:
    statement = _settle(_contract(), {**NORMAL, "capability.online_availability": 0.97})
    # K2: 0.97 meets only the 0.95 band → 0.5 → 100,000 × 0.30 × 0.5 = 15,000.00;
    # 0.97 < 0.99 → deduction 5,000.00
    # total: 10,000 + 20,000 + 15,000 + 10,000 + 7,500 − 5,000 = 57,500.00
    assert statement.total_deductions == Decimal("5000.00")
    assert statement.total_payable == Decimal("57500.00")


@pytest.mark.parametrize("missing", ["absent", "no value"])
def test_a_missing_kpi_value_is_flagged_and_withheld_not_paid_as_zero_or_full(
    missing: str,
) -> None:
    values = dict(NORMAL)
    if missing == "absent":
        del values["capability.online_availability"]
    else:
        values["capability.online_availability"] = None
    statement = _settle(_contract(), values)
    k2 = next(line for line in statement.lines if line.clause_id == "K2")
    assert k2.status is LineStatus.MISSING
    assert (k2.amount, k2.completion, k2.points) == (None, None, None)
    assert "指标缺失" in k2.note
    assert not statement.complete
    # K2's share, 100,000 × 0.30 = 30,000.00, is withheld; paid: 10,000 + 20,000 + 10,000
    # + 7,500 = 47,500.00 (as 0 it would be the same total but unflagged; as 100 % it
    # would be 77,500.00)
    assert statement.withheld == Decimal("30000.00")
    assert statement.total_payable == Decimal("47500.00")


def test_a_fact_of_another_region_or_period_does_not_count() -> None:
    facts = [_fact(i, v) for i, v in NORMAL.items() if i != "security.leak_incidents"]
    facts.append(_fact("security.leak_incidents", 0.0, region="970102"))
    statement = compute_statement(
        _contract(),
        facts,
        period=PERIOD,
        version=1,
        contract_hash="h",
        created_at=NOW,
        created_by="t",
    )
    assert not statement.complete


def test_amounts_are_rounded_half_up_to_the_fen() -> None:
    text = CONTRACT_YAML.replace("annual_amount: 1200000", "annual_amount: 1000000")
    statement = _settle(_contract(text), {**NORMAL, "effect.resident_coverage": 0.40})
    # base = 1,000,000 ÷ 12 = 83,333.333… → 83,333.33
    # K1: (0.40 − 0.30) ÷ 0.30 = 1/3 → 83,333.33 × 0.40 ÷ 3 = 11,111.1106… → 11,111.11
    k1 = next(line for line in statement.lines if line.clause_id == "K1")
    assert statement.base_amount == Decimal("83333.33")
    assert k1.amount == Decimal("11111.11")
    assert all(
        line.amount is None or line.amount.as_tuple().exponent == -2 for line in statement.lines
    )


def test_the_period_cap_limits_the_total_payable() -> None:
    text = CONTRACT_YAML.replace("    kpis:", '    period_cap: "60000.00"\n    kpis:')
    statement = _settle(_contract(text), NORMAL)
    assert statement.total_payable == Decimal("60000.00")  # 71,500.00 capped


def test_a_deduction_still_counts_in_a_capped_month() -> None:
    text = CONTRACT_YAML.replace("    kpis:", '    period_cap: "50000.00"\n    kpis:')
    statement = _settle(_contract(text), {**NORMAL, "capability.online_availability": 0.97})
    # earned 10,000 + 20,000 + 15,000 + 10,000 + 7,500 = 62,500.00 → capped at 50,000.00,
    # then the 5,000.00 deduction: 45,000.00 (netted first it would vanish under the cap)
    assert statement.total_payable == Decimal("45000.00")


def test_a_contract_may_net_deductions_before_the_cap() -> None:
    text = CONTRACT_YAML.replace(
        "    kpis:", '    period_cap: "50000.00"\n    deductions_before_cap: true\n    kpis:'
    )
    statement = _settle(_contract(text), {**NORMAL, "capability.online_availability": 0.97})
    # 62,500.00 − 5,000.00 = 57,500.00 → capped at 50,000.00
    assert statement.total_payable == Decimal("50000.00")


def test_deductions_never_make_a_capped_month_negative() -> None:
    text = CONTRACT_YAML.replace("    kpis:", '    period_cap: "3000.00"\n    kpis:')
    statement = _settle(_contract(text), {**NORMAL, "capability.online_availability": 0.97})
    assert statement.total_payable == Decimal("0.00")  # 3,000.00 − 5,000.00 floors at 0


def test_a_value_exactly_on_a_band_threshold_earns_that_band() -> None:
    statement = _settle(_contract(), {**NORMAL, "capability.online_availability": 0.999})
    k2 = next(line for line in statement.lines if line.clause_id == "K2")
    assert k2.completion == Decimal(1)  # 0.999 as a float is still ≥ 0.999


_LINEAR = KpiClause(
    clause_id="L",
    indicator=IndicatorCode("x"),
    region_code=CITY,
    formula=Formula.LINEAR,
    weight=Decimal(100),
    payment_share=Decimal(1),
    target=Decimal("0.9"),
    floor=Decimal("0.5"),
)


@given(
    st.decimals(min_value=-10, max_value=10, places=4),
    st.decimals(min_value=-10, max_value=10, places=4),
)
def test_linear_completion_stays_between_0_and_1_and_never_falls_as_the_value_rises(
    a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    assert Decimal(0) <= completion(_LINEAR, low) <= completion(_LINEAR, high) <= Decimal(1)


def test_a_month_outside_the_contract_term_cannot_be_settled() -> None:
    with pytest.raises(PipelineError, match="outside contract C1's term"):
        compute_statement(
            _contract(),
            [],
            period=Period(2026, 1),
            version=1,
            contract_hash="h",
            created_at=NOW,
            created_by="t",
        )


def test_a_contract_without_an_annual_amount_cannot_be_settled() -> None:
    text = CONTRACT_YAML.replace("    annual_amount: 1200000\n", "")
    with pytest.raises(ConfigError, match="no annual_amount"):
        _settle(_contract(text), NORMAL)
