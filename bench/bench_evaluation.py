"""How fast the evaluation's Monte Carlo runs: 1,000 replications for the ten
districts of a city (plus the city), against a same-run baseline.

Run with ``make bench``.  The facts are synthesised here (every catalogue
indicator, values spread around its goalposts, a few missing), so the bench
needs no workspace.  The measured call is ``evaluate(..., replications=1000)``:
the leaf-score bank, 1,000 replications scored as one replications × regions ×
indicators array, and the Sobol design (N · (d + 2) = 1,536 more model runs).

Baselines, same run:
- one deterministic evaluation (``replications=0``);
- a straightforward per-replication implementation — for each replication a
  Python loop over nodes, regions and indicators with scalar arithmetic — timed
  over ``LOOP_REPLICATIONS`` replications and extrapolated to 1,000.
"""

from __future__ import annotations

import json
import time

import numpy as np
from pytest_benchmark.fixture import BenchmarkFixture

from cityops.domain.period import Period
from cityops.evaluation.engine import evaluate, prepare_inputs
from cityops.evaluation.framework import Framework, load_framework
from cityops.evaluation.normalisation import FloatArray
from cityops.evaluation.regions import Region
from cityops.evaluation.scoring import Inputs, leaf_scores
from cityops.evaluation.weights import perturbed_weights
from cityops.indicators.facts import IndicatorFact
from cityops.types import RegionCode

REPLICATIONS = 1_000
DISTRICTS = 10
LOOP_REPLICATIONS = 20
PERIOD = Period(2025, 1)


def _city() -> tuple[list[Region], list[IndicatorFact]]:
    """A city of ten districts; each indicator's value is uniform over its goalposts,
    widened by a fifth on both sides, with 5 % of the values missing."""
    rng = np.random.default_rng(11)
    city = RegionCode("990100")
    regions = [Region(city, "基准市", "city", None, 5_000_000)] + [
        Region(RegionCode(f"9901{d:02d}"), f"区{d}", "district", city, 500_000)
        for d in range(1, DISTRICTS + 1)
    ]
    facts = []
    for leaf in load_framework().indicators:
        for region in regions:
            lo, hi = leaf.goalposts.resolve(region.resident_population)
            low, high = min(lo, hi), max(lo, hi)
            value = float(rng.uniform(low - (high - low) / 5, high + (high - low) / 5))
            missing = rng.random() < 0.05
            facts.append(
                IndicatorFact(
                    leaf.code,
                    region.region_code,
                    PERIOD,
                    None if missing else max(value, 0.0),
                    None,
                    None,
                    1,
                    "bench",
                    "h",
                )
            )
    return regions, facts


def _loop_replication(
    leaves: FloatArray,
    framework: Framework,
    rng: np.random.Generator,
) -> list[float]:
    """One replication the straightforward way: Python loops and scalar arithmetic."""
    column: dict[str, int] = {leaf.code: j for j, leaf in enumerate(framework.indicators)}
    scores: dict[str, list[float]] = {}
    for node in framework.nodes:
        nominal = np.array(node.static_weights or [1.0] * len(node.children))
        noise = framework.uncertainty.weight_noise
        weights = perturbed_weights(
            nominal, rng.uniform(1 - noise, 1 + noise, (1, len(node.children)))
        )[0]
        node_scores = []
        for region in range(leaves.shape[0]):
            total = weight_sum = 0.0
            for k, child in enumerate(node.children):
                value = (
                    float(leaves[region, column[child]])
                    if child in column
                    else scores[child][region]
                )
                if value == value:  # not NaN
                    total += float(weights[k]) * value
                    weight_sum += float(weights[k])
            node_scores.append(total / weight_sum if weight_sum else float("nan"))
        scores[node.path] = node_scores
    return scores[""]


def test_monte_carlo_of_a_city_against_a_loop_baseline(benchmark: BenchmarkFixture) -> None:
    regions, facts = _city()
    framework = load_framework()

    durations: list[float] = []

    def run() -> object:
        started = time.perf_counter()
        done = evaluate(facts, regions, period=PERIOD, framework=framework,
                        replications=REPLICATIONS)  # fmt: skip
        durations.append(time.perf_counter() - started)
        return done

    evaluate(facts, regions, period=PERIOD, framework=framework, replications=8)  # warm-up
    result = benchmark.pedantic(run, rounds=5, iterations=1)  # type: ignore[no-untyped-call]
    vectorised = float(np.median(durations))

    started = time.perf_counter()
    evaluate(facts, regions, period=PERIOD, framework=framework)
    deterministic = time.perf_counter() - started

    rng = np.random.default_rng(1)
    inputs: Inputs = prepare_inputs(facts, regions, framework)[0]
    started = time.perf_counter()
    for _ in range(LOOP_REPLICATIONS):
        leaves = leaf_scores(inputs, framework)[0]
        _loop_replication(leaves, framework, rng)
    loop_per_replication = (time.perf_counter() - started) / LOOP_REPLICATIONS

    info = {
        "regions": len(regions),
        "indicators": len(framework.indicators),
        "replications": REPLICATIONS,
        "vectorised_seconds_median": round(vectorised, 3),
        "deterministic_seconds": round(deterministic, 4),
        "loop_seconds_per_replication": round(loop_per_replication, 4),
        "loop_seconds_extrapolated": round(loop_per_replication * REPLICATIONS, 1),
        "speedup_over_loop": round(loop_per_replication * REPLICATIONS / vectorised, 1),
    }
    benchmark.extra_info.update(info)
    print(f"\nevaluation Monte Carlo: {json.dumps(info)}")
    spreads = [r.uncertainty for r in result.regions if r.level == "district"]
    assert all(s is not None for s in spreads)  # timings are reported, never asserted
