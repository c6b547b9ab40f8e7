"""The hotline's night: which hours of the day it holds, across midnight or not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.domain.night import DEFAULT_NIGHT, NightHours
from cityops.errors import ConfigError

HOURS = st.integers(min_value=0, max_value=23)


def test_the_default_night_is_22_to_6_across_midnight() -> None:
    assert [hour for hour in range(24) if hour in DEFAULT_NIGHT] == [0, 1, 2, 3, 4, 5, 22, 23]
    assert (len(DEFAULT_NIGHT), str(DEFAULT_NIGHT)) == (8, "22:00–06:00")


def test_a_night_that_does_not_cross_midnight_holds_the_hours_between() -> None:
    night = NightHours(0, 6)
    assert [hour for hour in range(24) if hour in night] == [0, 1, 2, 3, 4, 5]
    assert str(night) == "00:00–06:00"


@given(HOURS, HOURS)
def test_a_night_holds_the_hours_from_its_start_up_to_its_end_on_the_clock(
    start: int, end: int
) -> None:
    if start == end:
        return
    walked = []  # from start, one hour after another on the clock, until end
    hour = start
    while hour != end:
        walked.append(hour)
        hour = (hour + 1) % 24
    night = NightHours(start, end)
    assert [hour for hour in range(24) if hour in night] == sorted(walked)
    assert len(night) == len(walked)


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (22, 22, "no hours"),
        (24, 6, "night start 24 is not an hour of the day"),
        (22, -1, "night end -1 is not an hour of the day"),
        (True, 6, "not an hour of the day"),
    ],
)
def test_a_night_that_is_not_one_is_refused(start: int, end: int, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        NightHours(start, end)
