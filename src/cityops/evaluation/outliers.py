"""Outlier treatment (异常值处理) before a relative normalisation, by COINr's rule
(Becker et al., COINr ``Treat()``/``qTreat()`` defaults).

A column is an outlier case while |skewness| ≥ 2 **and** kurtosis ≥ 3.5
(sample skewness and excess kurtosis, bias-corrected as Excel's SKEW and
KURT).  It is winsorised one point at a time — the most extreme value on the
side of the skew is set to the next value inwards — up to 5 points.  If the
rule still holds after 5 points, the winsorisation is undone and the column
log-transformed instead: log(x − min + (max − min) ÷ 100) for positive skew,
mirrored for negative skew (COINr's ``log_CT``).

Each column of each peer group is treated on its own; columns are processed
together (vectorised over columns), iterating at most 5 times.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cityops.evaluation.normalisation import FloatArray

__all__ = [
    "KURTOSIS_LIMIT",
    "MAX_WINSORISED",
    "SKEW_LIMIT",
    "excess_kurtosis",
    "skewness",
    "treat_outliers",
]

BoolArray = npt.NDArray[np.bool_]

SKEW_LIMIT = 2.0
KURTOSIS_LIMIT = 3.5
MAX_WINSORISED = 5


def skewness(x: FloatArray) -> FloatArray:
    """Bias-corrected sample skewness of each column (NaN ignored; NaN below 3 values)."""
    n, centred, sd = _moments(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        third = np.nansum((centred / sd) ** 3, axis=0)
        return np.where(n >= 3, n / ((n - 1) * (n - 2)) * third, np.nan)


def excess_kurtosis(x: FloatArray) -> FloatArray:
    """Bias-corrected sample excess kurtosis of each column (NaN below 4 values)."""
    n, centred, sd = _moments(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        fourth = np.nansum((centred / sd) ** 4, axis=0)
        value = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * fourth - 3 * (n - 1) ** 2 / (
            (n - 2) * (n - 3)
        )
        return np.where(n >= 4, value, np.nan)


def _moments(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    present = ~np.isnan(x)
    n = present.sum(axis=0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(present, x, 0.0).sum(axis=0) / n
        centred = np.where(present, x - mean, np.nan)
        sd = np.sqrt(np.nansum(centred**2, axis=0) / (n - 1))
    return n, centred, np.where(sd > 0, sd, np.nan)


def _outlying(x: FloatArray) -> BoolArray:
    skew = skewness(x)
    kurt = excess_kurtosis(x)
    flagged: BoolArray = (np.abs(skew) >= SKEW_LIMIT) & (kurt >= KURTOSIS_LIMIT)
    return flagged


def treat_outliers(x: FloatArray) -> FloatArray:
    """``x`` (regions × columns) with COINr's treatment applied to each outlying column."""
    treated = np.array(x, dtype=np.float64, copy=True)
    rows = np.arange(treated.shape[1])
    for _ in range(MAX_WINSORISED):
        flagged = _outlying(treated)
        if not flagged.any():
            return treated
        positive = skewness(treated) > 0
        oriented = np.where(positive, treated, -treated)
        filled = np.where(np.isnan(oriented), -np.inf, oriented)
        order = np.argsort(filled, axis=0)
        top, runner_up = order[-1], order[-2]
        replacement = treated[runner_up, rows]
        treated[top[flagged], rows[flagged]] = replacement[flagged]
    still = _outlying(treated)
    if still.any():
        original = np.asarray(x, dtype=np.float64)[:, still]
        positive = skewness(original) > 0
        low, high = np.nanmin(original, axis=0), np.nanmax(original, axis=0)
        shift = (high - low) / 100.0
        logged = np.where(
            positive, np.log(original - low + shift), -np.log(high - original + shift)
        )
        treated[:, still] = logged
    return treated
