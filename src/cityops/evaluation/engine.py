"""Evaluate one period: facts → normalised indicator scores → node scores up the
framework tree → total score, stage, rank, strengths and weaknesses, change
against the previous period and, when asked, the Monte Carlo uncertainty and
Sobol sensitivity, for every region.

Pure NumPy over a regions × indicators matrix; no database, no files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np

from cityops import __version__
from cityops.domain.period import Period
from cityops.domain.stages import stage_of
from cityops.errors import PipelineError
from cityops.evaluation.framework import Framework, load_framework
from cityops.evaluation.model import EvaluationRun, RegionResult, RegionUncertainty
from cityops.evaluation.normalisation import FloatArray, goalpost_bounds
from cityops.evaluation.ranking import peer_ranks
from cityops.evaluation.regions import Region, regions_hash
from cityops.evaluation.scoring import Inputs, leaf_scores, score_tree
from cityops.evaluation.sensitivity import SobolIndices, sobol_indices
from cityops.evaluation.uncertainty import (
    ASSUMPTIONS,
    RegionSpread,
    draws_from_unit,
    leaf_bank,
    random_draws,
    simulate,
    summarise,
)
from cityops.indicators.facts import IndicatorFact, facts_hash
from cityops.types import IndicatorCode

__all__ = ["ROOT", "SHOWN_EXTREMES", "evaluate", "prepare_inputs"]

SHOWN_EXTREMES = 3
"""How many best and worst indicators are named as strengths and weaknesses."""

ROOT = "total"
"""The name of the framework's root node in ``EvaluationRun.weights``."""


def evaluate(
    facts: Sequence[IndicatorFact],
    regions: Sequence[Region],
    *,
    period: Period,
    framework: Framework | None = None,
    created_at: datetime | None = None,
    previous: EvaluationRun | None = None,
    replications: int = 0,
) -> EvaluationRun:
    """Evaluate ``period`` for every region, from that period's facts.

    ``previous`` (the run of the period before, same framework) gives each
    region's ``change``; ``replications`` > 0 adds the Monte Carlo spread and the
    Sobol indices, drawn from the framework's seed, so re-running is identical.
    """
    framework = framework or load_framework()
    foreign = {f.period for f in facts} - {period}
    if foreign:
        given = ", ".join(str(month) for month in sorted(foreign))
        raise PipelineError(f"facts for {given} given to evaluate {period}")
    if replications < 0:
        raise PipelineError(f"replications must be ≥ 0, got {replications}")
    ordered = sorted(regions, key=lambda r: r.region_code)
    inputs, coverage = prepare_inputs(facts, ordered, framework)
    leaves, imputed = leaf_scores(inputs, framework)
    tree = score_tree(framework, leaves, scored=inputs.scored)
    totals = np.where(inputs.scored, tree.nodes[""], np.nan)
    parents: list[str | None] = [r.parent_code for r in ordered]
    total_list = [_optional(v) for v in totals]
    ranks, peers = peer_ranks(parents, total_list)
    spreads, sobol = _uncertainty(inputs, framework, tree.weights, parents, replications)
    earlier = {r.region_code: r.score for r in previous.regions} if previous else {}
    codes = [leaf.code for leaf in framework.indicators]
    results = []
    for row, region in enumerate(ordered):
        scored = bool(inputs.scored[row])
        indicator_scores = {
            code: _optional(leaves[row, j]) if scored else None for j, code in enumerate(codes)
        }
        measured = {
            c: s for j, (c, s) in enumerate(indicator_scores.items()) if not imputed[row, j]
        }
        strengths, weaknesses = _extremes(measured)
        total = total_list[row]
        stage = None if total is None else stage_of(total)
        before = earlier.get(region.region_code)
        results.append(
            RegionResult(
                region_code=region.region_code,
                level=region.level,
                parent_code=region.parent_code,
                name=region.name,
                score=total,
                stage=stage.code if stage else None,
                stage_zh=stage.name_zh if stage else None,
                rank=ranks[row],
                peers=peers[row],
                coverage=float(coverage[row]),
                directions={
                    d.code: _node_score(tree.nodes, d.code, row, scored)
                    for d in framework.directions
                },
                indicators=indicator_scores,
                strengths=strengths,
                weaknesses=weaknesses,
                contents={
                    node.path: _node_score(tree.nodes, node.path, row, scored)
                    for node in framework.nodes
                    if "/" in node.path
                },
                imputed=tuple(c for j, c in enumerate(codes) if scored and imputed[row, j]),
                change=None if total is None or before is None else total - before,
                uncertainty=_region_uncertainty(spreads, sobol, row),
            )
        )
    scored_cells = inputs.scored[:, None] & inputs.measured[None, :]
    imputed_share = float(imputed[scored_cells].mean()) if scored_cells.any() else 0.0
    seed = framework.uncertainty.seed
    of_facts, of_regions = facts_hash(facts), regions_hash(ordered)
    previous_id = previous.run_id if previous else None
    identity = (
        framework.hash,
        of_facts,
        of_regions,
        __version__,
        str(replications),
        str(seed),
        previous_id or "",
    )
    run_id = hashlib.sha256("\n".join(identity).encode()).hexdigest()[:16]
    moment = (created_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    weights = {
        node.path or ROOT: {
            child: float(w) for child, w in zip(node.children, tree.weights[node.path], strict=True)
        }
        for node in framework.nodes
    }
    return EvaluationRun(
        run_id=run_id,
        period=period,
        created_at=moment,
        framework_name=framework.name,
        framework_hash=framework.hash,
        facts_hash=of_facts,
        regions_hash=of_regions,
        code_version=__version__,
        imputed_share=imputed_share,
        previous_run_id=previous_id,
        replications=replications,
        seed=seed,
        weights=weights,
        regions=tuple(results),
    )


def prepare_inputs(
    facts: Sequence[IndicatorFact], regions: Sequence[Region], framework: Framework
) -> tuple[Inputs, FloatArray]:
    """The aligned inputs (regions in code order), and each region's data coverage."""
    regions = sorted(regions, key=lambda r: r.region_code)
    row_of = {r.region_code: i for i, r in enumerate(regions)}
    column_of = {leaf.code: j for j, leaf in enumerate(framework.indicators)}
    values = np.full((len(regions), len(framework.indicators)), np.nan)
    for fact in facts:
        row, column = row_of.get(fact.region_code), column_of.get(fact.indicator)
        if row is not None and column is not None and fact.value is not None:
            values[row, column] = fact.value
    populations = np.array([r.resident_population for r in regions], dtype=np.float64)
    bounds = [goalpost_bounds(leaf.goalposts, populations) for leaf in framework.indicators]
    lo = np.column_stack([b[0] for b in bounds]) if bounds else values.copy()
    hi = np.column_stack([b[1] for b in bounds]) if bounds else values.copy()
    present = ~np.isnan(values)
    measured = present.any(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(measured.any(), present.sum(axis=1) / measured.sum(), 0.0)
    scored = (coverage > 0) & (coverage >= framework.coverage_threshold)
    levels = sorted({r.level for r in regions})
    groups = np.array([levels.index(r.level) for r in regions], dtype=np.int64)
    return Inputs(values, lo, hi, groups, measured, scored), coverage


def _uncertainty(
    inputs: Inputs,
    framework: Framework,
    nominal: dict[str, FloatArray],
    parents: list[str | None],
    replications: int,
) -> tuple[list[RegionSpread | None], list[SobolIndices]]:
    """The Monte Carlo spread of every region, and its Sobol indices per assumption."""
    if replications == 0:
        return [], []
    seed = framework.uncertainty.seed
    bank = leaf_bank(inputs, framework)
    draws = random_draws(framework, replications, seed)
    totals = simulate(bank, draws, framework, nominal, scored=inputs.scored)

    def model(unit: FloatArray) -> FloatArray:
        unit_draws = draws_from_unit(framework, unit, seed)
        return simulate(bank, unit_draws, framework, nominal, scored=inputs.scored)

    indices = sobol_indices(
        model, ASSUMPTIONS, base_samples=framework.uncertainty.sobol_samples, seed=seed
    )
    return summarise(totals, parents), indices


def _region_uncertainty(
    spreads: list[RegionSpread | None], sobol: list[SobolIndices], row: int
) -> RegionUncertainty | None:
    spread = spreads[row] if spreads else None
    if spread is None:
        return None
    return RegionUncertainty(
        score_low=spread.score_interval[0],
        score_median=spread.score_median,
        score_high=spread.score_interval[1],
        rank_best=spread.rank_interval[0],
        rank_worst=spread.rank_interval[1],
        stage_probability=spread.stage_probability,
        sobol_first=sobol[row].first,
        sobol_total=sobol[row].total,
    )


def _node_score(nodes: dict[str, FloatArray], path: str, row: int, scored: bool) -> float | None:
    return _optional(nodes[path][row]) if scored else None


def _extremes(
    scores: Mapping[IndicatorCode, float | None],
) -> tuple[tuple[IndicatorCode, ...], tuple[IndicatorCode, ...]]:
    """The best and the worst indicators by score (ties, to 9 decimals, in code order)."""
    present = [(round(score, 9), code) for code, score in scores.items() if score is not None]
    best = sorted(present, key=lambda item: (-item[0], item[1]))[:SHOWN_EXTREMES]
    worst = sorted(present)[:SHOWN_EXTREMES]
    return tuple(code for _, code in best), tuple(code for _, code in worst)


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
