"""The indicator catalogue the API describes: the shipped one, parsed once per process
(the pipeline computes facts with it, so the API names the same indicators)."""

from __future__ import annotations

from functools import cache

from cityops.indicators.catalogue import Catalogue, load_catalogue

__all__ = ["shipped_catalogue"]


@cache
def shipped_catalogue() -> Catalogue:
    return load_catalogue()
