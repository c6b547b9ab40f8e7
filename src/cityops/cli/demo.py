"""``cityops demo``: synthetic city → workspace → ingest → indicators → evaluation → report,
then one user per role; it ends with where the console and the report are, and with
``--serve`` serves the console over the new workspace."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import (
    FIRST_MONTH,
    JsonOption,
    StartOption,
    WorkspaceOption,
    emit,
    stderr,
    workspace_dir,
)
from cityops.cli.serve import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    HostOption,
    PortOption,
    base_url,
    serve_workspace,
)
from cityops.messages import text

if TYPE_CHECKING:
    from cityops.demo import DemoResult
    from cityops.evaluation.framework import FrameworkDirection
    from cityops.evaluation.model import EvaluationRun, RegionResult
    from cityops.services.ingestion import IngestBatch

__all__ = ["demo"]

_COLUMNS: tuple[tuple[str, Literal["left", "right"]], ...] = (
    ("common.rank", "right"),
    ("common.region", "left"),
    ("common.score", "right"),
    ("common.stage_name", "left"),
)
"""The summary's first columns: the message that heads each, and its alignment."""


def demo(
    scale: Annotated[
        str, typer.Option("--scale", help="county (0.6 M residents), city (5 M) or megacity.")
    ] = "county",
    months: Annotated[int, typer.Option("--months", min=1, help="Months to generate.")] = 1,
    start: StartOption = FIRST_MONTH,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic city.")] = 1,
    workspace: WorkspaceOption = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the console and API until Ctrl-C.")
    ] = False,
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    as_json: JsonOption = False,
) -> None:
    """Run the whole job on a synthetic city into a fresh workspace and summarise it:
    each district's score, stage and direction scores.  It creates one user per
    role (password: $CITYOPS_PASSWORD, else Cityops-demo-2026) and prints the console's
    address; --serve then serves it (else run `cityops serve`)."""
    from cityops.demo import DEMO_PASSWORD, demo_password, run_demo

    began = time.monotonic()
    password = demo_password()
    console_url = f"{base_url(host, port)}/console"

    def on_step(name: str) -> None:
        stderr.print(f"[bold cyan]▶ {name}[/]  [dim]{time.monotonic() - began:6.1f} s[/]")

    def on_batch(batch: IngestBatch) -> None:
        stderr.print(
            f"    {batch.table_name:<20} {batch.received:>11,} rows: {batch.stored:,} stored, "
            f"{batch.quarantined:,} quarantined, {batch.duplicates:,} duplicates",
            highlight=False,
            soft_wrap=True,
        )

    result = run_demo(
        workspace_dir(workspace),
        scale=scale,
        months=months,
        start=start,
        seed=seed,
        progress=not as_json,
        on_step=on_step,
        on_batch=on_batch,
        password=password,
    )
    run = result.latest_run
    totals = {
        key: sum(int(getattr(b, key)) for b in result.batches)
        for key in ("received", "stored", "quarantined", "duplicates")
    }
    summary = {
        "workspace": str(result.workspace.root),
        "sources": str(result.sources),
        "period": run.period,
        "run_id": run.run_id,
        "report": str(result.report),
        "console": console_url,
        "users": [{"username": u.username, "role": u.role.value} for u in result.users],
        "password": password if password == DEMO_PASSWORD else None,
        "ingest": totals,
        "regions": [
            {
                "region_code": r.region_code,
                "name": r.name,
                "level": r.level,
                "score": r.score,
                "stage": r.stage,
                "rank": r.rank,
                "directions": dict(r.directions),
            }
            for r in run.regions
            if r.level in ("city", "district")
        ],
    }

    def describe(console: Console) -> None:
        console.print(_summary_table(run, result.workspace.config.name))
        console.print(
            f"ingested {totals['received']:,} rows: {totals['stored']:,} stored, "
            f"{totals['quarantined']:,} quarantined, {totals['duplicates']:,} duplicates"
        )
        lines = (
            f"workspace  {result.workspace.root}",
            f"report     {result.report}",
            f"           open it in a browser: {result.report.as_uri()}",
            f"explore    cityops indicators -w {result.workspace.root} --period {run.period}"
            " --region <code>",
            *_console_lines(result, console_url, password == DEMO_PASSWORD, serving=serve),
        )
        for line in lines:
            console.print(line, soft_wrap=True, highlight=False)
        console.print(f"[dim]done in {time.monotonic() - began:.0f} s[/]")

    emit(summary, as_json, describe)
    if serve:
        serve_workspace(result.workspace.root, host, port)


def _console_lines(
    result: DemoResult, console_url: str, default_password: bool, *, serving: bool
) -> tuple[str, ...]:
    """Where the console is, how to serve it, and who may log in (the password once)."""
    from cityops.demo import DEMO_PASSWORD, PASSWORD_ENV

    root = result.workspace.root
    how = (
        "served below until Ctrl-C"
        if serving
        else f"serve it with `cityops serve -w {root}`, or run `cityops demo --serve`"
    )
    password = (
        f"{DEMO_PASSWORD}  (the same for every demo user; ${PASSWORD_ENV} sets another)"
        if default_password
        else f"the one in ${PASSWORD_ENV}"
    )
    return (
        f"console    {console_url}  ({how})",
        f"users      {' · '.join(u.username for u in result.users)}  (one per role)",
        f"password   {password}",
    )


def _summary_table(run: EvaluationRun, city_name: str) -> RichTable:
    """The city and its districts by rank, a column per direction of the framework (the
    shipped one, which the demo evaluates with) under its short names."""
    from cityops.evaluation.framework import load_framework

    directions = load_framework().directions
    title = text("demo.title")
    view = RichTable(
        title=f"{city_name} · {run.period} · {title.zh} {title.en} · run {run.run_id}",
        box=box.SIMPLE_HEAD,
    )
    for key, justify in _COLUMNS:
        words = text(key)
        view.add_column(f"{words.zh}\n{words.en}", justify=justify, no_wrap=justify == "left")
    for direction in directions:
        view.add_column(f"{direction.short_zh}\n{direction.short_en}", justify="right")
    city = [r for r in run.regions if r.level == "city"]
    districts = sorted(
        (r for r in run.regions if r.level == "district"),
        key=lambda r: (r.rank is None, r.rank or 0, r.region_code),
    )
    for region in city:
        view.add_row(*_cells(region, directions), style="bold")
    if city:
        view.add_section()
    for region in districts:
        view.add_row(*_cells(region, directions))
    return view


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _cells(region: RegionResult, directions: Sequence[FrameworkDirection]) -> tuple[str, ...]:
    rank = "" if region.rank is None or region.level == "city" else str(region.rank)
    return (
        rank,
        f"{region.name} {region.region_code}",
        _number(region.score),
        region.stage_zh or "—",
        *(_number(region.directions.get(d.code)) for d in directions),
    )
