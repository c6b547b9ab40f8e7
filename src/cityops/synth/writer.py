"""One file per contract table, appended to batch by batch.

Parquet: zstd, fixed row-group size, dictionary encoding only for the
low-cardinality columns, so that the same rows always give the same bytes.
Small batches are buffered until a row group fills, so a table written one
day at a time does not end up with hundreds of tiny row groups.

CSV: UTF-8 with a header row; instants as ``YYYY-MM-DDTHH:MM:SS+08:00``,
dates ``YYYY-MM-DD``, booleans ``true``/``false``, nulls empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cityops.domain.contract import table
from cityops.lake.schema import arrow_schema

from .window import UTC_OFFSET_S

__all__ = ["ROW_GROUP_ROWS", "Format", "TableSink", "open_sink"]

Format = Literal["parquet", "csv"]
ROW_GROUP_ROWS = 1 << 20
_HIGH_CARDINALITY = {"event_id", "ts", "ticket_id", "request_id", "incident_id", "user_id"}


class TableSink(Protocol):
    """Where the batches of one table go; ``close`` returns the rows written."""

    path: Path

    def write(self, batch: pa.Table) -> None: ...

    def close(self) -> int: ...


class ParquetSink:
    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self._schema = arrow_schema(table(name))
        dictionary = [
            f.name
            for f in self._schema
            if f.name not in _HIGH_CARDINALITY and not pa.types.is_floating(f.type)
        ]
        self._writer = pq.ParquetWriter(
            path,
            self._schema,
            compression="zstd",
            compression_level=3,
            use_dictionary=dictionary,
            write_statistics=True,
        )
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._rows = 0

    def write(self, batch: pa.Table) -> None:
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending_rows:
            merged = pa.concat_tables(self._pending)
            self._writer.write_table(merged, row_group_size=ROW_GROUP_ROWS)
            self._rows += merged.num_rows
        self._pending, self._pending_rows = [], 0

    def close(self) -> int:
        self._flush()
        self._writer.close()
        return self._rows


class CsvSink:
    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        schema = arrow_schema(table(name))
        self._text_schema = pa.schema(
            [
                pa.field(f.name, pa.string(), f.nullable) if pa.types.is_timestamp(f.type) else f
                for f in schema
            ]
        )
        self._writer = pacsv.CSVWriter(
            path,
            self._text_schema,
            write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed"),
        )
        self._rows = 0

    def write(self, batch: pa.Table) -> None:
        columns = [
            _local_iso(column) if pa.types.is_timestamp(column.type) else column
            for column in batch.columns
        ]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self._text_schema))
        self._rows += batch.num_rows

    def close(self) -> int:
        self._writer.close()
        return self._rows


def _local_iso(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Instants as local wall-clock text with the fixed +08:00 offset of Asia/Shanghai."""
    micros = pc.add(column.cast(pa.int64()), UTC_OFFSET_S * 1_000_000)
    seconds = pc.divide(micros, 1_000_000).cast(pa.timestamp("s"))
    return pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%S+08:00")


def open_sink(out: Path, name: str, fmt: Format) -> TableSink:
    """A sink writing ``out/<name>.<fmt>``."""
    if fmt == "parquet":
        return ParquetSink(out / f"{name}.parquet", name)
    return CsvSink(out / f"{name}.csv", name)
