"""Normalisation (归一化): indicator values → 0–100 scores, one column at a time.

Every function takes ``values`` with regions on the **last** axis (any leading
axes are kept) and returns scores of the same shape; NaN (missing) stays NaN.
``higher`` says whether a larger value is better; for a lower-is-better
indicator each method is mirrored so that 100 is always the good end.

Absolute methods (the same value scores the same everywhere, so stages mean
the same in every city):

- ``goalposts``: 100 · (v − lo) ÷ (hi − lo), clipped to [0, 100] (lo is the bad
  end; for lower-is-better lo > hi).
- ``distance_to_target``: 100 · v ÷ target, capped at 100 (lower-is-better:
  100 · target ÷ v); a value at or beyond the target scores 100.

Relative methods (a region is scored against its peers, the regions passed
together; a single region or identical values score 50, "no information"):

- ``minmax``: 100 · (v − min) ÷ (max − min).
- ``zscore``: 50 + 10 · (v − mean) ÷ sd (population sd), clipped to [0, 100].
- ``rank``: 100 · (n − r) ÷ (n − 1), r the rank (1 = best, ties averaged).
- ``percentile``: 100 · (below + ½ · equal) ÷ n (percentile rank).
- ``distance_to_best``: 100 · v ÷ best (lower-is-better: 100 · best ÷ v).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

from cityops.indicators.catalogue import Goalposts, ScaledGoalpost

__all__ = [
    "RELATIVE",
    "FloatArray",
    "Normalisation",
    "goalpost_bounds",
    "goalpost_scores",
    "normalise",
]

FloatArray = npt.NDArray[np.float64]

NO_INFORMATION = 50.0
"""The score of every peer when a relative method has nothing to tell them apart."""


class Normalisation(StrEnum):
    GOALPOSTS = "goalposts"
    DISTANCE_TO_TARGET = "distance_to_target"
    MINMAX = "minmax"
    ZSCORE = "zscore"
    RANK = "rank"
    PERCENTILE = "percentile"
    DISTANCE_TO_BEST = "distance_to_best"


RELATIVE = frozenset(
    {
        Normalisation.MINMAX,
        Normalisation.ZSCORE,
        Normalisation.RANK,
        Normalisation.PERCENTILE,
        Normalisation.DISTANCE_TO_BEST,
    }
)
"""Methods that score a region against its peers (outlier treatment applies to these)."""


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


def normalise(
    method: Normalisation,
    values: FloatArray,
    *,
    higher: bool,
    lo: FloatArray,
    hi: FloatArray,
    target: FloatArray,
) -> FloatArray:
    """Scores of ``values`` (peers on the last axis) by ``method``.

    ``lo``/``hi`` are the goalposts and ``target`` the target of each region
    (broadcast against ``values``); relative methods ignore them.
    """
    if method is Normalisation.GOALPOSTS:
        return goalpost_scores(values, lo, hi)
    if method is Normalisation.DISTANCE_TO_TARGET:
        return _ratio_score(values, target, higher)
    oriented = values if higher else -values
    if method is Normalisation.MINMAX:
        return _minmax(oriented)
    if method is Normalisation.ZSCORE:
        return _zscore(oriented)
    if method is Normalisation.RANK:
        return _rank(oriented)
    if method is Normalisation.PERCENTILE:
        return _percentile(oriented)
    best = _peer_extreme(values, largest=higher)
    return _ratio_score(values, best, higher)


def _peer_extreme(values: FloatArray, *, largest: bool) -> FloatArray:
    """The largest (or smallest) present value over the last axis, kept as an axis of
    length 1; NaN when no peer has a value."""
    present = ~np.isnan(values)
    if largest:
        extreme = np.where(present, values, -np.inf).max(axis=-1, keepdims=True)
    else:
        extreme = np.where(present, values, np.inf).min(axis=-1, keepdims=True)
    return np.where(present.any(axis=-1, keepdims=True), extreme, np.nan)


def _ratio_score(values: FloatArray, reference: FloatArray, higher: bool) -> FloatArray:
    """100 · v ÷ ref (or ref ÷ v), capped at 100; reaching the reference scores 100."""
    with np.errstate(all="ignore"):
        ratio = values / reference if higher else reference / values
        reached = values >= reference if higher else values <= reference
        scores = np.where(reached, 100.0, 100.0 * np.minimum(ratio, 1.0))
    scores = np.where(np.isnan(values) | np.isnan(reference), np.nan, scores)
    return np.clip(scores, 0.0, 100.0)


def _minmax(values: FloatArray) -> FloatArray:
    low = _peer_extreme(values, largest=False)
    high = _peer_extreme(values, largest=True)
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = 100.0 * (values - low) / span
    return np.where(span > 0, scores, np.where(np.isnan(values), np.nan, NO_INFORMATION))


def _zscore(values: FloatArray) -> FloatArray:
    present = ~np.isnan(values)
    count = present.sum(axis=-1, keepdims=True)
    safe = np.where(present, values, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = safe.sum(axis=-1, keepdims=True) / count
        deviation = np.where(present, values - mean, 0.0)
        sd = np.sqrt((deviation**2).sum(axis=-1, keepdims=True) / count)
        scores = 50.0 + 10.0 * (values - mean) / sd
    scores = np.where(sd > 0, scores, np.where(present, NO_INFORMATION, np.nan))
    return np.clip(scores, 0.0, 100.0)


def _order_counts(values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For each value: how many present peers are below it, equal to it, and present."""
    present = ~np.isnan(values)
    mine = values[..., :, None]
    others = values[..., None, :]
    valid = present[..., None, :]
    below = ((others < mine) & valid).sum(axis=-1).astype(np.float64)
    equal = ((others == mine) & valid).sum(axis=-1).astype(np.float64)
    count = present.sum(axis=-1, keepdims=True).astype(np.float64)
    return below, equal, np.broadcast_to(count, values.shape)


def _rank(values: FloatArray) -> FloatArray:
    below, equal, count = _order_counts(values)
    # average rank counted from the worst: 1 + below + (equal − 1)/2; best has n
    from_worst = 1.0 + below + (equal - 1.0) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = 100.0 * (from_worst - 1.0) / (count - 1.0)
    scores = np.where(count > 1, scores, NO_INFORMATION)
    return np.where(np.isnan(values), np.nan, scores)


def _percentile(values: FloatArray) -> FloatArray:
    below, equal, count = _order_counts(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = 100.0 * (below + 0.5 * equal) / count
    return np.where(np.isnan(values), np.nan, scores)
