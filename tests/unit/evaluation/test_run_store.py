"""Runs saved as immutable JSON files, and the previous period's run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cityops.domain.period import Period
from cityops.errors import PipelineError
from cityops.evaluation.engine import evaluate
from cityops.evaluation.model import EvaluationRun
from cityops.evaluation.regions import Region
from cityops.evaluation.store import latest_run, load_run, previous_run, save_run
from cityops.indicators.facts import IndicatorFact
from cityops.types import IndicatorCode, RegionCode

REGIONS = (
    Region(RegionCode("330100"), "示范市", "city", None, 1_000_000),
    Region(RegionCode("330102"), "上城区", "district", RegionCode("330100"), 400_000),
    Region(RegionCode("330105"), "拱墅区", "district", RegionCode("330100"), 600_000),
)


MARCH = Period(2025, 3)
SHARING = IndicatorCode("data.sharing_rate")


def _run(value: float = 0.6, day: int = 1, period: Period = MARCH, **kw: int) -> EvaluationRun:
    facts = [
        IndicatorFact(SHARING, RegionCode("330102"), period, value, 6, 10, 10, "duckdb", "h"),
        IndicatorFact(SHARING, RegionCode("330105"), period, 0.9, 9, 10, 10, "duckdb", "h"),
        IndicatorFact(SHARING, RegionCode("330100"), period, 0.5, 5, 10, 10, "duckdb", "h"),
    ]
    moment = datetime(2025, 4, day, tzinfo=UTC)
    return evaluate(facts, REGIONS, period=period, created_at=moment, **kw)  # type: ignore[arg-type]


def test_a_saved_run_loads_back_equal(tmp_path: Path) -> None:
    run = _run(replications=32)
    path = save_run(tmp_path, run)
    assert path == tmp_path / f"{run.run_id}.json"
    assert load_run(path) == run
    # data.sharing_rate 0.6 on 0.5 → 0.95: 100·0.1/0.45 = 22.2; the only content value
    assert run.region("330102").directions["content"] == pytest.approx(100 * 0.1 / 0.45)


def test_saving_the_same_run_again_keeps_the_first_file(tmp_path: Path) -> None:
    first = _run(day=1)
    save_run(tmp_path, first)
    save_run(tmp_path, _run(day=2))  # same inputs, later: the same run
    assert load_run(tmp_path / f"{first.run_id}.json").created_at == first.created_at


def test_a_run_id_can_never_mean_two_different_results(tmp_path: Path) -> None:
    run = _run()
    save_run(tmp_path, run)
    tampered = replace(run, regions=(replace(run.regions[0], score=99.0), *run.regions[1:]))
    with pytest.raises(PipelineError, match="different results"):
        save_run(tmp_path, tampered)


def test_latest_run_is_the_most_recently_created(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="cityops evaluate"):
        latest_run(tmp_path)
    older, newer = _run(0.6, day=1), _run(0.7, day=2)
    save_run(tmp_path, newer)
    save_run(tmp_path, older)
    assert latest_run(tmp_path).run_id == newer.run_id


def test_the_previous_run_is_last_months_with_the_same_framework(tmp_path: Path) -> None:
    assert previous_run(tmp_path, Period(2025, 3), "any") is None
    february = _run(period=Period(2025, 2))
    save_run(tmp_path, february)
    save_run(tmp_path, _run(period=Period(2025, 3)))
    assert previous_run(tmp_path, Period(2025, 3), february.framework_hash) == february
    assert previous_run(tmp_path, Period(2025, 3), "another framework") is None
    assert previous_run(tmp_path, Period(2025, 5), february.framework_hash) is None


# A run file as cityops 0.1.0 wrote it before the full evaluation engine (run format 1):
# no run_format field, and regions without contents, imputation or uncertainty.
FORMAT_1_RUN = """{"run_id": "16cc01fc99442e6b", "period": "2025-03", "framework_name":
"cityops-default", "framework_hash": "d5", "facts_hash": "d7", "regions_hash": "02",
"code_version": "0.1.0", "created_at": "2026-11-22T03:54:47+00:00", "regions": [{"region_code":
"330100", "level": "city", "parent_code": null, "name": "示范市", "score": 53.5, "stage":
"preparation", "stage_zh": "准备期", "rank": null, "peers": 1, "coverage": 0.97, "directions": {},
"indicators": {}, "strengths": [], "weaknesses": []}]}"""


def test_a_run_of_an_older_format_is_named_and_passed_over(tmp_path: Path) -> None:
    old = tmp_path / "16cc01fc99442e6b.json"
    old.write_text(FORMAT_1_RUN, encoding="utf-8")
    with pytest.raises(PipelineError, match=r"run format 1 .*cityops 0\.1\.0.*evaluate the period"):
        load_run(old)
    with pytest.raises(PipelineError, match="no evaluation runs"):
        latest_run(tmp_path)
    current = _run(period=Period(2025, 4))
    save_run(tmp_path, current)
    assert latest_run(tmp_path).run_id == current.run_id
    assert previous_run(tmp_path, Period(2025, 4), current.framework_hash) is None
