"""Normalisation methods, each worked by hand on small columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.evaluation.normalisation import (
    Normalisation,
    goalpost_bounds,
    goalpost_scores,
    normalise,
)
from cityops.indicators.catalogue import Goalposts, ScaledGoalpost


def _scores(method: Normalisation, values: list[float], *, higher: bool = True,
            lo: float = 0.0, hi: float = 1.0, target: float = 1.0) -> list[float]:  # fmt: skip
    array = np.array(values, dtype=np.float64)
    return list(
        normalise(
            method,
            array,
            higher=higher,
            lo=np.full_like(array, lo),
            hi=np.full_like(array, hi),
            target=np.full_like(array, target),
        )
    )


def test_goalposts_map_lo_to_0_and_hi_to_100_with_clipping() -> None:
    # lo 0.3, hi 0.9: 0.6 → 100·0.3/0.6 = 50; 0.95 above hi → 100; 0.1 below lo → 0
    scores = _scores(Normalisation.GOALPOSTS, [0.3, 0.6, 0.9, 0.95, 0.1], lo=0.3, hi=0.9)
    assert scores == pytest.approx([0, 50, 100, 100, 0])


def test_lower_is_better_goalposts_use_lo_as_the_bad_end() -> None:
    # latency lo 100 ms → hi 10 ms: 55 → 100·(55 − 100)/(10 − 100) = 50; 5 → 100; 120 → 0
    scores = _scores(Normalisation.GOALPOSTS, [55.0, 5.0, 120.0, 100.0], lo=100, hi=10)
    assert scores == pytest.approx([50, 100, 0, 0])


def test_missing_values_and_coinciding_goalposts_give_missing_scores() -> None:
    assert np.isnan(_scores(Normalisation.GOALPOSTS, [np.nan], lo=0.3, hi=0.9)[0])
    assert np.isnan(_scores(Normalisation.GOALPOSTS, [5.0], lo=0.0, hi=0.0)[0])


def test_population_scaled_goalpost_is_computed_per_region_and_capped() -> None:
    goalposts = Goalposts(lo=0, hi=ScaledGoalpost(per_million_residents=300, at_most=1500))
    lo, hi = goalpost_bounds(goalposts, np.array([600_000.0, 10_000_000.0]))
    # 300 × 0.6 = 180; 300 × 10 = 3,000 capped at 1,500
    assert list(hi) == [180.0, 1500.0]
    assert list(goalpost_scores(np.array([90.0, 90.0]), lo, hi)) == pytest.approx([50.0, 6.0])


def test_minmax_scores_the_worst_peer_0_and_the_best_100() -> None:
    # 2, 4, 10: (4 − 2)/(10 − 2) = 25 %; lower-is-better mirrors: 10 → 0, 2 → 100, 4 → 75
    assert _scores(Normalisation.MINMAX, [2, 4, 10]) == pytest.approx([0, 25, 100])
    assert _scores(Normalisation.MINMAX, [2, 4, 10], higher=False) == pytest.approx([100, 75, 0])


def test_relative_methods_give_50_when_peers_cannot_be_told_apart() -> None:
    for method in (Normalisation.MINMAX, Normalisation.ZSCORE, Normalisation.RANK):
        assert _scores(method, [3.0, 3.0]) == [50.0, 50.0]
        assert _scores(method, [7.0]) == [50.0]


def test_zscore_is_50_plus_10_standard_deviations() -> None:
    # 1, 2, 3: mean 2, population sd √(2/3) = 0.8165 → 50 ∓ 10/0.8165 = 37.75, 50, 62.25
    assert _scores(Normalisation.ZSCORE, [1, 2, 3]) == pytest.approx([37.753, 50, 62.247], 1e-4)


def test_rank_averages_ties_and_scales_best_to_100() -> None:
    # 5, 9, 9, 1: from the worst 1 → 1, 5 → 2, 9s share (3 + 4)/2 = 3.5; 100·(r − 1)/3
    assert _scores(Normalisation.RANK, [5, 9, 9, 1]) == pytest.approx(
        [100 / 3, 250 / 3, 250 / 3, 0]
    )


def test_percentile_rank_counts_below_plus_half_the_ties() -> None:
    # 5: one below, itself equal → (1 + 0.5)/4; 9: two below, two equal → (2 + 1)/4
    assert _scores(Normalisation.PERCENTILE, [5, 9, 9, 1, np.nan])[:4] == pytest.approx(
        [37.5, 75, 75, 12.5]
    )


def test_distance_to_target_is_the_share_of_the_target_reached() -> None:
    # target 0.8: 0.4 → 50, 0.9 → 100 (beyond); lower-is-better target 10 ms: 40 ms → 25
    assert _scores(Normalisation.DISTANCE_TO_TARGET, [0.4, 0.9], target=0.8) == pytest.approx(
        [50, 100]
    )
    lower = _scores(Normalisation.DISTANCE_TO_TARGET, [40.0, 5.0], higher=False, target=10)
    assert lower == pytest.approx([25, 100])


def test_distance_to_the_best_divides_by_the_best_peer() -> None:
    assert _scores(Normalisation.DISTANCE_TO_BEST, [20, 80, 40]) == pytest.approx([25, 100, 50])
    lower = _scores(Normalisation.DISTANCE_TO_BEST, [20, 80, 40], higher=False)
    assert lower == pytest.approx([100, 25, 50])


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=12),
    st.sampled_from(list(Normalisation)),
    st.booleans(),
)
def test_every_method_scores_within_0_and_100(
    values: list[float], method: Normalisation, higher: bool
) -> None:
    scores = np.array(_scores(method, values, higher=higher, lo=-5, hi=5, target=3))
    present = scores[~np.isnan(scores)]
    assert np.all((present >= 0) & (present <= 100 + 1e-9))
