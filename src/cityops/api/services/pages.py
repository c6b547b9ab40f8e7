"""Pagination of list endpoints: ``limit`` (1–1000) and ``offset``, and the page they give."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Limit", "Offset", "Page"]

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–1000).")]
Offset = Annotated[int, Query(ge=0, description="Items to skip before the page.")]

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list: ``total`` counts every item the caller may see."""

    total: int
    limit: int
    offset: int
    items: list[ItemT]
