"""Explaining a fact: the query shown must be the one that yields the number."""

from __future__ import annotations

from dataclasses import replace

import pytest
from city_catalogue import EXAMPLE_CATALOGUE

from cityops.errors import PipelineError
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.engine import compute_indicators
from cityops.indicators.explain import explain_fact
from cityops.types import IndicatorCode, RegionCode

from fake_lake import DISTRICT_A, PERIOD, STREET_A1, FakeLake, at, ticket_event

CODE = IndicatorCode("capability.response_30min_rate")


@pytest.fixture
def lake() -> FakeLake:
    fake = FakeLake()
    fake.add(
        "ticket_events",
        [
            ticket_event("t1", "created", "2025-03-03 10:00", STREET_A1),
            ticket_event("t1", "responded", "2025-03-03 10:20", STREET_A1),
            ticket_event("t2", "created", "2025-03-04 10:00", STREET_A1),
            ticket_event("t2", "responded", "2025-03-04 11:00", STREET_A1),
        ],
    )
    return fake


def test_the_explained_query_reproduces_the_stored_fact(lake: FakeLake) -> None:
    facts = compute_indicators(lake.con, PERIOD, [CODE])
    explanation = explain_fact(load_catalogue(), facts, CODE, DISTRICT_A, PERIOD)
    rows = lake.con.execute(explanation.sql, explanation.parameters).fetchall()
    by_region = {row[0]: row[1:4] for row in rows}
    # t1 answered in 20 min, t2 in 60: 1 of 2 within 30 minutes
    assert by_region[DISTRICT_A] == (0.5, 1.0, 2.0)
    assert (explanation.fact.numerator, explanation.fact.denominator) == (1.0, 2.0)
    assert explanation.definition_current
    assert explanation.as_dict()["formula"] == load_catalogue().get(CODE).formula


def test_a_fact_from_an_older_definition_is_flagged(lake: FakeLake) -> None:
    facts = [replace(f, definition_hash="0" * 64) for f in compute_indicators(lake.con, PERIOD)]
    explanation = explain_fact(load_catalogue(), facts, CODE, DISTRICT_A, PERIOD)
    assert not explanation.definition_current


def test_an_unknown_region_is_a_clear_error(lake: FakeLake) -> None:
    facts = compute_indicators(lake.con, PERIOD, [CODE])
    with pytest.raises(PipelineError, match=r"no fact of .* for region 999999"):
        explain_fact(load_catalogue(), facts, CODE, RegionCode("999999"), PERIOD)


def test_the_explained_query_of_a_catalogue_computation_reproduces_its_fact() -> None:
    catalogue = load_catalogue(EXAMPLE_CATALOGUE)
    code = IndicatorCode("data.sharing_call_success_rate")
    lake = FakeLake()
    resource = {"department": "数据局", "name": "r", "classification": "general"}
    resource |= {"share_type": "unconditional", "open_type": "none", "update_frequency": "daily"}
    lake.add("data_resources", [resource | {"resource_id": "r1", "region_code": STREET_A1}])
    call = {"resource_id": "r1", "provider_department": "数据局", "consumer_department": "公安局"}
    lake.add(
        "data_sharing_calls",
        [
            call | {"event_id": "c1", "ts": at("2025-03-02 10:00"), "success": True},
            call | {"event_id": "c2", "ts": at("2025-03-03 10:00"), "success": False},
            call | {"event_id": "c3", "ts": at("2025-03-04 10:00"), "success": True},
            call | {"event_id": "c4", "ts": at("2025-03-05 10:00"), "success": True},
        ],
    )
    facts = compute_indicators(lake.con, PERIOD, [code], catalogue=catalogue)
    explanation = explain_fact(catalogue, facts, code, DISTRICT_A, PERIOD)
    rows = lake.con.execute(explanation.sql, explanation.parameters).fetchall()
    assert {row[0]: row[1:4] for row in rows}[DISTRICT_A] == (0.75, 3.0, 4.0)  # 3 of 4 calls
    assert explanation.definition_current
    assert "JOIN data_resources AS p ON p.resource_id = t.resource_id" in explanation.sql
