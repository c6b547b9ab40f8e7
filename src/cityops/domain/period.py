"""Reporting periods: calendar months cut in the city's time zone (Asia/Shanghai)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cityops.errors import ConfigError

__all__ = ["CITY_TZ", "Period"]

CITY_TZ = ZoneInfo("Asia/Shanghai")
"""Days, months and hours are cut in this zone (data contract, conventions)."""

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM``; anything else is a ``ConfigError`` that shows the form."""
        match = _PERIOD.match(text.strip())
        if match is None:
            raise ConfigError(f"period {text!r} is not a month written YYYY-MM (e.g. 2025-03)")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def days(self) -> int:
        return self.last_day.day

    @property
    def start(self) -> datetime:
        """The first instant of the month, local time."""
        return datetime(self.year, self.month, 1, tzinfo=CITY_TZ)

    @property
    def end(self) -> datetime:
        """The first instant after the month, local time (exclusive bound)."""
        return self.next().start

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def plus(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)
