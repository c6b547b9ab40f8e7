"""Writing a batch's files to its staging directory, recording where each goes.

Every file a batch adds is first written under ``_staging/<batch>/`` at the
same relative path it will have in the lake; the returned ``(staged,
target)`` pairs (relative to the lake root) become the batch's manifest for
the commit protocol (``cityops.lake.publish``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cityops.ingestion.checks import quote_literal
from cityops.lake.publish import staging_dir

__all__ = ["Move", "files_relation", "stage_query"]

Move = tuple[str, str]

PARTITION_COLUMN = "_part"
"""The column of a staged query that names its partition (not written to the files)."""


def stage_query(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    lake: Path,
    batch_id: str,
    target_dir: Path,
    partition_key: str | None = None,
) -> tuple[int, list[Move]]:
    """Write ``query``'s rows as Parquet for ``target_dir`` (a directory in the lake);
    return the number of rows written and the moves that publish them.

    With ``partition_key`` (``day``/``period``) the query has a ``_part``
    column and the files go to ``target_dir/<key>=<_part>/part-<batch>-<n>.parquet``;
    without, to ``target_dir/part-<batch>.parquet``.  No rows, no files.
    """
    relative = target_dir.relative_to(lake)
    staged_dir = staging_dir(lake, batch_id) / relative
    staged_dir.parent.mkdir(parents=True, exist_ok=True)
    if partition_key is None:
        staged_dir.mkdir(parents=True, exist_ok=True)
        staged = staged_dir / f"part-{batch_id}.parquet"
        [(rows,)] = con.execute(
            f"COPY ({query}) TO {quote_literal(str(staged))} (FORMAT parquet, COMPRESSION zstd)"
        ).fetchall()
        if not rows:
            staged.unlink()
            return 0, []
        return int(rows), [(str(staged.relative_to(lake)), str(relative / staged.name))]
    [(rows,)] = con.execute(
        f"COPY ({query}) TO {quote_literal(str(staged_dir))} (FORMAT parquet, "
        f"PARTITION_BY ({PARTITION_COLUMN}), FILENAME_PATTERN 'part-{batch_id}-{{i}}', "
        "COMPRESSION zstd)"
    ).fetchall()
    moves: list[Move] = []
    for staged in sorted(staged_dir.glob(f"{PARTITION_COLUMN}=*/*.parquet")):
        value = staged.parent.name.removeprefix(f"{PARTITION_COLUMN}=")
        target = relative / f"{partition_key}={value}" / staged.name
        moves.append((str(staged.relative_to(lake)), str(target)))
    return int(rows), moves


def files_relation(files: list[Path], empty: str) -> str:
    """SQL reading ``files`` (Parquet), or the relation ``empty`` when there are none."""
    if not files:
        return f"({empty})"
    listed = ", ".join(quote_literal(str(f)) for f in files)
    return f"read_parquet([{listed}], hive_partitioning = false, union_by_name = true)"
