"""``cityops demo --serve`` as a user runs it: the demo ends by naming the console,
its users and the report, then serves the console and the API on the given port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityops.server import create_app
from cityops.workspace.workspace import open_workspace

pytestmark = pytest.mark.slow

DOCUMENTED_PASSWORD = "Cityops-demo-2026"  # README.md and docs/api.md
ROLES = ("admin", "supervisor", "operator", "evaluator", "auditor", "department")
READY_WITHIN_S = 600.0


@dataclass(frozen=True, slots=True)
class ServedDemo:
    workspace: Path
    port: int
    output: str

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _status(url: str) -> int | None:
    """The HTTP status of GET ``url``; None while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedDemo]:
    """The tiny demo run with ``--serve``, up and answering; stopped afterwards."""
    directory = tmp_path_factory.mktemp("served-demo")
    workspace, port = directory / "ws", _free_port()
    environ = {k: v for k, v in os.environ.items() if k != "CITYOPS_PASSWORD"}
    stdout, stderr = directory / "stdout.txt", directory / "stderr.txt"
    command = [sys.executable, "-m", "cityops", "demo", "-w", str(workspace), "--scale", "tiny"]
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [*command, "--serve", "--port", str(port)], stdout=out, stderr=err, env=environ
        )
    try:
        deadline = time.monotonic() + READY_WITHIN_S
        while _status(f"http://127.0.0.1:{port}/console/login") != 200:
            assert process.poll() is None, f"the demo stopped early:\n{stderr.read_text()}"
            assert time.monotonic() < deadline, "the demo did not start serving in time"
            time.sleep(0.5)
        yield ServedDemo(workspace, port, stdout.read_text("utf-8"))
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_console_login_page_is_served(served: ServedDemo) -> None:
    with urllib.request.urlopen(served.url("/console/login"), timeout=5) as response:
        page = response.read().decode("utf-8")
    assert 'name="password"' in page


def test_the_served_api_issues_a_token_to_a_demo_user(served: ServedDemo) -> None:
    form = urllib.parse.urlencode({"username": "auditor", "password": DOCUMENTED_PASSWORD})
    request = urllib.request.Request(served.url("/api/v1/auth/token"), data=form.encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert b'"role":"auditor"' in response.read()


def test_the_output_names_the_console_the_users_once_and_the_report(served: ServedDemo) -> None:
    lines = served.output.splitlines()
    assert any(line.startswith("console") and served.url("/console") in line for line in lines)
    [report_line] = [line for line in lines if line.startswith("report ")]
    report = Path(report_line.removeprefix("report").strip())
    assert report.is_file()
    assert report.parent == served.workspace.resolve() / "reports"
    [users_line] = [line for line in lines if line.startswith("users ")]
    assert all(role in users_line.split() for role in ROLES)
    assert served.output.count(DOCUMENTED_PASSWORD) == 1


def test_every_demo_user_logs_in_through_the_api(served: ServedDemo) -> None:
    with TestClient(create_app(open_workspace(served.workspace))) as client:
        for role in ROLES:
            response = client.post(
                "/api/v1/auth/token", data={"username": role, "password": DOCUMENTED_PASSWORD}
            )
            assert response.status_code == 200, (role, response.text)
            assert response.json()["user"]["role"] == role
