"""``/api/v1/operations/{region}/portal|hotline|infrastructure`` on the shared workspace.

Expected figures are worked out in pandas from the lake's Parquet files and the
register's SQLite file: raw events (never the compact tables the service
reads), residences, tickets and cameras rebuilt by hand, and the district's
streets found from the codes themselves.  City B's two hand-written tickets
give a hotline month small enough to check by eye.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from functools import cache
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow.dataset as ds
import pytest
from api_workspace import CITY_A, OTHER_CITY, OWN, SIBLING, ApiWorkspace
from fastapi.testclient import TestClient

PERIOD = "2025-01"
TZ = "Asia/Shanghai"
START = pd.Timestamp("2025-01-01", tz=TZ)
END = pd.Timestamp("2025-02-01", tz=TZ)
PAGES = ("portal", "hotline", "infrastructure")

Frame = Any
"""A pandas DataFrame (pandas ships no type information)."""


@pytest.fixture(scope="module")
def lake(api_workspace: ApiWorkspace) -> Callable[[str], Frame]:
    """A lake table as a DataFrame with local timestamps, read once per module."""

    @cache
    def read(name: str) -> Frame:
        frame = ds.dataset(api_workspace.workspace.lake / name, format="parquet").to_table()
        frame = frame.to_pandas()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = frame[column].dt.tz_convert(TZ)
        return frame

    return read


def _register(api: ApiWorkspace, query: str) -> Frame:
    with closing(sqlite3.connect(api.workspace.root / "register.sqlite")) as connection:
        return pd.read_sql_query(query, connection)


def _in_own(codes: Frame) -> Frame:
    """The district ``OWN`` and its streets (9-digit codes that start with its 6)."""
    return (codes == OWN) | ((codes.str.len() == 9) & codes.str.startswith(OWN))


def _in_month(times: Frame) -> Frame:
    return (times >= START) & (times < END)


def _get(client: TestClient, api: ApiWorkspace, page: str, region: str = OWN) -> dict[str, Any]:
    answer = client.get(
        f"/api/v1/operations/{region}/{page}",
        params={"period": PERIOD},
        headers=api.headers("supervisor" if region == OWN else "admin"),
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _bin_counts(values: Frame, edges: tuple[float, ...]) -> list[int]:
    """How many values fall in each bin ``edges[i-1] ≤ v < edges[i]`` (numpy's digitize)."""
    index = np.digitize(values.to_numpy(dtype=float), edges)
    return [int((index == i).sum()) for i in range(len(edges) + 1)]


# ---- portal ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def residents(lake: Callable[[str], Frame]) -> Frame:
    """Users whose latest registration by the end of January lies in ``OWN``, with their
    first registration."""
    users = lake("portal_users")
    users = users[users["registered_at"] < END].sort_values(["registered_at", "event_id"])
    latest = users.groupby("user_id").tail(1).set_index("user_id")
    first = users.groupby("user_id")["registered_at"].min().rename("first_registered")
    latest = latest.join(first)
    return latest[_in_own(latest["region_code"])]


@pytest.fixture(scope="module")
def portal(api_client: TestClient, api_workspace: ApiWorkspace) -> dict[str, Any]:
    return _get(api_client, api_workspace, "portal")


def test_portal_users_are_counted_by_their_latest_residence(
    portal: dict[str, Any], residents: Frame, api_workspace: ApiWorkspace
) -> None:
    [population] = _register(
        api_workspace, f"SELECT resident_population FROM regions WHERE region_code = '{OWN}'"
    )["resident_population"]
    users = portal["users"]
    assert users["registered"] == len(residents) > 0
    assert users["real_name"] == int(residents["real_name"].sum())
    assert users["registered_in_month"] == int((residents["first_registered"] >= START).sum())
    assert users["resident_population"] == population
    assert users["coverage"]["numerator"] == users["real_name"]
    assert users["coverage"]["value"] == pytest.approx(users["real_name"] / population)
    assert users["coverage"]["stored"] is True


def test_daily_actives_are_distinct_residents_with_events_each_day(
    portal: dict[str, Any], residents: Frame, lake: Callable[[str], Frame]
) -> None:
    events = lake("portal_events")
    events = events[_in_month(events["ts"]) & events["user_id"].isin(residents.index)]
    per_day = events.groupby(events["ts"].dt.strftime("%Y-%m-%d"))["user_id"].nunique()
    days = pd.date_range("2025-01-01", "2025-01-31").strftime("%Y-%m-%d")
    expected = [int(per_day.get(day, 0)) for day in days]
    assert [(d["day"], d["users"]) for d in portal["daily_active"]] == list(
        zip(days, expected, strict=True)
    )
    assert portal["dau_mau"]["numerator"] == pytest.approx(sum(expected) / 31)
    assert portal["dau_mau"]["denominator"] == events["user_id"].nunique()


def test_retention_cohorts_follow_the_month_of_first_registration(
    portal: dict[str, Any], residents: Frame, lake: Callable[[str], Frame]
) -> None:
    events = lake("portal_events")
    active = set(zip(events["user_id"], events["ts"].dt.strftime("%Y-%m"), strict=True))
    cohort_of = residents["first_registered"].dt.strftime("%Y-%m")
    months = [str(p) for p in pd.period_range("2024-08", "2025-01", freq="M")]
    assert [c["cohort"] for c in portal["cohorts"]] == months
    for position, (cohort, answer) in enumerate(zip(months, portal["cohorts"], strict=True)):
        members = cohort_of.index[cohort_of == cohort]
        assert answer["users"] == len(members) > 0
        expected = [
            sum((user, later) in active for user in members) / len(members)
            for later in months[position:]
        ]
        assert answer["retention"] == pytest.approx(expected)


def test_top_services_rank_the_service_calls_of_residents(
    portal: dict[str, Any], residents: Frame, lake: Callable[[str], Frame]
) -> None:
    events = lake("portal_events")
    calls = events[
        _in_month(events["ts"])
        & (events["event_type"] == "service_call")
        & events["user_id"].isin(residents.index)
    ]
    counted = calls.groupby("service_id").agg(
        calls=("event_id", "size"), successful=("success", "sum")
    )
    counted = counted.reset_index().sort_values(["calls", "service_id"], ascending=[False, True])
    expected = [
        (row.service_id, int(row.calls), int(row.successful))
        for row in counted.head(10).itertuples()
    ]
    answer = [(s["service_id"], s["calls"], s["successful"]) for s in portal["top_services"]]
    assert answer == expected
    assert portal["service_success"]["denominator"] == len(calls)


def test_one_thing_funnels_count_residents_who_started_succeeded_and_completed(
    portal: dict[str, Any],
    residents: Frame,
    lake: Callable[[str], Frame],
    api_workspace: ApiWorkspace,
) -> None:
    bundled = _register(
        api_workspace,
        "SELECT service_id, one_thing_id FROM services WHERE one_thing_id IS NOT NULL "
        "AND on_portal AND online_since <= '2025-01-31' "
        "AND (offline_at IS NULL OR offline_at >= '2025-01-01')",
    )
    sizes = bundled.groupby("one_thing_id").size()
    events = lake("portal_events")
    calls = events[
        _in_month(events["ts"])
        & (events["event_type"] == "service_call")
        & events["user_id"].isin(residents.index)
    ].merge(bundled, on="service_id")
    calls["success"] = calls["success"].astype(bool)
    by_user = calls.groupby(["one_thing_id", "user_id"]).agg(succeeded=("success", "any"))
    done = calls[calls["success"]].groupby(["one_thing_id", "user_id"])["service_id"].nunique()
    by_user["done"] = done.reindex(by_user.index, fill_value=0)
    by_user["completed"] = (
        by_user["done"].to_numpy()
        == sizes.reindex(by_user.index.get_level_values("one_thing_id")).to_numpy()
    )
    funnel = by_user.groupby(level="one_thing_id").agg(
        started=("succeeded", "size"),
        succeeded=("succeeded", "sum"),
        completed=("completed", "sum"),
    )
    funnel = funnel.reindex(sizes.index, fill_value=0)
    expected = {
        one_thing: (int(sizes[one_thing]), int(row["started"]), int(row["succeeded"]),
                    int(row["completed"]))
        for one_thing, row in funnel.iterrows()
    }  # fmt: skip
    answer = {
        f["one_thing_id"]: (f["services"], f["started"], f["succeeded"], f["completed"])
        for f in portal["one_things"]
    }
    assert answer == expected
    assert any(started > 0 for _, started, _, _ in answer.values())


def test_ratings_are_counted_by_score(
    portal: dict[str, Any], residents: Frame, lake: Callable[[str], Frame]
) -> None:
    ratings = lake("portal_ratings")
    ratings = ratings[_in_month(ratings["ts"]) & ratings["user_id"].isin(residents.index)]
    counts = ratings["rating"].value_counts()
    assert [(r["rating"], r["ratings"]) for r in portal["ratings"]] == [
        (score, int(counts.get(score, 0))) for score in range(1, 6)
    ]
    assert portal["rating_good_rate"]["numerator"] == int((ratings["rating"] >= 3).sum())


# ---- hotline -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tickets(lake: Callable[[str], Frame]) -> Frame:
    """One row per ticket of ``OWN``: its created event's fields, first response and
    closure, and its status at the end of January."""
    events = lake("ticket_events").sort_values(["ts", "event_id"])
    created = events[events["status"] == "created"].groupby("ticket_id").head(1)
    created = created.set_index("ticket_id")[["ts", "region_code", "department", "due_at"]]
    first = events.groupby(["ticket_id", "status"])["ts"].min().unstack()
    last = events[events["ts"] < END].groupby("ticket_id").tail(1).set_index("ticket_id")
    table = created.rename(columns={"ts": "created_at"}).join(
        [first[["responded", "closed"]], last["status"].rename("status_at_end")]
    )
    return table[_in_own(table["region_code"])]


@pytest.fixture(scope="module")
def hotline(api_client: TestClient, api_workspace: ApiWorkspace) -> dict[str, Any]:
    return _get(api_client, api_workspace, "hotline")


def test_hotline_status_and_times_of_the_tickets_created_in_the_month(
    hotline: dict[str, Any], tickets: Frame
) -> None:
    of_month = tickets[_in_month(tickets["created_at"])]
    statuses = of_month["status_at_end"].value_counts()
    assert hotline["created"] == len(of_month) > 0
    assert {s["status"]: s["tickets"] for s in hotline["by_status"]} == {
        status: int(statuses.get(status, 0))
        for status in ("created", "dispatched", "responded", "resolved", "closed", "reopened",
                       "callback")
    }  # fmt: skip
    for key, event, scale, edges in (
        ("response_time", "responded", 60, (5.0, 15.0, 30.0, 60.0, 120.0, 240.0)),
        ("closure_time", "closed", 3600, (4.0, 24.0, 72.0, 168.0)),
    ):
        times = (of_month[event] - of_month["created_at"]).dt.total_seconds().dropna() / scale
        answer = hotline[key]
        assert [b["count"] for b in answer["bins"]] == _bin_counts(times, edges)
        assert [b["upper"] for b in answer["bins"]] == [*edges, None]
        assert answer["missing"] == of_month[event].isna().sum()
        assert answer["median"] == pytest.approx(np.percentile(times, 50))
        assert answer["p90"] == pytest.approx(np.percentile(times, 90))


def test_hotline_deadlines_hours_and_satisfaction(
    hotline: dict[str, Any], tickets: Frame, lake: Callable[[str], Frame]
) -> None:
    due = tickets[_in_month(tickets["due_at"])]
    missed = ~(due["closed"] <= due["due_at"])
    by_department = (
        pd.DataFrame({"department": due["department"], "missed": missed})
        .groupby("department")["missed"]
        .agg(["size", "sum"])
    )
    assert {d["department"]: (d["due"], d["missed"]) for d in hotline["sla_by_department"]} == {
        department: (int(row["size"]), int(row["sum"]))
        for department, row in by_department.iterrows()
    }
    assert hotline["sla_missed"] == int(missed.sum()) > 0
    assert [d["missed"] for d in hotline["sla_by_department"]] == sorted(
        (d["missed"] for d in hotline["sla_by_department"]), reverse=True
    )

    of_month = tickets[_in_month(tickets["created_at"])]
    hours = of_month["created_at"].dt.hour
    quick = of_month["responded"] <= of_month["created_at"] + pd.Timedelta(minutes=30)
    assert [(h["created"], h["responded_30min"]) for h in hotline["by_hour"]] == [
        (int((hours == hour).sum()), int((quick & (hours == hour)).sum())) for hour in range(24)
    ]
    assert hotline["night_created"] == int(((hours >= 22) | (hours < 6)).sum())
    assert hotline["response_30min"]["numerator"] == int(quick.sum())

    events = lake("ticket_events")
    callbacks = events[
        (events["status"] == "callback")
        & events["satisfaction"].notna()
        & _in_month(events["ts"])
        & events["ticket_id"].isin(tickets.index)
    ]
    # one satisfaction per ticket: its latest callback of the month
    callbacks = callbacks.sort_values(["ts", "event_id"]).drop_duplicates("ticket_id", keep="last")
    scores = callbacks["satisfaction"].astype(int).value_counts()
    assert [s["callbacks"] for s in hotline["satisfaction_scores"]] == [
        int(scores.get(score, 0)) for score in range(1, 6)
    ]
    assert hotline["satisfaction"]["denominator"] == len(callbacks)


def test_a_hand_written_hotline_month_reads_as_worked_out(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    """City B's district 970201: TB1 created 9:00, answered in 20 minutes, closed after
    30 hours, before its deadline; TB2 created 10:00 and nothing since, due 12 January."""
    answer = _get(api_client, api_workspace, "hotline", OTHER_CITY)
    statuses = {s["status"]: s["tickets"] for s in answer["by_status"] if s["tickets"]}
    assert (answer["created"], statuses) == (2, {"created": 1, "closed": 1})
    response = answer["response_time"]
    assert ([b["count"] for b in response["bins"]], response["missing"]) == (
        [0, 0, 1, 0, 0, 0, 0],
        1,
    )
    assert (response["median"], response["p90"]) == (20.0, 20.0)
    closure = answer["closure_time"]
    assert ([b["count"] for b in closure["bins"]], closure["median"]) == ([0, 0, 1, 0, 0], 30.0)
    assert [(d["department"], d["due"], d["missed"]) for d in answer["sla_by_department"]] == [
        ("公安局", 1, 1),
        ("城管局", 1, 0),
    ]
    hours = {
        h["hour"]: (h["created"], h["responded_30min"]) for h in answer["by_hour"] if h["created"]
    }
    assert hours == {9: (1, 1), 10: (1, 0)}
    assert (answer["night_created"], answer["sla_missed"]) == (0, 1)
    assert answer["on_time_closure"]["value"] == pytest.approx(0.5)
    assert [s["callbacks"] for s in answer["satisfaction_scores"]] == [0, 0, 0, 0, 0]


# ---- data, infrastructure and security --------------------------------------------


@pytest.fixture(scope="module")
def infrastructure(api_client: TestClient, api_workspace: ApiWorkspace) -> dict[str, Any]:
    return _get(api_client, api_workspace, "infrastructure")


def test_catalogue_quality_and_sharing_of_the_districts_resources(
    infrastructure: dict[str, Any], lake: Callable[[str], Frame], api_workspace: ApiWorkspace
) -> None:
    resources = _register(api_workspace, "SELECT * FROM data_resources")
    resources = resources[_in_own(resources["region_code"])]
    catalogue = infrastructure["catalogue"]
    assert catalogue["resources"]["value"] == len(resources) > 0
    assert catalogue["records"] == resources["record_count"].sum()
    for column, keys in (
        ("classification", ("core", "important", "general")),
        ("share_type", ("unconditional", "conditional", "none")),
        ("open_type", ("open", "conditional", "none")),
    ):
        counts = resources[column].value_counts()
        assert [(k["key"], k["count"]) for k in catalogue[f"by_{column}"]] == [
            (key, int(counts.get(key, 0))) for key in keys
        ]

    checks = lake("data_quality_checks")
    checks = checks[_in_month(checks["ts"]) & checks["resource_id"].isin(resources["resource_id"])]
    sums = checks.groupby("dimension")[["rows_checked", "rows_failed"]].sum()
    for dimension in infrastructure["quality"]["by_dimension"]:
        expected = sums.loc[dimension["dimension"]]
        assert (dimension["rows_checked"], dimension["rows_failed"]) == tuple(expected)
        assert dimension["pass_rate"] == pytest.approx(
            1 - expected["rows_failed"] / expected["rows_checked"]
        )

    calls = lake("data_sharing_calls")
    calls = calls[_in_month(calls["ts"]) & calls["resource_id"].isin(resources["resource_id"])]
    by_consumer = calls.groupby("consumer_department").agg(
        calls=("event_id", "size"), successful=("success", "sum")
    )
    rows = calls[calls["success"]].groupby("consumer_department")["rows"].sum()
    sharing = infrastructure["sharing"]
    assert {
        c["department"]: (c["calls"], c["successful"], c["rows"]) for c in sharing["by_consumer"]
    } == {
        department: (int(row["calls"]), int(row["successful"]), int(rows.get(department, 0)))
        for department, row in by_consumer.iterrows()
    }
    assert sharing["calls"] == len(calls) > 0


def test_camera_availability_counts_distinct_ok_heartbeat_slots(
    infrastructure: dict[str, Any], lake: Callable[[str], Frame], api_workspace: ApiWorkspace
) -> None:
    cameras = _register(
        api_workspace,
        "SELECT device_id, region_code, installed_at, retired_at, heartbeat_interval_s "
        "FROM devices WHERE kind = 'camera' AND installed_at <= '2025-01-31' "
        "AND (retired_at IS NULL OR retired_at >= '2025-01-01')",
    ).set_index("device_id")
    cameras = cameras[_in_own(cameras["region_code"])]
    start = pd.to_datetime(cameras["installed_at"]).dt.tz_localize(TZ).clip(lower=START)
    end = pd.to_datetime(cameras["retired_at"]).dt.tz_localize(TZ).fillna(END).clip(upper=END)
    beats = lake("device_heartbeats")
    beats = beats[(beats["status"] == "ok") & beats["device_id"].isin(cameras.index)]
    beats = beats[
        (beats["ts"] >= start.reindex(beats["device_id"]).to_numpy())
        & (beats["ts"] < end.reindex(beats["device_id"]).to_numpy())
    ]
    interval = cameras["heartbeat_interval_s"]
    seconds = (beats["ts"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    beats = beats.assign(slot=seconds // interval.reindex(beats["device_id"]).to_numpy())
    slots = beats.groupby("device_id")["slot"].nunique().reindex(cameras.index, fill_value=0)
    expected_slots = (end - start).dt.total_seconds() / interval
    availability = (slots / expected_slots).clip(upper=1.0)
    cameras_answer = infrastructure["cameras"]
    assert cameras_answer["cameras"] == len(cameras) > 0
    assert [b["count"] for b in cameras_answer["availability"]] == _bin_counts(
        availability, (0.5, 0.8, 0.9, 0.95, 0.99)
    )
    assert cameras_answer["intact_rate"]["numerator"] == int((availability >= 0.95).sum())


def test_cloud_utilisation_is_the_mean_of_each_sample_by_department(
    infrastructure: dict[str, Any], lake: Callable[[str], Frame], api_workspace: ApiWorkspace
) -> None:
    resources = _register(api_workspace, "SELECT * FROM cloud_resources")
    resources = resources[_in_own(resources["region_code"])]
    usage = lake("cloud_usage")
    usage = usage[_in_month(usage["ts"])].merge(resources, on="resource_id")
    usage["vcpu"] = usage["vcpu_used"] / usage["vcpu_alloc"]
    usage["storage"] = usage["storage_used_tb"] / usage["storage_alloc_tb"]
    means = usage.groupby("department")[["vcpu", "storage"]].mean()
    answer = {d["department"]: d for d in infrastructure["cloud"]["by_department"]}
    assert set(answer) == set(resources["department"])
    for department, row in means.iterrows():
        assert answer[department]["vcpu_utilisation"] == pytest.approx(row["vcpu"])
        assert answer[department]["storage_utilisation"] == pytest.approx(row["storage"])
        assert answer[department]["vcpu_alloc"] == pytest.approx(
            resources.loc[resources["department"] == department, "vcpu_alloc"].sum()
        )
    assert infrastructure["cloud"]["resources"] == len(resources)
    assert infrastructure["cloud"]["utilisation"]["value"] == pytest.approx(usage["vcpu"].mean())


# ---- scope and permissions ---------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("username", "region", "status"),
    [
        ("supervisor", SIBLING, 404),
        ("supervisor", OTHER_CITY, 404),
        ("supervisor", "999999", 404),
        ("department", OWN, 200),
        ("city_supervisor", SIBLING, 200),
        ("admin", OTHER_CITY, 200),
    ],
)
def test_a_region_outside_the_callers_scope_is_not_found(
    api_client: TestClient,
    api_workspace: ApiWorkspace,
    page: str,
    username: str,
    region: str,
    status: int,
) -> None:
    answer = api_client.get(
        f"/api/v1/operations/{region}/{page}",
        params={"period": PERIOD},
        headers=api_workspace.headers(username),
    )
    assert answer.status_code == status, answer.text
    if status == 200:
        assert (answer.json()["region_code"], answer.json()["period"]) == (region, PERIOD)


@pytest.mark.parametrize("period", ["2025-13", "2025-1", "last month"])
def test_a_month_not_written_yyyy_mm_is_refused(
    api_client: TestClient, api_workspace: ApiWorkspace, period: str
) -> None:
    answer = api_client.get(
        f"/api/v1/operations/{OWN}/portal",
        params={"period": period},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == 422


def test_a_month_not_written_yyyy_mm_is_refused_saying_so(
    api_client: TestClient, api_workspace: ApiWorkspace
) -> None:
    answer = api_client.get(
        f"/api/v1/operations/{OWN}/hotline",
        params={"period": "2025-13"},
        headers=api_workspace.headers("supervisor"),
    )
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["query", "period"]
    assert problem["msg"] == "period '2025-13' is not a month written YYYY-MM (e.g. 2025-03)"


def test_the_figures_need_a_token(api_client: TestClient) -> None:
    answer = api_client.get(f"/api/v1/operations/{CITY_A}/hotline", params={"period": PERIOD})
    assert answer.status_code == 401


def test_the_operations_are_described_in_the_openapi_document(api_client: TestClient) -> None:
    paths = api_client.get("/api/v1/openapi.json").json()["paths"]
    for page in PAGES:
        operation = paths[f"/api/v1/operations/{{region_code}}/{page}"]["get"]
        assert operation["operationId"] == f"get_{page}_operations"
        assert operation["tags"] == ["operations"]
