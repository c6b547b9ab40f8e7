"""GET Service Requests, GET Service Request and GET service_request_id from a token,
checked against GeoReport v2: the fields and their order, the filters (ids
overriding all others, service codes, statuses, the date window of at most 90
days that defaults to the last 90), the limit of 1000, and the errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from open311_city import (
    CITY,
    DEPARTMENT,
    OTHER_DEPARTMENT,
    SECOND_CITY,
    Open311City,
    as_xml_text,
    xml_records,
    xml_root,
)

from cityops.register.access_schema import service_requests
from cityops.tickets.store import NewTicket, create_ticket, record_event

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
"""The spec's fields of a service request, in its order."""

_SERVICES = {"road": (DEPARTMENT, "市容环境"), "noise": (OTHER_DEPARTMENT, "环境保护")}


def ticket_at(city: Open311City, at: datetime, service_code: str = "road") -> str:
    """A request of ``service_code`` that arrived at ``at`` (stored directly, so that
    its time can be chosen); its id."""
    department, category = _SERVICES[service_code]
    new = NewTicket(CITY, service_code, CITY, department, category, "web", description="test")
    with city.engine.begin() as connection:
        return create_ticket(
            connection, city.cipher, new, due_in=timedelta(days=5), now=at
        ).ticket_id


def ids(city: Open311City, **params: str) -> list[str]:
    answer = city.client.get("/open311/v2/requests.json", params=params)
    assert answer.status_code == 200, answer.text
    return [r["service_request_id"] for r in answer.json()]


def test_a_request_has_the_specs_fields_in_both_formats(city: Open311City) -> None:
    request_id = city.submitted(description="井盖缺失", address_string="湖滨路 1 号")

    as_json = city.request(request_id)
    root = xml_root(city.client.get(f"/open311/v2/requests/{request_id}.xml"))

    assert list(as_json) == REQUEST_FIELDS
    assert root.tag == "service_requests"
    assert xml_records(root, "request") == [{k: as_xml_text(v) for k, v in as_json.items()}]


def test_an_unknown_request_is_a_404_error_list(city: Open311City) -> None:
    answer = city.client.get("/open311/v2/requests/sr-0000000000000000.xml")

    assert answer.status_code == 404
    [error] = xml_records(xml_root(answer), "error")
    assert error["code"] == "404"
    assert "sr-0000000000000000" in (error["description"] or "")


def test_requests_default_to_the_last_90_days_newest_first(city: Open311City) -> None:
    now = datetime.now(UTC)
    by_age = {days: ticket_at(city, now - timedelta(days=days)) for days in (1, 10, 89, 91, 200)}

    assert ids(city) == [by_age[1], by_age[10], by_age[89]]
    assert ids(city, status="open,closed") == [by_age[1], by_age[10], by_age[89]]


def test_a_window_in_the_past_finds_the_older_requests(city: Open311City) -> None:
    now = datetime.now(UTC)
    old = ticket_at(city, now - timedelta(days=200))
    ticket_at(city, now - timedelta(days=1))
    start = (now - timedelta(days=201)).isoformat()
    end = (now - timedelta(days=199)).isoformat()

    assert ids(city, start_date=start, end_date=end) == [old]


def test_service_request_id_overrides_every_other_filter(city: Open311City) -> None:
    now = datetime.now(UTC)
    recent = ticket_at(city, now - timedelta(days=1))
    ancient = ticket_at(city, now - timedelta(days=400))
    ticket_at(city, now - timedelta(hours=1))
    others = {"service_code": "noise", "status": "closed", "start_date": "2020-01-01T00:00:00Z"}

    comma = ids(city, service_request_id=f"{ancient},{recent}", **others)
    repeated = city.client.get(
        "/open311/v2/requests.json",
        params=[("service_request_id", ancient), ("service_request_id", recent)],
    )

    assert sorted(comma) == sorted([recent, ancient])
    assert sorted(r["service_request_id"] for r in repeated.json()) == sorted([recent, ancient])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"service_code": "road"}, {"open road", "closed road"}, id="one-code"),
        pytest.param({"service_code": "road,noise"}, {"open road", "closed road", "open noise"}),
        pytest.param({"status": "open"}, {"open road", "open noise"}, id="open"),
        pytest.param({"status": "closed"}, {"closed road"}, id="closed"),
        pytest.param(
            {"status": "closed", "service_code": "noise"}, set[str](), id="closed-and-noise"
        ),
    ],
)
def test_service_code_and_status_narrow_the_list(
    city: Open311City, params: dict[str, str], expected: set[str]
) -> None:
    now = datetime.now(UTC)
    made = {
        "open road": ticket_at(city, now - timedelta(days=3)),
        "closed road": ticket_at(city, now - timedelta(days=2)),
        "open noise": ticket_at(city, now - timedelta(days=1), "noise"),
    }
    with city.engine.begin() as connection:
        record_event(connection, city.cipher, made["closed road"], "resolved")

    assert set(ids(city, **params)) == {made[name] for name in expected}


@pytest.mark.parametrize(
    ("params", "words"),
    [
        pytest.param(
            {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"},
            "90 days",
            id="span-over-90-days",
        ),
        pytest.param(
            {"start_date": "2025-02-01T00:00:00Z", "end_date": "2025-01-01T00:00:00Z"},
            "after end_date",
            id="start-after-end",
        ),
        pytest.param({"start_date": "yesterday"}, "start_date", id="not-a-date"),
        pytest.param({"status": "pending"}, "status", id="unknown-status"),
        pytest.param(
            {"start_date": "0001-01-01T00:00:00+08:00", "end_date": "0001-01-02T00:00:00Z"},
            "date",
            id="before-the-first-year",
        ),
        pytest.param(
            {"start_date": "9999-12-31T20:00:00-08:00", "end_date": "9999-12-31T23:00:00-08:00"},
            "date",
            id="after-the-last-year",
        ),
    ],
)
def test_a_filter_that_cannot_be_met_is_a_400_saying_why(
    city: Open311City, params: dict[str, str], words: str
) -> None:
    answer = city.client.get("/open311/v2/requests.xml", params=params)

    assert answer.status_code == 400
    [error] = xml_records(xml_root(answer), "error")
    assert error["code"] == "400"
    assert words in (error["description"] or "")


def test_an_unencoded_plus_in_an_offset_is_read_as_a_plus(city: Open311City) -> None:
    # 2025-03-01T10:00:00+08:00 is 02:00 UTC, inside 09:00–11:00 at +08:00 and not
    # inside 09:00–11:00 at -08:00 (a minus never needs encoding).
    request_id = ticket_at(city, datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    plus = "start_date=2025-03-01T09:00:00+08:00&end_date=2025-03-01T11:00:00+08:00"
    minus = "start_date=2025-03-01T09:00:00-08:00&end_date=2025-03-01T11:00:00-08:00"

    found = city.client.get(f"/open311/v2/requests.json?{plus}")
    missed = city.client.get(f"/open311/v2/requests.json?{minus}")

    assert [r["service_request_id"] for r in found.json()] == [request_id]
    assert missed.json() == []


def test_at_most_1000_requests_come_back_the_newest_ones(city: Open311City) -> None:
    start = datetime.now(UTC) - timedelta(days=30)
    rows = [_row(f"sr-bulk-{n:04d}", start + timedelta(minutes=n)) for n in range(1001)]
    with city.engine.begin() as connection:
        connection.execute(service_requests.insert(), rows)

    found = ids(city)

    assert found == [f"sr-bulk-{n:04d}" for n in range(1000, 0, -1)]


_BASE = datetime(2025, 3, 1, tzinfo=UTC)
_ARRIVALS = [_BASE + timedelta(hours=h) for h in (0, 7.5, 24, 240.25, 720, 1080, 1453, 1920, 2150)]
_ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)),
          timezone(timedelta(hours=5, minutes=45))]  # fmt: skip
_SPAN = timedelta(days=90)
_instants = st.one_of(
    st.sampled_from(_ARRIVALS).flatmap(
        lambda t: st.sampled_from([t - timedelta(seconds=1), t, t + timedelta(seconds=1)])
    ),
    st.integers(-5 * 86400, 95 * 86400).map(lambda s: _BASE + timedelta(seconds=s)),
)


def _w3c(instant: datetime, zone: timezone) -> str:
    text = instant.astimezone(zone).isoformat()
    return text.replace("+00:00", "Z")


def test_any_window_finds_exactly_the_requests_inside_it(city: Open311City) -> None:
    arrived = {ticket_at(city, at): at for at in _ARRIVALS}

    @settings(max_examples=60, deadline=None)
    @given(first=_instants, second=_instants, zones=st.tuples(*[st.sampled_from(_ZONES)] * 2))
    def window(first: datetime, second: datetime, zones: tuple[timezone, timezone]) -> None:
        start, end = sorted((first, second))
        if end - start > _SPAN:
            end = start + _SPAN
        found = ids(city, start_date=_w3c(start, zones[0]), end_date=_w3c(end, zones[1]))
        assert set(found) == {i for i, at in arrived.items() if start <= at <= end}
        assert found == sorted(found, key=arrived.__getitem__, reverse=True)

    window()


def test_a_token_gives_the_id_of_its_request(city: Open311City) -> None:
    [created] = city.submit("json").json()
    token = created["token"]

    as_json = city.client.get(f"/open311/v2/tokens/{token}.json")
    root = xml_root(city.client.get(f"/open311/v2/tokens/{token}.xml"))

    assert as_json.status_code == 200
    assert as_json.json() == [{"service_request_id": created["service_request_id"], "token": token}]
    assert root.tag == "service_requests"
    assert xml_records(root, "request") == [
        {"service_request_id": created["service_request_id"], "token": token}
    ]


def test_an_unknown_token_is_a_404(city: Open311City) -> None:
    answer = city.client.get("/open311/v2/tokens/no-such-token.json")

    assert answer.status_code == 404
    assert answer.json()[0]["code"] == 404


def test_requests_and_tokens_stay_within_their_jurisdiction(two_cities: Open311City) -> None:
    [created] = two_cities.submit("json", service_code="bus", jurisdiction_id=SECOND_CITY).json()
    here = {"jurisdiction_id": SECOND_CITY}
    there = {"jurisdiction_id": CITY}

    token_url = f"/open311/v2/tokens/{created['token']}.json"
    assert two_cities.client.get(token_url, params=here).status_code == 200
    assert two_cities.client.get(token_url, params=there).status_code == 404
    assert ids(two_cities, **here) == [created["service_request_id"]]
    assert ids(two_cities, **there) == []


CONTROL_CHARACTER_URLS = [
    "/open311/v2/requests/sr%00x.json",
    "/open311/v2/tokens/t%00.xml",
    "/open311/v2/services/road%00.json",
    "/open311/v2/requests.json?service_code=road%00",
    "/open311/v2/requests.json?service_request_id=a,b%00",
    "/open311/v2/requests.json?status=open%00",
    "/open311/v2/requests.json?start_date=2025%00",
    "/open311/v2/services.json?jurisdiction_id=3301%0000",
]


def test_a_control_character_in_the_url_is_a_400_on_every_database(
    any_city: Open311City,
) -> None:
    # PostgreSQL cannot even compare a text holding NUL: without the check these were 500s.
    answers = {url: any_city.client.get(url) for url in CONTROL_CHARACTER_URLS}

    assert {url: a.status_code for url, a in answers.items()} == dict.fromkeys(answers, 400)
    assert all("U+0000" in a.text for a in answers.values())


def _row(request_id: str, at: datetime) -> dict[str, Any]:
    return {
        "service_request_id": request_id,
        "token": f"token-{request_id}",
        "jurisdiction_id": CITY,
        "service_code": "road",
        "region_code": CITY,
        "department": DEPARTMENT,
        "category": "市容环境",
        "channel": "web",
        "status": "open",
        "requested_at": at,
        "updated_at": at,
    }
