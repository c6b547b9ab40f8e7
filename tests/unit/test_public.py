"""Public shapes derived from dataclasses (``cityops.public``): the fields, their order and
types come from the dataclass, so a field added there reaches the shape."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from cityops.public import OFFSET_TIME, Public, derived_from


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True, slots=True)
class Part:
    code: str
    price: Decimal
    secret: str = "s3cret"


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    colour: Colour
    total: Decimal
    placed_at: datetime
    shipped_at: datetime | None
    parts: tuple[Part, ...]
    token: str

    @property
    def size(self) -> int:
        return len(self.parts)


@derived_from(Part, fields=("code", "price"))
class PartPublic(Public):
    """A part without its secret."""


@derived_from(Order, exclude=("token", "parts"))
class OrderPublic(Public):
    parts: list[PartPublic]
    note: str


PLACED = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
PART = Part("P1", Decimal("12.50"))
ORDER = Order("O1", Colour.RED, Decimal("12.50"), PLACED, None, (PART,), "t")


def test_a_derived_shape_has_the_dataclass_fields_in_order_then_its_own() -> None:
    assert list(OrderPublic.model_fields) == [
        "order_id",
        "colour",
        "total",
        "placed_at",
        "shipped_at",
        "parts",
        "note",
    ]
    assert list(PartPublic.model_fields) == ["code", "price"]


def test_a_shape_is_read_from_the_objects_attributes_and_the_values_given() -> None:
    shown = OrderPublic.of(ORDER, note="by hand")
    assert json.loads(shown.model_dump_json()) == {
        "order_id": "O1",
        "colour": "red",
        "total": "12.50",
        "placed_at": "2025-03-01T08:30:00Z",
        "shipped_at": None,
        "parts": [{"code": "P1", "price": "12.50"}],
        "note": "by hand",
    }


def test_a_property_may_be_a_field_with_the_type_it_returns() -> None:
    @derived_from(Order, fields=("order_id", "size"))
    class Sized(Public):
        pass

    assert Sized.model_fields["size"].annotation is int
    assert Sized.of(ORDER).model_dump() == {"order_id": "O1", "size": 1}


def test_a_format_replaces_a_type_wherever_it_occurs() -> None:
    @derived_from(Order, fields=("placed_at", "shipped_at"), formats={datetime: OFFSET_TIME})
    class Written(Public):
        pass

    shipped = Order("O2", Colour.RED, Decimal(0), PLACED, PLACED, (), "t")
    assert json.loads(Written.of(shipped).model_dump_json()) == {
        "placed_at": "2025-03-01T08:30:00+00:00",
        "shipped_at": "2025-03-01T08:30:00+00:00",
    }
    assert Written.of(ORDER).model_dump(mode="json")["shipped_at"] is None


def test_naming_what_the_dataclass_does_not_have_is_an_error() -> None:
    with pytest.raises(TypeError, match="no field or property 'colour_code'"):

        @derived_from(Order, fields=("colour_code",))
        class Wrong(Public):
            pass

    with pytest.raises(TypeError, match="no field tokens to leave out"):
        derived_from(Order, exclude=("tokens",))


def test_a_method_in_the_body_of_a_derived_shape_is_refused_rather_than_lost() -> None:
    with pytest.raises(TypeError, match="move shout out of its body"):

        @derived_from(Part)
        class Loud(Public):
            def shout(self) -> str:
                return "!"
