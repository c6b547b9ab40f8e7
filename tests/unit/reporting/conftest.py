"""A small evaluated city for report tests, with scores worked out by hand.

Goalposts (catalogue): data.sharing_rate 0.5 → 0.95, mechanism.coordination 0 → 100.
Only these two indicators are measured, so each region's score is the mean of its
content score (data.sharing_rate's) and its mechanism score:

    示范市   0.8 → 100·0.3/0.45 = 66.67, 80 → 73.33  成长期
    上城区   0.9 → 100·0.4/0.45 = 88.89, 60 → 74.44  成长期  rank 1
    <script> 0.6 → 100·0.1/0.45 = 22.22, 90 → 56.11  起步期  rank 2
    =1+2     0.5 → 0,                    40 → 20.00  准备期  rank 3
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cityops.domain.period import Period
from cityops.evaluation.engine import evaluate
from cityops.evaluation.framework import load_framework
from cityops.evaluation.model import EvaluationRun
from cityops.evaluation.regions import Region
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.facts import IndicatorFact
from cityops.messages import Lang
from cityops.reporting.content import build_report_content
from cityops.reporting.model import ReportContent
from cityops.settlement.files import load_register_file
from cityops.settlement.statement import Statement, compute_statement
from cityops.types import IndicatorCode, RegionCode

CITY, SAFE, EVIL, FORMULA = (
    RegionCode("330100"),
    RegionCode("330102"),
    RegionCode("330105"),
    RegionCode("330106"),
)
EVIL_NAME = "<script>alert(1)</script>区"
FORMULA_NAME = "=1+2"
REGIONS = (
    Region(CITY, "示范市", "city", None, 1_000_000),
    Region(SAFE, "上城区", "district", CITY, 400_000),
    Region(EVIL, EVIL_NAME, "district", CITY, 300_000),
    Region(FORMULA, FORMULA_NAME, "district", CITY, 300_000),
)
PERIOD = Period(2025, 3)


def fact(code: str, region: str, value: float, numerator: float | None = None) -> IndicatorFact:
    return IndicatorFact(
        IndicatorCode(code), RegionCode(region), PERIOD, value, numerator, None, 1, "duckdb", "h"
    )


FACTS = [
    fact("data.sharing_rate", CITY, 0.8, 80.0),
    fact("data.sharing_rate", SAFE, 0.9, 36.0),
    fact("data.sharing_rate", EVIL, 0.6, 12.0),
    fact("data.sharing_rate", FORMULA, 0.5, 10.0),
    fact("mechanism.coordination", CITY, 80.0),
    fact("mechanism.coordination", SAFE, 60.0),
    fact("mechanism.coordination", EVIL, 90.0),
    fact("mechanism.coordination", FORMULA, 40.0),
]

DEMO_CONTRACT = (
    Path(__file__).parents[3] / "examples" / "contracts" / "demo-purchase-of-service.yaml"
)
CONTRACT_VALUES = {
    "effect.resident_coverage": 0.45,
    "capability.online_availability": 0.999,
    "capability.response_30min_rate": 0.90,
    "effect.rating_good_rate": 0.92,
    "security.leak_incidents": 0.0,
}
"""The demo contract's KPI values; its statement pays 255,000.00 (worked out in
tests/integration/settlement/test_settlement_cli.py)."""


@pytest.fixture(scope="session")
def run() -> EvaluationRun:
    return evaluate(FACTS, REGIONS, period=PERIOD, created_at=datetime(2025, 4, 1, tzinfo=UTC))


@pytest.fixture(scope="session")
def statement() -> Statement:
    contract = load_register_file(DEMO_CONTRACT).contracts[0]
    facts = [
        IndicatorFact(
            IndicatorCode(code), RegionCode("970100"), PERIOD, value, value, 1.0, 1, "duckdb", "h"
        )
        for code, value in CONTRACT_VALUES.items()
    ]
    return compute_statement(
        contract,
        facts,
        period=PERIOD,
        version=1,
        contract_hash="c" * 64,
        created_at=datetime(2025, 4, 2, tzinfo=UTC),
        created_by="tester",
    )


ContentMaker = Callable[[EvaluationRun, Lang, tuple[Statement, ...]], ReportContent]


def _make_content(
    run: EvaluationRun, lang: Lang = Lang.ZH, statements: tuple[Statement, ...] = ()
) -> ReportContent:
    catalogue = load_catalogue()
    return build_report_content(
        run,
        FACTS,
        catalogue,
        load_framework(catalogue=catalogue),
        city_name="示范市",
        report_date=date(2025, 4, 3),
        lang=lang,
        statements=statements,
    )


@pytest.fixture(scope="session")
def make_content() -> ContentMaker:
    """Build the content of a (changed) run of the sample city: run, lang, statements."""
    return _make_content


@pytest.fixture(scope="session")
def content(run: EvaluationRun, statement: Statement) -> ReportContent:
    """The Chinese report of the sample city, with the demo contract's statement."""
    return _make_content(run, Lang.ZH, (statement,))


@pytest.fixture(scope="session")
def content_en(run: EvaluationRun, statement: Statement) -> ReportContent:
    return _make_content(run, Lang.EN, (statement,))
