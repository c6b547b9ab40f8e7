"""The HTML report shows the run's numbers as the run holds them, safely, in the
language asked for."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from cityops.evaluation.model import EvaluationRun, RegionUncertainty
from cityops.messages import Lang
from cityops.reporting.html import render_html
from cityops.reporting.model import ReportContent
from cityops.reporting.render import write_report_bytes
from cityops.settlement.statement import Statement

ContentMaker = Callable[[EvaluationRun, Lang, tuple[Statement, ...]], ReportContent]


def _district_rows(html: str) -> list[list[str]]:
    """The cells of each row of the district table, tags stripped."""
    table = html.split('<table class="districts">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        for row in rows
    ]


def test_the_district_table_shows_each_districts_rank_score_and_chinese_stage(
    content: ReportContent,
) -> None:
    rows = _district_rows(render_html(content))
    # hand-worked in conftest.py
    assert [row[:5] for row in rows] == [
        ["1 / 3", "上城区", "330102", "74.4", "成长期"],
        ["2 / 3", "&lt;script&gt;alert(1)&lt;/script&gt;区", "330105", "56.1", "起步期"],
        ["3 / 3", "=1+2", "330106", "20.0", "准备期"],
    ]


def test_the_cover_names_the_city_period_run_and_date(content: ReportContent) -> None:
    html = render_html(content)
    cover = html.split('<section class="cover">', 1)[1].split("</section>", 1)[0]
    for text in ("示范市 智慧城市长效运营评价报告", "2025-03", content.cover.run_id, "2025-04-03"):
        assert text in cover


def test_a_malicious_region_name_is_escaped_everywhere(content: ReportContent) -> None:
    html = render_html(content)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;区" in html


def test_the_report_is_self_contained(content: ReportContent) -> None:
    html = render_html(content)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    assert "<link" not in html


def test_each_computed_indicator_has_an_inline_chart_with_its_goalposts(
    content: ReportContent,
) -> None:
    html = render_html(content)
    # data.sharing_rate and mechanism.coordination, plus the direction and district charts
    assert html.count("<svg") == 4
    assert "门槛 50.0%" in html
    assert "目标 95.0%" in html
    # 上城区: 90.0 %, score 100·0.4/0.45 = 88.9
    assert "90.0% (88.9)" in html


def test_the_settlement_section_shows_the_periods_statement(content: ReportContent) -> None:
    html = render_html(content)
    section = html.split("结算情况", 1)[1].split("</table>", 1)[0]
    assert "DEMO-970100-2025-PORTAL" in section
    assert "255,000.00" in section
    assert "300,000.00" in section


def test_without_statements_the_settlement_section_says_so(
    run: EvaluationRun, make_content: ContentMaker
) -> None:
    html = render_html(make_content(run, Lang.ZH, ()))
    assert "本期登记册中没有结算单" in html


def test_uncertainty_shows_rank_intervals_and_stage_probabilities(
    run: EvaluationRun, make_content: ContentMaker
) -> None:
    spread = RegionUncertainty(
        score_low=68.3,
        score_median=74.0,
        score_high=79.7,
        rank_best=1,
        rank_worst=2,
        stage_probability={"starting": 0.25, "growing": 0.75},
        sobol_first={},
        sobol_total={},
    )
    regions = tuple(
        replace(r, uncertainty=spread) if r.region_code == "330102" else r for r in run.regions
    )
    html = render_html(make_content(replace(run, regions=regions, replications=200), Lang.ZH, ()))
    section = html.split("不确定性分析", 1)[1].split("</table>", 1)[0]
    row = re.sub(r"<[^>]+>", " ", section.split("上城区", 1)[1].split("</tr>", 1)[0]).split()
    assert row == [
        "74.4",
        "68.3",
        "–",
        "79.7",
        "1",
        "/",
        "3",
        "1",
        "–",
        "2",
        "0%",
        "25%",
        "75%",
        "0%",
    ]


def test_a_run_without_uncertainty_says_how_to_get_it(content: ReportContent) -> None:
    assert "cityops evaluate --uncertainty N" in render_html(content)


def test_the_english_report_is_in_english(content_en: ReportContent) -> None:
    html = render_html(content_en)
    assert '<html lang="en">' in html
    rows = _district_rows(html)
    assert [row[4] for row in rows] == ["growing", "starting", "preparation"]
    for chinese in ("总体评价", "成长期", "方法说明", "结算情况"):
        assert chinese not in html
    assert "Smart-city long-term operation evaluation report" in html


def test_writing_a_report_leaves_only_the_file(tmp_path: Path, content: ReportContent) -> None:
    path = write_report_bytes(tmp_path / "reports" / "r.html", render_html(content).encode())
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in path.parent.iterdir()] == ["r.html"]
