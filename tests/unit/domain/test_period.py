import calendar
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.domain.period import CITY_TZ, Period
from cityops.errors import ConfigError

periods = st.builds(Period, st.integers(1990, 2200), st.integers(1, 12))


@given(periods)
def test_a_period_parses_back_from_its_text(period: Period) -> None:
    assert Period.parse(str(period)) == period


@given(periods)
def test_next_and_previous_are_inverse(period: Period) -> None:
    assert period.next().previous() == period
    assert period.previous().next() == period


@given(periods, st.integers(-500, 500))
def test_plus_moves_by_whole_months(period: Period, months: int) -> None:
    moved = period.plus(months)
    assert (moved.year * 12 + moved.month) - (period.year * 12 + period.month) == months


@given(periods)
def test_days_agree_with_the_calendar(period: Period) -> None:
    assert period.days == calendar.monthrange(period.year, period.month)[1]
    assert period.last_day + timedelta(days=1) == period.next().first_day


def test_bounds_are_local_midnights_in_shanghai() -> None:
    period = Period.parse("2025-02")
    assert period.start.tzinfo is CITY_TZ
    assert period.start.isoformat() == "2025-02-01T00:00:00+08:00"
    assert period.end.isoformat() == "2025-03-01T00:00:00+08:00"


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "25-01", "2025/01", "2025-1", ""])
def test_malformed_periods_are_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ConfigError, match="YYYY-MM"):
        Period.parse(text)
