"""Rows sent as JSON: a JSON array of objects, or NDJSON (one object per line), checked
and turned into the JSON Lines file that ingestion reads.

DuckDB reads and checks the body in one vectorised pass.  Only when that pass
finds a fault is the body read again in Python, to name the first bad line
the way a person counts lines (DuckDB skips blank lines and lets an object
run over several lines, so its own line numbers are not the sender's).

Before either, the body must be UTF-8 and nest no deeper than
``json_guard.MAX_DEPTH`` (``json_guard``), so that neither parser meets a body
it would fail on with its own error.

An NDJSON body is ingested byte for byte as sent, so the same bytes make the
same batch as the same file given to ``cityops ingest``; an array is written
out one minified element per line, in order.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import duckdb

from cityops.errors import ContractError
from cityops.ingestion.checks import quote_literal
from cityops.services.json_guard import require_json_text

__all__ = ["BodyFormat", "array_to_ndjson", "body_format", "check_ndjson"]

_JSON_KINDS = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
               float: "number", type(None): "null"}  # fmt: skip


class BodyFormat(StrEnum):
    """The media types an ingest body may have."""

    JSON_ARRAY = "application/json"
    NDJSON = "application/x-ndjson"


def body_format(content_type: str | None) -> BodyFormat | None:
    """The body's format from its ``Content-Type`` (UTF-8 only), or None."""
    if not content_type:
        return None
    media, *parameters = (part.strip().lower() for part in content_type.split(";"))
    charset = next(
        (p.partition("=")[2].strip('"') for p in parameters if p.startswith("charset=")), ""
    )
    if charset not in ("", "utf-8", "utf8"):
        return None
    try:
        return BodyFormat(media)
    except ValueError:
        return None


def check_ndjson(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """The number of rows of the NDJSON file ``path``, or a :class:`ContractError`
    naming the first line that is not one JSON object."""
    data = path.read_bytes()
    require_json_text(data)
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    source = f"read_json_objects({quote_literal(path)}, format = 'newline_delimited')"
    try:
        rows, first_other = _count_objects(con, source)
    except duckdb.Error:
        rows, first_other = -1, None
    if rows == lines and first_other is None and rows > 0:
        return rows
    if rows == 0 and not data.strip():
        raise ContractError("the body holds no rows; send one JSON object per line")
    raise ContractError(f"the body is not NDJSON: {_first_bad_line(data)}")


def array_to_ndjson(con: duckdb.DuckDBPyConnection, source: Path, target: Path) -> int:
    """Write the elements of the JSON array in ``source`` to ``target``, one per line;
    return how many.  A body that is not an array of objects is a :class:`ContractError`."""
    require_json_text(source.read_bytes())
    elements = f"read_json_objects({quote_literal(source)}, format = 'array')"
    try:
        rows, first_other = _count_objects(con, elements)
    except duckdb.Error:
        raise ContractError(
            f"the body is not a JSON array of objects: {_json_fault(source)}"
        ) from None
    if first_other is not None:
        element = json.loads(source.read_bytes())[first_other - 1]
        raise ContractError(
            f"element {first_other} of the array is a JSON {_kind(element)}, not an object; "
            "each element is one row, with the table's fields as keys"
        )
    if rows == 0:
        raise ContractError("the body holds no rows; send a JSON array of objects")
    # Minified JSON holds no raw control characters (JSON escapes them in strings),
    # so CSV without quoting and a unit-separator delimiter writes each element as is.
    con.execute(
        f"COPY (SELECT json(json) FROM {elements}) TO {quote_literal(target)} "
        "(FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f')"
    )
    return rows


def _count_objects(con: duckdb.DuckDBPyConnection, elements: str) -> tuple[int, int | None]:
    """How many elements ``elements`` has, and the 1-based position of the first that
    is not a JSON object (None: all are)."""
    [(rows, first_other)] = con.execute(
        "SELECT count(*), min(position) FILTER (WHERE kind <> 'OBJECT') FROM ("
        f"SELECT row_number() OVER () AS position, json_type(json) AS kind FROM {elements})"
    ).fetchall()
    return int(rows), None if first_other is None else int(first_other)


def _first_bad_line(data: bytes) -> str:
    """Where and why the NDJSON ``data`` first goes wrong, counting lines from 1."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    for number, line in enumerate(lines, start=1):
        try:
            value = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            return f"line {number} is not UTF-8 text"
        except json.JSONDecodeError as error:
            if not line.strip():
                return f"line {number} is empty; NDJSON has one JSON object on every line"
            return f"line {number}, column {error.colno}: {error.msg}"
        if not isinstance(value, dict):
            return f"line {number} is a JSON {_kind(value)}, not an object"
    return "it cannot be read as one JSON object per line"


def _json_fault(source: Path) -> str:
    """Where and why the JSON text in ``source`` is not an array."""
    try:
        value = json.loads(source.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    except json.JSONDecodeError as error:
        return f"line {error.lineno}, column {error.colno}: {error.msg}"
    if not isinstance(value, list):
        return f"it is a JSON {_kind(value)}; send NDJSON as application/x-ndjson"
    return "it cannot be read as a JSON array"


def _kind(value: object) -> str:
    return _JSON_KINDS.get(type(value), "value")
