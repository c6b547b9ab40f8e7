"""运营机制 indicators: the region's own evidence, absent items score 0, no roll-up."""

from __future__ import annotations

from typing import Any

from fake_lake import CITY, DISTRICT_A, DISTRICT_B, STREET_A1, FakeLake


def _evidence(region: str, item: str, score: float, period: str = "2025-03") -> dict[str, Any]:
    return {
        "region_code": region,
        "period": period,
        "item_code": item,
        "score": score,
        "assessor": "第三方",
    }


def _lake() -> FakeLake:
    lake = FakeLake()
    lake.add(
        "mechanism_evidence",
        [
            _evidence(CITY, "leading_group", 1.0),
            _evidence(CITY, "lead_department", 0.5),
            _evidence(CITY, "data_center", 1.0),
            _evidence(CITY, "kpi_agreement", 1.0),
            _evidence(DISTRICT_A, "operating_company", 0.8),
            _evidence(DISTRICT_B, "leading_group", 1.0, period="2025-02"),
        ],
    )
    return lake


def test_coordination_scores_absent_items_zero_and_does_not_roll_up() -> None:
    values = _lake().values("mechanism.coordination")
    # city: 100 × (1.0 + 0.5 + 1.0 + 0 + 0)/5 = 50 (district A's 0.8 is not added)
    # district A: 100 × 0.8/5 = 16
    # district B has evidence only for February, the street none → missing
    assert values == {CITY: 50.0, DISTRICT_A: 16.0, STREET_A1: None, DISTRICT_B: None}


def test_supervision_uses_only_its_own_items() -> None:
    values = _lake().values("mechanism.supervision")
    # city: 100 × 1.0/4 = 25 (the coordination items do not count here)
    # district A was assessed but has no supervision item → 0
    assert values == {CITY: 25.0, DISTRICT_A: 0.0, STREET_A1: None, DISTRICT_B: None}
