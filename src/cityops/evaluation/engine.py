"""Evaluate one period: facts → normalised scores → direction scores → total score,
stage, rank, strengths and weaknesses, for every region.

Pure NumPy over a regions × indicators matrix; no database.  Missing data:
a missing indicator is left out and the weights of the present indicators of
its direction are renormalised; a direction with no indicator present is
missing and the total renormalises over the present directions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from cityops import __version__
from cityops.domain.period import Period
from cityops.domain.stages import stage_of
from cityops.errors import PipelineError
from cityops.evaluation.framework import Framework, load_framework
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.evaluation.normalise import FloatArray, goalpost_bounds, goalpost_scores
from cityops.evaluation.ranking import peer_ranks
from cityops.evaluation.regions import Region, regions_hash
from cityops.indicators.catalogue import Direction
from cityops.indicators.facts import IndicatorFact, facts_hash

__all__ = ["SHOWN_EXTREMES", "evaluate", "weighted_mean"]

SHOWN_EXTREMES = 3
"""How many best and worst indicators are named as strengths and weaknesses."""


def evaluate(
    facts: Sequence[IndicatorFact],
    regions: Sequence[Region],
    *,
    period: Period | str,
    framework: Framework | None = None,
    created_at: datetime | None = None,
) -> EvaluationRun:
    """Evaluate ``period`` for every region, from that period's facts."""
    framework = framework or load_framework()
    period_text = str(period)
    foreign = {f.period for f in facts} - {period_text}
    if foreign:
        raise PipelineError(f"facts for {sorted(foreign)} given to evaluate {period_text}")
    ordered = sorted(regions, key=lambda r: r.region_code)
    scores = _indicator_scores(facts, ordered, framework)
    directions = {
        direction: _direction_scores(scores, framework, direction) for direction in Direction
    }
    direction_weights = np.array([framework.direction_weights[d] for d in Direction])
    totals = weighted_mean(np.column_stack(list(directions.values())), direction_weights)
    coverage = np.mean(~np.isnan(scores), axis=1) if scores.size else np.zeros(len(ordered))
    total_list = [_optional(v) for v in totals]
    ranks, peers = peer_ranks([r.parent_code for r in ordered], total_list)
    codes = [leaf.code for leaf in framework.indicators]
    results = []
    for row, region in enumerate(ordered):
        indicator_scores = {code: _optional(scores[row, i]) for i, code in enumerate(codes)}
        strengths, weaknesses = _extremes(indicator_scores)
        total = total_list[row]
        stage = None if total is None else stage_of(total)
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
                directions={str(d): _optional(directions[d][row]) for d in Direction},
                indicators=indicator_scores,
                strengths=strengths,
                weaknesses=weaknesses,
            )
        )
    hashes = (framework.hash, facts_hash(facts), regions_hash(ordered), __version__)
    run_id = hashlib.sha256("\n".join(hashes).encode()).hexdigest()[:16]
    moment = (created_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return EvaluationRun(
        run_id, period_text, framework.name, *hashes[:3], __version__, moment, tuple(results)
    )


def weighted_mean(scores: FloatArray, weights: FloatArray) -> FloatArray:
    """Row-wise Σ wᵢ·sᵢ ÷ Σ wᵢ over the non-missing sᵢ (weights renormalised over
    what is present); NaN where nothing with a positive weight is present."""
    present = ~np.isnan(scores)
    weight_present = np.where(present, weights, 0.0)
    total_weight = weight_present.sum(axis=1)
    weighted = np.where(present, scores, 0.0) @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total_weight > 0, weighted / total_weight, np.nan)


def _indicator_scores(
    facts: Sequence[IndicatorFact], regions: Sequence[Region], framework: Framework
) -> FloatArray:
    """The regions × framework-indicators matrix of 0–100 scores (NaN = missing)."""
    row_of = {r.region_code: i for i, r in enumerate(regions)}
    column_of = {leaf.code: j for j, leaf in enumerate(framework.indicators)}
    values = np.full((len(regions), len(framework.indicators)), np.nan)
    for fact in facts:
        row, column = row_of.get(fact.region_code), column_of.get(fact.indicator)
        if row is not None and column is not None and fact.value is not None:
            values[row, column] = fact.value
    populations = np.array([r.resident_population for r in regions], dtype=np.float64)
    scores = np.empty_like(values)
    for j, leaf in enumerate(framework.indicators):
        lo, hi = goalpost_bounds(leaf.goalposts, populations)
        scores[:, j] = goalpost_scores(values[:, j], lo, hi)
    return scores


def _direction_scores(scores: FloatArray, framework: Framework, direction: Direction) -> FloatArray:
    columns = [j for j, leaf in enumerate(framework.indicators) if leaf.direction is direction]
    weights = np.array([framework.indicators[j].weight for j in columns], dtype=np.float64)
    return weighted_mean(scores[:, columns], weights)


def _extremes(scores: dict[str, float | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The best and the worst indicators by score (ties, to 9 decimals, in code order)."""
    present = [(round(score, 9), code) for code, score in scores.items() if score is not None]
    best = sorted(present, key=lambda item: (-item[0], item[1]))[:SHOWN_EXTREMES]
    worst = sorted(present)[:SHOWN_EXTREMES]
    return tuple(code for _, code in best), tuple(code for _, code in worst)


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
