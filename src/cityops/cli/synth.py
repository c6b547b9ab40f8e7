"""``cityops synth``: write a synthetic city — every contract table and truth.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cityops.cli.options import FIRST_MONTH, JsonOption, StartOption, emit

__all__ = ["synth"]


def synth(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write <table>.parquet|csv and truth.json.")
    ],
    scale: Annotated[
        str, typer.Option("--scale", help="tiny (tests only), county, city or megacity.")
    ] = "county",
    months: Annotated[int, typer.Option("--months", min=1, help="Months to generate.")] = 1,
    start: StartOption = FIRST_MONTH,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    as_json: JsonOption = False,
) -> None:
    """Generate a synthetic city (合成城市) with a strong and a weak district built in."""
    from cityops.synth import generate_city

    summary = generate_city(
        out,
        scale=scale,
        months=months,
        start=start,
        seed=seed,
        fmt=fmt,
        progress=True,
    )
    result = summary.to_dict()

    def human(console: Console) -> None:
        from rich.table import Table

        table = Table(title=f"synthetic {summary.scale}, {summary.start} + {summary.months} months")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, rows in summary.tables.items():
            table.add_row(name, f"{rows:,}")
        console.print(table)
        console.print(f"written to {summary.out} ({summary.format}), truth in truth.json")

    emit(result, as_json, human)
