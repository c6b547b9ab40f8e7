"""When things happen: hour-of-day and weekday profiles of a Chinese city.

Portal use peaks in office hours (9–11, 14–17) with an evening bump at
20–21 and almost nothing between 1 and 6; at weekends the day is flatter and
lower.  Hotline calls follow office hours more strictly, with a thin night.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .window import Day

__all__ = ["PORTAL_WEEKEND_FACTOR", "hour_profile", "random_seconds_of_day"]

_PORTAL_WEEKDAY = (
    0.6, 0.3, 0.2, 0.15, 0.2, 0.5, 1.5, 3.5, 6.5, 9.0, 9.5, 8.0,
    5.5, 6.5, 8.5, 9.0, 8.0, 6.0, 4.5, 5.0, 5.5, 4.5, 2.5, 1.2,
)  # fmt: skip
_PORTAL_WEEKEND = (
    1.0, 0.5, 0.3, 0.2, 0.2, 0.4, 0.9, 2.0, 3.5, 5.0, 6.0, 6.0,
    5.0, 4.5, 5.0, 5.5, 5.5, 5.0, 4.5, 5.0, 5.5, 5.0, 3.0, 1.8,
)  # fmt: skip
_HOTLINE = (
    0.4, 0.25, 0.2, 0.15, 0.15, 0.3, 0.8, 2.5, 6.0, 8.0, 8.0, 7.0,
    5.0, 6.0, 7.5, 7.5, 6.5, 5.0, 3.5, 3.0, 2.5, 2.0, 1.2, 0.7,
)  # fmt: skip
_OFFICE = (
    0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 4.0, 8.0, 8.0, 7.0,
    3.0, 5.0, 8.0, 8.0, 7.0, 4.0, 1.0, 0.5, 0.4, 0.3, 0.2, 0.1,
)  # fmt: skip

PORTAL_WEEKEND_FACTOR = 0.7
"""Weekend activity relative to a weekday (portal and hotline)."""

_PROFILES = {"portal": _PORTAL_WEEKDAY, "hotline": _HOTLINE, "office": _OFFICE}


def hour_profile(kind: str, day: Day) -> npt.NDArray[np.float64]:
    """Probabilities of the 24 local hours for ``kind`` (portal, hotline, office) on ``day``."""
    chosen = _PORTAL_WEEKEND if kind == "portal" and day.is_weekend else _PROFILES[kind]
    weights = np.array(chosen, dtype=np.float64)
    total = float(weights.sum())
    return weights / total


def random_seconds_of_day(
    rng: np.random.Generator, kind: str, day: Day, n: int
) -> npt.NDArray[np.int64]:
    """``n`` seconds after local midnight, distributed by the hour profile of ``kind``."""
    hours = rng.choice(24, size=n, p=hour_profile(kind, day))
    return hours.astype(np.int64) * 3_600 + rng.integers(0, 3_600, size=n)
