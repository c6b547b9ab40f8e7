"""``cityops contracts load|list``: the register of operators, contracts and budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["contracts_app"]

contracts_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Register operators, contracts with KPI clauses, and region budgets.",
)


@contracts_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="Contract register file (YAML).")],
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load FILE (operators, contracts, budgets) into the register; an entry with a known
    id replaces the registered one."""
    from cityops.services.settlement import load_contracts

    with unit_of_work(workspace) as uow:
        bundle = load_contracts(uow, file)
    result = {
        "file": str(file),
        "operators": [o.operator_id for o in bundle.operators],
        "contracts": [c.contract_id for c in bundle.contracts],
        "budgets": [f"{b.region_code}/{b.year}" for b in bundle.budgets],
    }

    def describe(console: Console) -> None:
        console.print(
            f"loaded {len(bundle.operators)} operators, {len(bundle.contracts)} contracts, "
            f"{len(bundle.budgets)} budgets from {file}"
        )

    emit(result, as_json, describe)


@contracts_app.command("list")
def list_(
    region: Annotated[str | None, typer.Option("--region", help="Only this region.")] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the registered contracts."""
    from cityops.services.settlement import list_contracts
    from cityops.types import RegionCode

    with unit_of_work(workspace) as uow:
        stored = list_contracts(uow, None if region is None else RegionCode(region))
    rows = [
        {
            "contract_id": s.contract.contract_id,
            "name": s.contract.name,
            "region_code": s.contract.region_code,
            "model": s.contract.model.value,
            "return_mechanisms": [m.value for m in s.contract.return_mechanisms],
            "start": s.contract.start.isoformat(),
            "end": s.contract.end.isoformat(),
            "annual_amount": None
            if s.contract.annual_amount is None
            else str(s.contract.annual_amount),
            "kpis": len(s.contract.clauses),
            "contract_hash": s.hash,
        }
        for s in stored
    ]

    def describe(console: Console) -> None:
        view = RichTable(title="contracts")
        for column in ("id", "name", "region", "model", "term", "annual (yuan)", "KPIs"):
            view.add_column(column)
        for row in rows:
            view.add_row(
                str(row["contract_id"]),
                str(row["name"]),
                str(row["region_code"]),
                str(row["model"]),
                f"{row['start']} … {row['end']}",
                str(row["annual_amount"] or "—"),
                str(row["kpis"]),
            )
        console.print(view)

    emit({"contracts": rows}, as_json, describe)
