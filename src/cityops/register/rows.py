"""Dataclasses to register rows and back: a column holds the field that bears its name.

An enum is stored as its value, an exact decimal and a month (``Period``) as
their text, and read back as the field's type; a field stored otherwise (in
another column, in another form) is given by the caller.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_type_hints

import sqlalchemy as sa

from cityops.domain.period import Period

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
    found: dict[str, Any] = {}
    for name, convert in _fields_of(kind):
        if name in values:
            found[name] = values[name]
        else:
            stored = row[name]
            found[name] = stored if convert is None or stored is None else convert(stored)
    return kind(**found)


def _stored(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    return str(value) if isinstance(value, Decimal | Period) else value


@cache
def _fields_of(kind: type[Any]) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each field ``kind`` is made with, and how its stored value is read back (an enum
    from its value, an exact decimal and a month from their text; None: as stored)."""
    types = get_type_hints(kind)
    return tuple(
        (field.name, _stored_as(types[field.name]))
        for field in dataclasses.fields(kind)
        if field.init
    )


def _stored_as(annotation: Any) -> Callable[[Any], Any] | None:
    for kind in get_args(annotation) or (annotation,):
        if kind is Period:
            return Period.parse
        if isinstance(kind, type) and issubclass(kind, Enum | Decimal):
            return kind
    return None
