"""A tiny city for the Open311 tests (``tests/integration/open311``), and helpers that read
answers the way GeoReport v2 describes them.

示范市 ``330100`` has two districts, 东湖区 ``330102`` (with one street) and
西山区 ``330103``.  Its services: ``road`` (city-wide, 城管局), ``light``
(东湖区, 城管局), ``noise`` (西山区, 生态环境局), ``gone`` (offline since 2021)
and ``soon`` (online only from 2999).  ``add_second_city`` adds 滨海市 ``330200``
(district 港城区 ``330201``, service ``bus``, 交通运输局), after which
``jurisdiction_id`` is needed.

``xml_root`` checks what the spec asks of every XML answer and parses it,
``xml_records`` reads ``<root><item><field/>…``, ``as_xml_text`` states the
spec's JSON ↔ XML mapping, and ``lake_events`` reads ``ticket_events`` the way
the indicators do.  The fixtures themselves live in
``tests/integration/open311/conftest.py``.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityops.access.cipher import ContactCipher
from cityops.access.roles import Role
from cityops.accounts.store import create_user
from cityops.ingestion.batch import ingest_file
from cityops.services.unit_of_work import open_analytics
from cityops.settings import ProcessSettings
from cityops.tickets.client_keys import create_key
from cityops.workspace.config import Open311Config, read_config, write_config
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace, open_workspace

__all__ = [
    "CITY",
    "DEPARTMENT",
    "DISTRICT",
    "JSON_TYPE",
    "NO_PERIODIC_FLUSH",
    "OTHER_DEPARTMENT",
    "OTHER_DISTRICT",
    "PASSWORD",
    "SECOND_CITY",
    "STREET",
    "XML_DECLARATION",
    "XML_TYPE",
    "Open311City",
    "add_second_city",
    "as_xml_text",
    "build_city",
    "create_staff_user",
    "lake_events",
    "xml_records",
    "xml_root",
]

CITY = "330100"
DISTRICT = "330102"
OTHER_DISTRICT = "330103"
STREET = "330102001"
DEPARTMENT = "城管局"
OTHER_DEPARTMENT = "生态环境局"
SECOND_CITY = "330200"
PASSWORD = "A long enough password 1"
NO_PERIODIC_FLUSH = ProcessSettings.from_environ({"CITYOPS_OUTBOX_FLUSH_S": "0"})
"""An app's settings without the periodic outbox flush: tests flush when they mean to,
and the app flushes once when its client closes."""
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
"""The spec: the root element is preceded by the XML declaration naming UTF-8."""
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
"""The spec's ``Content-Type`` of each format."""

REGIONS_CSV = """region_code,name,level,parent_code,resident_population
330000,示范省,province,,5000000
330100,示范市,city,330000,1000000
330102,东湖区,district,330100,400000
330103,西山区,district,330100,600000
330102001,湖滨街道,street,330102,100000
"""

SERVICES_CSV = """\
service_id,name,department,category,region_code,on_portal,one_thing_id,online_since,offline_at
road,道路破损,城管局,市容环境,330100,true,,2024-01-01,
light,路灯故障,城管局,市政设施,330102,true,,2024-01-01,
noise,噪声扰民,生态环境局,环境保护,330103,true,,2024-01-01,
gone,旧事项,城管局,市容环境,330100,true,,2020-01-01,2021-01-01
soon,新事项,城管局,市容环境,330100,true,,2999-01-01,
"""

SECOND_CITY_REGIONS_CSV = """region_code,name,level,parent_code,resident_population
330200,滨海市,city,330000,800000
330201,港城区,district,330200,300000
"""

SECOND_CITY_SERVICES_CSV = """\
service_id,name,department,category,region_code,on_portal,one_thing_id,online_since,offline_at
bus,公交站台损坏,交通运输局,交通出行,330200,true,,2024-01-01,
"""

_FILE_NUMBERS = itertools.count(1)
_USER_NUMBERS = itertools.count(1)


def ingest_text(workspace: Workspace, table: str, text: str, directory: Path) -> None:
    """Ingest ``text`` as a CSV file of ``table`` (register data for a test)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{table}-{next(_FILE_NUMBERS)}.csv"
    path.write_text(text, encoding="utf-8")
    batch = ingest_file(workspace, table, path)
    assert batch.quarantined == 0, f"test data for {table} was quarantined"


UNTHROTTLED = Open311Config(posts_per_minute_per_key=100_000, posts_per_minute_per_client=100_000)
"""Submission limits no test reaches unless it means to (``docs/open311.md``)."""


def build_city(root: Path, register_url: str | None = None) -> Workspace:
    """The tiny city's workspace in ``root/ws``: Open311 submissions need a key
    (``Open311City.api_key``) and are not throttled."""
    workspace = create_workspace(root / "ws", name="示范市", register_url=register_url)
    config = read_config(workspace.root).model_copy(update={"open311": UNTHROTTLED})
    write_config(workspace.root, config)
    workspace = open_workspace(workspace.root)
    ingest_text(workspace, "regions", REGIONS_CSV, root / "sources")
    ingest_text(workspace, "services", SERVICES_CSV, root / "sources")
    return workspace


def add_second_city(workspace: Workspace, sources: Path) -> None:
    """Add 滨海市 and its one service to the register."""
    ingest_text(workspace, "regions", SECOND_CITY_REGIONS_CSV, sources)
    ingest_text(workspace, "services", SECOND_CITY_SERVICES_CSV, sources)


def create_staff_user(
    engine: sa.Engine,
    role: Role,
    *,
    region: str | None = CITY,
    department: str | None = None,
    personal: bool = False,
) -> str:
    """A new user with ``role`` (password ``PASSWORD``); their name."""
    username = f"{role.value}-{next(_USER_NUMBERS)}"
    with engine.begin() as connection:
        create_user(
            connection,
            username=username,
            password=PASSWORD,
            role=role,
            region_code=region,
            department=department,
            operator_id="OP-1" if role is Role.OPERATOR else None,
            can_view_personal=personal,
        )
    return username


@dataclass
class Open311City:
    """The workspace, a client over its app, and what tests need to look underneath."""

    workspace: Workspace
    client: TestClient
    engine: sa.Engine
    _api_key: str | None = None

    @property
    def cipher(self) -> ContactCipher:
        return ContactCipher(self.workspace.secret_path.read_bytes().strip())

    @property
    def api_key(self) -> str:
        """The ``api_key`` of client application ``tests`` (issued on first use)."""
        if self._api_key is None:
            with self.engine.begin() as connection:
                self._api_key = create_key(connection, "tests")
        return self._api_key

    def submit(self, fmt: str = "json", **form: str) -> httpx2.Response:
        """POST requests.{fmt} with ``form`` (defaults: service ``road`` at a lat/long,
        the ``tests`` application's key)."""
        fields = {
            "service_code": "road",
            "lat": "30.25",
            "long": "120.16",
            "api_key": self.api_key,
            **form,
        }
        return self.client.post(f"/open311/v2/requests.{fmt}", data=fields)

    def submitted(self, **form: str) -> str:
        """The id of a request submitted with ``form`` (which must succeed)."""
        answer = self.submit("json", **form)
        assert answer.status_code == 201, answer.text
        request_id: str = answer.json()[0]["service_request_id"]
        return request_id

    def request(self, request_id: str, **params: str) -> dict[str, Any]:
        """GET requests/{id}.json: the one request's public fields."""
        answer = self.client.get(f"/open311/v2/requests/{request_id}.json", params=params)
        assert answer.status_code == 200, answer.text
        [found] = answer.json()
        assert isinstance(found, dict)
        return found

    def staff(
        self,
        role: Role,
        *,
        region: str | None = CITY,
        department: str | None = None,
        personal: bool = False,
    ) -> Mapping[str, str]:
        """Bearer headers of a new user with ``role``."""
        username = create_staff_user(
            self.engine, role, region=region, department=department, personal=personal
        )
        answer = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def department(self, name: str = DEPARTMENT, *, personal: bool = False) -> Mapping[str, str]:
        return self.staff(Role.DEPARTMENT, department=name, personal=personal)


def xml_root(response: httpx2.Response) -> ET.Element:
    """The parsed XML answer, after checking what the spec asks of every XML answer."""
    assert response.headers["content-type"] == XML_TYPE
    assert response.content.startswith(XML_DECLARATION)
    return ET.fromstring(response.content)


def xml_records(root: ET.Element, item: str) -> list[dict[str, str | None]]:
    """``<root><item><a>1</a><b/></item>…`` → ``[{"a": "1", "b": None}, …]``."""
    assert all(child.tag == item for child in root), f"every child of <{root.tag}> is <{item}>"
    return [{field.tag: field.text for field in entry} for entry in root]


def as_xml_text(value: object) -> str | None:
    """A JSON value as the spec's XML writes it: ``null`` an empty element, booleans
    ``true``/``false``, numbers and strings as written."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def lake_events(workspace: Workspace, ticket_id: str | None = None) -> list[dict[str, Any]]:
    """The lake's ``ticket_events`` (of one ticket when given), oldest first."""
    query = "SELECT * FROM ticket_events"
    parameters = []
    if ticket_id is not None:
        query += " WHERE ticket_id = ?"
        parameters.append(ticket_id)
    con = open_analytics(workspace)
    try:
        relation = con.sql(query + " ORDER BY ts, event_id", params=parameters)
        rows: list[dict[str, Any]] = relation.to_arrow_table().to_pylist()
    finally:
        con.close()
    return rows
