"""A city adds a direction by editing its framework file alone: the new direction is
evaluated, scored, kept in the run and shown in the report, with no change in code.

The city copies the shipped framework and adds a fifth direction, 运营安全, made of
two catalogue indicators it moves out of their own directions:

    security.leak_incidents      goalposts 3 → 0 (lower is better)
    capability.packet_loss_pct   goalposts 1.0 → 0.01 % (lower is better)

Hand-worked scores (goalposts: 100 · (v − lo) ÷ (hi − lo)):

    示范市  data.sharing_rate 0.725  → 100 · 0.225 ÷ 0.45     = 50
            leak incidents 1         → 100 · (1 − 3) ÷ (0 − 3) = 66.67
            packet loss 0.505 %      → 100 · (0.505 − 1) ÷ (0.01 − 1) = 50
    运营安全 = mean of its two contents (equal weights)   = (66.67 + 50) ÷ 2 = 58.33
    运营内容 = 数据资源, the only content with data     = 50
    total   = root expert weights over the directions with data:
              (0.2 · 50 + 0.2 · 58.33) ÷ (0.2 + 0.2)      = 54.17
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cityops.domain.period import Period
from cityops.evaluation.engine import evaluate
from cityops.evaluation.framework import load_framework
from cityops.evaluation.regions import Region
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.facts import IndicatorFact
from cityops.messages import Lang
from cityops.reporting.content import build_report_content
from cityops.reporting.html import render_html
from cityops.types import IndicatorCode, RegionCode

SHIPPED = Path(__file__).parents[3] / "src" / "cityops" / "evaluation" / "framework.yaml"
PERIOD = Period(2025, 3)
CITY, DISTRICT = RegionCode("330100"), RegionCode("330102")
MOVED = (
    """      - name: 安全保障
        name_en: Security
        indicators:
          - code: security.leak_incidents  # 失泄密事件数量
""",
    """      - name: 可靠性
        name_en: Reliability
        indicators:
          - code: capability.packet_loss_pct  # 网络丢包率
""",
)
SECURITY = """  - code: security
    name_zh: 运营安全
    name_en: Operation security
    short_zh: 安全
    short_en: security
    weight: 0.2
    contents:
      - name: 安全事件
        name_en: Security incidents
        indicators:
          - code: security.leak_incidents
      - name: 网络可靠性
        name_en: Network reliability
        indicators:
          - code: capability.packet_loss_pct
"""


@pytest.fixture
def city_framework(tmp_path: Path) -> Path:
    """The shipped file, with the two indicators moved into a fifth direction at its end."""
    text = SHIPPED.read_text("utf-8")
    for block in MOVED:
        assert block in text
        text = text.replace(block, "")
    path = tmp_path / "city-framework.yaml"
    path.write_text(text + SECURITY, encoding="utf-8")
    return path


def fact(code: str, region: str, value: float) -> IndicatorFact:
    return IndicatorFact(
        IndicatorCode(code), RegionCode(region), PERIOD, value, None, None, 1, "duckdb", "h"
    )


FACTS = [
    fact("data.sharing_rate", CITY, 0.725),
    fact("security.leak_incidents", CITY, 1.0),
    fact("capability.packet_loss_pct", CITY, 0.505),
    fact("data.sharing_rate", DISTRICT, 0.95),
    fact("security.leak_incidents", DISTRICT, 0.0),
    fact("capability.packet_loss_pct", DISTRICT, 0.01),
]
REGIONS = (
    Region(CITY, "示范市", "city", None, 1_000_000),
    Region(DISTRICT, "上城区", "district", CITY, 400_000),
)


def test_a_direction_added_in_the_framework_file_is_scored_by_hand(city_framework: Path) -> None:
    framework = load_framework(city_framework)
    run = evaluate(FACTS, REGIONS, period=PERIOD, framework=framework)
    city = run.region(CITY)
    assert list(city.directions) == [
        "content",
        "mechanism",
        "capability",
        "effectiveness",
        "security",
    ]
    assert city.directions["security"] == pytest.approx((100 * 2 / 3 + 50) / 2)
    assert city.directions["content"] == pytest.approx(50.0)
    assert city.directions["capability"] is None
    assert city.contents["security/安全事件"] == pytest.approx(100 * 2 / 3)
    assert city.score == pytest.approx((0.2 * 50 + 0.2 * (100 * 2 / 3 + 50) / 2) / 0.4)
    assert run.weights["total"]["security"] == pytest.approx(0.2 / 1.2)
    district = run.region(DISTRICT)
    assert district.directions["security"] == pytest.approx(100.0)
    assert district.score == pytest.approx(100.0)


def test_the_report_shows_the_added_direction_with_its_names(city_framework: Path) -> None:
    catalogue = load_catalogue()
    framework = load_framework(city_framework, catalogue=catalogue)
    run = evaluate(FACTS, REGIONS, period=PERIOD, framework=framework)
    content = build_report_content(
        run,
        FACTS,
        catalogue,
        framework,
        city_name="示范市",
        report_date=date(2025, 4, 3),
        lang=Lang.ZH,
    )
    security = content.directions[-1]
    assert (security.code, security.name.text, security.name.sub) == (
        "security",
        "运营安全",
        "Operation security",
    )
    assert security.weight == pytest.approx(0.2 / 1.2)
    assert [s.code for s in content.sections][-1] == "security"
    assert "运营安全" in render_html(content)
