"""JSON Schemas and example files of the contract tables, generated from the contract.

``docs/schemas/<table>.schema.json`` is what a city or vendor writes an
exporter against; ``docs/schemas/examples/<table>.jsonl`` is a small file that
passes every check (the examples refer to each other: the regions, services,
devices… they name exist in the examples of those tables), so the folder can
be ingested as is.  Both are generated here from ``cityops.domain.contract``,
never edited by hand: ``cityops schemas --out docs/schemas``.  A test checks
that the committed files equal the generated ones.

A schema describes one JSON Lines object.  CSV and Excel carry the same
fields as text; the checks at ingest are the authority (for example, the
GB 11643 checksum that rejects ID-card numbers is not expressible here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cityops.domain.contract import CONTRACT_VERSION, TABLES, Field, FieldType, Table, TableKind
from cityops.domain.period import PERIOD_PATTERN

__all__ = ["example_rows", "table_schema", "write_schemas"]

TIMESTAMP_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
)
BOOLEAN_WORDS = ("true", "false", "1", "0", "是", "否")


def _value_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if field.type is FieldType.STRING:
        schema = {"type": "string", "minLength": 1}
    elif field.type is FieldType.INT:
        schema = {"type": "integer"}
    elif field.type is FieldType.FLOAT:
        schema = {"type": "number"}
    elif field.type is FieldType.BOOL:
        schema = {"anyOf": [{"type": "boolean"}, {"enum": [*BOOLEAN_WORDS, 1, 0]}]}
    elif field.type is FieldType.DATE:
        schema = {"type": "string", "format": "date"}
    elif field.type is FieldType.TIMESTAMP:
        schema = {"type": "string", "pattern": TIMESTAMP_PATTERN}
    else:
        schema = {"type": "string", "pattern": PERIOD_PATTERN}
    if field.allowed:
        schema["enum"] = list(field.allowed)
    if field.minimum is not None:
        schema["minimum"] = field.minimum
    if field.maximum is not None:
        schema["maximum"] = field.maximum
    return schema


def _field_schema(field: Field) -> dict[str, Any]:
    notes = [field.description] if field.description else []
    if field.type is FieldType.TIMESTAMP:
        notes.append("ISO 8601; without an offset it is Asia/Shanghai local time")
    if field.references:
        notes.append(f"must name a key of the register table {field.references}")
    schema = _value_schema(field)
    if not field.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if notes:
        schema = {"description": "; ".join(notes), **schema}
    if field.references:
        schema["x-references"] = field.references
    return schema


def table_schema(table: Table) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one row of ``table``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{table.name}.schema.json",
        "title": table.name,
        "description": table.description,
        "x-contract-version": CONTRACT_VERSION,
        "x-kind": table.kind.value,
        "x-identity": list(table.identity),
        "type": "object",
        "required": [f.name for f in table.fields if f.required],
        "properties": {f.name: _field_schema(f) for f in table.fields},
        "additionalProperties": True,
    }


# The keys the examples share, so every reference in them resolves.
_KEYS = {
    "regions": ("330102", "330103"),
    "services": ("S001", "S002"),
    "devices": ("D001", "D002"),
    "cloud_resources": ("C001", "C002"),
    "data_resources": ("R001", "R002"),
    "systems": ("SYS01", "SYS02"),
}

_REGIONS = (  # the city too: a district whose parent is not a region is refused
    {"region_code": "330100", "name": "示范市", "level": "city", "parent_code": None,
     "resident_population": 1000000},
    {"region_code": "330102", "name": "东湖区", "level": "district", "parent_code": "330100",
     "resident_population": 400000},
    {"region_code": "330103", "name": "西山区", "level": "district", "parent_code": "330100",
     "resident_population": 600000},
)  # fmt: skip

_BY_TYPE: dict[FieldType, tuple[object, object]] = {
    FieldType.STRING: ("示例", "example"),
    FieldType.INT: (3, 4),
    FieldType.FLOAT: (0.5, 0.75),
    FieldType.BOOL: (True, "否"),
    FieldType.DATE: ("2025-01-01", "2025-02-15"),
    # One local time, one with an offset: both forms are part of the contract.
    FieldType.TIMESTAMP: ("2025-03-01 08:30:00", "2025-03-01T09:15:00+08:00"),
    FieldType.PERIOD: ("2025-03", "2025-03"),
}


def _example_value(table: Table, field: Field, row: int) -> object:
    if field.references:
        return _KEYS[field.references][row]
    if field.name in table.identity and table.kind is TableKind.REGISTER:
        return _KEYS.get(table.name, ("K001", "K002"))[row]
    if field.allowed:
        return field.allowed[row % len(field.allowed)]
    if field.type is FieldType.STRING and (
        field.name in table.identity or field.name.endswith("_id")
    ):
        return f"{field.name.removesuffix('_id')[:3].upper()}-{table.name[:4]}-{row + 1}"
    value = _BY_TYPE[field.type][row]
    if field.minimum is not None and isinstance(value, int | float):
        value = max(value, field.minimum)
    if field.maximum is not None and isinstance(value, int | float):
        value = min(value, field.maximum)
    return value


def example_rows(table: Table) -> list[dict[str, object]]:
    """Two rows of ``table`` that pass every check, given the other tables' examples
    (``regions``: two districts and their city, so the region tree is whole)."""
    if table.name == "regions":
        return [dict(r) for r in _REGIONS]
    return [{f.name: _example_value(table, f, row) for f in table.fields} for row in (0, 1)]


def write_schemas(directory: Path) -> list[Path]:
    """Write every table's schema and example into ``directory``; return the files."""
    examples = directory / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in TABLES:
        schema_path = directory / f"{table.name}.schema.json"
        text = json.dumps(table_schema(table), ensure_ascii=False, indent=2) + "\n"
        schema_path.write_text(text, encoding="utf-8")
        example_path = examples / f"{table.name}.jsonl"
        lines = [json.dumps(row, ensure_ascii=False) for row in example_rows(table)]
        example_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written += [schema_path, example_path]
    return written
