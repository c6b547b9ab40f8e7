"""Pagination of list endpoints: ``limit`` (1–1000) and ``offset``, and the page they give."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_OFFSET", "Limit", "Offset", "Page"]

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_OFFSET = 2**63 - 1
"""The largest offset SQL takes (a signed 64-bit integer): beyond it the database
refuses the query, so the request is refused first (422) instead of failing (500)."""

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–1000).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip before the page.")]

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list: ``total`` counts every item the caller may see."""

    total: int
    limit: int
    offset: int
    items: list[ItemT]
