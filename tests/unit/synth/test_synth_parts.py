"""The small pure pieces of the generator, checked against hand-worked values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.domain.period import Period
from cityops.errors import ConfigError
from cityops.synth import generate_city
from cityops.synth.columns import prefixed_ids
from cityops.synth.randomness import stream_rng
from cityops.synth.regions import _apportion, build_regions
from cityops.synth.scales import scale_named
from cityops.synth.truth import TruthRecorder
from cityops.synth.window import Window, local_hour


def test_window_cuts_months_at_local_midnight() -> None:
    window = Window(Period(2025, 1), 2)
    jan_first_local = 1_735_660_800  # 2025-01-01T00:00:00+08:00 = 2024-12-31T16:00:00Z
    feb_first_local = jan_first_local + 31 * 86_400
    instants = np.array(
        [jan_first_local - 1, jan_first_local, feb_first_local - 1, feb_first_local,
         feb_first_local + 28 * 86_400]
    )  # fmt: skip
    assert window.month_of(instants).tolist() == [-1, 0, 0, 1, 2]
    assert local_hour(np.array([jan_first_local, jan_first_local + 9 * 3_600])).tolist() == [0, 9]
    days = window.days()
    assert len(days) == 59
    assert days[0].date == date(2025, 1, 1)
    assert days[0].start_s == jan_first_local
    assert days[31].month_index == 1


@given(st.integers(0, 10_000_000), st.lists(st.floats(0.01, 1.0), min_size=1, max_size=30))
def test_apportioned_counts_add_up_exactly(total: int, weights: list[float]) -> None:
    shares = np.array(weights) / sum(weights)
    counts = _apportion(total, shares)
    assert counts.sum() == total
    assert np.all(counts >= 0)
    assert np.all(np.abs(counts - shares * total) <= 1)


def test_prefixed_ids_are_zero_padded() -> None:
    assert prefixed_ids("u", np.array([1, 123, 12345678]), 7).to_pylist() == [
        "u0000001",
        "u0000123",
        "u12345678",
    ]


def test_rollup_adds_streets_into_districts_and_the_city() -> None:
    regions = build_regions(scale_named("tiny"), stream_rng(1, "regions"))
    values = np.zeros(regions.size)
    values[regions.street_index] = 1.0
    rolled = regions.rollup(values)
    assert rolled[regions.district_index].tolist() == [3.0, 3.0, 3.0]
    assert rolled[regions.city_index] == 9.0
    assert rolled[0] == 9.0


def test_truth_ignores_rows_outside_the_window() -> None:
    window = Window(Period(2025, 1), 1)
    regions = build_regions(scale_named("tiny"), stream_rng(1, "regions"))
    recorder = TruthRecorder(window, regions)
    street = int(regions.street_index[0])
    recorder.add("x", np.array([-1, 0, 0, 1]), np.full(4, street))
    data = recorder.to_json()["months_data"]["2025-01"]["x"]
    assert data[regions.codes[street]] == 2
    assert data["970100"] == 2


def test_streams_are_reproducible_and_independent() -> None:
    same = stream_rng(3, "portal_events", 4).random(5)
    assert np.array_equal(same, stream_rng(3, "portal_events", 4).random(5))
    assert not np.array_equal(same, stream_rng(3, "portal_events", 5).random(5))
    assert not np.array_equal(same, stream_rng(3, "ticket_events", 4).random(5))


def test_unknown_scale_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="tiny, county, city, megacity"):
        scale_named("village")


@pytest.mark.parametrize(("months", "fmt"), [(0, "parquet"), (1, "xlsx")])
def test_bad_arguments_are_config_errors(tmp_path: Path, months: int, fmt: str) -> None:
    with pytest.raises(ConfigError):
        generate_city(tmp_path, scale="tiny", months=months, fmt=fmt)
