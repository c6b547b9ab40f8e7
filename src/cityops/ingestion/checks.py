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
from cityops.ingestion.personal import personal_kind_sql

__all__ = [
    "Check",
    "checks_for",
    "may_hold_personal_data",
    "quote_identifier",
    "quote_literal",
    "typed_expression",
]

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


def _source(field: Field, source_type: str) -> tuple[str, bool]:
    """The raw value as SQL, and whether it is text.

    A JSON Lines column whose values mix types (``true`` and ``"否"``) arrives
    as DuckDB's JSON type; it is read as the text of each value.
    """
    raw = _raw(field.name)
    kind = source_type.upper()
    if kind == "JSON":
        return f"json_extract_string({raw}, '$')", True
    return raw, kind == "VARCHAR"


def _trimmed(text: str) -> str:
    """``trim(text)`` (leading and trailing spaces off), computed only for values that
    start or end with a space: ``trim`` makes a new string of every value, and few
    need it (measured on a county month's CSV: trimming every value took 2.5 s of
    15; the test first costs nothing measurable)."""
    return f"CASE WHEN {text} LIKE ' %' OR {text} LIKE '% ' THEN trim({text}) ELSE {text} END"


def _text_value(raw: str, trim_text: bool) -> str:
    """A text value as read: trimmed (when asked), and missing when empty."""
    return f"NULLIF({_trimmed(raw) if trim_text else raw}, '')"


def typed_expression(field: Field, source_type: str | None, *, trim_text: bool = True) -> str:
    """SQL turning the raw column into the field's contract type (NULL when it cannot).

    ``source_type`` is the DuckDB type of the raw column, or ``None`` when the
    file lacks the (optional) column.  Text input is trimmed (unless
    ``trim_text`` is false: Parquet strings come from programs, and trimming
    every value is a large share of the cost) and an empty string
    is a missing value.  Naive timestamps are read in the session time zone,
    Asia/Shanghai (data contract: a value without an offset is local time).
    """
    if source_type is None:
        return f"CAST(NULL AS {_SQL_TYPES[field.type]})"
    raw, text = _source(field, source_type)
    value = _text_value(raw, trim_text) if text else raw
    if field.type is FieldType.BOOL:
        if not text and source_type.upper() == "BOOLEAN":
            return raw
        word = f"lower({_trimmed(f'CAST({raw} AS VARCHAR)')})"
        trues = ", ".join(quote_literal(w) for w in _TRUE_WORDS)
        falses = ", ".join(quote_literal(w) for w in _FALSE_WORDS)
        return f"CASE WHEN {word} IN ({trues}) THEN TRUE WHEN {word} IN ({falses}) THEN FALSE END"
    if field.type is FieldType.PERIOD:
        month = f"CAST({value} AS VARCHAR)"
        return f"CASE WHEN regexp_full_match({month}, '\\d{{4}}-(0[1-9]|1[0-2])') THEN {month} END"
    if field.type is FieldType.STRING:
        return f"CAST({value} AS VARCHAR)"
    cast = f"TRY_CAST({value} AS {_SQL_TYPES[field.type]})"
    if field.type is FieldType.INT:
        # A cast would round 4.5 to 5: an integer field takes whole numbers only.
        if text:
            return f"CASE WHEN regexp_full_match({value}, '[+-]?\\d+') THEN {cast} END"
        if source_type.upper() in ("DOUBLE", "FLOAT") or source_type.upper().startswith("DEC"):
            return f"CASE WHEN {raw} = trunc({raw}) THEN {cast} END"
    return cast


def may_hold_personal_data(field: Field) -> bool:
    """Free text fields (ids, names): not enumerated, not a reference to a register key."""
    return field.type is FieldType.STRING and not field.allowed and field.references is None


def _present(field: Field, source_type: str | None, trim_text: bool) -> str:
    """SQL true when the raw value is present (not NULL, not blank text)."""
    if source_type is None:
        return "FALSE"
    raw, text = _source(field, source_type)
    if text:
        return f"{_text_value(raw, trim_text)} IS NOT NULL"
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
    typed_values: Mapping[str, str] | None = None,
    *,
    trim_text: bool = True,
) -> list[Check]:
    """The checks of ``table``, in field order.

    ``source_types`` maps the file's columns to their DuckDB types;
    ``reference_tables`` maps a register table name to the SQL relation of its
    known keys (one column, ``key``), for referential checks.  ``typed_values``
    maps a field to SQL naming its already typed value (a column computed once
    and read by several checks); by default each check types the raw value.
    """
    checks: list[Check] = []
    for field in table.fields:
        source_type = source_types.get(field.name)
        if typed_values is not None and field.name in typed_values:
            typed = typed_values[field.name]
        else:
            typed = typed_expression(field, source_type, trim_text=trim_text)
        present = _present(field, source_type, trim_text)
        name = quote_literal(field.name)
        if field.required:
            checks.append(
                Check(field.name, f"NOT ({present})", quote_literal("required value is missing"))
            )
        if source_type is None:
            continue  # an optional column the file lacks: nothing else to check
        checks.append(
            Check(
                field.name,
                f"({present}) AND {typed} IS NULL",
                f"'value ' || {_shown(field)} || ' is not a valid {field.type.value}'",
            )
        )
        if may_hold_personal_data(field):
            kind = personal_kind_sql(typed)
            checks.append(
                Check(
                    field.name,
                    f"({kind}) IS NOT NULL",
                    # Reasons read raw columns only (they are computed for failed rows).
                    f"'value is ' || coalesce({personal_kind_sql(_shown(field))}, "
                    "'personal data') || ': personal data "
                    "may not enter the lake in "
                    "clear (pseudonymise it first; for user_id use --pseudonymise)'",
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
