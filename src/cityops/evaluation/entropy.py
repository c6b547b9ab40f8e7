"""Entropy weights (熵权法): an indicator whose values differ more between regions
carries more information and weighs more.

For an m × n matrix (m regions, n indicators), column j:
pᵢⱼ = xᵢⱼ ÷ Σᵢ xᵢⱼ; eⱼ = −(1 ÷ ln m) · Σᵢ pᵢⱼ ln pᵢⱼ (0 · ln 0 = 0);
dⱼ = 1 − eⱼ; wⱼ = dⱼ ÷ Σ dⱼ.

Two variants differ only in what x is:

- ``plain``: the raw values, which must be ≥ 0 (Shannon's form, as in
  Elsayed et al. 2017 and pymcdm's ``entropy_weights``).
- ``minmax``: the values min-max standardised first, x′ = (x − min) ÷ (max −
  min) (lower-is-better: (max − x) ÷ (max − min)) — the 熵值法 of most
  Chinese evaluation papers; it accepts any sign and makes the worst region
  contribute nothing.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from cityops.evaluation.normalisation import FloatArray

__all__ = ["EntropyVariant", "entropy_weights"]


class EntropyVariant(StrEnum):
    MINMAX = "minmax"
    PLAIN = "plain"


def entropy_weights(
    matrix: FloatArray,
    *,
    variant: EntropyVariant = EntropyVariant.MINMAX,
    higher: FloatArray | None = None,
) -> FloatArray:
    """Weights of the columns of ``matrix`` (rows: regions, no NaN); ``higher`` marks
    higher-is-better columns (default: all), used by the ``minmax`` variant.  Columns
    that are all equal carry no information; when every column does, weights are equal."""
    x = np.asarray(matrix, dtype=np.float64)
    m, n = x.shape
    if variant is EntropyVariant.MINMAX:
        low, high = x.min(axis=0), x.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        good = np.ones(n, dtype=bool) if higher is None else higher
        x = np.where(good, x - low, high - x) / span
    elif np.any(x < 0):
        raise ValueError("the plain entropy variant needs non-negative values")
    totals = x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(totals > 0, x / totals, 1.0 / m)
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    entropy = -plogp.sum(axis=0) / np.log(m)
    diversity = 1.0 - entropy
    if diversity.sum() <= 0:
        return np.full(n, 1.0 / n)
    return np.asarray(diversity / diversity.sum(), dtype=np.float64)
