"""evaluate(): the tree, missing data, coverage, stages, ranks, change and run ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from cityops.domain.period import Period
from cityops.errors import PipelineError
from cityops.evaluation.engine import evaluate
from cityops.evaluation.framework import Framework, parse_framework, resolve_framework
from cityops.evaluation.model import EvaluationRun
from cityops.evaluation.ranking import peer_ranks
from cityops.evaluation.regions import Region
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.facts import IndicatorFact
from cityops.types import IndicatorCode, RegionCode

PERIOD = Period(2025, 3)
CITY, DISTRICT_A, DISTRICT_B, DISTRICT_C = (
    RegionCode("330100"),
    RegionCode("330102"),
    RegionCode("330105"),
    RegionCode("330106"),
)
SHARE, OPEN, MECH, LOSS, MAU = (
    "data.sharing_rate",
    "data.open_rate",
    "mechanism.coordination",
    "capability.packet_loss_pct",
    "effect.mau_rate",
)

REGIONS = (
    Region(CITY, "示范市", "city", None, 1_000_000),
    Region(DISTRICT_A, "上城区", "district", CITY, 400_000),
    Region(DISTRICT_B, "拱墅区", "district", CITY, 500_000),
    Region(DISTRICT_C, "西湖区", "district", CITY, 100_000),
)

FRAMEWORK_YAML = """
name: test
version: 1
coverage_threshold: %(threshold)s
defaults: {imputation: %(imputation)s}
directions:
  - code: content
    contents:
      - name: 数据资源
        weighting: {method: expert}
        indicators:
          - {code: data.sharing_rate, weight: 3, goalposts: {lo: 0, hi: 1}}
          - {code: data.open_rate, goalposts: {lo: 0, hi: 1}}
  - code: mechanism
    contents: [{name: 统筹管理机制, indicators: [{code: mechanism.coordination}]}]
  - code: capability
    contents:
      - name: 可靠性
        indicators: [{code: capability.packet_loss_pct, goalposts: {lo: 100, hi: 10}}]
  - code: effectiveness
    contents:
      - name: 用户活跃度
        indicators: [{code: effect.mau_rate, goalposts: {lo: 0.2, hi: 0.8}}]
"""


def framework(threshold: float = 0.0, imputation: str = "renormalise") -> Framework:
    text = FRAMEWORK_YAML % {"threshold": threshold, "imputation": imputation}
    return resolve_framework(parse_framework(text, "test.yaml"), load_catalogue())


def facts_for(values: Mapping[tuple[str, str], float | None]) -> list[IndicatorFact]:
    """Facts keyed by (indicator, region); numerator and denominator do not matter here."""
    return [
        IndicatorFact(
            IndicatorCode(code), RegionCode(region), PERIOD, value, None, None, 1, "duckdb", "h"
        )
        for (code, region), value in values.items()
    ]


FACTS = facts_for(
    {
        (SHARE, CITY): 0.8,
        (OPEN, CITY): 0.4,
        (MECH, CITY): 40.0,
        (LOSS, CITY): 55.0,
        (MAU, CITY): 0.5,
        (SHARE, DISTRICT_A): 0.8,  # data.open_rate missing
        (MECH, DISTRICT_A): 40.0,
        (LOSS, DISTRICT_A): 55.0,
        (MAU, DISTRICT_A): None,  # missing: the effectiveness direction is empty
        (SHARE, DISTRICT_B): 1.0,
        (OPEN, DISTRICT_B): 1.0,
        (MECH, DISTRICT_B): 100.0,
        (LOSS, DISTRICT_B): 10.0,
        (MAU, DISTRICT_B): 0.8,
    }
)


def _run(facts: list[IndicatorFact] = FACTS, **kwargs: Any) -> EvaluationRun:
    kwargs.setdefault("framework", framework())
    return evaluate(facts, REGIONS, period=PERIOD, **kwargs)


def test_direction_and_total_scores_are_weighted_means_up_the_tree() -> None:
    city = _run().region(CITY)
    # content: sharing 80 (weight 3), open 40 (weight 1) → (240 + 40)/4 = 70
    # mechanism 40; capability loss 55 on 100 → 10: 100·(55 − 100)/(10 − 100) = 50
    # effectiveness 0.5 on 0.2 → 0.8: 100·0.3/0.6 = 50; total (70 + 40 + 50 + 50)/4 = 52.5
    assert city.directions == pytest.approx(
        {"content": 70.0, "mechanism": 40.0, "capability": 50.0, "effectiveness": 50.0}
    )
    assert city.contents["content/数据资源"] == pytest.approx(70.0)
    assert city.score == pytest.approx(52.5)
    assert (city.stage, city.stage_zh) == ("preparation", "准备期")
    assert city.coverage == 1.0


def test_a_missing_indicator_and_an_empty_direction_are_renormalised_away() -> None:
    district = _run().region(DISTRICT_A)
    # content: only sharing present → 80; effectiveness missing; (80 + 40 + 50)/3 → 起步期
    assert district.directions["content"] == pytest.approx(80.0)
    assert district.directions["effectiveness"] is None
    assert district.score == pytest.approx(170 / 3)
    assert district.stage_zh == "起步期"
    assert district.coverage == pytest.approx(3 / 5)
    assert district.imputed == ()


def test_mean_imputation_fills_a_gap_from_the_peers_and_is_reported() -> None:
    run = _run(framework=framework(imputation="mean"))
    district = run.region(DISTRICT_A)
    # open_rate of A ← the mean of its district peers that have it: only B, 100;
    # mau_rate ← B's 100 too; content (3·80 + 100)/4 = 85; total (85 + 40 + 50 + 100)/4
    assert district.imputed == (OPEN, MAU)
    assert district.directions["content"] == pytest.approx(85.0)
    assert district.score == pytest.approx(275 / 4)
    # 2 imputed of 3 scored regions × 5 measured indicators (C has none: not scored)
    assert run.imputed_share == pytest.approx(2 / 15)


def test_a_region_below_the_coverage_threshold_is_not_scored() -> None:
    run = _run(framework=framework(threshold=0.7))
    district = run.region(DISTRICT_A)  # 3 of 5 measured indicators = 0.6 < 0.7
    assert (district.score, district.stage, district.rank) == (None, None, None)
    assert district.directions["content"] is None
    assert run.region(DISTRICT_B).rank == 1
    assert run.region(DISTRICT_B).peers == 1


def test_a_region_without_any_fact_has_no_score_and_no_rank() -> None:
    district = _run().region(DISTRICT_C)
    assert (district.score, district.stage, district.rank) == (None, None, None)
    assert district.coverage == 0.0


def test_districts_are_ranked_among_their_peers() -> None:
    run = _run()
    assert run.region(DISTRICT_B).score == pytest.approx(100.0)
    assert [run.region(c).rank for c in (DISTRICT_B, DISTRICT_A, DISTRICT_C)] == [1, 2, None]
    assert run.region(DISTRICT_A).peers == 2
    assert (run.region(CITY).rank, run.region(CITY).peers) == (1, 1)


def test_strengths_and_weaknesses_are_the_best_and_worst_indicators() -> None:
    city = _run().region(CITY)
    # scores: sharing 80, open 40, mechanism 40, loss 50, mau 50 (ties in code order)
    assert city.strengths == (SHARE, LOSS, MAU)
    assert city.weaknesses == (OPEN, MECH, LOSS)


def test_change_is_measured_against_the_previous_periods_run() -> None:
    before = evaluate(
        [replace(f, period=Period(2025, 2)) for f in FACTS if f.indicator != MECH],
        REGIONS,
        period=Period(2025, 2),
        framework=framework(),
    )
    now = _run(previous=before)
    # city in February without mechanism: (70 + 50 + 50)/3; in March 52.5
    assert now.region(CITY).change == pytest.approx(52.5 - 170 / 3)
    assert now.previous_run_id == before.run_id
    assert now.run_id != _run().run_id
    assert _run().region(CITY).change is None


def test_ties_share_the_lowest_rank_and_float_noise_does_not_split_them() -> None:
    parents = ["p", "p", "p", "p", "q", "p"]
    ranks, peers = peer_ranks(parents, [80.0, 90.0, 80.0, None, 10.0, 0.3])
    assert ranks == [2, 1, 2, None, 1, 4]
    assert peers == [4, 4, 4, 4, 1, 4]
    assert peer_ranks(["p", "p"], [0.1 + 0.2, 0.3])[0] == [1, 1]


@pytest.mark.parametrize(
    ("value", "stage"),
    [
        (54.99, "准备期"),
        (55.0, "起步期"),
        (69.99, "起步期"),
        (70.0, "成长期"),
        (84.99, "成长期"),
        (85.0, "成熟期"),
    ],
)
def test_stage_boundaries_are_inclusive_at_the_lower_end(value: float, stage: str) -> None:
    # only mechanism.coordination (goalposts 0 → 100) is measured: the score is the value
    run = _run(facts_for({(MECH, CITY): value}))
    assert run.region(CITY).score == pytest.approx(value)
    assert run.region(CITY).stage_zh == stage


def test_re_running_gives_the_same_run_id_and_numbers() -> None:
    first = _run(created_at=datetime(2025, 4, 1, tzinfo=UTC))
    second = _run(list(reversed(FACTS)), created_at=datetime(2025, 4, 2, tzinfo=UTC))
    assert first.run_id == second.run_id
    assert first.regions == second.regions
    assert first.created_at != second.created_at


def test_uncertainty_runs_are_reproducible_and_change_the_run_id() -> None:
    first, second = _run(replications=64), _run(replications=64)
    assert first.regions == second.regions
    assert first.run_id != _run().run_id
    spread = first.region(DISTRICT_A).uncertainty
    assert spread is not None
    assert sum(spread.stage_probability.values()) == pytest.approx(1.0)
    assert 1 <= spread.rank_best <= spread.rank_worst <= 2
    assert spread.score_low <= spread.score_median <= spread.score_high
    assert first.region(DISTRICT_C).uncertainty is None


def test_changing_a_fact_changes_the_run_id() -> None:
    changed = [replace(FACTS[0], value=0.9), *FACTS[1:]]
    assert _run(changed).run_id != _run().run_id


def test_facts_of_another_period_are_refused() -> None:
    with pytest.raises(PipelineError, match="2025-02"):
        _run([replace(FACTS[0], period=Period(2025, 2))])
