"""The names of the engines indicators are computed on, in a module of their own so
that the CLI can offer ``--engine`` without importing the engines (or pyarrow)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DEFAULT_ENGINE", "EngineName"]


class EngineName(StrEnum):
    """An engine a period's indicators can be computed on (``--engine``)."""

    DUCKDB = "duckdb"
    """DuckDB, embedded in this process."""
    SPARK = "spark"
    """PySpark: local mode, or a cluster in production (``cityops.indicators.spark``)."""


DEFAULT_ENGINE = EngineName.DUCKDB
