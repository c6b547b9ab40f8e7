"""One tiny synthetic city per test session, in Parquet and in CSV."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from cityops.domain.contract import TABLES
from cityops.domain.period import Period
from cityops.synth import SynthSummary, generate_city

TINY_START = Period(2025, 1)


@pytest.fixture(scope="session")
def tiny_city(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    """Two months of the tiny city (Parquet), so month boundaries are exercised."""
    out = tmp_path_factory.mktemp("tiny_parquet")
    return generate_city(out, scale="tiny", months=2, start=TINY_START, seed=7, fmt="parquet")


@pytest.fixture(scope="session")
def tiny_csv(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    out = tmp_path_factory.mktemp("tiny_csv")
    return generate_city(out, scale="tiny", months=2, start=TINY_START, seed=7, fmt="csv")


@pytest.fixture
def lake(tiny_city: SynthSummary) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with one view per table of the tiny city."""
    connection = duckdb.connect()
    for t in TABLES:
        path = tiny_city.out / f"{t.name}.parquet"
        connection.execute(f"CREATE VIEW {t.name} AS SELECT * FROM read_parquet('{path}')")
    yield connection
    connection.close()
