"""A round trip with an independent HTTP client: ``cityops serve`` (uvicorn) runs in a
process of its own on a free loopback port, and the standard library's
``urllib.request`` submits a request, follows it by token and id, records a staff
event, and reads the errors, the way any Open311 client would."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from open311_city import (
    DEPARTMENT,
    PASSWORD,
    XML_DECLARATION,
    XML_TYPE,
    create_staff_user,
    lake_events,
)

from cityops.access.roles import Role
from cityops.register.engine import make_engine
from cityops.settings import variable
from cityops.tickets.client_keys import create_key
from cityops.workspace.config import TicketsConfig, read_config, write_config
from cityops.workspace.workspace import Workspace, open_workspace

pytestmark = pytest.mark.slow

WAIT_S = 60.0
"""How long to wait for the server to answer, or for a flush to show: a bound for a
loaded machine, never a measured time."""
SLA_H = 48


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content_type: str
    body: bytes

    def xml(self) -> ET.Element:
        assert self.content_type == XML_TYPE
        assert self.body.startswith(XML_DECLARATION)
        return ET.fromstring(self.body)

    def json(self) -> object:
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    workspace: Workspace
    staff_user: str
    process: subprocess.Popen[bytes]
    api_key: str

    def stop(self) -> int:
        """Stop the server as Ctrl-C would; its exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT_S)

    def call(
        self,
        path: str,
        *,
        form: Mapping[str, str] | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """One HTTP exchange; an error status is an answer like any other."""
        data, sent = None, dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        elif body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=WAIT_S) as response:
                return Answer(response.status, response.headers["Content-Type"], response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.headers["Content-Type"], error.read())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def start_server(city_template: Workspace, tmp_path: Path) -> Iterator[Callable[[float], Server]]:
    """Starts ``cityops serve`` over a copy of the tiny city (flush interval as given,
    ticket deadline 48 h) with one department user; a server the test left running is
    killed."""
    root = tmp_path / "ws"
    shutil.copytree(city_template.root, root)
    config = read_config(root)
    write_config(root, config.model_copy(update={"tickets": TicketsConfig(deadline_h=SLA_H)}))
    workspace = open_workspace(root)
    engine = make_engine(workspace.register_url)
    try:
        staff_user = create_staff_user(engine, Role.DEPARTMENT, department=DEPARTMENT)
        with engine.begin() as connection:
            api_key = create_key(connection, "round-trip")
    finally:
        engine.dispose()
    log_path = tmp_path / "server.log"
    started: list[subprocess.Popen[bytes]] = []

    def start(flush_s: float) -> Server:
        port = _free_port()
        env = {**os.environ, variable("outbox_flush_s"): str(flush_s)}
        command = [sys.executable, "-m", "cityops", "serve", "-w", str(workspace.root)]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        _until(
            lambda: process.poll() is not None or _answers(f"{base}/open311/v2/services.xml"),
            "the server to start",
        )
        assert process.poll() is None, log_path.read_text()
        return Server(base, workspace, staff_user, process, api_key)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_request_goes_round_trip_through_a_running_server(
    start_server: Callable[[float], Server],
) -> None:
    server = start_server(0.2)

    posted = server.call(
        "/open311/v2/requests.xml",
        form={
            "api_key": server.api_key,
            "service_code": "road",
            "lat": "30.25",
            "long": "120.16",
            "description": "人行道塌陷 & 积水 <危险>",
            "first_name": "三",
            "last_name": "张",
            "phone": "13812341234",
        },
    )
    assert posted.status == 201
    root = posted.xml()
    request_id = root.findtext("request/service_request_id") or ""
    token = root.findtext("request/token") or ""
    by_token = server.call(f"/open311/v2/tokens/{urllib.parse.quote(token)}.json")
    shown = server.call(f"/open311/v2/requests/{request_id}.xml").xml()
    login = server.call(
        "/api/v1/auth/token", form={"username": server.staff_user, "password": PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {json.loads(login.body)['access_token']}"}
    recorded = server.call(
        f"/api/v1/tickets/{request_id}/events",
        body={"status": "resolved", "note": "已修复"},
        headers=bearer,
    )
    after = server.call(f"/open311/v2/requests/{request_id}.json").json()
    unknown = server.call("/open311/v2/requests.xml?jurisdiction_id=999999")

    assert by_token.json() == [{"service_request_id": request_id, "token": token}]
    assert shown.findtext("request/status") == "open"
    assert shown.findtext("request/description") == "人行道塌陷 & 积水 <危险>"
    requested = datetime.fromisoformat(shown.findtext("request/requested_datetime") or "")
    expected = datetime.fromisoformat(shown.findtext("request/expected_datetime") or "")
    assert expected - requested == timedelta(hours=SLA_H)
    assert "13812341234" not in posted.body.decode() + ET.tostring(shown, encoding="unicode")
    assert recorded.status == 201
    assert isinstance(after, list)
    assert (after[0]["status"], after[0]["status_notes"]) == ("closed", "已修复")
    assert unknown.status == 404
    assert unknown.xml().findtext("error/code") == "404"
    _until(
        lambda: (
            [e["status"] for e in lake_events(server.workspace, request_id)]
            == ["created", "resolved"]
        ),
        "the periodic flush to carry both events into the lake",
    )


def test_a_server_stopped_with_ctrl_c_leaves_nothing_in_the_outbox(
    start_server: Callable[[float], Server],
) -> None:
    server = start_server(0)
    posted = server.call(
        "/open311/v2/requests.json",
        form={"api_key": server.api_key, "service_code": "noise", "address_string": "西山路"},
    )
    answered = posted.json()
    assert isinstance(answered, list)
    [created] = answered
    assert lake_events(server.workspace) == [], "the periodic flush is off"

    assert server.stop() == 0

    [event] = lake_events(server.workspace)
    assert (event["ticket_id"], event["status"]) == (created["service_request_id"], "created")
