"""Ingest a folder holding one file per contract table (as ``cityops synth`` writes).

Register tables go first, regions before the tables that refer to them, so
that event rows find the keys they name.  The contract lists tables in that
order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cityops.domain.contract import TABLES
from cityops.errors import ContractError
from cityops.ingestion.batch import ingest_file
from cityops.ingestion.sources import FORMATS
from cityops.register.batches import IngestBatch
from cityops.workspace.workspace import Workspace

__all__ = ["ingest_directory", "table_files"]


def table_files(directory: Path) -> list[tuple[str, Path]]:
    """``(table, file)`` for every contract table that has a file in ``directory``,
    in contract order; two files for one table is an error, since both would be
    ingested and the choice of one would be a guess."""
    found: list[tuple[str, Path]] = []
    for table in TABLES:
        candidates = [directory / f"{table.name}{suffix}" for suffix in FORMATS]
        present = [path for path in candidates if path.is_file()]
        if len(present) > 1:
            names = ", ".join(p.name for p in present)
            raise ContractError(f"{directory}: more than one file for {table.name}: {names}")
        found.extend((table.name, path) for path in present)
    return found


def ingest_directory(
    workspace: Workspace,
    directory: Path,
    on_batch: Callable[[IngestBatch], None] | None = None,
) -> list[IngestBatch]:
    """Ingest every contract table found in ``directory``; ``on_batch`` hears each batch."""
    files = table_files(directory)
    if not files:
        raise ContractError(f"{directory}: no file named after a contract table (e.g. regions.csv)")
    batches: list[IngestBatch] = []
    for table_name, path in files:
        batch = ingest_file(workspace, table_name, path)
        batches.append(batch)
        if on_batch is not None:
            on_batch(batch)
    return batches
