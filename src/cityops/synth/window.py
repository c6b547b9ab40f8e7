"""The time window of a synthetic run: its days and months in Asia/Shanghai.

Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a local
day is exactly 86,400 s and local hours are ``(epoch + 8 h) // 3600 % 24``.
All instants here are integer epoch seconds; Arrow gets microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from cityops.domain.period import Period

__all__ = ["DAY_S", "UTC_OFFSET_S", "Day", "Window", "local_hour"]

DAY_S = 86_400
UTC_OFFSET_S = 8 * 3_600


def local_midnight(day: date) -> int:
    """Epoch seconds of 00:00 local time on ``day``."""
    return (day - date(1970, 1, 1)).days * DAY_S - UTC_OFFSET_S


def local_hour(epoch_s: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The local hour of the day (0–23) of each instant."""
    return ((epoch_s + UTC_OFFSET_S) // 3_600) % 24


@dataclass(frozen=True, slots=True)
class Day:
    """One local day of the window."""

    index: int
    date: date
    month_index: int
    start_s: int

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def end_s(self) -> int:
        return self.start_s + DAY_S


@dataclass(frozen=True, slots=True)
class Window:
    """``months`` calendar months from ``start``."""

    start: Period
    months: int

    @property
    def periods(self) -> tuple[Period, ...]:
        return tuple(self.start.plus(i) for i in range(self.months))

    @property
    def start_s(self) -> int:
        return local_midnight(self.start.first_day)

    @property
    def end_s(self) -> int:
        """The first instant after the window (exclusive)."""
        return local_midnight(self.start.plus(self.months).first_day)

    @property
    def month_bounds_s(self) -> npt.NDArray[np.int64]:
        """Epoch seconds of each month's start, plus the window's end (months + 1 values)."""
        starts = [local_midnight(p.first_day) for p in self.periods]
        return np.array([*starts, self.end_s], dtype=np.int64)

    def days(self) -> list[Day]:
        result: list[Day] = []
        for month_index, period in enumerate(self.periods):
            for offset in range(period.days):
                day = period.first_day + timedelta(days=offset)
                result.append(Day(len(result), day, month_index, local_midnight(day)))
        return result

    def month_of(self, epoch_s: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The month index of each instant: −1 before the window, ``months`` after it."""
        return np.searchsorted(self.month_bounds_s, epoch_s, side="right").astype(np.int64) - 1
