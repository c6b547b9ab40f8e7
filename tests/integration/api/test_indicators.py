"""The indicator catalogue, the stored facts and their explanations over HTTP
(``/api/v1/indicators``, ``/api/v1/facts``).

The catalogue is read from the shipped TOML file with ``tomllib`` (and the names of
its directions from the shipped framework with ``yaml``), the facts from
``facts/2025-01.parquet`` with ``read_facts``; a caller's scope is worked out from
the codes (a district's streets are the 9-digit codes that begin with its 6
digits, a city's regions begin with its first four).  An explanation's query is
run by the test itself over the lake, to show that it gives the stored numbers.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import asdict
from importlib.resources import files
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from api_expectations import in_district
from api_workspace import CITY_A, OTHER_CITY, OWN, PERIOD, SIBLING, ApiWorkspace
from fastapi.testclient import TestClient

from cityops.indicators.computations.base import CLOSURE_SQL
from cityops.indicators.facts import IndicatorFact, read_facts
from cityops.services.unit_of_work import open_analytics


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Any]:
    text = files("cityops.indicators").joinpath("catalogue.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.fixture(scope="module")
def directions() -> dict[str, dict[str, Any]]:
    text = files("cityops.evaluation").joinpath("framework.yaml").read_text(encoding="utf-8")
    return {direction["code"]: direction for direction in yaml.safe_load(text)["directions"]}


@pytest.fixture(scope="module")
def facts(api_workspace: ApiWorkspace) -> list[IndicatorFact]:
    return read_facts(api_workspace.workspace.facts_path(PERIOD))


def _in_city_a(code: str) -> bool:
    return code.startswith(CITY_A[:4])


def _shown(fact: IndicatorFact) -> dict[str, Any]:
    """A fact as the API writes it: its fields, the month as ``YYYY-MM``."""
    return asdict(fact) | {"period": str(fact.period)}


def _expected(facts: list[IndicatorFact], keep: Callable[[IndicatorFact], bool]) -> list[Any]:
    chosen = sorted((f for f in facts if keep(f)), key=lambda f: (f.region_code, f.indicator))
    return [_shown(f) for f in chosen]


def _facts(client: TestClient, api: ApiWorkspace, user: str, **params: str | int) -> dict[str, Any]:
    answer = client.get(
        "/api/v1/facts",
        params={"period": "2025-01", "limit": 1000, **params},
        headers=api.headers(user),
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


# --- the catalogue -------------------------------------------------------------------------


def test_the_catalogue_lists_every_indicator_of_the_shipped_file_in_order(
    api_client: TestClient,
    api_workspace: ApiWorkspace,
    catalogue: dict[str, Any],
    directions: dict[str, dict[str, Any]],
) -> None:
    answer = api_client.get(
        "/api/v1/indicators", params={"limit": 1000}, headers=api_workspace.headers("department")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    shipped = catalogue["indicator"]
    assert body["total"] == len(body["items"]) == len(shipped)
    for item, entry in zip(body["items"], shipped, strict=True):
        assert {key: item[key] for key in entry.keys() & item.keys()} == {
            key: entry[key] for key in entry.keys() & item.keys()
        }
        direction = directions[entry["direction"]]
        assert (item["direction_zh"], item["direction_en"]) == (
            direction["name_zh"],
            direction["name_en"],
        )
    assert body["items"][0]["code"] == "infra.camera_intact_rate"


def test_catalogue_pages_are_slices_and_bounded(
    api_client: TestClient, api_workspace: ApiWorkspace, catalogue: dict[str, Any]
) -> None:
    headers = api_workspace.headers("evaluator")
    page = api_client.get("/api/v1/indicators", params={"limit": 5, "offset": 3}, headers=headers)
    codes = [entry["code"] for entry in catalogue["indicator"]]
    assert [item["code"] for item in page.json()["items"]] == codes[3:8]
    assert page.json()["total"] == len(codes)
    over = api_client.get("/api/v1/indicators", params={"limit": 1001}, headers=headers)
    assert over.status_code == 422


# --- facts ---------------------------------------------------------------------------------


def test_a_district_supervisor_gets_the_facts_of_the_district_and_its_streets(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    body = _facts(api_client, api_workspace, "supervisor")
    expected = _expected(facts, lambda f: in_district(f.region_code, OWN))
    assert body["items"] == expected
    assert body["total"] == len(expected)
    assert {item["region_code"] for item in body["items"]} == {
        OWN, "970102001", "970102002", "970102003"
    }  # fmt: skip


def test_a_city_supervisor_gets_the_city_but_not_the_other_citys_hand_made_facts(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    body = _facts(api_client, api_workspace, "city_supervisor")
    assert body["items"] == _expected(facts, lambda f: _in_city_a(f.region_code))
    assert all(item["engine"] != "manual" for item in body["items"])


def test_an_administrator_gets_every_fact_of_the_month(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    body = _facts(api_client, api_workspace, "admin")
    assert body["items"] == _expected(facts, lambda f: True)
    manual = [
        i for i in body["items"] if i["region_code"] == OTHER_CITY and i["engine"] == "manual"
    ]
    assert [(i["indicator"], i["value"]) for i in manual] == [
        ("capability.response_30min_rate", 0.6),
        ("effect.resident_coverage", 0.5),
    ]


def test_facts_are_filtered_by_region_and_indicator(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    code = "effect.resident_coverage"
    by_region = _facts(api_client, api_workspace, "supervisor", region=OWN)
    assert by_region["items"] == _expected(facts, lambda f: f.region_code == OWN)
    by_indicator = _facts(api_client, api_workspace, "supervisor", indicator=code)
    assert by_indicator["items"] == _expected(
        facts, lambda f: f.indicator == code and in_district(f.region_code, OWN)
    )
    both = _facts(api_client, api_workspace, "operator", region="970102002", indicator=code)
    [fact] = [f for f in facts if f.indicator == code and f.region_code == "970102002"]
    assert both["items"] == [_shown(fact)]


def test_fact_pages_are_slices_of_the_whole_list(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    whole = _facts(api_client, api_workspace, "supervisor")["items"]
    page = _facts(api_client, api_workspace, "supervisor", limit=7, offset=30)
    assert page["items"] == whole[30:37]
    assert (page["total"], page["limit"], page["offset"]) == (len(whole), 7, 30)
    beyond = _facts(api_client, api_workspace, "supervisor", offset=len(whole))
    assert (beyond["total"], beyond["items"]) == (len(whole), [])


@pytest.mark.parametrize(
    ("user", "region"),
    [
        ("supervisor", SIBLING),
        ("supervisor", OTHER_CITY),
        ("supervisor", CITY_A),  # above the district
        ("city_supervisor", OTHER_CITY),
        ("admin", "999999"),  # no such region
    ],
)
def test_a_region_outside_the_scope_is_not_found_like_an_unknown_one(
    api_client: TestClient, api_workspace: ApiWorkspace, user: str, region: str
) -> None:
    headers = api_workspace.headers(user)
    listed = api_client.get(
        "/api/v1/facts", params={"period": "2025-01", "region": region}, headers=headers
    )
    assert listed.status_code == 404
    assert listed.json() == {"detail": f"region {region!r} not found"}
    explained = api_client.get(
        "/api/v1/facts/effect.resident_coverage/explain",
        params={"period": "2025-01", "region": region},
        headers=headers,
    )
    assert explained.status_code == 404


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"period": "2025-02"}, 404),  # no facts computed for the month
        ({"period": "2025-01", "indicator": "effect.nothing"}, 404),
        ({"period": "2025-13"}, 422),
        ({}, 422),  # the month is required
        ({"period": "2025-01", "limit": 1001}, 422),
        ({"period": "2025-01", "offset": -1}, 422),
    ],
)
def test_facts_of_an_unknown_month_or_indicator_or_beyond_the_bounds_are_refused(
    api_client: TestClient, api_workspace: ApiWorkspace, params: dict[str, Any], status: int
) -> None:
    answer = api_client.get("/api/v1/facts", params=params, headers=api_workspace.headers("admin"))
    assert answer.status_code == status


def test_facts_need_a_token(api_client: TestClient) -> None:
    assert api_client.get("/api/v1/facts", params={"period": "2025-01"}).status_code == 401


# --- explanations --------------------------------------------------------------------------


def _explain(
    client: TestClient, api: ApiWorkspace, user: str, code: str, region: str
) -> dict[str, Any]:
    answer = client.get(
        f"/api/v1/facts/{code}/explain",
        params={"region": region, "period": "2025-01"},
        headers=api.headers(user),
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize(
    "code", ["capability.response_30min_rate", "effect.resident_coverage", "effect.dau_mau"]
)
def test_an_explanation_gives_the_formula_the_numbers_and_a_query_that_reproduces_them(
    api_client: TestClient,
    api_workspace: ApiWorkspace,
    catalogue: dict[str, Any],
    facts: list[IndicatorFact],
    code: str,
) -> None:
    body = _explain(api_client, api_workspace, "supervisor", code, OWN)
    [entry] = [e for e in catalogue["indicator"] if e["code"] == code]
    [fact] = [f for f in facts if f.indicator == code and f.region_code == OWN]
    assert (body["formula"], body["name_zh"], body["unit"]) == (
        entry["formula"],
        entry["name_zh"],
        entry["unit"],
    )
    assert {key: body[key] for key in _shown(fact)} == _shown(fact)
    assert body["definition_current"] is True

    con = open_analytics(api_workspace.workspace)
    try:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        con.execute(CLOSURE_SQL)
        rows = con.execute(body["sql"], body["parameters"]).fetchall()
    finally:
        con.close()
    [(_, value, numerator, denominator, rows_read)] = [r for r in rows if r[0] == OWN]
    assert (value, numerator, denominator, rows_read) == (
        fact.value,
        fact.numerator,
        fact.denominator,
        fact.rows_read,
    )


def test_a_fact_made_by_hand_is_explained_as_not_from_the_current_definition(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    body = _explain(api_client, api_workspace, "admin", "effect.resident_coverage", OTHER_CITY)
    assert (body["value"], body["engine"]) == (0.5, "manual")
    assert body["definition_current"] is False


def test_explaining_an_unknown_indicator_or_a_month_without_facts_is_not_found(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    headers = api_workspace.headers("admin")
    unknown = api_client.get(
        "/api/v1/facts/effect.nothing/explain",
        params={"region": OWN, "period": "2025-01"},
        headers=headers,
    )
    assert unknown.status_code == 404
    other_month = api_client.get(
        "/api/v1/facts/effect.resident_coverage/explain",
        params={"region": OWN, "period": "2024-12"},
        headers=headers,
    )
    assert other_month.status_code == 404
    malformed = api_client.get(
        "/api/v1/facts/effect.resident_coverage/explain",
        params={"region": OWN, "period": "2024-1"},
        headers=headers,
    )
    assert malformed.status_code == 422


def test_every_indicator_and_region_has_one_fact(facts: list[IndicatorFact]) -> None:
    """The shared month's facts, city B's hand-made ones included, key each value once
    (settlement and explanations would otherwise read different facts)."""
    keys = [(f.indicator, f.region_code) for f in facts]
    assert len(keys) == len(set(keys))
