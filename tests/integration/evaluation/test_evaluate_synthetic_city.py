"""`cityops evaluate` on the synthetic city: the strong district wins, with intervals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cityops.demo import DemoResult, run_demo
from cityops.domain.period import Period

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    root = tmp_path_factory.mktemp("evaluation") / "ws"
    return run_demo(root, scale="tiny", months=2, start=Period(2025, 1))


def _evaluate(demo: DemoResult, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "cityops", "evaluate", "-w", str(demo.workspace.root), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_uncertainty_run_ranks_the_strong_district_above_the_weak_one(
    demo: DemoResult,
) -> None:
    result = _evaluate(demo, "--period", "2025-02", "--uncertainty", "300", "--json")
    truth = json.loads((demo.sources / "truth.json").read_text("utf-8"))
    regions = {r["region_code"]: r for r in result["regions"]}
    strong, weak = regions[truth["strong_district"]], regions[truth["weak_district"]]
    assert strong["rank"] < weak["rank"]
    for region in (strong, weak):
        best, worst = region["rank_interval"]
        assert 1 <= best <= region["rank"] <= worst <= 3
        assert sum(region["stage_probability"].values()) == pytest.approx(1.0)
        assert set(region["directions"]) == {"content", "mechanism", "capability", "effectiveness"}
        assert set(region["sobol_total"]) == {
            "weights",
            "normalisation",
            "aggregation",
            "imputation",
        }
    assert strong["score_interval"][0] > weak["score_interval"][0]


def test_the_second_month_is_compared_with_the_first(demo: DemoResult) -> None:
    first, second = demo.runs
    assert second.previous_run_id == first.run_id
    for region in second.regions:
        before = first.region(region.region_code).score
        if region.score is not None and before is not None:
            assert region.change == pytest.approx(region.score - before)


def test_re_evaluating_gives_the_same_run(demo: DemoResult) -> None:
    once = _evaluate(demo, "--period", "2025-01", "--json")
    again = _evaluate(demo, "--period", "2025-01", "--json")
    assert once["run_id"] == again["run_id"] == demo.runs[0].run_id
    assert once["regions"] == again["regions"]
    assert "stage_probability" not in once["regions"][0]


def test_a_city_framework_file_is_used_and_named_in_the_run(
    demo: DemoResult, tmp_path: Path
) -> None:
    shipped = Path(__file__).parents[3] / "src" / "cityops" / "evaluation" / "framework.yaml"
    text = shipped.read_text("utf-8").replace(
        "weighting:\n  method: expert", "weighting:\n  method: equal"
    )
    own = tmp_path / "framework.yaml"
    own.write_text(text, encoding="utf-8")
    result = _evaluate(demo, "--period", "2025-01", "--framework", str(own), "--json")
    assert result["framework_hash"] != demo.runs[0].framework_hash


def test_a_direction_the_city_adds_to_its_framework_file_is_scored_and_reported(
    demo: DemoResult, tmp_path: Path
) -> None:
    shipped = Path(__file__).parents[3] / "src" / "cityops" / "evaluation" / "framework.yaml"
    security = """      - name: 安全保障
        name_en: Security
        indicators:
          - code: security.leak_incidents  # 失泄密事件数量
"""
    text = shipped.read_text("utf-8")
    assert security in text
    own = tmp_path / "framework.yaml"
    own.write_text(
        text.replace(security, "")
        + "  - code: security\n    name_zh: 运营安全\n    name_en: Operation security\n"
        + "    contents:\n"
        + security,
        encoding="utf-8",
    )
    result = _evaluate(demo, "--period", "2025-01", "--framework", str(own), "--json")
    saved = json.loads(Path(result["path"]).read_text("utf-8"))
    for printed, stored in zip(result["regions"], saved["regions"], strict=True):
        assert list(printed["directions"])[-1] == "security"
        if stored["score"] is not None:
            leaks = stored["indicators"]["security.leak_incidents"]
            assert printed["directions"]["security"] == pytest.approx(leaks)
    report = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "cityops", "report", "-w", str(demo.workspace.root),
         "--run", result["run_id"], "--framework", str(own), "--lang", "en", "--out", str(report)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Operation security" in report.read_text("utf-8")
