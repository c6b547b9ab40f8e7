"""Aggregation (加权合成): children's scores → the parent's score.

- ``arithmetic``: Σ wᵢ sᵢ ÷ Σ wᵢ (compensatory: a strength offsets a weakness).
- ``geometric``: Π max(sᵢ, 1)^(wᵢ ÷ Σ wᵢ) (partly compensatory: a weak child pulls
  the parent down more than the arithmetic mean does).  Scores below 1 count as
  1, because a single 0 would otherwise zero the parent and everything above it
  (the OECD/JRC *Handbook on Constructing Composite Indicators*, 2008, warns
  against zeros in geometric aggregation).

Both run over the present children only (weights renormalised over what is
present) and give NaN when nothing with a positive weight is present.  Scores
have the children on the last axis and may carry any leading axes (Monte Carlo
replications); weights broadcast against them.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from cityops.evaluation.normalisation import FloatArray

__all__ = ["GEOMETRIC_FLOOR", "Aggregation", "aggregate"]

GEOMETRIC_FLOOR = 1.0
"""The smallest score the geometric mean uses (on the 0–100 scale)."""


class Aggregation(StrEnum):
    ARITHMETIC = "arithmetic"
    GEOMETRIC = "geometric"


def aggregate(scores: FloatArray, weights: FloatArray, method: Aggregation) -> FloatArray:
    """The weighted mean over the last axis of ``scores``."""
    present = ~np.isnan(scores)
    weight_present = np.where(present, weights, 0.0)
    total = weight_present.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method is Aggregation.ARITHMETIC:
            combined = (np.where(present, scores, 0.0) * weight_present).sum(axis=-1) / total
        else:
            logs = np.log(np.where(present, np.maximum(scores, GEOMETRIC_FLOOR), 1.0))
            weighted = np.where(weight_present > 0, weight_present * logs, 0.0)
            combined = np.exp(weighted.sum(axis=-1) / total)
    return np.where(total > 0, combined, np.nan)
