"""Sobol sensitivity indices (Sobol 1993; Saltelli 2010 estimators, via SALib).

For a model y = f(x₁ … x_d) of independent inputs uniform on [0, 1]:
the first-order index Sᵢ = V(E[y | xᵢ]) ÷ V(y) is the share of the output's
variance that xᵢ explains alone, and the total index Sₜᵢ = E[V(y | x₋ᵢ)] ÷
V(y) the share it explains with all its interactions.  A discrete assumption
(which normalisation, which aggregation) is an input xᵢ whose value picks
an option: ⌊xᵢ · k⌋ of k options.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cityops.evaluation.normalisation import FloatArray

__all__ = ["SobolIndices", "sobol_indices"]


@dataclass(frozen=True, slots=True)
class SobolIndices:
    first: dict[str, float | None]
    total: dict[str, float | None]
    """By input name; None where the output does not vary (the index is undefined)."""


def sobol_indices(
    model: Callable[[FloatArray], FloatArray],
    names: Sequence[str],
    *,
    base_samples: int,
    seed: int,
) -> list[SobolIndices]:
    """Indices of every output column of ``model`` (which maps an n × d array of
    inputs in [0, 1) to an n × m array of outputs) for the inputs ``names``.

    ``base_samples`` is rounded up to a power of 2 (the Sobol sequence's
    balance needs it); the model is run on N · (d + 2) points at once.
    """
    from SALib.analyze import sobol as analyse
    from SALib.sample import sobol as sample

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    n = 2 ** math.ceil(math.log2(base_samples))
    points = sample.sample(problem, n, calc_second_order=False, seed=seed)
    outputs = np.asarray(model(np.minimum(points, np.nextafter(1.0, 0.0))), dtype=np.float64)
    results = []
    for column in outputs.T:
        if not np.all(np.isfinite(column)) or np.ptp(column) == 0:
            undefined: dict[str, float | None] = dict.fromkeys(names)
            results.append(SobolIndices(undefined, dict(undefined)))
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            found = analyse.analyze(
                problem, column, calc_second_order=False, num_resamples=10, seed=seed
            )
        results.append(
            SobolIndices(
                {name: float(v) for name, v in zip(names, found["S1"], strict=True)},
                {name: float(v) for name, v in zip(names, found["ST"], strict=True)},
            )
        )
    return results
