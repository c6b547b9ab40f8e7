"""evaluate(): weights, missing data, stages, ranks and reproducible run ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cityops.errors import PipelineError
from cityops.evaluation.engine import evaluate
from cityops.evaluation.framework import Framework, FrameworkIndicator
from cityops.evaluation.model import EvaluationRun
from cityops.evaluation.ranking import peer_ranks
from cityops.evaluation.regions import Region
from cityops.indicators.catalogue import Direction, Goalposts, Polarity
from cityops.indicators.facts import IndicatorFact

PERIOD = "2025-03"
CITY, DISTRICT_A, DISTRICT_B, DISTRICT_C = "330100", "330102", "330105", "330106"

REGIONS = (
    Region(CITY, "示范市", "city", None, 1_000_000),
    Region(DISTRICT_A, "上城区", "district", CITY, 400_000),
    Region(DISTRICT_B, "拱墅区", "district", CITY, 500_000),
    Region(DISTRICT_C, "西湖区", "district", CITY, 100_000),
)


def _leaf(
    code: str, direction: Direction, lo: float, hi: float, weight: float = 1.0
) -> FrameworkIndicator:
    polarity = Polarity.HIGHER if hi > lo else Polarity.LOWER
    return FrameworkIndicator(code, direction, weight, polarity, Goalposts(lo=lo, hi=hi))


FRAMEWORK = Framework(
    "test",
    1,
    dict.fromkeys(Direction, 0.25),
    (
        _leaf("c.share", Direction.CONTENT, 0.0, 1.0, weight=3.0),
        _leaf("c.other", Direction.CONTENT, 0.0, 1.0),
        _leaf("m.score", Direction.MECHANISM, 0.0, 100.0),
        _leaf("k.latency", Direction.CAPABILITY, 100.0, 10.0),
        _leaf("e.rate", Direction.EFFECTIVENESS, 0.2, 0.8),
    ),
)


def facts_for(values: Mapping[tuple[str, str], float | None]) -> list[IndicatorFact]:
    """Facts keyed by (indicator, region); numerator and denominator do not matter here."""
    return [
        IndicatorFact(code, region, PERIOD, value, None, None, 1, "duckdb", "h")
        for (code, region), value in values.items()
    ]


FACTS = facts_for(
    {
        ("c.share", CITY): 0.8,
        ("c.other", CITY): 0.4,
        ("m.score", CITY): 40.0,
        ("k.latency", CITY): 55.0,
        ("e.rate", CITY): 0.5,
        ("c.share", DISTRICT_A): 0.8,  # c.other missing
        ("m.score", DISTRICT_A): 40.0,
        ("k.latency", DISTRICT_A): 55.0,
        ("e.rate", DISTRICT_A): None,  # missing: the effectiveness direction is empty
        ("c.share", DISTRICT_B): 1.0,
        ("m.score", DISTRICT_B): 100.0,
        ("k.latency", DISTRICT_B): 10.0,
        ("e.rate", DISTRICT_B): 0.8,
    }
)


def _run(facts: list = FACTS, **kwargs: object) -> EvaluationRun:  # type: ignore[type-arg]
    return evaluate(facts, REGIONS, period=PERIOD, framework=FRAMEWORK, **kwargs)  # type: ignore[arg-type]


def test_direction_and_total_scores_are_weighted_means() -> None:
    city = _run().region(CITY)
    # content: c.share 80 (weight 3), c.other 40 (weight 1) → (240 + 40)/4 = 70
    # mechanism 40; capability latency 55 on 100 → 10: 100·(55 − 100)/(10 − 100) = 50
    # effectiveness 0.5 on 0.2 → 0.8: 100·0.3/0.6 = 50; total (70 + 40 + 50 + 50)/4 = 52.5
    assert city.directions == pytest.approx(
        {"content": 70.0, "mechanism": 40.0, "capability": 50.0, "effectiveness": 50.0}
    )
    assert city.score == pytest.approx(52.5)
    assert (city.stage, city.stage_zh) == ("preparation", "准备期")
    assert city.coverage == 1.0


def test_a_missing_indicator_and_an_empty_direction_are_renormalised_away() -> None:
    district = _run().region(DISTRICT_A)
    # content: only c.share present → 80 (not (3·80 + 0)/4 = 60)
    # effectiveness has nothing → missing; total (80 + 40 + 50)/3 = 56.67 → 起步期
    assert district.directions["content"] == pytest.approx(80.0)
    assert district.directions["effectiveness"] is None
    assert district.score == pytest.approx(170 / 3)
    assert district.stage_zh == "起步期"
    assert district.coverage == pytest.approx(3 / 5)
    assert district.indicators["c.other"] is None


def test_a_region_without_any_fact_has_no_score_and_no_rank() -> None:
    district = _run().region(DISTRICT_C)
    assert (district.score, district.stage, district.rank) == (None, None, None)
    assert district.coverage == 0.0


def test_districts_are_ranked_among_their_peers() -> None:
    run = _run()
    # B: content 100, mechanism 100, capability 100, effectiveness 100 → 100, rank 1
    # A: 56.67, rank 2; C has no score; the city is alone at its level
    assert run.region(DISTRICT_B).score == pytest.approx(100.0)
    assert [run.region(c).rank for c in (DISTRICT_B, DISTRICT_A, DISTRICT_C)] == [1, 2, None]
    assert run.region(DISTRICT_A).peers == 2
    assert (run.region(CITY).rank, run.region(CITY).peers) == (1, 1)


def test_strengths_and_weaknesses_are_the_best_and_worst_indicators() -> None:
    city = _run().region(CITY)
    # scores: c.share 80, c.other 40, m.score 40, k.latency 50, e.rate 50
    assert city.strengths == ("c.share", "e.rate", "k.latency")
    assert city.weaknesses == ("c.other", "m.score", "e.rate")


def test_ties_share_the_lowest_rank_and_float_noise_does_not_split_them() -> None:
    parents = ["p", "p", "p", "p", "q", "p"]
    scores = [80.0, 90.0, 80.0, None, 10.0, 0.1 + 0.2]
    ranks, peers = peer_ranks(parents, [*scores[:5], 0.3])
    assert ranks == [2, 1, 2, None, 1, 4]
    assert peers == [4, 4, 4, 4, 1, 4]
    assert peer_ranks(["p", "p"], [scores[5], 0.3])[0] == [1, 1]


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
    leaf = FrameworkIndicator(
        "m.score", Direction.MECHANISM, 1.0, Polarity.HIGHER, Goalposts(lo=0, hi=100)
    )
    framework = replace(FRAMEWORK, indicators=(leaf,))
    run = evaluate(
        facts_for({("m.score", CITY): value}), REGIONS, period=PERIOD, framework=framework
    )
    assert run.region(CITY).score == pytest.approx(value)
    assert run.region(CITY).stage_zh == stage


def test_re_running_gives_the_same_run_id_and_numbers() -> None:
    first = _run(created_at=datetime(2025, 4, 1, tzinfo=UTC))
    second = _run(list(reversed(FACTS)), created_at=datetime(2025, 4, 2, tzinfo=UTC))
    assert first.run_id == second.run_id
    assert first.regions == second.regions
    assert first.created_at != second.created_at


def test_changing_a_fact_changes_the_run_id() -> None:
    changed = [replace(FACTS[0], value=0.9), *FACTS[1:]]
    assert _run(changed).run_id != _run().run_id


def test_facts_of_another_period_are_refused() -> None:
    with pytest.raises(PipelineError, match="2025-02"):
        _run([replace(FACTS[0], period="2025-02")])
