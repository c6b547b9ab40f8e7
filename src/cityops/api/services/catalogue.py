"""The indicator catalogue and the evaluation framework the API describes: the shipped
ones, parsed once per process (the pipeline computes facts with the catalogue and
evaluates with the framework unless told otherwise, so the API names the same
indicators, directions and contents)."""

from __future__ import annotations

from functools import cache

from cityops.evaluation.framework import Framework, load_framework
from cityops.indicators.catalogue import Catalogue, load_catalogue

__all__ = ["shipped_catalogue", "shipped_framework"]


@cache
def shipped_catalogue() -> Catalogue:
    return load_catalogue()


@cache
def shipped_framework() -> Framework:
    return load_framework(catalogue=shipped_catalogue())
