"""What a report says, checked against the sample city's hand-worked numbers
(conftest.py) and the default framework's weights."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cityops.errors import PipelineError
from cityops.evaluation.framework import load_framework
from cityops.evaluation.model import EvaluationRun
from cityops.indicators.catalogue import load_catalogue
from cityops.messages import Lang
from cityops.reporting.content import build_report_content
from cityops.reporting.model import ReportContent


def test_the_summary_is_the_city_and_the_districts_come_in_rank_order(
    content: ReportContent,
) -> None:
    assert (content.summary.name, round(content.summary.score or 0, 2)) == ("示范市", 73.33)
    assert content.summary.stage is not None
    assert content.summary.stage.text == "成长期"
    rows = [(d.rank, d.name, round(d.score or 0, 2), d.stage_code) for d in content.districts]
    assert rows == [
        (1, "上城区", 74.44, "growing"),
        (2, "<script>alert(1)</script>区", 56.11, "starting"),
        (3, "=1+2", 20.0, "preparation"),
    ]


def test_the_stage_table_counts_the_districts_in_each_stage(content: ReportContent) -> None:
    assert [(s.name.text, s.lower, s.upper, s.districts, s.current) for s in content.stages] == [
        ("准备期", 0.0, 55.0, 1, False),
        ("起步期", 55.0, 70.0, 1, False),
        ("成长期", 70.0, 85.0, 1, True),
        ("成熟期", 85.0, None, 0, False),
    ]


def test_the_directions_carry_the_frameworks_weights_and_the_citys_scores(
    content: ReportContent,
) -> None:
    rows = [(d.code, d.weight, d.score) for d in content.directions]
    assert [(code, weight) for code, weight, _ in rows] == [
        ("content", 0.2),
        ("mechanism", 0.2),
        ("capability", 0.3),
        ("effectiveness", 0.3),
    ]
    scores = [score for _, _, score in rows]
    assert scores[0] == pytest.approx(100 * 0.3 / 0.45)
    assert scores[1] == pytest.approx(80.0)
    assert scores[2:] == [None, None]


def test_the_appendix_multiplies_the_weights_down_the_tree(content: ReportContent) -> None:
    methods = {m.code: m for m in content.methodology.indicators}
    # content 0.2 × 数据资源 (1 of 5 contents) 0.2 × (1 of 4 indicators) 0.25
    assert methods["data.sharing_rate"].weight_in_total == pytest.approx(0.01)
    assert methods["data.sharing_rate"].weight_in_content == pytest.approx(0.25)
    # mechanism 0.2 × 统筹管理机制 (1 of 5) 0.2 × 1
    assert methods["mechanism.coordination"].weight_in_total == pytest.approx(0.04)
    # effectiveness 0.3 × 用户满意度 (1 of 5) 0.2 × (1 of 4) 0.25
    assert methods["effect.rating_good_rate"].weight_in_total == pytest.approx(0.015)
    assert sum(m.weight_in_total for m in methods.values()) == pytest.approx(1.0)
    assert methods["data.sharing_rate"].normalisation.text == "目标值法"
    root = content.methodology.nodes[0]
    assert root.weighting.text == "专家赋权"
    assert [weight for _, weight in root.children] == [0.2, 0.2, 0.3, 0.3]


def test_the_facts_keep_value_numerator_and_the_runs_score_for_every_region(
    content: ReportContent,
) -> None:
    rows = {(f.indicator, f.region_code): f for f in content.facts}
    assert len(rows) == 8
    safe = rows[("data.sharing_rate", "330102")]
    assert (safe.value, safe.numerator, safe.denominator) == (0.9, 36.0, None)
    assert safe.score == pytest.approx(100 * 0.4 / 0.45)
    assert safe.indicator_name == "数据共享率"


def test_an_indicator_without_facts_is_marked_not_computed(content: ReportContent) -> None:
    figures = {f.code: f for section in content.sections for f in section.figures}
    assert figures["data.sharing_rate"].computed
    assert figures["data.sharing_rate"].svg.startswith("<svg")
    assert not figures["effect.mau_rate"].computed
    assert figures["effect.mau_rate"].svg == ""
    assert len(figures) == len(load_framework().indicators)


def test_the_english_report_names_everything_in_english(content_en: ReportContent) -> None:
    assert content_en.summary.stage is not None
    assert (content_en.summary.stage.text, content_en.summary.stage.sub) == ("growing", "")
    assert content_en.directions[0].name.text == "Operation content"
    assert content_en.statements[0].status.text == "draft"


def test_contents_are_named_in_the_reports_language(
    content: ReportContent, content_en: ReportContent
) -> None:
    for report, name in ((content, "数据资源"), (content_en, "Data resources")):
        figures = {f.code: f for section in report.sections for f in section.figures}
        nodes = {node.path: node.name for node in report.methodology.nodes}
        assert figures["data.sharing_rate"].content == name
        assert nodes["content/数据资源"] == name


def test_the_statement_summary_keeps_the_amounts_exact(content: ReportContent) -> None:
    (row,) = content.statements
    statement = row.statement
    assert str(statement.total_payable) == "255000.00"
    assert str(statement.base_amount) == "300000.00"
    assert (row.status.text, statement.complete) == ("草稿", True)
    assert [line.clause_id for line in statement.lines] == ["K1", "K2", "K3", "K4", "K5"]


def test_a_report_refuses_a_framework_other_than_the_runs(run: EvaluationRun) -> None:
    stale = replace(run, framework_hash="0" * 64)
    catalogue = load_catalogue()
    with pytest.raises(PipelineError, match="framework"):
        build_report_content(
            stale,
            [],
            catalogue,
            load_framework(catalogue=catalogue),
            city_name="x",
            report_date=date(2025, 4, 3),
            lang=Lang.ZH,
        )
