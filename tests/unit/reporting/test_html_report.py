"""The HTML report shows the run's numbers as the run holds them, safely."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cityops.errors import PipelineError
from cityops.evaluation.engine import evaluate
from cityops.evaluation.framework import load_framework
from cityops.evaluation.model import EvaluationRun
from cityops.evaluation.regions import Region
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.facts import IndicatorFact
from cityops.reporting.html import render_html_report, write_html_report

CITY, SAFE, EVIL = "330100", "330102", "330105"
REGIONS = (
    Region(CITY, "示范市", "city", None, 1_000_000),
    Region(SAFE, "上城区", "district", CITY, 400_000),
    Region(EVIL, "<script>alert(1)</script>区", "district", CITY, 600_000),
)


def _fact(code: str, region: str, value: float) -> IndicatorFact:
    return IndicatorFact(code, region, "2025-03", value, None, None, 1, "duckdb", "h")


FACTS = [
    # data.sharing_rate 0.5 → 0.95 and mechanism.coordination 0 → 100
    _fact("data.sharing_rate", CITY, 0.8),
    _fact("data.sharing_rate", SAFE, 0.9),
    _fact("data.sharing_rate", EVIL, 0.6),
    _fact("mechanism.coordination", CITY, 80.0),
    _fact("mechanism.coordination", SAFE, 60.0),
    _fact("mechanism.coordination", EVIL, 90.0),
]


def _run() -> EvaluationRun:
    return evaluate(FACTS, REGIONS, period="2025-03", created_at=datetime(2025, 4, 1, tzinfo=UTC))


def _html(run: EvaluationRun) -> str:
    return render_html_report(run, FACTS, load_catalogue(), city_name="示范市")


def test_the_report_shows_each_districts_score_and_chinese_stage() -> None:
    run = _run()
    html = _html(run)
    # SAFE: content 100·0.4/0.45 = 88.9, mechanism 60 → (88.9 + 60)/2 = 74.4 成长期
    # EVIL: content 100·0.1/0.45 = 22.2, mechanism 90 → 56.1 起步期
    safe, evil = run.region(SAFE), run.region(EVIL)
    assert f"{safe.score:.1f}" == "74.4"
    assert f"{evil.score:.1f}" == "56.1"
    for text in ("74.4", "56.1", "成长期", "起步期", run.run_id, run.framework_hash, "示范市"):
        assert text in html
    assert "综合得分 Score" in html


def test_a_malicious_region_name_is_escaped() -> None:
    html = _html(_run())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;区" in html


def test_the_report_is_self_contained() -> None:
    html = _html(_run())
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html


def test_a_report_refuses_a_framework_other_than_the_runs() -> None:
    run = _run()
    other = load_framework()
    stale = replace(run, framework_hash="0" * 64)
    with pytest.raises(PipelineError, match="framework"):
        render_html_report(stale, FACTS, load_catalogue(), city_name="x", framework=other)


def test_writing_a_report_leaves_only_the_file(tmp_path: Path) -> None:
    path = write_html_report(tmp_path / "reports" / "r.html", _html(_run()))
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in path.parent.iterdir()] == ["r.html"]
