"""How well each district is run: one quality number per district, 0 (weak) … 1 (strong).

Every realism knob of the generator is a straight line between a "badly run"
and a "well run" value, evaluated at the district's quality.  One district is
clearly strong (quality 0.95) and one clearly weak (0.10), the rest lie in
between, so indicators computed from the data must rank them that way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DistrictProfile", "build_profile"]

STRONG_QUALITY = 0.95
WEAK_QUALITY = 0.10


@dataclass(frozen=True, slots=True)
class DistrictProfile:
    """The quality of each district (index 0 … D−1) and which are strong and weak."""

    quality: npt.NDArray[np.float64]

    @property
    def strong(self) -> int:
        return int(np.argmax(self.quality))

    @property
    def weak(self) -> int:
        return int(np.argmin(self.quality))

    def level(self, bad: float, good: float) -> npt.NDArray[np.float64]:
        """Per district: ``bad`` at quality 0, ``good`` at quality 1, linear in between."""
        return bad + (good - bad) * self.quality


def build_profile(districts: int, rng: np.random.Generator) -> DistrictProfile:
    """A strong, a weak and ``districts − 2`` middling districts, in shuffled order."""
    middle = np.linspace(0.4, 0.8, max(districts - 2, 0)) + rng.uniform(-0.05, 0.05, districts - 2)
    quality = np.concatenate([[STRONG_QUALITY, WEAK_QUALITY], middle])
    return DistrictProfile(quality=quality[rng.permutation(districts)])
