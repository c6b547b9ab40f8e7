"""Public shapes: what the API answers and ``--json`` prints, derived from the dataclasses.

A concept is defined once, as a dataclass of its package (a statement, a
contract, a ticket).  Where the API's answer has the dataclass's shape, the API
names the dataclass itself as its response model and pydantic writes it.
Where the answer deliberately differs — it leaves a field out (a ticket's
token), adds one (a ticket's contacts as shown to the caller), or writes a
value in another format — the public model is *derived*: ``derived_from``
gives it the dataclass's fields, with their types, so a field added to the
dataclass reaches the answer without being written a second time::

    @derived_from(Ticket, exclude=("token", "jurisdiction_id", "sealed_contacts"))
    class TicketPublic(Public):
        contacts: ContactsPublic

    TicketPublic.of(ticket, contacts=shown)

As pydantic writes them, decimals are exact text (``"1200000.00"``), enums their
value, dates and times ISO 8601 (a UTC time ending ``Z``); ``formats`` gives a
shape another format where its answers have always had one.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, create_model

__all__ = ["OFFSET_TIME", "Public", "derived_from"]

OFFSET_TIME = Annotated[
    datetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")
]
"""A time written as ``datetime.isoformat`` writes it: a UTC time ends ``+00:00``."""


class Public(BaseModel):
    """A public shape of a domain object, read from the object's attributes."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, source: object, **values: Any) -> Self:
        """The shape of ``source``: each field is the attribute of the same name, unless
        given here (a field the object does not hold)."""
        return cls.model_validate(
            {
                name: values[name] if name in values else getattr(source, name)
                for name in cls.model_fields
            }
        )


PublicT = TypeVar("PublicT", bound=Public)


def derived_from(
    source: type[Any],
    *,
    fields: Sequence[str] | None = None,
    exclude: Collection[str] = (),
    formats: Mapping[Any, Any] | None = None,
) -> Callable[[type[PublicT]], type[PublicT]]:
    """A class decorator: the ``Public`` model it decorates gets the fields of the
    dataclass ``source``, each with its type there.

    ``fields`` names them, in order (a property of ``source`` counts, with the type it
    returns); by default every field of ``source`` but those in ``exclude``.  The
    class body declares the fields ``source`` does not have (they follow, unless
    ``fields`` places them) and may declare one of ``source``'s with another type.
    ``formats`` maps a type to the one the shape writes instead (``OFFSET_TIME`` for
    ``datetime``), wherever it occurs in a field's type.  The body holds a
    docstring and fields only: the model is made anew from them.
    """
    hints = typing.get_type_hints(source)
    every = [f.name for f in dataclasses.fields(source)]
    if unknown := sorted(set(exclude) - set(every)):
        raise TypeError(f"{source.__name__} has no field {', '.join(unknown)} to leave out")
    names = [name for name in every if name not in exclude]

    def decorate(declared: type[PublicT]) -> type[PublicT]:
        dropped = [n for n in vars(declared) if not n.startswith("_") and n != "model_config"]
        if dropped:
            raise TypeError(
                f"{declared.__name__} is made anew from its fields; "
                f"move {', '.join(dropped)} out of its body"
            )
        own = declared.model_fields
        chosen = list(fields if fields is not None else names)
        chosen += [name for name in own if name not in chosen]
        definitions: dict[str, Any] = {}
        for name in chosen:
            if name in own:
                definitions[name] = (own[name].annotation, own[name])
            else:
                definitions[name] = (_with_formats(_type_of(source, hints, name), formats), ...)
        derived: type[PublicT] = create_model(
            declared.__name__,
            __base__=declared.__bases__,
            __module__=declared.__module__,
            __doc__=declared.__doc__,
            **definitions,
        )
        return derived

    return decorate


def _type_of(source: type[Any], hints: Mapping[str, Any], name: str) -> Any:
    """The type of ``source``'s field ``name``, or what its property ``name`` returns."""
    if name in hints:
        return hints[name]
    attribute = getattr(source, name, None)
    if isinstance(attribute, property) and attribute.fget is not None:
        return typing.get_type_hints(attribute.fget)["return"]
    raise TypeError(f"{source.__name__} has no field or property {name!r} to derive")


def _with_formats(annotation: Any, formats: Mapping[Any, Any] | None) -> Any:
    """``annotation`` with every type that ``formats`` names replaced, at any depth."""
    if not formats:
        return annotation
    if annotation in formats:
        return formats[annotation]
    arguments = typing.get_args(annotation)
    if not arguments:
        return annotation
    replaced = tuple(_with_formats(argument, formats) for argument in arguments)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[replaced]  # noqa: UP007 (built from a tuple of types)
    return origin[replaced]
