"""Goalpost normalisation (目标值归一化): values → absolute 0–100 scores.

score = 100 · (v − lo) ÷ (hi − lo), clipped to [0, 100].  For a
lower-is-better indicator ``lo`` is the bad end (lo > hi), and the same
formula turns a fall in v into a rise in score.  Missing values (NaN), and
goalposts that coincide (a population-scaled goalpost of a region with no
residents), give a missing score.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cityops.indicators.catalogue import Goalposts, ScaledGoalpost

__all__ = ["goalpost_bounds", "goalpost_scores"]

FloatArray = npt.NDArray[np.float64]


def goalpost_bounds(goalposts: Goalposts, populations: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(lo, hi) for every region, given each region's resident population."""
    lo = np.full_like(populations, goalposts.lo)
    hi_spec = goalposts.hi
    if isinstance(hi_spec, ScaledGoalpost):
        hi = hi_spec.per_million_residents * populations / 1_000_000
        if hi_spec.at_most is not None:
            hi = np.minimum(hi, hi_spec.at_most)
    else:
        hi = np.full_like(populations, hi_spec)
    return lo, hi


def goalpost_scores(values: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Element-wise 0–100 scores; NaN where the value is missing or lo == hi."""
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = 100.0 * (values - lo) / np.where(span == 0, np.nan, span)
    return np.clip(raw, 0.0, 100.0)
