import calendar
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from cityops.domain.period import CITY_TZ, PERIOD_PATTERN, Period
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


class _Answer(BaseModel):
    period: Period
    months: list[Period] = []


def test_a_period_in_a_pydantic_model_is_read_and_written_as_yyyy_mm() -> None:
    answer = _Answer.model_validate({"period": "2025-03", "months": ["2024-12", Period(2025, 1)]})
    assert answer.period == Period(2025, 3)
    assert answer.months == [Period(2024, 12), Period(2025, 1)]
    assert answer.model_dump() == {"period": "2025-03", "months": ["2024-12", "2025-01"]}
    assert answer.model_dump_json() == '{"period":"2025-03","months":["2024-12","2025-01"]}'
    schema = _Answer.model_json_schema()["properties"]["period"]
    assert (schema["type"], schema["pattern"]) == ("string", PERIOD_PATTERN)


@pytest.mark.parametrize("written", ["2025-13", "2025-3", "", 202503])
def test_a_pydantic_model_refuses_a_period_that_is_not_a_month(written: object) -> None:
    with pytest.raises(ValidationError, match="a month written YYYY-MM"):
        _Answer.model_validate({"period": written})


@pytest.mark.parametrize("text", ["0000-01", "9999-12"])
def test_a_month_without_instants_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="is not a month of the years 0001–9998"):
        Period.parse(text)
