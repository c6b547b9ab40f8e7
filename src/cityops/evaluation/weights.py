"""Node weights: resolved once from the framework and the data, then perturbed for
the Monte Carlo runs.

``expert``, ``equal`` and ``ahp`` weights are fixed by the framework
(``FrameworkNode.static_weights``).  ``entropy`` and ``critic`` weights come
from the children's 0–100 scores over the scored regions that have every
child (fewer than two such regions: equal weights, since one region carries
no information about spread).
"""

from __future__ import annotations

import numpy as np

from cityops.evaluation.critic import critic_weights
from cityops.evaluation.entropy import entropy_weights
from cityops.evaluation.framework import FrameworkNode, WeightMethod
from cityops.evaluation.normalisation import FloatArray

__all__ = ["node_weights", "perturbed_weights"]


def node_weights(node: FrameworkNode, children_scores: FloatArray) -> FloatArray:
    """The weights of ``node``'s children; ``children_scores`` is regions × children
    (rows of regions that are not scored already removed)."""
    if node.static_weights is not None:
        return np.array(node.static_weights, dtype=np.float64)
    complete = children_scores[~np.isnan(children_scores).any(axis=1)]
    if complete.shape[0] < 2:
        return np.full(children_scores.shape[1], 1.0 / children_scores.shape[1])
    if node.weighting.method is WeightMethod.ENTROPY:
        return entropy_weights(complete, variant=node.weighting.entropy_variant)
    return critic_weights(complete)


def perturbed_weights(nominal: FloatArray, multipliers: FloatArray) -> FloatArray:
    """``nominal`` (k,) times ``multipliers`` (n, k), renormalised per replication."""
    scaled = nominal * multipliers
    total = scaled.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, scaled / total, nominal)
