"""``cityops schemas``: write the contract's JSON Schemas and example files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, emit

__all__ = ["schemas"]


def schemas(
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write <table>.schema.json and examples/.")
    ] = Path("docs/schemas"),
    as_json: JsonOption = False,
) -> None:
    """Generate the JSON Schema and an example file of every contract table from the
    contract itself (docs/schemas in the repository is made this way)."""
    from cityops.ingestion.schemas import write_schemas

    written = write_schemas(out)
    result: dict[str, object] = {"out": str(out), "files": [str(p) for p in written]}

    def describe(console: Console) -> None:
        console.print(f"wrote {len(written)} files to {out}")

    emit(result, as_json, describe)
