"""Row checks derived from the data contract, compiled to DuckDB SQL.

Each check is a condition on one field that makes a row fail, with the reason
a person reads in quarantine.  All checks of a table run in one vectorised
query; a row's recorded failure is the first check it fails, in field order.

Values arrive either typed (Parquet) or as text (CSV); every field is turned
into its contract type by ``typed_expression`` and a value that was present
but could not be converted fails as "not a valid <type>".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityops.domain.contract import Field, FieldType, Table

__all__ = ["Check", "checks_for", "quote_identifier", "quote_literal", "typed_expression"]

_SQL_TYPES: dict[FieldType, str] = {
    FieldType.STRING: "VARCHAR",
    FieldType.INT: "BIGINT",
    FieldType.FLOAT: "DOUBLE",
    FieldType.BOOL: "BOOLEAN",
    FieldType.DATE: "DATE",
    FieldType.TIMESTAMP: "TIMESTAMPTZ",
    FieldType.PERIOD: "VARCHAR",
}

_TRUE_WORDS = ("true", "1", "是", "t", "yes")
_FALSE_WORDS = ("false", "0", "否", "f", "no")


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _raw(name: str) -> str:
    return f"raw.{quote_identifier(name)}"


def typed_expression(field: Field, source_type: str | None) -> str:
    """SQL turning the raw column into the field's contract type (NULL when it cannot).

    ``source_type`` is the DuckDB type of the raw column, or ``None`` when the
    file lacks the (optional) column.  Text input is trimmed and an empty string
    is a missing value.  Naive timestamps are read in the session time zone,
    Asia/Shanghai (data contract: a value without an offset is local time).
    """
    if source_type is None:
        return f"CAST(NULL AS {_SQL_TYPES[field.type]})"
    raw = _raw(field.name)
    text = source_type.upper() == "VARCHAR"
    value = f"NULLIF(trim({raw}), '')" if text else raw
    if field.type is FieldType.BOOL:
        if not text and source_type.upper() == "BOOLEAN":
            return raw
        word = f"lower(trim(CAST({raw} AS VARCHAR)))"
        trues = ", ".join(quote_literal(w) for w in _TRUE_WORDS)
        falses = ", ".join(quote_literal(w) for w in _FALSE_WORDS)
        return f"CASE WHEN {word} IN ({trues}) THEN TRUE WHEN {word} IN ({falses}) THEN FALSE END"
    if field.type is FieldType.PERIOD:
        month = f"CAST({value} AS VARCHAR)"
        return f"CASE WHEN regexp_full_match({month}, '\\d{{4}}-(0[1-9]|1[0-2])') THEN {month} END"
    if field.type is FieldType.STRING:
        return f"CAST({value} AS VARCHAR)"
    return f"TRY_CAST({value} AS {_SQL_TYPES[field.type]})"


def _present(field: Field, source_type: str | None) -> str:
    """SQL true when the raw value is present (not NULL, not blank text)."""
    if source_type is None:
        return "FALSE"
    raw = _raw(field.name)
    if source_type.upper() == "VARCHAR":
        return f"NULLIF(trim({raw}), '') IS NOT NULL"
    return f"{raw} IS NOT NULL"


def _shown(field: Field) -> str:
    """The offending raw value, for the reason text."""
    return f"CAST({_raw(field.name)} AS VARCHAR)"


@dataclass(frozen=True, slots=True)
class Check:
    """A row fails when ``failing_sql`` is true; ``reason_sql`` says why (SQL text)."""

    field: str
    failing_sql: str
    reason_sql: str


def checks_for(
    table: Table,
    source_types: Mapping[str, str],
    reference_tables: Mapping[str, str],
) -> list[Check]:
    """The checks of ``table``, in field order.

    ``source_types`` maps the file's columns to their DuckDB types;
    ``reference_tables`` maps a register table name to the SQL relation of its
    known keys (one column, ``key``), for referential checks.
    """
    checks: list[Check] = []
    for field in table.fields:
        source_type = source_types.get(field.name)
        typed = typed_expression(field, source_type)
        present = _present(field, source_type)
        name = quote_literal(field.name)
        if field.required:
            checks.append(
                Check(field.name, f"NOT ({present})", quote_literal("required value is missing"))
            )
        checks.append(
            Check(
                field.name,
                f"({present}) AND {typed} IS NULL",
                f"'value ' || {_shown(field)} || ' is not a valid {field.type.value}'",
            )
        )
        if field.allowed:
            allowed = ", ".join(quote_literal(v) for v in field.allowed)
            listed = ", ".join(str(v) for v in field.allowed)
            checks.append(
                Check(
                    field.name,
                    f"{typed} IS NOT NULL AND CAST({typed} AS VARCHAR) NOT IN ({allowed})",
                    f"'value ' || {_shown(field)} || ' is not one of: {listed}'",
                )
            )
        if field.minimum is not None:
            checks.append(
                Check(
                    field.name,
                    f"{typed} < {field.minimum}",
                    f"'value ' || {_shown(field)} || ' is below the minimum {field.minimum:g}'",
                )
            )
        if field.maximum is not None:
            checks.append(
                Check(
                    field.name,
                    f"{typed} > {field.maximum}",
                    f"'value ' || {_shown(field)} || ' is above the maximum {field.maximum:g}'",
                )
            )
        if field.references is not None and field.references in reference_tables:
            keys = reference_tables[field.references]
            checks.append(
                Check(
                    field.name,
                    f"{typed} IS NOT NULL AND {typed} NOT IN (SELECT key FROM {keys})",
                    f"'unknown ' || {name} || ' ' || {_shown(field)}"
                    f" || ' (not in {field.references}; load {field.references} first)'",
                )
            )
    return checks
