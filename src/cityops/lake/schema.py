"""Physical Arrow types for the logical types of the data contract."""

from __future__ import annotations

import pyarrow as pa

from cityops.domain.contract import FieldType, Table

__all__ = ["TIMESTAMP_TYPE", "arrow_schema", "arrow_type"]

TIMESTAMP_TYPE = pa.timestamp("us", tz="Asia/Shanghai")
"""Instants are stored in microseconds, labelled with the city's zone so that
days and hours read back in local time."""

_ARROW_TYPES: dict[FieldType, pa.DataType] = {
    FieldType.STRING: pa.string(),
    FieldType.INT: pa.int64(),
    FieldType.FLOAT: pa.float64(),
    FieldType.BOOL: pa.bool_(),
    FieldType.DATE: pa.date32(),
    FieldType.TIMESTAMP: TIMESTAMP_TYPE,
    FieldType.PERIOD: pa.string(),
}


def arrow_type(field_type: FieldType) -> pa.DataType:
    return _ARROW_TYPES[field_type]


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a contract table, fields in contract order."""
    return pa.schema(
        [pa.field(f.name, arrow_type(f.type), nullable=not f.required) for f in table.fields]
    )
