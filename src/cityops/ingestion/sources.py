"""Opening a source file as a DuckDB relation of raw rows, numbered by line.

CSV and Excel are read as text (every column VARCHAR) so that nothing is
coerced before the contract checks see it; Parquet and JSON Lines keep their
own types.  A CSV in GB18030/GBK is first transcoded into ``scratch`` (DuckDB
reads UTF-8 only); CSV and Excel rows are then copied there as Parquet, whose
row numbers give each row its line.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import duckdb

from cityops.errors import ContractError, UnreadableDataError
from cityops.ingestion.checks import quote_literal
from cityops.ingestion.encodings import detect_encoding, is_utf8_readable, transcode_to_utf8
from cityops.ingestion.xlsx import xlsx_to_parquet

__all__ = ["FORMATS", "file_digest", "read_source", "reading_error", "source_format"]

FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
}


def source_format(path: Path) -> str:
    """The format named by the file's suffix, or a clear error listing those supported."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        supported = ", ".join(sorted(FORMATS))
        raise ContractError(
            f"{path}: cannot tell the format from {path.suffix!r}; supported: {supported}"
        ) from None


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the same file always makes the same batch."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    *,
    scratch: Path,
    encoding: str | None = None,
) -> dict[str, str]:
    """Create view ``name`` over the file's rows with a ``_line`` number; return its
    column types.

    ``_line`` is the line a person finds the row on: for CSV and Excel the
    header is line 1, so the first data row is line 2; for the other formats it
    is the row's 1-based position.  ``encoding`` (CSV only) is detected when not
    given; ``scratch`` receives converted copies and is the caller's to remove.
    """
    if not path.is_file():
        raise ContractError(f"{path}: no such file")
    kind = source_format(path)
    if encoding is not None and kind != "csv":
        raise ContractError(f"{path}: --encoding applies to CSV files only")
    readable = path
    if kind == "csv":
        found = detect_encoding(path, encoding)
        if not is_utf8_readable(found):
            readable = transcode_to_utf8(path, found, scratch / f"{path.stem}.utf8.csv")
    elif kind == "xlsx":
        readable = xlsx_to_parquet(path, scratch / f"{path.stem}.xlsx.parquet")
    if kind == "csv":
        readable = _csv_to_parquet(con, readable, path, scratch / f"{path.stem}.csv.parquet")
    where = quote_literal(str(readable))
    if kind in ("xlsx", "csv"):
        numbered = (
            f"SELECT * EXCLUDE (file_row_number), file_row_number + 2 AS _line "
            f"FROM read_parquet({where}, file_row_number = true)"
        )
    elif kind == "parquet":
        # Parquet numbers its own rows, which streams; a window would hold them all.
        numbered = (
            f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _line "
            f"FROM read_parquet({where}, file_row_number = true)"
        )
    else:
        numbered = (
            "SELECT row_number() OVER () AS _line, * "
            f"FROM read_json({where}, format = 'newline_delimited')"
        )
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {numbered}")
        described = con.execute(f"DESCRIBE {name}").fetchall()
    except duckdb.Error as error:
        raise UnreadableDataError(
            f"{path}: cannot be read as {kind}", reading_error(error)
        ) from error
    return {str(row[0]): str(row[1]) for row in described if row[0] != "_line"}


def _csv_to_parquet(con: duckdb.DuckDBPyConnection, csv_file: Path, path: Path, out: Path) -> Path:
    """Copy the CSV's rows as text, in file order, into a Parquet file, where each
    row's position is its line less the header (``file_row_number``).

    DuckDB reads CSV in parallel and keeps the order when writing; numbering the
    rows with a window instead runs on one core and held a county month's
    ingest at half speed.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute("SET preserve_insertion_order = true")  # the default; the numbering needs it
    try:
        con.execute(
            f"COPY (SELECT * FROM read_csv({quote_literal(str(csv_file))}, "
            f"{_csv_dialect(csv_file, path)})) TO {quote_literal(str(out))} "
            "(FORMAT parquet, COMPRESSION snappy)"
        )
    except duckdb.OutOfMemoryException:
        raise  # not the file's fault
    except duckdb.Error as error:
        raise UnreadableDataError(f"{path}: cannot be read as csv", reading_error(error)) from error
    return out


def _csv_dialect(readable: Path, path: Path) -> str:
    """``read_csv`` options for RFC 4180 CSV (comma, double quotes) with the file's
    own header, every column as text.

    The dialect is fixed rather than sniffed: on a file cut short or with a
    broken row, DuckDB's sniffer guesses another dialect and the file reads as
    one odd column; fixed, such a file fails on the line at fault.
    """
    with readable.open(encoding="utf-8-sig", newline="") as stream:
        header = next(csv.reader(stream), None)
    if not header:
        raise ContractError(f"{path}: the file is empty; a CSV file starts with a header row")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ContractError(f"{path}: the header repeats column(s) {', '.join(repeated)}")
    columns = ", ".join(f"{quote_literal(name)}: 'VARCHAR'" for name in header)
    return (
        "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"columns = {{{columns}}}"
    )


def reading_error(error: duckdb.Error) -> str:
    """DuckDB's account of a file it could not read, on one line, without the query
    it was running or its advice on reader options (cityops's to choose, not the
    user's)."""
    text = re.split(r"Possible (?:fixes|solutions):|LINE 1:", str(error))[0]
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
