"""GET Service List and GET Service Definition, checked against GeoReport v2: the
fields and element names the spec lists, both formats, and its error answers."""

from __future__ import annotations

import pytest
from open311_city import (
    CITY,
    JSON_TYPE,
    SECOND_CITY,
    Open311City,
    as_xml_text,
    xml_records,
    xml_root,
)

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
"""The spec's fields of a service, in its order."""
SERVICE_TYPES = {"realtime", "batch", "blackbox"}

# From the fixture's services CSV: what 示范市 offers today ("gone" went offline in
# 2021, "soon" opens in 2999), with name and category.
OFFERED = {
    "light": ("路灯故障", "市政设施"),
    "noise": ("噪声扰民", "环境保护"),
    "road": ("道路破损", "市容环境"),
}


def test_the_service_list_holds_the_services_the_city_offers_today(city: Open311City) -> None:
    answer = city.client.get("/open311/v2/services.json")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == JSON_TYPE
    services = answer.json()
    assert {s["service_code"]: (s["service_name"], s["group"]) for s in services} == OFFERED
    for service in services:
        assert list(service) == SERVICE_FIELDS
        assert service["metadata"] is False, "no service here defines attributes"
        assert service["type"] in SERVICE_TYPES


def test_the_xml_service_list_is_the_json_one_under_services_and_service(
    city: Open311City,
) -> None:
    as_json = city.client.get("/open311/v2/services.json").json()

    root = xml_root(city.client.get("/open311/v2/services.xml"))

    assert root.tag == "services"
    records = xml_records(root, "service")
    assert [list(r) for r in records] == [SERVICE_FIELDS] * len(OFFERED)
    assert records == [{k: as_xml_text(v) for k, v in s.items()} for s in as_json]


def test_a_service_definition_names_its_code_and_has_no_attributes(city: Open311City) -> None:
    as_json = city.client.get("/open311/v2/services/road.json")
    root = xml_root(city.client.get("/open311/v2/services/road.xml"))

    assert as_json.status_code == 200
    assert as_json.json() == {"service_code": "road", "attributes": []}
    assert root.tag == "service_definition"
    assert [child.tag for child in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "road"
    attributes = root.find("attributes")
    assert attributes is not None
    assert len(attributes) == 0


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("gone", id="offline-since-2021"),
        pytest.param("soon", id="online-only-from-2999"),
        pytest.param("nothing", id="never-existed"),
    ],
)
def test_a_service_not_offered_today_has_no_definition(city: Open311City, code: str) -> None:
    answer = city.client.get(f"/open311/v2/services/{code}.json")

    assert answer.status_code == 404
    [error] = answer.json()
    assert error["code"] == 404
    assert code in error["description"]


def test_an_unknown_jurisdiction_is_a_404_error_list_in_both_formats(city: Open311City) -> None:
    as_json = city.client.get("/open311/v2/services.json", params={"jurisdiction_id": "999999"})
    as_xml = city.client.get("/open311/v2/services.xml", params={"jurisdiction_id": "999999"})

    assert as_json.status_code == as_xml.status_code == 404
    [error] = as_json.json()
    assert set(error) == {"code", "description"}
    assert error["code"] == 404
    assert "jurisdiction_id" in error["description"]
    root = xml_root(as_xml)
    assert root.tag == "errors"
    assert xml_records(root, "error") == [{"code": "404", "description": error["description"]}]


def test_a_district_is_not_a_jurisdiction(city: Open311City) -> None:
    answer = city.client.get("/open311/v2/services.json", params={"jurisdiction_id": "330102"})

    assert answer.status_code == 404


def test_the_only_city_is_the_jurisdiction_when_none_is_named(city: Open311City) -> None:
    named = city.client.get("/open311/v2/services.json", params={"jurisdiction_id": CITY})
    unnamed = city.client.get("/open311/v2/services.json")

    assert named.status_code == unnamed.status_code == 200
    assert named.json() == unnamed.json()


def test_with_two_cities_each_jurisdiction_lists_its_own_services(
    two_cities: Open311City,
) -> None:
    def codes(jurisdiction: str) -> set[str]:
        answer = two_cities.client.get(
            "/open311/v2/services.json", params={"jurisdiction_id": jurisdiction}
        )
        assert answer.status_code == 200
        return {s["service_code"] for s in answer.json()}

    assert codes(CITY) == set(OFFERED)
    assert codes(SECOND_CITY) == {"bus"}
    definition = two_cities.client.get(
        "/open311/v2/services/bus.json", params={"jurisdiction_id": CITY}
    )
    assert definition.status_code == 404, "a service of another city is not this city's"


def test_with_two_cities_leaving_out_the_jurisdiction_is_a_400_that_says_so(
    two_cities: Open311City,
) -> None:
    answer = two_cities.client.get("/open311/v2/services.xml")

    assert answer.status_code == 400
    [error] = xml_records(xml_root(answer), "error")
    assert error["code"] == "400"
    assert "jurisdiction_id" in (error["description"] or "")


@pytest.mark.parametrize("path", ["/open311/v2/services.csv", "/open311/v2/services/road.html"])
def test_a_format_other_than_xml_or_json_is_refused_in_xml(city: Open311City, path: str) -> None:
    answer = city.client.get(path)

    assert answer.status_code == 400
    assert xml_root(answer).tag == "errors"
