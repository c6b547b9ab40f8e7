"""Reporting periods: calendar months cut in the city's time zone (Asia/Shanghai).

Past the edges — a command's option, an API parameter, a file or a database row
read — a month is a ``Period``, never its text: the edges parse ``YYYY-MM`` with
``Period.parse`` and every layer inside passes the ``Period``.  A field of a
pydantic model may be a ``Period`` too: it is read from ``YYYY-MM`` (a wrong one
is a validation error that shows the form) and written as ``YYYY-MM``, so the
JSON of an answer or a file is the same as when it held the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cityops.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

__all__ = ["CITY_TZ", "PERIOD_PATTERN", "Period"]

CITY_TZ = ZoneInfo("Asia/Shanghai")
"""Days, months and hours are cut in this zone (data contract, conventions)."""

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
"""A month as text, ``YYYY-MM``."""
_PERIOD = re.compile(PERIOD_PATTERN)
_FIRST_YEAR, _LAST_YEAR = 1, 9998
"""The years whose months have a first and an end instant (``datetime``'s range)."""


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM``; anything else is a ``ConfigError`` that shows the form."""
        written = text.strip()
        if _PERIOD.match(written) is None:
            raise ConfigError(f"period {text!r} is not a month written YYYY-MM (e.g. 2025-03)")
        year = int(written[:4])
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise ConfigError(
                f"period {text!r} is not a month of the years {_FIRST_YEAR:04d}–{_LAST_YEAR}"
            )
        return cls(year, int(written[5:]))

    @classmethod
    def read(cls, value: Any) -> Period:
        """``value`` as a period: a ``Period`` as it is, text parsed as ``parse`` does; a
        wrong one is a ``ValueError`` that shows the form (what pydantic reports)."""
        if isinstance(value, Period):
            return value
        if not isinstance(value, str):
            raise ValueError(f"a period is a month written YYYY-MM (e.g. 2025-03), not {value!r}")
        try:
            return cls.parse(value)
        except ConfigError as error:
            raise ValueError(str(error)) from None

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Read from ``YYYY-MM`` (or a ``Period``), written as ``YYYY-MM``."""
        from pydantic_core import core_schema  # pydantic only where a model uses it

        return core_schema.no_info_plain_validator_function(
            cls.read, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": PERIOD_PATTERN, "examples": ["2025-03"]}

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
