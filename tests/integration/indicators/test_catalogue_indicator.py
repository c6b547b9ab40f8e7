"""A city's own indicator on a real workspace: rows ingested into the register and the
lake, and the example catalogue computed on DuckDB and on Spark over the workspace's
unit of work, as ``cityops indicators`` computes the shipped one."""

from __future__ import annotations

import pytest
from city_catalogue import EXAMPLE_CATALOGUE
from ingest_workspace import make_workspace, write_text

from cityops.domain.period import Period
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.engine import EngineName, compute_indicators
from cityops.indicators.facts import IndicatorFact
from cityops.ingestion.batch import ingest_file
from cityops.services.indicators import query_engine
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.workspace import Workspace

PROVINCE, CITY, EAST, WEST = "330000", "330100", "330102", "330103"
PERIOD = Period(2025, 3)
CODE = "data.sharing_call_success_rate"

RESOURCES = (
    "resource_id,department,region_code,name,classification,share_type,open_type,"
    "update_frequency,record_count\n"
    f"r1,数据局,{EAST},人口库,core,conditional,none,daily,100\n"
    f"r2,数据局,{WEST},法人库,important,unconditional,open,daily,50\n"
    f"r3,数据局,{CITY},电子证照库,general,conditional,none,daily,10\n"
)
CALLS = "event_id,ts,resource_id,provider_department,consumer_department,rows,success\n" + (
    "c1,2025-03-01 00:00:00,r1,数据局,公安局,10,true\n"  # the first instant of March
    "c2,2025-03-15 12:00:00,r1,数据局,民政局,10,false\n"
    "c3,2025-03-31 23:59:59,r1,数据局,公安局,10,true\n"  # the last second of March
    "c4,2025-04-01 00:00:00,r1,数据局,公安局,10,true\n"  # April
    "c5,2025-03-10 10:00:00,r2,数据局,税务局,5,true\n"
    "c6,2025-03-11 10:00:00,r3,数据局,公安局,0,false\n"
    "c7,2025-02-28 23:59:59,r2,数据局,税务局,5,false\n"  # February
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    directory = tmp_path_factory.mktemp("city-indicator")
    ws = make_workspace(directory)
    ingest_file(ws, "data_resources", write_text(directory / "resources.csv", RESOURCES))
    ingest_file(ws, "data_sharing_calls", write_text(directory / "calls.csv", CALLS))
    return ws


def _facts(workspace: Workspace, engine: EngineName) -> dict[str, IndicatorFact]:
    catalogue = load_catalogue(EXAMPLE_CATALOGUE)
    with unit_of_work(workspace) as uow:
        runner = query_engine(uow, engine)
        facts = compute_indicators(runner, PERIOD, [CODE], catalogue=catalogue)
    return {fact.region_code: fact for fact in facts}


def test_the_example_indicator_is_computed_from_the_ingested_rows(workspace: Workspace) -> None:
    facts = _facts(workspace, EngineName.DUCKDB)
    # east: c1, c3 of c1–c3; west: c5; the city: those and its own r3's c6, 3 of 5
    assert {region: (f.numerator, f.denominator) for region, f in facts.items()} == {
        PROVINCE: (3, 5),
        CITY: (3, 5),
        EAST: (2, 3),
        WEST: (1, 1),
    }
    assert facts[EAST].value == pytest.approx(2 / 3)
    assert (facts[CITY].value, facts[CITY].rows_read) == (0.6, 5)


@pytest.mark.spark
def test_spark_computes_the_facts_duckdb_computes(workspace: Workspace) -> None:
    on_duckdb = _facts(workspace, EngineName.DUCKDB)
    on_spark = _facts(workspace, EngineName.SPARK)
    assert {f.engine for f in on_spark.values()} == {"spark"}
    figures = ("value", "numerator", "denominator", "rows_read", "definition_hash")
    assert {
        region: tuple(getattr(f, name) for name in figures) for region, f in on_spark.items()
    } == {region: tuple(getattr(f, name) for name in figures) for region, f in on_duckdb.items()}
