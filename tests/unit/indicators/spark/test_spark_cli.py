"""``cityops indicators --engine`` and ``explain --engine spark`` on a small workspace."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ingest_workspace import make_workspace
from typer.testing import CliRunner

from cityops.cli.app import app
from cityops.indicators.spark.engine import open_spark_engine
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.workspace import Workspace

CODE = "capability.portal_service_coverage"
EAST = "330102"


def cityops(*args: str) -> dict[str, Any]:
    done = CliRunner().invoke(app, [*args, "--json"])
    assert done.exit_code == 0, done.output
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Regions, services and devices; March 2025's facts computed on DuckDB."""
    ws = make_workspace(tmp_path_factory.mktemp("cli"))
    cityops("indicators", "-w", str(ws.root), "--period", "2025-03", "--engine", "duckdb")
    return ws


def explain(workspace: Workspace, *engine: str) -> dict[str, Any]:
    where = ("-w", str(workspace.root), "--region", EAST, "--period", "2025-03")
    return cityops("indicators", "explain", CODE, *where, *engine)


def test_explain_shows_the_query_of_the_engine_that_computed_the_fact(
    workspace: Workspace,
) -> None:
    shown = explain(workspace)
    assert (shown["engine"], shown["sql_engine"]) == ("duckdb", "duckdb")
    assert "$first_day" in shown["sql"]


def test_explain_for_spark_shows_spark_sql_with_the_parameters_written_in(
    workspace: Workspace,
) -> None:
    shown = explain(workspace, "--engine", "spark")
    assert (shown["engine"], shown["sql_engine"]) == ("duckdb", "spark")
    assert "$" not in shown["sql"]
    assert "CAST('2025-03-31' AS DATE)" in shown["sql"]  # $last_day
    assert shown["parameters"]["last_day"] == "2025-03-31"


def test_an_unknown_engine_is_a_usage_error(workspace: Workspace) -> None:
    done = CliRunner().invoke(
        app, ["indicators", "-w", str(workspace.root), "--period", "2025-03", "--engine", "x"]
    )
    assert done.exit_code == 2
    assert "duckdb" in done.output
    assert "spark" in done.output


@pytest.mark.spark
def test_the_explained_spark_query_reproduces_the_stored_fact(workspace: Workspace) -> None:
    shown = explain(workspace, "--engine", "spark")
    with unit_of_work(workspace) as uow:
        engine = open_spark_engine(workspace.lake, uow.register_tables())
    engine.prepare()
    rows = {row[0]: tuple(row[1:]) for row in engine.spark.sql(shown["sql"]).collect()}
    # 东湖区 has one active service, on the portal
    assert (
        rows[EAST]
        == (1.0, 1.0, 1.0, 1)
        == (
            shown["value"],
            shown["numerator"],
            shown["denominator"],
            shown["rows_read"],
        )
    )
