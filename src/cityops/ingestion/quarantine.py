"""Quarantine (隔离区): rows that failed a check, kept with where and why.

A batch's failed rows go to ``lake/_quarantine/<table>/part-<batch>.parquet``
with the batch, table, file, line, first failing field, reason and the raw
row as JSON — values that look like personal data masked, since quarantine
lives in the lake too.  Nothing is ever dropped silently: fix the rows in the
source and ingest the corrected file; its good rows are stored and the ones
already stored count as duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from cityops.domain.contract import TABLES
from cityops.domain.contract import table as contract_table
from cityops.ingestion.checks import Check, quote_identifier, quote_literal
from cityops.ingestion.personal import looks_personal_sql
from cityops.ingestion.staging import Move, files_relation, stage_query
from cityops.lake.layout import LakeLayout

__all__ = ["MASK", "QUARANTINE_COLUMNS", "list_quarantined", "stage_quarantine"]

MASK = "***"
QUARANTINE_COLUMNS = ("batch_id", "table_name", "file", "line", "field", "reason", "row")

_EMPTY = (
    "SELECT CAST(NULL AS VARCHAR) AS batch_id, CAST(NULL AS VARCHAR) AS table_name, "
    "CAST(NULL AS VARCHAR) AS file, CAST(NULL AS BIGINT) AS line, "
    "CAST(NULL AS VARCHAR) AS field, CAST(NULL AS VARCHAR) AS reason, "
    "CAST(NULL AS VARCHAR) AS row LIMIT 0"
)


def _masked_row(source_types: Mapping[str, str]) -> str:
    """The raw row as JSON, text values that look personal replaced by ``***``."""
    entries = []
    for name, kind in source_types.items():
        column = f"raw.{quote_identifier(name)}"
        if kind.upper() == "VARCHAR":
            column = f"CASE WHEN {looks_personal_sql(column)} THEN '{MASK}' ELSE {column} END"
        entries.append(f"{quote_literal(name)}: {column}")
    return f"CAST(to_json({{{', '.join(entries)}}}) AS VARCHAR)"


def stage_quarantine(
    con: duckdb.DuckDBPyConnection,
    layout: LakeLayout,
    *,
    table_name: str,
    path: Path,
    batch_id: str,
    checks: Sequence[Check],
    source_types: Mapping[str, str],
) -> list[Move]:
    """Stage the failed rows of ``checked`` (``_check`` = index of the first failed check).

    Fields and reasons are computed here, for failed rows only, from the raw
    rows (view ``raw``) joined back by line.
    """
    field = " ".join(f"WHEN {i} THEN {quote_literal(c.field)}" for i, c in enumerate(checks))
    reason = " ".join(f"WHEN {i} THEN {c.reason_sql}" for i, c in enumerate(checks))
    query = (
        f"SELECT {quote_literal(batch_id)} AS batch_id, "
        f"{quote_literal(table_name)} AS table_name, {quote_literal(str(path))} AS file, "
        f"raw._line AS line, CASE f._check {field} END AS field, "
        f"CASE f._check {reason} END AS reason, {_masked_row(source_types)} AS row "
        "FROM raw JOIN (SELECT _line, _check FROM checked WHERE _check IS NOT NULL) f "
        "ON raw._line = f._line ORDER BY raw._line"
    )
    _, moves = stage_query(
        con,
        query,
        lake=layout.root,
        batch_id=batch_id,
        target_dir=layout.quarantine_dir(table_name),
    )
    return moves


def list_quarantined(lake: Path, table_name: str | None = None) -> pa.Table:
    """Every quarantined row (of one table, or of all), by table, file and line."""
    layout = LakeLayout(lake)
    names = [contract_table(table_name).name] if table_name else [t.name for t in TABLES]
    files = [f for name in names for f in layout.files(layout.quarantine_dir(name))]
    columns = ", ".join(QUARANTINE_COLUMNS)
    con = duckdb.connect()
    try:
        return con.sql(
            f"SELECT {columns} FROM {files_relation(files, _EMPTY)} ORDER BY table_name, file, line"
        ).to_arrow_table()
    finally:
        con.close()
