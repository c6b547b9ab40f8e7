"""One batch: a file of one contract table into the register or the lake.

The batch runs in DuckDB in set-based steps: number the raw rows, check them
against the contract (the index of the first failed check per row), drop
duplicates (by ``event_id`` or the table's key, within the file and against
the lake partitions the batch touches), then stage every file it adds —
events, quarantine, derived tables — and publish them with the lake's commit
protocol (``cityops.lake.publish``): a batch is visible whole or not at all,
and a batch cut short by a crash is finished by the next run.  A batch holds
the workspace's writer lock (``cityops.workspace.writer_lock``) from its
recovery to its commit, so two processes never write one lake at once.

A batch's id is derived from the table, the options and the file's bytes,
so ingesting the same file again yields the same batch and, because every
row is then a duplicate, changes nothing.  An event file of more than
``PART_ROWS`` rows is ingested in parts of consecutive rows, each such a batch.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from cityops.domain.contract import Table, TableKind
from cityops.domain.contract import table as contract_table
from cityops.domain.region_tree import describe_problems, tree_problems
from cityops.errors import ContractError, PipelineError, UnreadableDataError
from cityops.ingestion.checks import (
    Check,
    checks_for,
    quote_identifier,
    quote_literal,
    typed_expression,
)
from cityops.ingestion.derived import stage_day_derived, stage_derived, stage_user_index
from cityops.ingestion.personal import pseudonymise, read_secret, register_personal_functions
from cityops.ingestion.quarantine import stage_quarantine
from cityops.ingestion.sources import file_digest, read_source, reading_error, source_format
from cityops.ingestion.staging import Move, files_relation, stage_query
from cityops.lake.compact import stamp_compact_format
from cityops.lake.layout import LakeLayout
from cityops.lake.publish import (
    STAGING_DIR,
    BatchManifest,
    commit,
    committed_manifest,
    kill_point,
    recover,
    staging_dir,
)
from cityops.lake.schema import arrow_schema
from cityops.register.batches import IngestBatch, record_batch
from cityops.register.engine import make_engine
from cityops.register.store import load_register_rows, read_current
from cityops.workspace.workspace import Workspace
from cityops.workspace.writer_lock import writer_lock

__all__ = ["MEMORY_LIMIT", "PART_ROWS", "batch_id_of", "ingest_file", "recover_lake"]

MEMORY_LIMIT = "2GB"
"""DuckDB spills to disk beyond this, so a batch's memory stays flat as files grow."""


def batch_id_of(table_name: str, path: Path, *, pseudonymised: bool) -> str:
    """The same table, options and bytes always make the same batch."""
    seed = f"{table_name}\0{int(pseudonymised)}\0{file_digest(path)}"
    return hashlib.sha256(seed.encode()).hexdigest()[:20]


def recover_lake(workspace: Workspace, engine: sa.Engine) -> list[IngestBatch]:
    """Finish batches cut short by a crash and record their accounting.  Only under
    the workspace's writer lock, so that the staging it removes is a dead writer's,
    never a live batch's."""
    with writer_lock(workspace.root, "recover the lake"):
        finished = [_batch_from_record(m.accounting) for m in recover(workspace.lake)]
    for batch in finished:
        record_batch(engine, batch)
    return finished


def ingest_file(
    workspace: Workspace,
    table_name: str,
    path: Path,
    *,
    encoding: str | None = None,
    pseudonymise_users: bool = False,
    on_part: Callable[[int, int], None] | None = None,
    wait_s: float | None = None,
) -> IngestBatch:
    """Ingest ``path`` as rows of contract table ``table_name`` into ``workspace``;
    the returned batch, also recorded in the register, accounts for every row.

    ``encoding`` (CSV) is detected when not given; ``pseudonymise_users`` turns
    a ``user_id`` given in clear into its keyed hash before anything else.  An
    event file of more than ``PART_ROWS`` rows is ingested as several batches
    of consecutive rows (``<batch>-1``, ``<batch>-2`` …), each recorded and
    published whole or not at all, so that memory stays bounded whatever the
    file's size; the returned batch sums them under the file's batch id.
    ``on_part`` is told (parts done, parts in all) before the first part and
    after each, for a progress bar.  The batch waits at most ``wait_s`` seconds
    (default ``CITYOPS_WRITER_WAIT_S``) for another process writing the workspace.
    """
    table = contract_table(table_name)
    if pseudonymise_users and "user_id" not in table.field_names:
        raise ContractError(f"--pseudonymise: table {table.name!r} has no user_id field")
    with writer_lock(workspace.root, f"ingest {table.name}", wait_s=wait_s):
        return _ingest_file(workspace, table, path, encoding, pseudonymise_users, on_part)


def _ingest_file(
    workspace: Workspace,
    table: Table,
    path: Path,
    encoding: str | None,
    pseudonymise_users: bool,
    on_part: Callable[[int, int], None] | None,
) -> IngestBatch:
    """:func:`ingest_file`, run while holding the workspace's writer lock."""
    started_at = datetime.now(UTC)
    layout = LakeLayout(workspace.lake)
    engine = make_engine(workspace.register_url)
    con = duckdb.connect()
    try:
        recover_lake(workspace, engine)
        stamp_compact_format(layout.root)
        batch_id = batch_id_of(table.name, path, pseudonymised=pseudonymise_users)
        stage = staging_dir(layout.root, batch_id)
        shutil.rmtree(stage, ignore_errors=True)
        _configure(con, layout)
        try:
            source_types = read_source(
                con, path, "source_rows", scratch=stage / "_source", encoding=encoding
            )
            _require_columns(table, source_types, path)
            _prepare_raw(con, pseudonymise_users, workspace)
            references = _load_reference_keys(con, table, engine)
            trim_text = source_format(path) != "parquet"
            checks = checks_for(
                table, source_types, references, _typed_values(table), trim_text=trim_text
            )
            source = _Source(path, source_types, checks, trim_text)
            parts = _parts(con, table, batch_id)
            reports: list[IngestBatch] = []
            for part_id, lines in parts:
                if on_part is not None:
                    on_part(len(reports), len(parts))
                reports.append(
                    _ingest_part(con, table, layout, engine, source, part_id, lines, started_at)
                )
            if on_part is not None:
                on_part(len(reports), len(parts))
        except duckdb.OutOfMemoryException as error:
            raise PipelineError(
                f"{path}: ingest ran out of its {MEMORY_LIMIT} of working memory and did not "
                f"store the batch it was working on ({reading_error(error)}); split the file, "
                "by day for example"
            ) from error
        finally:
            shutil.rmtree(stage, ignore_errors=True)  # the scratch copies of the source
        return reports[0] if len(reports) == 1 else _summed(reports, batch_id)
    finally:
        con.close()
        engine.dispose()


PART_ROWS = 12_000_000
"""An event file's rows are ingested this many at a time, each part a batch of its
own: a county month of portal events (10.5 M rows) peaks at 1.3 GB RSS in one
part, and a part's working tables stay in memory, which DuckDB cannot page out
as freely as its working memory (a megacity month in one part ran out of it)."""


@dataclass(frozen=True, slots=True)
class _Source:
    """What every part of a file shares: the file, its column types and its checks."""

    path: Path
    types: dict[str, str]
    checks: list[Check]
    trim_text: bool


def _parts(
    con: duckdb.DuckDBPyConnection, table: Table, batch_id: str
) -> list[tuple[str, tuple[int, int] | None]]:
    """The file's parts: ``(batch id, (first line, last line))``, or the whole file
    as one batch (``None``) — always for register tables, whose latest row per
    key must be found over the whole file."""
    [(rows, first)] = con.execute("SELECT count(*), min(_line) FROM source_rows").fetchall()
    if table.kind is TableKind.REGISTER or rows <= PART_ROWS:
        return [(batch_id, None)]
    return [
        (f"{batch_id}-{k + 1}", (first + k * PART_ROWS, first + (k + 1) * PART_ROWS - 1))
        for k in range(-(-rows // PART_ROWS))
    ]


def _ingest_part(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    layout: LakeLayout,
    engine: sa.Engine,
    source: _Source,
    batch_id: str,
    lines: tuple[int, int] | None,
    started_at: datetime,
) -> IngestBatch:
    """Check, deduplicate, stage and commit the source rows of ``lines`` (all when
    ``None``) as batch ``batch_id``.  A part sees the parts before it in the lake,
    so a later repeat of an earlier part's row is a duplicate."""
    path = source.path
    try:
        _check_rows(con, table, source.types, source.checks, path, source.trim_text, lines)
        received, quarantined = _counts(con)
        kill_point("after-checks")
        moves: list[Move] = []
        if quarantined:
            moves += stage_quarantine(
                con,
                layout,
                table_name=table.name,
                path=path,
                batch_id=batch_id,
                checks=source.checks,
                source_types=source.types,
            )
        if table.kind is TableKind.REGISTER:
            stored = _store_register_rows(con, table, engine, batch_id)
        else:
            stored, event_moves = _stage_events(con, table, layout, batch_id, engine)
            moves += event_moves
        kill_point("after-staging")
    except BaseException:
        shutil.rmtree(staging_dir(layout.root, batch_id), ignore_errors=True)
        raise
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
    if committed_manifest(layout.root, batch_id) is not None:
        # Published before (a re-run, or the re-run after a crash): the report says
        # what this run found; the register keeps the batch's own accounting.
        shutil.rmtree(staging_dir(layout.root, batch_id), ignore_errors=True)
        return report
    manifest = BatchManifest(batch_id, table.name, tuple(moves), _record_of(report))
    commit(layout.root, manifest, before_publish=lambda: record_batch(engine, report))
    return report


def _summed(parts: list[IngestBatch], batch_id: str) -> IngestBatch:
    """One account of a file ingested in parts."""
    return replace(
        parts[0],
        batch_id=batch_id,
        finished_at=parts[-1].finished_at,
        received=sum(p.received for p in parts),
        stored=sum(p.stored for p in parts),
        quarantined=sum(p.quarantined for p in parts),
        duplicates=sum(p.duplicates for p in parts),
    )


def _record_of(batch: IngestBatch) -> dict[str, str | int]:
    return {
        k: v.isoformat() if isinstance(v, datetime) else v
        for k, v in asdict(batch).items()
        if v is not None
    }


def _batch_from_record(record: dict[str, str | int]) -> IngestBatch:
    values: dict[str, object] = dict(record)
    for key in ("started_at", "finished_at"):
        if isinstance(values.get(key), str):
            values[key] = datetime.fromisoformat(str(values[key]))
    return IngestBatch(**values)  # type: ignore[arg-type]


def _configure(con: duckdb.DuckDBPyConnection, layout: LakeLayout) -> None:
    spill = layout.root / STAGING_DIR / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = {quote_literal(str(spill))}")
    register_personal_functions(con)


def _field_list(table: Table, prefix: str = "") -> str:
    return ", ".join(prefix + quote_identifier(f.name) for f in table.fields)


def _require_columns(table: Table, source_types: dict[str, str], path: Path) -> None:
    missing = [f.name for f in table.fields if f.required and f.name not in source_types]
    if missing:
        expected = ", ".join(table.field_names)
        raise ContractError(
            f"{path}: missing required column(s) {', '.join(missing)} for table "
            f"{table.name!r}; its columns are: {expected}"
        )


def _prepare_raw(con: duckdb.DuckDBPyConnection, pseudonymise_users: bool, ws: Workspace) -> None:
    """View ``raw``: the source rows, with ``user_id`` pseudonymised when asked.

    Only distinct user ids are hashed (far fewer than events), then joined back.
    """
    if not pseudonymise_users:
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM source_rows")
        return
    clear = con.sql(
        "SELECT DISTINCT NULLIF(trim(CAST(user_id AS VARCHAR)), '') AS clear FROM source_rows "
        "WHERE clear IS NOT NULL"
    ).to_arrow_table()
    pseudonyms = pa.table(
        {
            "clear": clear["clear"],
            "pseudonym": pseudonymise(clear["clear"], read_secret(ws.secret_path)),
        }
    )
    con.register("pseudonyms_arrow", pseudonyms)
    con.execute("CREATE OR REPLACE TEMP TABLE pseudonyms AS FROM pseudonyms_arrow")
    con.unregister("pseudonyms_arrow")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW raw AS SELECT s.* REPLACE (p.pseudonym AS user_id) "
        "FROM source_rows s LEFT JOIN pseudonyms p "
        "ON NULLIF(trim(CAST(s.user_id AS VARCHAR)), '') = p.clear"
    )


def _load_reference_keys(
    con: duckdb.DuckDBPyConnection, table: Table, engine: sa.Engine
) -> dict[str, str]:
    """Load the keys of every register table this table refers to, as ``known_<name>``."""
    relations: dict[str, str] = {}
    for referenced in sorted({f.references for f in table.fields if f.references}):
        target = contract_table(referenced)
        with engine.connect() as connection:
            current = read_current(connection, target)
        keys = pa.table({"key": current.column(target.identity[0]).cast(pa.string())})
        relation = f"known_{referenced}"
        con.register(f"{relation}_arrow", keys)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT * FROM {relation}_arrow")
        con.unregister(f"{relation}_arrow")
        relations[referenced] = relation
    return relations


def typed_column(name: str) -> str:
    """The column holding a field's typed value, next to the raw columns."""
    return quote_identifier(f"{name}__typed")


def _typed_values(table: Table) -> dict[str, str]:
    return {f.name: f"raw.{typed_column(f.name)}" for f in table.fields}


def _check_rows(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source_types: dict[str, str],
    checks: list[Check],
    path: Path,
    trim_text: bool,
    lines: tuple[int, int] | None,
) -> None:
    """Materialise ``checked``: typed fields plus ``_check``, the index of the first
    failed check (NULL when the row passes), for the rows of ``lines`` (all when
    ``None``; the source skips the row groups outside).

    Each field is typed once, in an inner query, and the checks read it there.
    """
    typed = ", ".join(
        f"{typed_expression(f, source_types.get(f.name), trim_text=trim_text)} "
        f"AS {typed_column(f.name)}"
        for f in table.fields
    )
    first_failure = " ".join(f"WHEN {c.failing_sql} THEN {i}" for i, c in enumerate(checks))
    fields = ", ".join(
        f"raw.{typed_column(f.name)} AS {quote_identifier(f.name)}" for f in table.fields
    )
    in_part = "" if lines is None else f"WHERE raw._line BETWEEN {lines[0]} AND {lines[1]}"
    try:
        con.execute(
            # Not TEMP: partitions are written from parallel cursors, which see only
            # the in-memory database's own tables.
            f"CREATE OR REPLACE TABLE checked AS SELECT raw._line, {fields}, "
            f"CAST(CASE {first_failure} END AS SMALLINT) AS _check "
            f"FROM (SELECT raw.*, {typed} FROM raw {in_part}) raw"
        )
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault
    except duckdb.Error as error:
        raise UnreadableDataError(
            f"{path}: rows could not be read, so nothing was stored", reading_error(error)
        ) from error


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    [(received, failed)] = con.execute("SELECT count(*), count(_check) FROM checked").fetchall()
    return int(received), int(failed)


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    [(rows,)] = con.execute(f"SELECT count(*) FROM {relation}").fetchall()
    return int(rows)


def _store_register_rows(
    con: duckdb.DuckDBPyConnection, table: Table, engine: sa.Engine, batch_id: str
) -> int:
    """Register tables: within a file the last row of a key wins (latest load wins)."""
    key = ", ".join(quote_identifier(k) for k in table.identity)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE kept AS SELECT * FROM checked WHERE _check IS NULL "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _line DESC) = 1"
    )
    stored = _count(con, "kept")
    if stored:
        rows = con.sql(f"SELECT {_field_list(table)} FROM kept").to_arrow_table()
        if table.name == "regions":
            _require_whole_tree(engine, table, rows)
        load_register_rows(engine, table, rows.cast(arrow_schema(table)), batch_id)
    return stored


def _require_whole_tree(engine: sa.Engine, table: Table, rows: pa.Table) -> None:
    """Refuse the batch of ``regions`` ``rows`` — nothing of it is stored — when the
    tree it would leave has a region whose parent does not exist or a cycle of
    parents (:mod:`cityops.domain.region_tree`)."""
    with engine.connect() as connection:
        stored = read_current(connection, table)
    parents: dict[str, str | None] = dict(
        zip(stored["region_code"].to_pylist(), stored["parent_code"].to_pylist(), strict=True)
    )
    changed = rows["region_code"].to_pylist()
    parents.update(zip(changed, rows["parent_code"].to_pylist(), strict=True))
    problems = tree_problems(parents, changed)
    if problems:
        raise ContractError(
            f"regions: the batch would break the region tree, so nothing of it was "
            f"stored: {describe_problems(problems)}; give every region an existing parent "
            "(empty for the top of the tree) and no region one of its own descendants"
        )


def _partition_expression(table: Table) -> str:
    """The partition of a row: its local day (a DATE is cheaper than formatting text)."""
    if table.time_field:
        return f"CAST({quote_identifier(table.time_field)} AS DATE)"
    return quote_identifier("period")


T = TypeVar("T")

WRITERS = 2
"""Partitions written at once: one query per small partition keeps a core busy."""


def _in_parallel(
    con: duckdb.DuckDBPyConnection,
    parts: list[str],
    stage: Callable[[str, duckdb.DuckDBPyConnection], T],
) -> list[T]:
    """Run ``stage`` for every partition, ``WRITERS`` cursors of ``con`` each taking
    every ``WRITERS``-th partition in turn (results in no particular order)."""
    cursors = [con.cursor() for _ in range(WRITERS)]

    def work(index: int) -> list[T]:
        cursor = cursors[index]
        cursor.execute("SET TimeZone = 'Asia/Shanghai'")
        return [stage(part, cursor) for part in parts[index::WRITERS]]

    try:
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            shares = list(pool.map(work, range(WRITERS)))
    finally:
        for cursor in cursors:
            cursor.close()
    return [result for share in shares for result in share]


def _in_partition(table: Table, value: str) -> str:
    """SQL true for rows of ``checked c`` in partition ``value`` — a range on the
    timestamp, which lets DuckDB skip row groups of time-ordered input."""
    if table.time_field:
        ts = f"c.{quote_identifier(table.time_field)}"
        day = f"DATE {quote_literal(value)}"
        return f"{ts} >= CAST({day} AS TIMESTAMPTZ) AND {ts} < CAST({day} + 1 AS TIMESTAMPTZ)"
    return f"c.{quote_identifier('period')} = {quote_literal(value)}"


def _stage_events(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    layout: LakeLayout,
    batch_id: str,
    engine: sa.Engine,
) -> tuple[int, list[Move]]:
    """Keep the first row of each identity that the lake does not hold yet, and stage
    it by day (or period) with the derived tables' increments.

    Each partition is written by its own query (measured: half the cost of one
    partitioned COPY on a month of events), after the lines it must not store
    are listed (``_dropped_lines``); an event's identity fixes its timestamp,
    hence its day, so repeats and the lake's copies are looked for in the
    partition only, and memory grows with a day, not with the file.
    """
    moves: list[Move] = []
    if "user_id" in table.field_names:
        valid = "SELECT user_id FROM checked WHERE _check IS NULL"
        moves += stage_user_index(con, layout, batch_id, users=valid)
    parts = _partitions(con, table)
    # Row order inside a lake file means nothing; not keeping it lets DuckDB write
    # in parallel.  (Not earlier: line numbers of text sources rely on the order.)
    con.execute("SET preserve_insertion_order = false")
    key = layout.partition_key(table)

    def stage_partition(
        part: str, cursor: duckdb.DuckDBPyConnection
    ) -> tuple[int, list[Move], list[Move]]:
        directory = layout.table_dir(table) / f"{key}={part}"
        in_part = _in_partition(table, part)
        day_rows = f"SELECT * FROM checked c WHERE c._check IS NULL AND {in_part}"
        [(dropped,)] = cursor.execute(
            "CREATE OR REPLACE TEMP TABLE dropped AS "
            + _dropped_lines(table, day_rows, layout.files(directory))
        ).fetchall()
        stored_rows = (
            f"(SELECT * FROM ({day_rows}) ANTI JOIN dropped USING (_line))"
            if dropped
            else f"({day_rows})"  # the usual case: spare the join its probes
        )
        rows, events = stage_query(
            cursor,
            f"SELECT {_field_list(table)} FROM {stored_rows}",
            lake=layout.root,
            batch_id=batch_id,
            target_dir=directory,
        )
        if not rows:
            return 0, [], []
        derived = stage_day_derived(cursor, layout, table, batch_id, day=part, rows=stored_rows)
        return rows, events, derived

    written = _in_parallel(con, parts, stage_partition)
    stored = sum(rows for rows, _, _ in written)
    events = sorted(move for _, part_events, _ in written for move in part_events)
    moves += sorted(move for _, _, derived in written for move in derived)
    if not stored:
        return 0, moves
    staged = files_relation([layout.root / staged for staged, _ in events], "")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW kept AS SELECT *, {_partition_expression(table)} AS _part "
        f"FROM {staged}"
    )
    touched = sorted({Path(target).parent.name for _, target in events})
    moves += stage_derived(con, layout, table, batch_id, touched=touched, engine=engine)
    return stored, events + moves


def _partitions(con: duckdb.DuckDBPyConnection, table: Table) -> list[str]:
    """The partitions the valid rows fall in: for timed tables, the local days.

    Converting every timestamp to a local day is the slow part of listing the days
    (time zone rules per row).  Instead the candidates are the rows' UTC days and
    the day before and after each (a local day is the UTC day or the next one: the
    session zone is Asia/Shanghai, UTC+8, +9 in the summers of 1986–91; integer
    division rounds towards zero before 1970, hence the day before too), and a
    candidate is kept when a range scan finds rows in it.  An empty candidate
    must not reach the writers: its repeat lookup would read the lake's files of
    that day whole (the day before a part's first, in a time-ordered file, is a
    whole day an earlier part stored: 23 s of a city month).
    """
    if not table.time_field:
        period = quote_identifier("period")
        query = f"SELECT DISTINCT {period} FROM checked WHERE _check IS NULL ORDER BY 1"
        return [str(value) for (value,) in con.execute(query).fetchall()]
    ts = quote_identifier(table.time_field)
    utc_days = con.execute(
        f"SELECT DISTINCT epoch_us({ts}) // {_MICROSECONDS_A_DAY} FROM checked WHERE _check IS NULL"
    ).fetchall()
    days = {_EPOCH + timedelta(days=int(day) + k) for (day,) in utc_days for k in (-1, 0, 1)}
    candidates = [day.isoformat() for day in sorted(days)]
    return [
        day
        for day in candidates
        if _count(con, f"checked c WHERE c._check IS NULL AND {_in_partition(table, day)}")
    ]


_EPOCH = date(1970, 1, 1)
_MICROSECONDS_A_DAY = 86_400_000_000


def _dropped_lines(table: Table, day_rows: str, lake_files: list[Path]) -> str:
    """SQL listing the ``_line`` of the rows of ``day_rows`` not to store: every
    repeat of an identity after its first line, and every row whose identity
    the lake's ``lake_files`` of the partition hold.

    Repeats are found by a hash aggregate over 64-bit hashes of the identities
    (cheaper than over the text, and a quarter of its memory); only rows whose
    hash is shared — repeats, or a rare collision — are compared by identity.
    """
    identity = ", ".join(quote_identifier(k) for k in table.identity)
    hashed = f"hash({identity})"
    dropped = (
        f"WITH day_rows AS NOT MATERIALIZED ({day_rows}), "
        f"shared AS (SELECT {hashed} AS h FROM day_rows GROUP BY h HAVING count(*) > 1) "
        f"SELECT _line FROM day_rows WHERE {hashed} IN (SELECT h FROM shared) "
        f"QUALIFY _line > min(_line) OVER (PARTITION BY {identity})"
    )
    if not lake_files:
        return dropped
    lake = files_relation(lake_files, "")
    return (
        f"{dropped} UNION ALL SELECT _line FROM ({day_rows}) "
        f"SEMI JOIN (SELECT {identity} FROM {lake}) l USING ({identity})"
    )
