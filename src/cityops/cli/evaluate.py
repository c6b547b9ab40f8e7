"""``cityops evaluate``: score a period's facts with the framework and save the run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, period_option, unit_of_work
from cityops.domain.period import Period

if TYPE_CHECKING:
    from cityops.evaluation.model import RegionResult

__all__ = ["evaluate"]


def evaluate(
    period: Annotated[Period, period_option("Month to evaluate, YYYY-MM.")],
    framework: Annotated[
        Path | None,
        typer.Option("--framework", help="Framework YAML [default: the shipped framework]."),
    ] = None,
    uncertainty: Annotated[
        int,
        typer.Option(
            "--uncertainty",
            min=0,
            help="Monte Carlo replications over weights and methods (0: none); adds score "
            "and rank intervals, stage probabilities and Sobol indices.",
        ),
    ] = 0,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Normalise, weight and aggregate the facts of PERIOD for every region (score, stage,
    rank among peers, change against the previous month), and save the run as
    runs/<run_id>.json."""
    from cityops.services.evaluation import evaluate_period

    with unit_of_work(workspace) as uow:
        run, path = evaluate_period(uow, period, framework_path=framework, replications=uncertainty)
    result = {
        "run_id": run.run_id,
        "period": run.period,
        "framework_hash": run.framework_hash,
        "path": str(path),
        "replications": run.replications,
        "imputed_share": run.imputed_share,
        "regions": [_region_json(r, run.replications) for r in run.regions],
    }

    def describe(console: Console) -> None:
        view = RichTable(title=f"evaluation {run.period} · run {run.run_id}")
        columns = ["region", "name", "level", "score", "stage", "rank", "change", "coverage"]
        if run.replications:
            columns += ["score 90 %", "rank range", "P(stage)"]
        for column in columns:
            view.add_column(column)
        scored = [r for r in run.regions if r.score is not None]
        for r in scored:
            cells = [
                r.region_code,
                r.name,
                r.level,
                "—" if r.score is None else f"{r.score:.1f}",
                r.stage_zh or "—",
                "—" if r.rank is None else f"{r.rank}/{r.peers}",
                "—" if r.change is None else f"{r.change:+.1f}",
                f"{r.coverage:.0%}",
            ]
            if run.replications:
                spread = r.uncertainty
                cells += (
                    [
                        f"{spread.score_low:.1f}–{spread.score_high:.1f}",
                        f"{spread.rank_best}–{spread.rank_worst}",
                        f"{max(spread.stage_probability.values()):.0%}",
                    ]
                    if spread
                    else ["—", "—", "—"]
                )
            view.add_row(*cells)
        console.print(view)
        unscored = len(run.regions) - len(scored)
        if unscored:
            console.print(
                f"{unscored} region(s) not scored: too few of their indicators have values "
                "(coverage below the framework's threshold; all are in --json)"
            )
        console.print(f"run saved to {path}")

    emit(result, as_json, describe)


def _region_json(region: RegionResult, replications: int) -> dict[str, Any]:
    """A region's result; with an uncertainty run, its spread (None when not scored)."""
    result: dict[str, Any] = {
        "region_code": region.region_code,
        "score": region.score,
        "stage": region.stage,
        "rank": region.rank,
        "change": region.change,
        "coverage": region.coverage,
        "imputed": list(region.imputed),
        "directions": dict(region.directions),
    }
    spread = region.uncertainty
    if replications and spread is None:
        result |= dict.fromkeys(
            ("stage_probability", "score_interval", "rank_interval", "sobol_first", "sobol_total")
        )
    elif spread is not None:
        result |= {
            "stage_probability": dict(spread.stage_probability),
            "score_interval": [spread.score_low, spread.score_high],
            "rank_interval": [spread.rank_best, spread.rank_worst],
            "sobol_first": dict(spread.sobol_first),
            "sobol_total": dict(spread.sobol_total),
        }
    return result
