"""One batch: a file of one contract table into the register or the lake.

The batch runs in DuckDB in four set-based steps: number the raw rows, check
them against the contract (first failure per row recorded), drop duplicates
(by ``event_id`` or the table's key, within the file and against the lake),
and write.  Files are written to a staging directory and renamed into place,
so a reader never sees half a batch's file.  A batch's id is derived from the
table and the file's bytes, so ingesting the same file again yields the same
batch and, because every row is then a duplicate, changes nothing.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from cityops.domain.contract import Table, TableKind
from cityops.domain.contract import table as contract_table
from cityops.errors import ContractError
from cityops.ingestion.checks import checks_for, quote_identifier, quote_literal, typed_expression
from cityops.ingestion.sources import file_digest, read_source
from cityops.lake.layout import LakeLayout
from cityops.lake.schema import arrow_schema
from cityops.register.batches import IngestBatch, record_batch
from cityops.register.engine import make_engine
from cityops.register.store import load_register_rows, read_current
from cityops.workspace.workspace import Workspace

__all__ = ["ingest_file"]

QUARANTINE_DIR = "_quarantine"
STAGING_DIR = "_staging"


def ingest_file(workspace: Workspace, table_name: str, path: Path) -> IngestBatch:
    """Ingest ``path`` as rows of contract table ``table_name`` into ``workspace``;
    the returned batch, also recorded in the register, accounts for every row."""
    table = contract_table(table_name)
    started_at = datetime.now(UTC)
    batch_id = file_digest(path)[:20]
    engine = make_engine(workspace.register_url)
    con = duckdb.connect()
    try:
        _configure(con, LakeLayout(workspace.lake))
        source_types = read_source(con, path, "raw")
        _require_columns(table, source_types, path)
        references = _load_reference_keys(con, table, engine)
        _check_rows(con, table, source_types, references, path)
        received, quarantined = _counts(con)
        layout = LakeLayout(workspace.lake)
        if quarantined:
            _write_quarantine(con, layout, table, path, batch_id)
        if table.kind is TableKind.REGISTER:
            stored = _keep_latest_per_key(con, table)
            if stored:
                rows = con.sql(f"SELECT {_field_list(table)} FROM kept").to_arrow_table()
                load_register_rows(engine, table, rows.cast(arrow_schema(table)), batch_id)
        else:
            stored = _keep_new_events(con, table, layout)
            if stored:
                _write_events(con, layout, table, batch_id)
        report = IngestBatch(
            batch_id=batch_id,
            table_name=table.name,
            source=str(path),
            started_at=started_at,
            finished_at=datetime.now(UTC),
            received=received,
            stored=stored,
            quarantined=quarantined,
            duplicates=received - quarantined - stored,
        )
        record_batch(engine, report)
        return report
    finally:
        con.close()
        engine.dispose()


MEMORY_LIMIT = "2GB"
"""DuckDB spills to disk beyond this, so a batch's memory stays flat as files grow."""


def _configure(con: duckdb.DuckDBPyConnection, layout: LakeLayout) -> None:
    spill = layout.root / STAGING_DIR / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = {quote_literal(str(spill))}")


def _field_list(table: Table) -> str:
    return ", ".join(quote_identifier(f.name) for f in table.fields)


def _require_columns(table: Table, source_types: dict[str, str], path: Path) -> None:
    missing = [f.name for f in table.fields if f.required and f.name not in source_types]
    if missing:
        expected = ", ".join(table.field_names)
        raise ContractError(
            f"{path}: missing required column(s) {', '.join(missing)} for table "
            f"{table.name!r}; its columns are: {expected}"
        )


def _load_reference_keys(
    con: duckdb.DuckDBPyConnection, table: Table, engine: sa.Engine
) -> dict[str, str]:
    """Load the keys of every register table this table refers to, as ``known_<name>``."""
    relations: dict[str, str] = {}
    for referenced in sorted({f.references for f in table.fields if f.references}):
        target = contract_table(referenced)
        current = read_current(engine, target)
        keys = pa.table({"key": current.column(target.identity[0]).cast(pa.string())})
        relation = f"known_{referenced}"
        con.register(f"{relation}_arrow", keys)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT * FROM {relation}_arrow")
        con.unregister(f"{relation}_arrow")
        relations[referenced] = relation
    return relations


def _check_rows(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source_types: dict[str, str],
    references: dict[str, str],
    path: Path,
) -> None:
    """Materialise ``checked``: typed fields plus the first failing field and its reason."""
    checks = checks_for(table, source_types, references)
    typed = ", ".join(
        f"{typed_expression(f, source_types.get(f.name))} AS {quote_identifier(f.name)}"
        for f in table.fields
    )
    failing_field = " ".join(f"WHEN {c.failing_sql} THEN {quote_literal(c.field)}" for c in checks)
    reason = " ".join(f"WHEN {c.failing_sql} THEN {c.reason_sql}" for c in checks)
    any_failing = " OR ".join(f"({c.failing_sql})" for c in checks)
    raw_row = ", ".join(
        f"{quote_literal(name)}: raw.{quote_identifier(name)}" for name in source_types
    )
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE checked AS SELECT raw._line, "
            f"{typed}, CASE {failing_field} END AS _field, CASE {reason} END AS _reason, "
            f"CASE WHEN {any_failing} THEN to_json({{{raw_row}}}) END AS _row FROM raw"
        )
    except duckdb.Error as error:
        raise ContractError(f"{path}: rows could not be read: {error}") from error


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    [(received, failed)] = con.execute("SELECT count(*), count(_reason) FROM checked").fetchall()
    return int(received), int(failed)


def _keep_latest_per_key(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """Register tables: within a file the last row of a key wins (latest load wins)."""
    key = ", ".join(quote_identifier(k) for k in table.identity)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE kept AS SELECT * FROM checked WHERE _reason IS NULL "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _line DESC) = 1"
    )
    return _count(con, "kept")


def _keep_new_events(con: duckdb.DuckDBPyConnection, table: Table, layout: LakeLayout) -> int:
    """Event tables: keep the first row of each identity that the lake does not hold yet."""
    identity = [quote_identifier(k) for k in table.identity]
    in_lake = ""
    if layout.has_data(table):
        lake = f"read_parquet({quote_literal(layout.glob(table))}, hive_partitioning = false)"
        matches = " AND ".join(f"l.{k} = c.{k}" for k in identity)
        in_lake = f"AND NOT EXISTS (SELECT 1 FROM {lake} l WHERE {matches})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE kept AS SELECT * FROM checked c "
        f"WHERE _reason IS NULL {in_lake} "
        f"QUALIFY row_number() OVER (PARTITION BY {', '.join(identity)} ORDER BY _line) = 1"
    )
    return _count(con, "kept")


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    [(rows,)] = con.execute(f"SELECT count(*) FROM {relation}").fetchall()
    return int(rows)


def _partition_expression(table: Table) -> str:
    if table.time_field:
        return f"strftime({quote_identifier(table.time_field)}, '%Y-%m-%d')"
    return quote_identifier("period")


def _write_events(
    con: duckdb.DuckDBPyConnection, layout: LakeLayout, table: Table, batch_id: str
) -> None:
    """Write ``kept`` to the lake by day (or period), staged then renamed into place."""
    key = layout.partition_key(table)
    staging = layout.root / STAGING_DIR / f"{table.name}-{batch_id}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    fields = _field_list(table)
    partition = _partition_expression(table)
    # The period column doubles as the partition; keep it in the files too.
    select = f"{fields}, {partition} AS _part"
    con.execute(
        f"COPY (SELECT {select} FROM kept) TO {quote_literal(str(staging))} "
        f"(FORMAT parquet, PARTITION_BY (_part), FILENAME_PATTERN 'part-{batch_id}-{{i}}', "
        "COMPRESSION zstd)"
    )
    _publish(staging, layout.table_dir(table), key)


def _write_quarantine(
    con: duckdb.DuckDBPyConnection, layout: LakeLayout, table: Table, path: Path, batch_id: str
) -> None:
    """Keep every failed row with its table, file, line, field and reason."""
    directory = layout.root / QUARANTINE_DIR / table.name
    directory.mkdir(parents=True, exist_ok=True)
    staged = layout.root / STAGING_DIR / f"quarantine-{table.name}-{batch_id}.parquet"
    staged.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT {quote_literal(batch_id)} AS batch_id, {quote_literal(table.name)} AS "
        f"table_name, {quote_literal(str(path))} AS file, _line AS line, _field AS field, "
        "_reason AS reason, _row AS row FROM checked WHERE _reason IS NOT NULL ORDER BY _line) "
        f"TO {quote_literal(str(staged))} (FORMAT parquet, COMPRESSION zstd)"
    )
    staged.replace(directory / f"part-{batch_id}.parquet")


def _publish(staging: Path, target: Path, key: str) -> None:
    """Rename each staged partition file into ``target/<key>=<value>/``."""
    for staged_dir in sorted(staging.glob("_part=*")):
        value = staged_dir.name.removeprefix("_part=")
        destination = target / f"{key}={value}"
        destination.mkdir(parents=True, exist_ok=True)
        for staged_file in sorted(staged_dir.glob("*.parquet")):
            staged_file.replace(destination / staged_file.name)
    shutil.rmtree(staging, ignore_errors=True)
