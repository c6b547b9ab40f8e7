"""The computations registered per indicator code: an indicator of the catalogue is
computable exactly when a computation is registered here for its code."""

from __future__ import annotations

from collections.abc import Mapping

from cityops.indicators.computations.base import Computation
from cityops.indicators.computations.capability import CAPABILITY
from cityops.indicators.computations.content import CONTENT
from cityops.indicators.computations.effectiveness import EFFECTIVENESS
from cityops.indicators.computations.mechanism import MECHANISM

__all__ = ["COMPUTATIONS", "Computation"]

COMPUTATIONS: Mapping[str, Computation] = {
    computation.code: computation
    for computation in (*CONTENT, *MECHANISM, *CAPABILITY, *EFFECTIVENESS)
}
