"""CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995, *Computers & OR* 22(7)):
an indicator weighs more when it varies more and agrees less with the others.

Columns are min-max standardised (x′ = (x − min) ÷ (max − min)), then
Cⱼ = σⱼ · Σₖ (1 − rⱼₖ), with σⱼ the standard deviation of column j and rⱼₖ
Pearson's correlation; wⱼ = Cⱼ ÷ Σ Cₖ.  A constant column has σ = 0 and
weighs nothing (its correlations are taken as 0).
"""

from __future__ import annotations

import numpy as np

from cityops.evaluation.normalisation import FloatArray

__all__ = ["critic_weights"]


def critic_weights(matrix: FloatArray) -> FloatArray:
    """Weights of the columns of ``matrix`` (rows: regions, no NaN); equal when no
    column varies."""
    x = np.asarray(matrix, dtype=np.float64)
    n = x.shape[1]
    low, high = x.min(axis=0), x.max(axis=0)
    standardised = (x - low) / np.where(high > low, high - low, 1.0)
    centred = standardised - standardised.mean(axis=0)
    sd = np.sqrt((centred**2).sum(axis=0) / (x.shape[0] - 1))
    norms = np.sqrt((centred**2).sum(axis=0))
    safe = np.where(norms > 0, norms, 1.0)
    unit = centred / safe
    correlation = unit.T @ unit
    information = sd * (1.0 - correlation).sum(axis=0)
    if information.sum() <= 0:
        return np.full(n, 1.0 / n)
    return np.asarray(information / information.sum(), dtype=np.float64)
