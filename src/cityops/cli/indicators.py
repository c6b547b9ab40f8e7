"""``cityops indicators``: compute a period's indicator facts from the workspace, and
``cityops indicators explain``: why one fact is what it is."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, period_option, unit_of_work
from cityops.domain.period import Period
from cityops.indicators.engine_name import DEFAULT_ENGINE, EngineName

__all__ = ["indicators_app"]

indicators_app = typer.Typer(
    invoke_without_command=True, no_args_is_help=False, add_completion=False
)


@indicators_app.callback()
def indicators(
    context: typer.Context,
    period: Annotated[Period | None, period_option("Month to compute, YYYY-MM.")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Show only this region (all are stored).")
    ] = None,
    engine: Annotated[
        EngineName,
        typer.Option(
            "--engine",
            help="duckdb (embedded) or spark (master from $CITYOPS_SPARK_MASTER, "
            "default local[2]); both give the same facts.",
        ),
    ] = DEFAULT_ENGINE,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compute every computable indicator for every region in PERIOD, on DuckDB or Spark,
    and store the facts in facts/<period>.parquet.  `cityops indicators explain` explains
    one fact."""
    if context.invoked_subcommand is not None:
        return
    if period is None:
        raise typer.BadParameter("give the month to compute", param_hint="--period")
    from cityops.services.indicators import compute_period

    with unit_of_work(workspace) as uow:
        facts, path = compute_period(uow, period, engine)
    shown = [f for f in facts if region is None or f.region_code == region]
    result = {
        "period": str(period),
        "engine": str(engine),
        "path": str(path),
        "facts": [
            {
                "indicator": f.indicator,
                "region_code": f.region_code,
                "value": f.value,
                "numerator": f.numerator,
                "denominator": f.denominator,
            }
            for f in shown
        ],
    }

    def describe(console: Console) -> None:
        view = RichTable(
            title=f"indicators {period}" + (f" · {region}" if region else "") + f" · {engine}"
        )
        view.add_column("indicator", no_wrap=True)
        numbers = ("value", "numerator", "denominator")
        for column in numbers if region else ("region", *numbers):
            view.add_column(column, justify="right", no_wrap=True)
        for f in shown:
            cells = (
                "—" if f.value is None else f"{f.value:.4g}",
                "" if f.numerator is None else f"{f.numerator:,.6g}",
                "" if f.denominator is None else f"{f.denominator:,.6g}",
            )
            view.add_row(f.indicator, *(cells if region else (f.region_code, *cells)))
        console.print(view)
        console.print(f"{len(facts):,} facts written to {path}")

    emit(result, as_json, describe)


@indicators_app.command("explain")
def explain(
    code: Annotated[str, typer.Argument(help="Indicator code, e.g. effect.mau_rate.")],
    region: Annotated[str, typer.Option("--region", help="Region code.")],
    period: Annotated[Period, period_option("Month, YYYY-MM.")],
    engine: Annotated[
        EngineName | None,
        typer.Option(
            "--engine",
            help="Show the query as this engine runs it [default: the engine of the fact].",
            show_default=False,
        ),
    ] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Explain a stored fact: the formula, the numbers that went into it, and the query
    that produced them (on Spark: translated to Spark SQL, parameters written in)."""
    from rich.syntax import Syntax

    from cityops.errors import PipelineError
    from cityops.services.indicators import explain_stored_fact
    from cityops.types import IndicatorCode, RegionCode

    with unit_of_work(workspace) as uow:
        explanation = explain_stored_fact(
            uow.workspace, IndicatorCode(code), RegionCode(region), period, engine=engine
        )
    if explanation is None:
        raise PipelineError(
            f"no fact of {code} for region {region} in {period}; "
            f"check the region code, or run `cityops indicators --period {period}`"
        )
    result = explanation.as_dict()

    def describe(console: Console) -> None:
        meta, fact = explanation.meta, explanation.fact
        console.print(f"[bold]{meta.name_zh}[/] {meta.name_en} · {fact.indicator}")
        console.print(f"region {fact.region_code} · period {fact.period} · engine {fact.engine}")
        console.print(f"formula    {meta.formula}", soft_wrap=True)
        numbers = RichTable(show_header=False, box=None)
        for label, number in (
            ("value", fact.value),
            ("numerator", fact.numerator),
            ("denominator", fact.denominator),
        ):
            numbers.add_row(label, "—" if number is None else f"{number:,.10g}")
        numbers.add_row("rows read", f"{fact.rows_read:,}")
        console.print(numbers)
        console.print(f"definition {fact.definition_hash}", soft_wrap=True)
        if not explanation.definition_current:
            console.print(
                "[bold yellow]the definition has changed since this fact was computed;[/] "
                "the query below is today's, not the one that produced the fact",
                soft_wrap=True,
            )
        shown = ", ".join(f"${k} = {v}" for k, v in result["parameters"].items())
        console.print(f"query      on {explanation.sql_engine} ({shown})", soft_wrap=True)
        console.print(Syntax(explanation.sql, "sql", word_wrap=True))

    emit(result, as_json, describe)
