"""What every part of the generator shares: the run's settings and the world's skeleton."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .profiles import DistrictProfile
from .randomness import stream_rng
from .regions import RegionTree
from .scales import Scale
from .truth import TruthRecorder
from .window import Day, Window

__all__ = ["Batch", "DailyStream", "SynthContext"]

Batch = tuple[str, pa.Table]
"""A batch of rows and the contract table it belongs to."""


@dataclass(frozen=True, slots=True)
class SynthContext:
    seed: int
    scale: Scale
    window: Window
    regions: RegionTree
    profile: DistrictProfile
    truth: TruthRecorder

    def rng(self, stream: str, index: int = 0) -> np.random.Generator:
        return stream_rng(self.seed, stream, index)

    def district_of(self, region: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """District number (0…D−1) of each region index; −1 for the province and city."""
        lookup = np.full(self.regions.size, -1, dtype=np.int64)
        lookup[self.regions.district_index] = np.arange(len(self.regions.district_index))
        lookup[self.regions.street_index] = self.regions.street_district
        return lookup[region]

    def quality_of(
        self, region: npt.NDArray[np.int64], city: float = 0.75
    ) -> npt.NDArray[np.float64]:
        """The quality of each region's district; regions above districts get ``city``."""
        district = self.district_of(region)
        return np.where(district >= 0, self.profile.quality[np.maximum(district, 0)], city)

    def level_of(
        self, region: npt.NDArray[np.int64], bad: float, good: float
    ) -> npt.NDArray[np.float64]:
        """A realism knob (see ``DistrictProfile.level``) evaluated for each row's region."""
        return bad + (good - bad) * self.quality_of(region)

    def random_streets(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        """``n`` street region indices drawn in proportion to resident population."""
        streets = self.regions.street_index
        weights = self.regions.population[streets].astype(np.float64)
        return streets[rng.choice(len(streets), size=n, p=weights / weights.sum())]


class DailyStream(Protocol):
    """An event source generated one day at a time."""

    @property
    def tables(self) -> tuple[str, ...]:
        """The contract tables this source writes."""
        ...

    def day(self, day: Day) -> Iterator[Batch]:
        """The rows of ``day`` (possibly in several batches)."""
        ...

    def month_end(self, month: int) -> None:
        """Called after the last day of each month, to record month-level truth."""
        ...
