"""Uncertainty (不确定性分析): Monte Carlo over the evaluation's assumptions.

Each replication draws, independently:

- which normalisation every indicator uses (from ``uncertainty.normalisations``),
- which imputation fills missing values (``imputations``),
- which aggregation every node uses (``aggregations``),
- a multiplier U(1 − noise, 1 + noise) for every weight of every node, the
  weights of each node then renormalised.

The leaf scores of every (normalisation, imputation) pair are computed once;
a replication only picks its pair, so all replications are scored together
as one replications × regions × indicators array (``simulate``).  The same
model, fed inputs in [0, 1) instead of random draws, gives the Sobol indices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cityops.domain.stages import STAGES
from cityops.evaluation.framework import Framework
from cityops.evaluation.normalisation import FloatArray
from cityops.evaluation.ranking import replicated_ranks
from cityops.evaluation.scoring import Inputs, leaf_scores, score_tree
from cityops.evaluation.weights import perturbed_weights

__all__ = [
    "ASSUMPTIONS",
    "Draws",
    "RegionSpread",
    "draws_from_unit",
    "leaf_bank",
    "random_draws",
    "simulate",
    "summarise",
]

IntArray = npt.NDArray[np.int64]

ASSUMPTIONS = ("weights", "normalisation", "aggregation", "imputation")
"""The assumptions varied, in the order of the Sobol inputs."""

WEIGHT_BANK = 64
"""How many weight perturbations the Sobol weight input chooses among."""


@dataclass(frozen=True, slots=True)
class Draws:
    normalisation: IntArray
    imputation: IntArray
    aggregation: IntArray
    multipliers: dict[str, FloatArray]
    """Node path → replications × children weight multipliers."""


def _multipliers(
    rng: np.random.Generator, framework: Framework, count: int
) -> dict[str, FloatArray]:
    noise = framework.uncertainty.weight_noise
    return {
        node.path: rng.uniform(1.0 - noise, 1.0 + noise, size=(count, len(node.children)))
        for node in framework.nodes
    }


def random_draws(framework: Framework, replications: int, seed: int) -> Draws:
    """Independent draws for ``replications`` Monte Carlo runs (seeded: reproducible)."""
    settings = framework.uncertainty
    rng = np.random.default_rng(seed)
    return Draws(
        rng.integers(0, len(settings.normalisations), replications),
        rng.integers(0, len(settings.imputations), replications),
        rng.integers(0, len(settings.aggregations), replications),
        _multipliers(rng, framework, replications),
    )


def draws_from_unit(framework: Framework, unit: FloatArray, seed: int) -> Draws:
    """Draws picked by inputs in [0, 1) (columns in ``ASSUMPTIONS`` order), for Sobol:
    the weights input picks one of ``WEIGHT_BANK`` seeded perturbations."""
    settings = framework.uncertainty
    bank = _multipliers(np.random.default_rng(seed), framework, WEIGHT_BANK)
    pick = (unit[:, 0] * WEIGHT_BANK).astype(np.int64)
    return Draws(
        (unit[:, 1] * len(settings.normalisations)).astype(np.int64),
        (unit[:, 3] * len(settings.imputations)).astype(np.int64),
        (unit[:, 2] * len(settings.aggregations)).astype(np.int64),
        {path: multipliers[pick] for path, multipliers in bank.items()},
    )


def leaf_bank(inputs: Inputs, framework: Framework) -> FloatArray:
    """Leaf scores for every (normalisation, imputation) option pair:
    normalisations × imputations × regions × indicators."""
    settings = framework.uncertainty
    return np.stack(
        [
            np.stack(
                [
                    leaf_scores(inputs, framework, normalisation=n, imputation=i)[0]
                    for i in settings.imputations
                ]
            )
            for n in settings.normalisations
        ]
    )


def simulate(
    bank: FloatArray,
    draws: Draws,
    framework: Framework,
    nominal: Mapping[str, FloatArray],
    *,
    scored: npt.NDArray[np.bool_],
) -> FloatArray:
    """The total score of every replication and region (replications × regions)."""
    leaves = bank[draws.normalisation, draws.imputation]
    weights = {path: perturbed_weights(nominal[path], draws.multipliers[path]) for path in nominal}
    tree = score_tree(
        framework,
        leaves,
        scored=scored,
        weights=weights,
        aggregations=(framework.uncertainty.aggregations, draws.aggregation),
    )
    return np.where(scored, tree.nodes[""], np.nan)


@dataclass(frozen=True, slots=True)
class RegionSpread:
    score_interval: tuple[float, float]
    """5th and 95th percentiles of the score."""
    score_median: float
    rank_interval: tuple[int, int]
    """Best and worst rank among peers seen in 90 % of replications (5th–95th pct)."""
    stage_probability: dict[str, float]
    """Stage code → share of replications in that stage."""


def summarise(totals: FloatArray, parents: list[str | None]) -> list[RegionSpread | None]:
    """Per region: score and rank intervals and stage probabilities over the replications
    where it has a score (None: never scored)."""
    ranks = replicated_ranks(parents, totals)
    spreads: list[RegionSpread | None] = []
    lowers = np.array([stage.lower for stage in STAGES])
    for region in range(totals.shape[1]):
        finite = np.isfinite(totals[:, region])
        if not finite.any():
            spreads.append(None)
            continue
        scores = totals[finite, region]
        low, median, high = np.percentile(scores, [5, 50, 95])
        rank_low, rank_high = np.percentile(ranks[finite, region], [5, 95], method="nearest")
        stage_index = np.searchsorted(lowers, scores, side="right") - 1
        counts = np.bincount(stage_index, minlength=len(STAGES)) / len(scores)
        spreads.append(
            RegionSpread(
                (float(low), float(high)),
                float(median),
                (int(rank_low), int(rank_high)),
                {stage.code: float(share) for stage, share in zip(STAGES, counts, strict=True)},
            )
        )
    return spreads
