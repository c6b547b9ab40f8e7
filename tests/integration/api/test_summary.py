"""The region tree and a region's dashboard summary over HTTP (``/api/v1/regions``,
``/api/v1/regions/{code}/summary``).

Expected figures are read from ``facts/2025-01.parquet`` with ``read_facts`` and
from the run file with ``json``; the region register is read from its SQLite
file.  Which part of which fact each figure is comes from the dashboard's
definition (``api_expectations.KEY_FIGURE_SOURCES``).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from typing import Any

import pytest
from api_expectations import KEY_FIGURE_SOURCES, in_district, key_figures_by_hand
from api_workspace import CITY_A, OTHER_CITY, OWN, PERIOD, SIBLING, ApiWorkspace
from api_writable import EvaluatedCopy
from fastapi.testclient import TestClient

from cityops.indicators.facts import IndicatorFact, read_facts


@pytest.fixture(scope="module")
def facts(api_workspace: ApiWorkspace) -> list[IndicatorFact]:
    return read_facts(api_workspace.workspace.facts_path(PERIOD))


def _run_entry(api: ApiWorkspace, run_id: str, region: str) -> dict[str, Any]:
    run = json.loads((api.workspace.runs_dir / f"{run_id}.json").read_text("utf-8"))
    [entry] = [r for r in run["regions"] if r["region_code"] == region]
    result: dict[str, Any] = entry
    return result


def _summary(
    client: TestClient, headers: dict[str, str], region: str, **params: str
) -> dict[str, Any]:
    answer = client.get(f"/api/v1/regions/{region}/summary", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _register_regions(api: ApiWorkspace) -> list[tuple[str, str, str, str | None, int | None]]:
    with closing(sqlite3.connect(api.workspace.root / "register.sqlite")) as connection:
        return connection.execute(
            "SELECT region_code, name, level, parent_code, resident_population FROM regions "
            "ORDER BY region_code"
        ).fetchall()


# --- the summary ---------------------------------------------------------------------------


def test_a_district_summary_shows_its_evaluation_and_key_figures_of_the_latest_month(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    body = _summary(api_client, api_workspace.headers("supervisor"), OWN)
    assert (body["region_code"], body["period"], body["months"]) == (OWN, "2025-01", ["2025-01"])
    evaluation = body["evaluation"]
    saved = _run_entry(api_workspace, api_workspace.run_id, OWN)
    assert evaluation["run_id"] == api_workspace.run_id
    for key in ("score", "stage", "stage_zh", "rank", "peers", "change", "directions"):
        assert evaluation[key] == saved[key], key
    figures = {figure["key"]: figure["value"] for figure in body["figures"]}
    assert figures == key_figures_by_hand(facts, OWN)
    assert None not in figures.values(), "city A has every key figure"
    assert [(f["indicator"], f["part"]) for f in body["figures"]] == list(
        KEY_FIGURE_SOURCES.values()
    )


def test_the_daily_active_users_are_the_monthly_ones_times_the_dau_mau_ratio(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    figures = {
        f["key"]: f["value"]
        for f in _summary(api_client, api_workspace.headers("supervisor"), OWN)["figures"]
    }
    [ratio] = [f.value for f in facts if f.indicator == "effect.dau_mau" and f.region_code == OWN]
    assert ratio is not None
    assert figures["dau"] == pytest.approx(ratio * figures["mau"])
    assert 0 < figures["dau"] <= figures["mau"]


def test_asking_for_the_month_gives_the_same_summary_as_the_default(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    headers = api_workspace.headers("city_supervisor")
    assert _summary(api_client, headers, CITY_A, period="2025-01") == _summary(
        api_client, headers, CITY_A
    )


def test_a_department_gets_the_key_figures_without_the_evaluation(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    body = _summary(api_client, api_workspace.headers("department"), OWN)
    assert body["evaluation"] is None
    figures = {figure["key"]: figure["value"] for figure in body["figures"]}
    assert figures == key_figures_by_hand(facts, OWN)


def test_a_region_with_only_hand_made_kpis_shows_those_and_leaves_the_rest_empty(
    api_client: TestClient, api_workspace: ApiWorkspace, facts: list[IndicatorFact]
) -> None:
    body = _summary(api_client, api_workspace.headers("admin"), OTHER_CITY)
    figures = {figure["key"]: figure["value"] for figure in body["figures"]}
    assert figures == key_figures_by_hand(facts, OTHER_CITY)
    assert figures["response_30min_rate"] == 0.6  # set by hand in the fixture
    assert figures["camera_intact_rate"] is None  # city B has no cameras


def test_the_summary_follows_the_latest_run_of_the_month(evaluated_copy: EvaluatedCopy) -> None:
    body = _summary(evaluated_copy.client, evaluated_copy.headers("supervisor"), OWN)
    assert body["evaluation"]["run_id"] == evaluated_copy.second_run.run_id
    [result] = [r for r in evaluated_copy.second_run.regions if r.region_code == OWN]
    assert body["evaluation"]["score"] == result.score


@pytest.mark.parametrize(
    ("user", "region"),
    [
        ("supervisor", SIBLING),
        ("supervisor", CITY_A),
        ("supervisor", OTHER_CITY),
        ("city_supervisor", OTHER_CITY),
        ("admin", "999999"),
    ],
)
def test_the_summary_of_a_region_outside_the_scope_is_not_found(
    api_client: TestClient, api_workspace: ApiWorkspace, user: str, region: str
) -> None:
    answer = api_client.get(
        f"/api/v1/regions/{region}/summary", headers=api_workspace.headers(user)
    )
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"region {region!r} not found"}


@pytest.mark.parametrize(("period", "status"), [("2024-12", 404), ("2025-00", 422)])
def test_a_month_without_facts_or_malformed_is_refused(
    api_client: TestClient, api_workspace: ApiWorkspace, period: str, status: int
) -> None:
    answer = api_client.get(
        f"/api/v1/regions/{OWN}/summary",
        params={"period": period},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == status


def test_a_summary_needs_a_role_that_reads_indicators(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    assert api_client.get(f"/api/v1/regions/{OWN}/summary").status_code == 401


# --- the region tree -----------------------------------------------------------------------


def test_a_district_supervisor_lists_the_district_and_its_streets(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    answer = api_client.get("/api/v1/regions", headers=api_workspace.headers("supervisor"))
    assert answer.status_code == 200, answer.text
    expected = [row for row in _register_regions(api_workspace) if in_district(row[0], OWN)]
    assert [
        (r["region_code"], r["name"], r["level"], r["parent_code"], r["resident_population"])
        for r in answer.json()
    ] == expected
    assert len(expected) == 4


def test_an_administrator_lists_every_region(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    answer = api_client.get("/api/v1/regions", headers=api_workspace.headers("admin"))
    assert [r["region_code"] for r in answer.json()] == [
        row[0] for row in _register_regions(api_workspace)
    ]


def test_one_region_is_shown_in_scope_and_not_found_outside_it_or_when_unknown(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    supervisor = api_workspace.headers("supervisor")
    own = api_client.get(f"/api/v1/regions/{OWN}", headers=supervisor)
    assert own.status_code == 200
    assert (own.json()["name"], own.json()["parent_code"]) == ("东湖区", CITY_A)
    assert api_client.get(f"/api/v1/regions/{SIBLING}", headers=supervisor).status_code == 404
    unknown = api_client.get("/api/v1/regions/999999", headers=api_workspace.headers("admin"))
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "region '999999' not found"}
