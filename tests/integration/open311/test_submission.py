"""POST Service Request, checked against GeoReport v2: the arguments it takes, the answer
(id, token, notice, account id) in both formats, and the errors it names."""

from __future__ import annotations

import re
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from open311_city import (
    CITY,
    DEPARTMENT,
    SECOND_CITY,
    STREET,
    Open311City,
    xml_records,
    xml_root,
)

from cityops.access.roles import Role

CREATED_FIELDS = ["service_request_id", "token", "service_notice", "account_id"]
DEFAULT_SLA = timedelta(hours=120)
"""docs/open311.md: a new request is due 120 hours after it arrives, unless the city's
``cityops.toml`` sets another deadline."""
SHANGHAI = timedelta(hours=8)
"""The workspace's time zone, Asia/Shanghai, has no daylight saving."""
XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""XML 1.0's ``Char`` production: what a text may hold and still be XML."""


def test_a_submission_answers_its_id_a_token_and_a_notice(city: Open311City) -> None:
    answer = city.submit("json", description="人行道砖块松动")

    assert answer.status_code == 201
    [created] = answer.json()
    assert list(created) == CREATED_FIELDS
    assert created["service_request_id"]
    assert created["token"]
    assert DEPARTMENT in created["service_notice"]
    assert created["account_id"] is None


def test_the_xml_answer_is_a_request_under_service_requests(city: Open311City) -> None:
    root = xml_root(city.submit("xml"))

    assert root.tag == "service_requests"
    [created] = xml_records(root, "request")
    assert list(created) == CREATED_FIELDS
    assert created["service_request_id"]
    assert created["account_id"] is None
    assert city.request(created["service_request_id"] or "")["status"] == "open"


def test_a_submitted_request_can_be_read_back_as_submitted(city: Open311City) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    request_id = city.submitted(
        service_code="light",
        lat="30.2741",
        long="120.1551",
        description="路灯不亮",
        media_url="https://example.cn/photo.jpg",
    )
    after = datetime.now(UTC)

    found = city.request(request_id)

    assert found["service_request_id"] == request_id
    assert found["status"] == "open"
    assert found["status_notes"] is None
    assert (found["service_code"], found["service_name"]) == ("light", "路灯故障")
    assert found["agency_responsible"] == DEPARTMENT
    assert found["description"] == "路灯不亮"
    assert (found["lat"], found["long"]) == (30.2741, 120.1551)
    assert found["media_url"] == "https://example.cn/photo.jpg"
    assert found["address"] is None
    requested = datetime.fromisoformat(found["requested_datetime"])
    assert requested.utcoffset() == SHANGHAI, "local time with its offset, as W3C asks"
    assert before <= requested <= after
    assert datetime.fromisoformat(found["updated_datetime"]) == requested
    assert datetime.fromisoformat(found["expected_datetime"]) - requested == DEFAULT_SLA


def test_the_deadline_is_the_one_the_city_sets_in_its_configuration(
    city_with_own_deadline: Open311City,
) -> None:
    found = city_with_own_deadline.request(city_with_own_deadline.submitted())
    requested = datetime.fromisoformat(found["requested_datetime"])
    expected = datetime.fromisoformat(found["expected_datetime"])
    assert expected - requested == timedelta(hours=36, minutes=30)


@pytest.mark.parametrize(
    "location",
    [
        pytest.param({"address_string": "湖滨路 1 号"}, id="address_string"),
        pytest.param({"address_id": "ADDR-0001"}, id="address_id"),
    ],
)
def test_an_address_is_location_enough(city: Open311City, location: dict[str, str]) -> None:
    answer = city.client.post(
        "/open311/v2/requests.json",
        data={"service_code": "road", "api_key": city.api_key, **location},
    )

    assert answer.status_code == 201, answer.text
    found = city.request(answer.json()[0]["service_request_id"])
    assert found["address"] == next(iter(location.values()))
    assert (found["lat"], found["long"]) == (None, None)


def test_empty_optional_arguments_count_as_absent(city: Open311City) -> None:
    request_id = city.submitted(address_string="", description=" ", email="", phone="")

    found = city.request(request_id)

    assert found["address"] is None
    assert found["description"] is None


def test_attributes_are_accepted_and_ignored(city: Open311City) -> None:
    answer = city.submit("json", **{"attribute[WHISPAWN]": "123"})

    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("form", "field"),
    [
        pytest.param({"service_code": ""}, "service_code", id="service_code-missing"),
        pytest.param({"lat": "91"}, "lat", id="lat-beyond-the-pole"),
        pytest.param({"long": "east"}, "long", id="long-not-a-number"),
        pytest.param({"lat": "nan"}, "lat", id="lat-nan"),
        pytest.param({"long": "inf"}, "long", id="long-infinite"),
        pytest.param({"media_url": "javascript:alert(1)"}, "media_url", id="media_url-script"),
        pytest.param({"description": "x" * 4001}, "description", id="description-too-long"),
        pytest.param({"description": "a\x00b"}, "description", id="description-nul"),
        pytest.param({"phone": "138\x0712341234"}, "phone", id="phone-control-character"),
        pytest.param({"jurisdiction_id": "33\x00"}, "jurisdiction_id", id="jurisdiction-nul"),
    ],
)
def test_an_invalid_argument_is_a_400_naming_it(
    city: Open311City, form: dict[str, str], field: str
) -> None:
    answer = city.submit("json", **form)

    assert answer.status_code == 400
    [error] = answer.json()
    assert error["code"] == 400
    assert error["description"].startswith(f"{field}:")


@pytest.mark.parametrize(
    "form",
    [
        pytest.param({"lat": "", "long": ""}, id="no-location"),
        pytest.param({"long": ""}, id="lat-without-long"),
    ],
)
def test_a_request_without_a_whole_location_is_refused_in_xml(
    city: Open311City, form: dict[str, str]
) -> None:
    answer = city.submit("xml", **form)

    assert answer.status_code == 400
    [error] = xml_records(xml_root(answer), "error")
    assert error["code"] == "400"


@pytest.mark.parametrize("code", ["nothing", "gone", "soon"])
def test_a_service_not_offered_cannot_be_requested(city: Open311City, code: str) -> None:
    answer = city.submit("json", service_code=code)

    assert answer.status_code == 404
    assert code in answer.json()[0]["description"]


def test_with_two_cities_a_request_belongs_to_the_named_jurisdiction(
    two_cities: Open311City,
) -> None:
    unnamed = two_cities.submit("json", service_code="bus")
    elsewhere = two_cities.submit("json", service_code="bus", jurisdiction_id=CITY)
    request_id = two_cities.submitted(service_code="bus", jurisdiction_id=SECOND_CITY)

    assert unnamed.status_code == 400
    assert "jurisdiction_id" in unnamed.json()[0]["description"]
    assert elsewhere.status_code == 404, "bus is 滨海市's service, not 示范市's"
    assert two_cities.request(request_id, jurisdiction_id=SECOND_CITY)["service_code"] == "bus"
    other = two_cities.client.get(
        f"/open311/v2/requests/{request_id}.json", params={"jurisdiction_id": CITY}
    )
    assert other.status_code == 404


def test_a_city_wide_service_may_be_counted_where_the_problem_is(city: Open311City) -> None:
    admin = city.staff(Role.ADMIN, region=None)
    request_id = city.submitted(service_code="road", region_code=STREET, device_id="phone-1")
    plain_id = city.submitted(service_code="road")

    ticket = city.client.get(f"/api/v1/tickets/{request_id}", headers=admin).json()
    plain = city.client.get(f"/api/v1/tickets/{plain_id}", headers=admin).json()

    assert (ticket["region_code"], ticket["channel"]) == (STREET, "app")
    assert (plain["region_code"], plain["channel"]) == (CITY, "web")


def test_a_region_outside_the_services_region_is_refused(city: Open311City) -> None:
    answer = city.submit("json", service_code="light", region_code="330103")

    assert answer.status_code == 400
    assert "region_code" in answer.json()[0]["description"]


_xml_text = st.text(
    alphabet=st.characters(codec="utf-8").filter(lambda c: bool(XML_CHAR.match(c))),
    max_size=120,
)


def test_any_text_xml_can_carry_comes_back_as_sent_in_both_formats(city: Open311City) -> None:
    @settings(max_examples=40, deadline=None)
    @given(middle=_xml_text)
    def round_trip(middle: str) -> None:
        # Fenced by non-blank characters: the spec's blank-is-absent and the trimming of
        # the ends are tested apart.
        sent = f"«{middle}»"
        expected = sent.replace("\r\n", "\n").replace("\r", "\n")
        request_id = city.submitted(description=sent)

        as_json = city.request(request_id)["description"]
        xml = city.client.get(f"/open311/v2/requests/{request_id}.xml")
        [as_xml] = xml_records(xml_root(xml), "request")

        assert as_json == expected
        assert as_xml["description"] == expected

    round_trip()


def test_a_form_body_in_raw_utf8_is_read_as_utf8(city: Open311City) -> None:
    # As `curl -d description=路灯不亮` sends it: the bytes unescaped, which the WHATWG
    # form parser decodes as UTF-8 (not Latin-1).
    form = "service_code=light&lat=30.25&long=120.16&description=路灯不亮 𠮷 ok"
    body = f"{form}&api_key={city.api_key}".encode()
    answer = city.client.post(
        "/open311/v2/requests.json",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 201, answer.text
    found = city.request(answer.json()[0]["service_request_id"])
    assert found["description"] == "路灯不亮 𠮷 ok"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("escaped", [False, True], ids=["raw", "percent-escaped"])
def test_a_form_that_is_not_utf8_is_refused_400_not_stored_as_replacement_characters(
    city: Open311City, fmt: str, escaped: bool
) -> None:
    gbk = "路灯不亮".encode("gbk")
    value = urllib.parse.quote_from_bytes(gbk).encode() if escaped else gbk
    body = b"service_code=light&lat=30.25&long=120.16&description=" + value
    answer = city.client.post(
        f"/open311/v2/requests.{fmt}",
        content=body + f"&api_key={city.api_key}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert answer.status_code == 400
    assert "description" in answer.text
    assert "UTF-8" in answer.text
    assert answer.headers["content-type"].startswith(
        "application/json" if fmt == "json" else "text/xml"
    )
    assert city.client.get("/open311/v2/requests.json").json() == []
