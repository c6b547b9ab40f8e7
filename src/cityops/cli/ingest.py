"""``cityops ingest``: files of one contract table into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import TaskID
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["ingest"]


def ingest(
    table: Annotated[str, typer.Argument(help="Contract table, e.g. portal_events.")],
    files: Annotated[
        list[Path], typer.Argument(help="CSV, Parquet, JSON Lines or Excel (.xlsx) files.")
    ],
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Encoding of CSV files: utf-8, utf-8-sig, gbk, gb18030 [default: detected].",
            show_default=False,
        ),
    ] = None,
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="user_id is given in clear: store its keyed hash (HMAC-SHA256, secret.key).",
        ),
    ] = False,
) -> None:
    """Validate, deduplicate and store files of TABLE; every row is accounted for:
    received = stored + quarantined + duplicates.  Exit status 0 when the run
    completes, even with quarantined rows (see `cityops quarantine`).  The command
    acts as the local administrator, so it may change register tables (regions,
    services …); changes of a region's population or parent are audited."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from cityops.cli.options import stderr
    from cityops.services.ingestion import ingest_file, local_admin

    reports = []
    caller = local_admin()
    # A bar per file on stderr, in parts (a part is up to 12 M rows); none with --json.
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        unit_of_work(workspace) as uow,
        Progress(*columns, console=stderr, transient=True, disable=as_json) as bar,
    ):
        for path in files:
            task = bar.add_task(f"{path.name} (parts)", total=None)

            def advance(done: int, total: int, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total)

            reports.append(
                ingest_file(
                    uow,
                    table,
                    path,
                    principal=caller,
                    encoding=encoding,
                    pseudonymise_users=pseudonymise,
                    on_part=advance,
                )
            )
    totals = {
        key: sum(int(getattr(r, key)) for r in reports)
        for key in ("received", "stored", "quarantined", "duplicates")
    }
    result: dict[str, object] = {"table": table, "files": [str(p) for p in files], **totals}

    def describe(console: Console) -> None:
        view = RichTable(title=f"ingest {table}")
        for column in ("file", "received", "stored", "quarantined", "duplicates"):
            view.add_column(column, justify="left" if column == "file" else "right")
        for r in reports:
            counts = (r.received, r.stored, r.quarantined, r.duplicates)
            view.add_row(r.source, *(f"{n:,}" for n in counts))
        console.print(view)
        if totals["quarantined"]:
            console.print(
                f"[yellow]{totals['quarantined']:,} row(s) quarantined[/]: "
                f"with line, field and reason: cityops quarantine --table {table}"
            )

    emit(result, as_json, describe)
