"""Missing data (缺失值处理): what a missing indicator score of a region becomes.

- ``renormalise``: left out; the weights of the present siblings are
  renormalised when the node is aggregated (nothing is invented).
- ``mean`` / ``median``: the mean (median) score of the region's peers (the
  regions of the same level) that have a value.

Only *measured* indicators are imputed — those with a value for at least one
region of the period; an indicator nobody has is not a gap of one region, it
is left out for all.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

from cityops.evaluation.normalisation import FloatArray

__all__ = ["Imputation", "impute"]

IntArray = npt.NDArray[np.int64]


class Imputation(StrEnum):
    RENORMALISE = "renormalise"
    MEAN = "mean"
    MEDIAN = "median"


def impute(scores: FloatArray, groups: IntArray, method: Imputation) -> FloatArray:
    """``scores`` (…, regions) with each missing entry replaced by its group's mean or
    median (``groups[i]`` is the peer group of region i); unchanged for
    ``renormalise`` and where the whole group is missing."""
    if method is Imputation.RENORMALISE:
        return scores
    filled = scores.copy()
    for group in np.unique(groups):
        members = groups == group
        block = scores[..., members]
        present = ~np.isnan(block)
        if method is Imputation.MEAN:
            count = present.sum(axis=-1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                centre = np.where(present, block, 0.0).sum(axis=-1, keepdims=True) / count
        else:
            centre = _nanmedian_last(block)
        filled[..., members] = np.where(present, block, centre)
    return filled


def _nanmedian_last(block: FloatArray) -> FloatArray:
    """The median over the last axis ignoring NaN (NaN when all are missing), without
    the warning ``np.nanmedian`` raises for an all-NaN slice."""
    ordered = np.sort(block, axis=-1)  # NaN sorts last
    count = (~np.isnan(block)).sum(axis=-1, keepdims=True)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0), axis=-1)
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0), axis=-1)
    return np.where(count > 0, (low + high) / 2.0, np.nan)
