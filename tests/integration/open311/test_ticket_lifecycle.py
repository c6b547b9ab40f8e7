"""A request's life as a ticket: its ``created`` event reaches the lake through the outbox,
staff record what they did through ``/api/v1/tickets/{id}/events``, Open311 shows
the status that follows, and every event reaches the lake once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from open311_city import (
    CITY,
    DEPARTMENT,
    DISTRICT,
    NO_PERIODIC_FLUSH,
    OTHER_DEPARTMENT,
    OTHER_DISTRICT,
    Open311City,
    lake_events,
)
from typer.testing import CliRunner

from cityops.access.roles import Role
from cityops.cli.app import app as cityops_cli
from cityops.register.access_schema import ticket_outbox
from cityops.server import create_app
from cityops.tickets.outbox import flush_outbox
from cityops.tickets.store import record_event


def w3c(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_submission_reaches_the_lake_as_a_created_event_once_flushed(
    any_city: Open311City,
) -> None:
    [created] = any_city.submit("json", service_code="light").json()
    request_id = created["service_request_id"]
    shown = any_city.request(request_id)
    assert lake_events(any_city.workspace) == [], "nothing reaches the lake before a flush"

    [batch] = flush_outbox(any_city.workspace)

    assert (batch.received, batch.stored, batch.duplicates, batch.quarantined) == (1, 1, 0, 0)
    [event] = lake_events(any_city.workspace)
    assert event["ticket_id"] == request_id
    assert event["status"] == "created"
    assert (event["region_code"], event["category"]) == (DISTRICT, "市政设施")
    assert (event["department"], event["channel"]) == (DEPARTMENT, "web")
    assert event["satisfaction"] is None
    assert event["ts"].replace(microsecond=0) == w3c(shown["requested_datetime"])
    assert event["due_at"].replace(microsecond=0) == w3c(shown["expected_datetime"])
    token = any_city.client.get(f"/open311/v2/tokens/{created['token']}.json").json()
    assert token == [{"service_request_id": request_id, "token": created["token"]}]


def test_staff_events_flow_back_to_open311_and_into_the_lake(any_city: Open311City) -> None:
    request_id = any_city.submitted(service_code="road")
    staff = any_city.department()

    def record(**body: object) -> None:
        answer = any_city.client.post(
            f"/api/v1/tickets/{request_id}/events", json=body, headers=staff
        )
        assert answer.status_code == 201, answer.text

    record(status="dispatched", note="已派至东湖中队")
    dispatched = any_city.request(request_id)
    record(status="resolved", note="已修复 / repaired")
    resolved = any_city.request(request_id)
    record(status="callback", satisfaction=5)
    called_back = any_city.request(request_id)
    record(status="reopened")
    reopened = any_city.request(request_id)
    flush_outbox(any_city.workspace)

    assert (dispatched["status"], dispatched["status_notes"]) == ("open", "已派至东湖中队")
    assert (resolved["status"], resolved["status_notes"]) == ("closed", "已修复 / repaired")
    assert called_back == resolved, "a callback changes nothing the public sees"
    assert (reopened["status"], reopened["status_notes"]) == ("open", None)
    events = lake_events(any_city.workspace, request_id)
    assert [e["status"] for e in events] == [
        "created",
        "dispatched",
        "resolved",
        "callback",
        "reopened",
    ]
    assert [e["satisfaction"] for e in events] == [None, None, None, 5, None]
    assert {(e["region_code"], e["department"], e["category"], e["channel"]) for e in events} == {
        (CITY, DEPARTMENT, "市容环境", "web")
    }
    assert [e["due_at"] is not None for e in events] == [True, False, False, False, False]


def test_updated_datetime_is_when_a_request_was_closed(city: Open311City) -> None:
    # The spec: "For requests with status=closed, this will be the date the request was
    # closed"; the events below are a minute apart so the seconds shown tell them apart.
    request_id = city.submitted()
    t0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
    steps = [("dispatched", None), ("resolved", "已修复"), ("closed", None), ("callback", None)]
    shown = []
    for minutes, (event, note) in enumerate(steps, start=1):
        satisfaction = 4 if event == "callback" else None
        at = t0 + timedelta(minutes=minutes)
        with city.engine.begin() as connection:
            record_event(
                connection,
                city.cipher,
                request_id,
                event,
                note=note,
                satisfaction=satisfaction,
                now=at,
            )
        found = city.request(request_id)
        shown.append((found["status"], found["status_notes"], w3c(found["updated_datetime"])))

    resolved_at = t0 + timedelta(minutes=2)
    assert shown == [
        ("open", None, t0 + timedelta(minutes=1)),
        ("closed", "已修复", resolved_at),
        ("closed", "已修复", resolved_at),
        ("closed", "已修复", resolved_at),
    ]


def test_a_note_on_a_closed_request_replaces_the_notes_and_the_time(city: Open311City) -> None:
    request_id = city.submitted()
    t0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
    with city.engine.begin() as connection:
        record_event(connection, city.cipher, request_id, "resolved", note="已修复", now=t0)
    with city.engine.begin() as connection:
        record_event(
            connection,
            city.cipher,
            request_id,
            "closed",
            note="复核后办结",
            now=t0 + timedelta(hours=1),
        )

    found = city.request(request_id)

    assert (found["status_notes"], w3c(found["updated_datetime"])) == (
        "复核后办结",
        t0 + timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("before", "body"),
    [
        pytest.param([], {"status": "reopened"}, id="reopen-an-open-ticket"),
        pytest.param([], {"status": "callback", "satisfaction": 5}, id="callback-while-open"),
        pytest.param(["resolved"], {"status": "callback"}, id="callback-without-satisfaction"),
        pytest.param(["resolved"], {"status": "dispatched"}, id="dispatch-a-closed-ticket"),
        pytest.param([], {"status": "created"}, id="created-a-second-time"),
    ],
)
def test_a_step_the_lifecycle_does_not_allow_is_refused(
    city: Open311City, before: list[str], body: dict[str, object]
) -> None:
    request_id = city.submitted()
    for event in before:
        with city.engine.begin() as connection:
            record_event(connection, city.cipher, request_id, event)
    shown = city.request(request_id)

    answer = city.client.post(
        f"/api/v1/tickets/{request_id}/events", json=body, headers=city.department()
    )

    assert answer.status_code == 422
    assert city.request(request_id) == shown
    [error] = answer.json()["detail"]  # the documented shape: a list of errors
    assert error["loc"][0] == "body"
    assert isinstance(error["msg"], str)
    assert error["msg"]


def test_staff_may_record_events_only_on_tickets_that_are_theirs(city: Open311City) -> None:
    road = city.submitted(service_code="road")  # 城管局, city-wide
    light = city.submitted(service_code="light")  # 城管局, 东湖区
    body = {"status": "dispatched"}

    def status(ticket: str, headers: object) -> int:
        url = f"/api/v1/tickets/{ticket}/events"
        return city.client.post(url, json=body, headers=headers).status_code  # type: ignore[arg-type]

    other_department = city.staff(Role.DEPARTMENT, department=OTHER_DEPARTMENT)
    other_district = city.staff(Role.SUPERVISOR, region=OTHER_DISTRICT)
    operator = city.staff(Role.OPERATOR)

    assert status(road, other_department) == 404, "another department's ticket"
    assert status(light, other_district) == 404, "a ticket outside the caller's region"
    assert status(road, operator) == 403, "operators may read tickets, not act on them"
    assert status(road, {}) == 401
    assert city.request(road)["status_notes"] is None


def test_cityops_tickets_flush_ingests_the_outbox_then_has_nothing_to_do(
    city: Open311City,
) -> None:
    first = city.submitted()
    second = city.submitted(service_code="noise")
    workspace = str(city.workspace.root)

    flushed = CliRunner().invoke(cityops_cli, ["tickets", "flush", "-w", workspace, "--json"])
    again = CliRunner().invoke(cityops_cli, ["tickets", "flush", "-w", workspace, "--json"])
    told = CliRunner().invoke(cityops_cli, ["tickets", "flush", "-w", workspace])

    assert flushed.exit_code == 0, flushed.output
    result = json.loads(flushed.stdout)
    assert len(result["batches"]) == 1
    assert (result["received"], result["stored"]) == (2, 2)
    assert (result["quarantined"], result["duplicates"]) == (0, 0)
    assert {e["ticket_id"] for e in lake_events(city.workspace)} == {first, second}
    assert json.loads(again.stdout) == {
        "batches": [],
        "received": 0,
        "stored": 0,
        "quarantined": 0,
        "duplicates": 0,
    }
    assert told.exit_code == 0
    assert "outbox empty" in told.stdout


def test_a_flush_cut_short_before_marking_its_rows_stores_nothing_twice(
    city: Open311City,
) -> None:
    request_id = city.submitted()
    with city.engine.begin() as connection:
        record_event(connection, city.cipher, request_id, "resolved")
    flush_outbox(city.workspace)
    # The state a crash after the batch's commit and before the marking leaves behind.
    with city.engine.begin() as connection:
        connection.execute(ticket_outbox.update().values(batch_id=None))

    [batch] = flush_outbox(city.workspace)

    assert (batch.received, batch.stored, batch.duplicates) == (2, 0, 2)
    assert [e["status"] for e in lake_events(city.workspace)] == ["created", "resolved"]
    assert flush_outbox(city.workspace) == []


def test_the_app_flushes_the_outbox_when_it_stops(city: Open311City) -> None:
    with TestClient(create_app(city.workspace, NO_PERIODIC_FLUSH)) as second_app:
        answer = second_app.post(
            "/open311/v2/requests.json",
            data={"service_code": "road", "address_string": "x", "api_key": city.api_key},
        )
        assert lake_events(city.workspace) == []

    [event] = lake_events(city.workspace)
    assert event["ticket_id"] == answer.json()[0]["service_request_id"]
