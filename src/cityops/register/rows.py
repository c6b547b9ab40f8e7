"""Dataclasses to register rows and back: a column holds the field that bears its name.

An enum is stored as its value and an exact decimal as its text, and read back
as the field's type; a field stored otherwise (in another column, in another
form) is given by the caller.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_type_hints

import sqlalchemy as sa

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["from_row", "to_row"]

RecordT = TypeVar("RecordT", bound="DataclassInstance")


def to_row(record: object, table: sa.Table, **values: Any) -> dict[str, Any]:
    """The row of ``table`` that holds ``record``: each column the attribute of its name,
    unless ``values`` gives it."""
    return {
        column.name: values[column.name]
        if column.name in values
        else _stored(getattr(record, column.name))
        for column in table.columns
    }


def from_row(kind: type[RecordT], row: Mapping[Any, Any], **values: Any) -> RecordT:
    """The dataclass ``kind`` from a ``row`` whose columns bear its fields' names, unless
    ``values`` gives a field."""
    types = _field_types(kind)
    return kind(
        **{
            field.name: values[field.name]
            if field.name in values
            else _typed(types[field.name], row[field.name])
            for field in dataclasses.fields(kind)
            if field.init
        }
    )


def _stored(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    return str(value) if isinstance(value, Decimal) else value


@cache
def _field_types(kind: type[Any]) -> dict[str, Any]:
    return get_type_hints(kind)


def _typed(annotation: Any, stored: Any) -> Any:
    """A column's value as the field's type: an enum from its value, an exact decimal from
    its text."""
    if stored is None:
        return None
    for kind in get_args(annotation) or (annotation,):
        if isinstance(kind, type) and issubclass(kind, Enum | Decimal):
            return kind(stored)
    return stored
