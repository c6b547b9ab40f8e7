"""From indicator values to node scores over the framework tree, vectorised.

``leaf_scores`` normalises and imputes the regions × indicators matrix once per
(normalisation, imputation) choice; ``score_tree`` aggregates leaf scores
bottom-up.  Both accept leading axes, so the same code scores one
deterministic evaluation and thousands of Monte Carlo replications at once
(replications × regions × indicators), looping only over the tree's nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cityops.evaluation.aggregation import Aggregation, aggregate
from cityops.evaluation.framework import Framework, OutlierTreatment
from cityops.evaluation.imputation import Imputation, impute
from cityops.evaluation.normalisation import RELATIVE, FloatArray, Normalisation, normalise
from cityops.evaluation.outliers import treat_outliers
from cityops.evaluation.weights import node_weights

__all__ = ["Inputs", "TreeScores", "leaf_scores", "score_tree"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the facts give, aligned: regions × framework indicators."""

    values: FloatArray
    lo: FloatArray
    hi: FloatArray
    groups: IntArray
    """Peer group (level) of each region, for relative normalisation and imputation."""
    measured: BoolArray
    """Indicators with a value for at least one region."""
    scored: BoolArray
    """Regions whose data coverage reaches the framework's threshold."""


@dataclass(frozen=True, slots=True)
class TreeScores:
    nodes: dict[str, FloatArray]
    """Node path → scores (…, regions); the root is ``""``."""
    weights: dict[str, FloatArray]
    """Node path → the children's weights used."""


def leaf_scores(
    inputs: Inputs,
    framework: Framework,
    *,
    normalisation: Normalisation | None = None,
    imputation: Imputation | None = None,
) -> tuple[FloatArray, BoolArray]:
    """The regions × indicators 0–100 scores and the mask of imputed entries.

    ``normalisation``/``imputation`` replace every leaf's own choice (Monte
    Carlo); by default each leaf uses its configured method.
    """
    scores = np.full(inputs.values.shape, np.nan)
    for j, leaf in enumerate(framework.indicators):
        if not inputs.measured[j]:
            continue
        method = normalisation or leaf.normalisation
        column = inputs.values[:, j]
        target = np.full_like(column, leaf.target) if leaf.target is not None else inputs.hi[:, j]
        for group in np.unique(inputs.groups):
            rows = inputs.groups == group
            values = column[rows]
            if method in RELATIVE and leaf.outliers is OutlierTreatment.COINR:
                values = treat_outliers(values[:, None])[:, 0]
            scores[rows, j] = normalise(
                method,
                values,
                higher=leaf.polarity == "higher",
                lo=inputs.lo[rows, j],
                hi=inputs.hi[rows, j],
                target=target[rows],
            )
    filled = scores.copy()
    for j, leaf in enumerate(framework.indicators):
        if inputs.measured[j]:
            filled[:, j] = impute(scores[:, j], inputs.groups, imputation or leaf.imputation)
    return filled, np.isnan(scores) & ~np.isnan(filled)


def score_tree(
    framework: Framework,
    leaves: FloatArray,
    *,
    scored: BoolArray,
    weights: Mapping[str, FloatArray] | None = None,
    aggregations: tuple[tuple[Aggregation, ...], IntArray] | None = None,
) -> TreeScores:
    """Aggregate ``leaves`` (…, regions, indicators) up the tree.

    ``weights`` gives each node's children weights (broadcastable to …, children);
    a node not given is weighed by its method (data-driven methods use the
    ``scored`` regions).  ``aggregations`` = (choices, index per replication)
    replaces every node's aggregation (Monte Carlo; leading axis = replications).
    """
    column: dict[str, int] = {leaf.code: j for j, leaf in enumerate(framework.indicators)}
    nodes: dict[str, FloatArray] = {}
    used: dict[str, FloatArray] = {}
    for node in framework.nodes:
        parts = [leaves[..., column[c]] if c in column else nodes[c] for c in node.children]
        children = np.stack(parts, axis=-1)
        if weights is not None and node.path in weights:
            chosen = weights[node.path]
        else:
            chosen = node_weights(node, children[..., scored, :].reshape(-1, len(parts)))
        used[node.path] = chosen
        if aggregations is None:
            nodes[node.path] = aggregate(children, _per_region(chosen), node.aggregation)
        else:
            methods, index = aggregations
            combined = np.full(children.shape[:-1], np.nan)
            for k, method in enumerate(methods):
                result = aggregate(children, _per_region(chosen), method)
                combined = np.where((index == k)[:, None], result, combined)
            nodes[node.path] = combined
    return TreeScores(nodes, used)


def _per_region(weights: FloatArray) -> FloatArray:
    """Weights (…, children) → (…, 1, children), to broadcast over regions."""
    return weights[..., None, :]
