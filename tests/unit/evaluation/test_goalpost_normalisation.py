"""Goalpost normalisation, worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.evaluation.normalise import goalpost_bounds, goalpost_scores
from cityops.indicators.catalogue import Goalposts, ScaledGoalpost


def _scores(values: list[float], lo: float, hi: float) -> list[float]:
    array = np.array(values)
    return list(goalpost_scores(array, np.full_like(array, lo), np.full_like(array, hi)))


def test_higher_is_better_maps_lo_to_0_and_hi_to_100_with_clipping() -> None:
    # lo 0.3, hi 0.9: 0.6 → 100·0.3/0.6 = 50; 0.95 above hi → 100; 0.1 below lo → 0
    assert _scores([0.3, 0.6, 0.9, 0.95, 0.1], 0.3, 0.9) == pytest.approx([0, 50, 100, 100, 0])


def test_lower_is_better_uses_lo_as_the_bad_end() -> None:
    # latency lo 100 ms → hi 10 ms: 55 → 100·(55 − 100)/(10 − 100) = 50; 5 → 100; 120 → 0
    assert _scores([55.0, 5.0, 120.0, 100.0], 100, 10) == pytest.approx([50, 100, 0, 0])


def test_missing_values_and_coinciding_goalposts_give_missing_scores() -> None:
    assert np.isnan(_scores([np.nan], 0.3, 0.9)[0])
    assert np.isnan(_scores([5.0], 0.0, 0.0)[0])


def test_population_scaled_goalpost_is_computed_per_region_and_capped() -> None:
    goalposts = Goalposts(lo=0, hi=ScaledGoalpost(per_million_residents=300, at_most=1500))
    lo, hi = goalpost_bounds(goalposts, np.array([600_000.0, 10_000_000.0]))
    # 300 × 0.6 = 180; 300 × 10 = 3,000 capped at 1,500
    assert list(lo) == [0.0, 0.0]
    assert list(hi) == [180.0, 1500.0]
    # 90 services in a county of 0.6 M: 100 · 90/180 = 50
    assert list(goalpost_scores(np.array([90.0, 90.0]), lo, hi)) == pytest.approx([50.0, 6.0])


@given(
    st.floats(-1e6, 1e6),
    st.floats(-1e3, 1e3),
    st.floats(0.001, 1e3),
)
def test_scores_always_lie_between_0_and_100(value: float, lo: float, width: float) -> None:
    for low, high in ((lo, lo + width), (lo + width, lo)):
        score = _scores([value], low, high)[0]
        assert 0.0 <= score <= 100.0
