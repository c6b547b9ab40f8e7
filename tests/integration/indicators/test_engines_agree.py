"""Spark and DuckDB compute the same facts for the whole catalogue on a synthetic month.

A synthetic city of the ``tiny`` scale (a county-shaped city: 3 districts × 3
streets, every contract table filled) is generated and ingested into a
workspace, and January 2025 is computed on both engines: DuckDB through the
pipeline, Spark through ``cityops indicators --engine spark``, as a user runs
it.  Every fact must agree: counts exactly, other figures within 10⁻⁹
relative, missing values on the same regions.

Leaks (失泄密) are too rare for a month of so small a city, so two incidents
are ingested on top of the synthetic ones; with them every indicator of the
catalogue has rows to compute from.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cityops.cli.app import app
from cityops.domain.period import Period
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.facts import IndicatorFact, read_facts
from cityops.ingestion.batch import ingest_file
from cityops.ingestion.directory import ingest_directory
from cityops.services.indicators import compute_period
from cityops.services.unit_of_work import unit_of_work
from cityops.synth import generate_city
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

pytestmark = [pytest.mark.spark, pytest.mark.slow]

PERIOD = Period(2025, 1)
RELATIVE = 1e-9


def _first_street(sources: Path) -> dict[str, Any]:
    regions = pq.read_table(sources / "regions.parquet").to_pylist()
    return next(r for r in regions if r["level"] == "street")


def _leak_incidents(sources: Path) -> str:
    """Two leak incidents in a street of the synthetic city, as a ``security_events`` CSV.

    The second has two ``detected`` events at the same instant, in the street
    and in its district: its region is the one of the smaller event id
    (``arg_min`` over ``(ts, event_id)``), the street, on both engines.
    """
    street = _first_street(sources)
    system = pq.read_table(sources / "systems.parquet", columns=["system_id"])[0][0].as_py()
    header = "event_id,incident_id,ts,region_code,system_id,grade,phase,leak\n"
    rows = [
        ("LEAK1-1", "LEAK1", "2025-01-10 10:00:00", street["region_code"], "detected", "true"),
        ("LEAK1-2", "LEAK1", "2025-01-10 11:00:00", street["region_code"], "responded", "false"),
        ("LEAK2-a", "LEAK2", "2025-01-20 23:30:00", street["region_code"], "detected", "true"),
        ("LEAK2-b", "LEAK2", "2025-01-20 23:30:00", street["parent_code"], "detected", "true"),
    ]
    return header + "".join(
        f"{event},{incident},{ts},{region},{system},3,{phase},{leak}\n"
        for event, incident, ts, region, phase, leak in rows
    )


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("engines") / "sources"
    generate_city(out, scale="tiny", months=1, start=PERIOD, seed=11)
    return out


@pytest.fixture(scope="module")
def workspace(sources: Path) -> Workspace:
    ws = create_workspace(sources.parent / "ws", name="示范县")
    ingest_directory(ws, sources)
    leaks = sources.parent / "leaks.csv"
    leaks.write_text(_leak_incidents(sources), encoding="utf-8")
    ingest_file(ws, "security_events", leaks)
    return ws


@pytest.fixture(scope="module")
def on_duckdb(workspace: Workspace) -> list[IndicatorFact]:
    with unit_of_work(workspace) as uow:
        return compute_period(uow, PERIOD)[0]


@pytest.fixture(scope="module")
def spark_run(workspace: Workspace, on_duckdb: list[IndicatorFact]) -> dict[str, Any]:
    """``cityops indicators --engine spark --json``, after DuckDB's facts were taken
    (both store to the same file, so Spark's are the ones left on disk)."""
    arguments = ["-w", str(workspace.root), "--period", str(PERIOD), "--engine", "spark"]
    done = CliRunner().invoke(app, ["indicators", *arguments, "--json"])
    assert done.exit_code == 0, done.output
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def on_spark(spark_run: dict[str, Any]) -> list[IndicatorFact]:
    return read_facts(Path(spark_run["path"]))


def _same(duckdb_figure: float | None, spark_figure: float | None) -> bool:
    """Equal when integral (a count), within 10⁻⁹ relative otherwise; missing on both."""
    if duckdb_figure is None or spark_figure is None:
        return duckdb_figure is spark_figure
    if duckdb_figure.is_integer():
        return duckdb_figure == spark_figure
    return math.isclose(duckdb_figure, spark_figure, rel_tol=RELATIVE, abs_tol=0.0)


def test_spark_gives_every_fact_duckdb_gives(
    on_duckdb: list[IndicatorFact], on_spark: list[IndicatorFact]
) -> None:
    duckdb_facts = {(f.indicator, f.region_code): f for f in on_duckdb}
    spark_facts = {(f.indicator, f.region_code): f for f in on_spark}
    assert spark_facts.keys() == duckdb_facts.keys()
    differences = [
        (key, name, getattr(expected, name), getattr(spark_facts[key], name))
        for key, expected in duckdb_facts.items()
        for name in ("value", "numerator", "denominator")
        if not _same(getattr(expected, name), getattr(spark_facts[key], name))
    ]
    assert differences == []
    assert {key: f.rows_read for key, f in spark_facts.items()} == {
        key: f.rows_read for key, f in duckdb_facts.items()
    }
    assert {key: f.definition_hash for key, f in spark_facts.items()} == {
        key: f.definition_hash for key, f in duckdb_facts.items()
    }


def test_each_fact_records_the_engine_that_computed_it(
    on_duckdb: list[IndicatorFact], on_spark: list[IndicatorFact], spark_run: dict[str, Any]
) -> None:
    assert {f.engine for f in on_duckdb} == {"duckdb"}
    assert {f.engine for f in on_spark} == {"spark"}
    assert (spark_run["period"], spark_run["engine"]) == ("2025-01", "spark")


def test_the_printed_facts_are_the_stored_ones(
    on_spark: list[IndicatorFact], spark_run: dict[str, Any]
) -> None:
    stored = [
        {
            "indicator": f.indicator,
            "region_code": f.region_code,
            "value": f.value,
            "numerator": f.numerator,
            "denominator": f.denominator,
        }
        for f in on_spark
    ]
    assert spark_run["facts"] == stored


def test_the_month_gives_every_indicator_rows_to_compute_from(
    sources: Path, on_duckdb: list[IndicatorFact]
) -> None:
    with_rows = {f.indicator for f in on_duckdb if f.rows_read > 0 and f.value is not None}
    assert with_rows == set(load_catalogue().codes)
    street = _first_street(sources)["region_code"]
    leaks = {f.region_code: f.value for f in on_duckdb if f.indicator == "security.leak_incidents"}
    assert leaks[street] == 2.0  # both incidents are the street's
