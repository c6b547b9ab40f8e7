"""The computations of the catalogue's indicators: registered here per code (one SQL
body each), or written as data in the catalogue entry (``[indicator.computation]``,
expanded by ``sql_template``).  An indicator is computable exactly when it has one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cityops.indicators.computations.base import Computation
from cityops.indicators.computations.capability import CAPABILITY
from cityops.indicators.computations.content import CONTENT
from cityops.indicators.computations.effectiveness import EFFECTIVENESS
from cityops.indicators.computations.mechanism import MECHANISM

if TYPE_CHECKING:
    from cityops.indicators.computations.written import ComputationMeta

__all__ = ["COMPUTATIONS", "Computation", "computation_of"]

COMPUTATIONS: Mapping[str, Computation] = {
    computation.code: computation
    for computation in (*CONTENT, *MECHANISM, *CAPABILITY, *EFFECTIVENESS)
}


def computation_of(code: str, written: ComputationMeta | None) -> Computation | None:
    """How the catalogue entry of ``code`` is computed: the computation ``written`` in it,
    else the one registered for its code, else None (listed, not computed yet).

    A loaded catalogue never has both (``expand_catalogue`` refuses it)."""
    if written is None:
        return COMPUTATIONS.get(code)
    # imported here: SQLGlot takes a while to import, and most catalogues carry no SQL
    from cityops.indicators.computations.sql_template import template_computation

    return template_computation(code, written)
