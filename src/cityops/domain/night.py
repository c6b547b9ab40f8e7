"""The hotline's night (夜间): the hours of the day, local time, that count as night.

A city sets them in ``cityops.toml`` (``[hotline]`` ``night_start``, ``night_end``);
the night response rate (``capability.night_response_rate``) and the hotline page's
night figures take the tickets created in them.  The night runs from ``start``
o'clock up to, not including, ``end`` o'clock, across midnight when ``start`` is
after ``end``: 22 and 6 (the defaults) make 22:00–06:00, eight hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cityops.errors import ConfigError

__all__ = ["DEFAULT_NIGHT", "NightHours"]


@dataclass(frozen=True, slots=True)
class NightHours:
    """From ``start`` o'clock up to ``end`` o'clock (each 0–23, not equal), local time."""

    start: int
    end: int

    def __post_init__(self) -> None:
        for name, hour in (("start", self.start), ("end", self.end)):
            if isinstance(hour, bool) or not 0 <= hour <= 23:
                raise ConfigError(f"night {name} {hour!r} is not an hour of the day (0 to 23)")
        if self.start == self.end:
            raise ConfigError(
                f"the night starts and ends at {self.start}:00, so it has no hours; "
                "end it at another hour"
            )

    def __contains__(self, hour: int) -> bool:
        """Whether a ticket created in ``hour`` (0–23) was created at night."""
        return (hour - self.start) % 24 < len(self)

    def __len__(self) -> int:
        """How many hours the night lasts (1 to 23)."""
        return (self.end - self.start) % 24

    def __str__(self) -> str:
        return f"{self.start:02d}:00–{self.end:02d}:00"

    @property
    def parameters(self) -> dict[str, int]:
        """The night as the SQL parameters ``$night_start`` and ``$night_end``."""
        return {"night_start": self.start, "night_end": self.end}


DEFAULT_NIGHT: Final = NightHours(22, 6)
"""22:00–06:00: the night of a city that does not set its own."""
