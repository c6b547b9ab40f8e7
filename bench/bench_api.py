"""How many requests a second the served API answers, and how fast, on loopback.

Run with ``make bench`` (``pytest bench --benchmark-only``).  The two-city API
test workspace (``tests/support/api_workspace.py``), its register on SQLite
(set ``CITYOPS_BENCH_REGISTER=postgresql`` to add a run on a fresh database of
the local PostgreSQL server), is served by ``cityops serve`` (uvicorn, one
process) in a child process on a free loopback port;
this process drives it with ``CONCURRENCY`` threads, each holding one
keep-alive connection (``http.client``), until a fixed number of requests
has been sent.  Measured loads:

- ``GET /api/v1/regions/{region}/summary``, the dashboard's overview, as a
  district supervisor with a bearer token (the token is checked against the
  register on every request);
- ``POST /open311/v2/requests.json``, a citizen's service request with name and
  phone (validated, stored as a ticket with its contacts encrypted, audited).

Same-run baseline for each: ``GET /``, the app's redirect to the console, which
passes through the same server, middleware and connection handling but does
no work of its own, sent the same number of times the same way.  Each prints
and stores in ``extra_info``: requests, seconds, requests/s, p50 and p99
latency in milliseconds, errors (an unexpected status or a broken
connection), the server's CPU time per request (user + system, from
``/proc``; steadier than wall time when other work shares the machine), the
baseline's figures and the ratio baseline ÷ load of requests/s.  The server
and the driver share the machine's cores.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_workspace import CITY_A, OWN, build_api_workspace
from postgres_database import temporary_postgres_database
from pytest_benchmark.fixture import BenchmarkFixture

READS = 3_000
POSTS = 1_000
CONCURRENCY = 16
WARM_UP = 100
"""Requests sent before each measurement and not counted (caches, connections)."""
READY_WITHIN_S = 60.0
REGISTERS = ["sqlite"] + [
    r for r in os.environ.get("CITYOPS_BENCH_REGISTER", "").split(",") if r == "postgresql"
]


@dataclass(frozen=True, slots=True)
class Load:
    """One kind of request, sent again and again."""

    name: str
    method: str
    path: str
    expected_status: int
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Measured:
    requests: int
    seconds: float
    latencies_s: tuple[float, ...]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, q: float) -> float:
        return float(np.percentile(self.latencies_s, q)) * 1000

    def figures(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(self.per_second),
            "p50_ms": round(self.percentile_ms(50), 1),
            "p99_ms": round(self.percentile_ms(99), 1),
            "errors": self.errors,
        }


@dataclass(frozen=True, slots=True)
class Server:
    register: str
    """The register's database: sqlite or postgresql."""
    pid: int
    port: int
    token: str
    """A bearer token of the supervisor of district ``OWN``."""
    service_code: str
    """A service the city ``jurisdiction`` offers today, for Open311 requests."""
    jurisdiction: str


def drive(port: int, load: Load, total: int, concurrency: int = CONCURRENCY) -> Measured:
    """Send ``load`` ``total`` times from ``concurrency`` threads, one keep-alive
    connection each; a request is timed from sending to the end of its answer."""
    tickets = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed: list[str] = []
        while next(tickets) < total:
            started = time.perf_counter()
            try:
                connection.request(load.method, load.path, load.body, dict(load.headers))
                response = connection.getresponse()
                response.read()
                if response.status != load.expected_status:
                    failed.append(f"status {response.status}")
            except (OSError, http.client.HTTPException) as error:
                failed.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        print(f"\n{load.name}: {len(errors)} errors, e.g. {errors[:3]}")
    return Measured(len(latencies), seconds, tuple(latencies), len(errors))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user_ticks, system_ticks = int(fields[11]), int(fields[12])  # stat fields 14 and 15
    return (user_ticks + system_ticks) / os.sysconf("SC_CLK_TCK")


def _timed(server: Server, load: Load, total: int) -> tuple[Measured, float]:
    """``drive`` the load; also the server's CPU milliseconds per request meanwhile."""
    before = cpu_seconds(server.pid)
    measured = drive(server.port, load, total)
    return measured, (cpu_seconds(server.pid) - before) * 1000 / total


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_serving(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_WITHIN_S
    while True:
        assert process.poll() is None, "cityops serve stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline, "cityops serve did not start in time"
            time.sleep(0.2)


def _offered_service(port: int, jurisdiction: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", f"/open311/v2/services.json?jurisdiction_id={jurisdiction}")
        services = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    code: str = services[0]["service_code"]
    return code


@pytest.fixture(scope="module", params=REGISTERS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``cityops serve`` over the API test workspace, on a free loopback port."""
    with ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(temporary_postgres_database())
        api = build_api_workspace(tmp_path_factory.mktemp("bench-api"), register_url=url)
        port = _free_port()
        command = [sys.executable, "-m", "cityops", "serve", "-w", str(api.workspace.root)]
        process = subprocess.Popen([*command, "--port", str(port)])
        try:
            _wait_until_serving(port, process)
            yield Server(
                request.param,
                process.pid,
                port,
                api.tokens["supervisor"],
                _offered_service(port, CITY_A),
                CITY_A,
            )
        finally:
            process.terminate()
            process.wait(timeout=30)


def _trivial() -> Load:
    return Load("GET / (redirect)", "GET", "/", 303)


def _summary(server: Server) -> Load:
    return Load(
        "GET summary",
        "GET",
        f"/api/v1/regions/{OWN}/summary",
        200,
        headers={"Authorization": f"Bearer {server.token}"},
    )


def _open311_post(server: Server) -> Load:
    form = {
        "jurisdiction_id": server.jurisdiction,
        "service_code": server.service_code,
        "description": "路灯不亮 street light out",
        "address_string": "湖滨路 12 号",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812341234",
    }
    return Load(
        "POST Open311 request",
        "POST",
        "/open311/v2/requests.json",
        201,
        body=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def _measure(
    benchmark: BenchmarkFixture, server: Server, load: Load, total: int
) -> tuple[Measured, Measured]:
    """The load and the trivial baseline, each after its own warm-up."""
    drive(server.port, _trivial(), WARM_UP)
    baseline, baseline_cpu_ms = _timed(server, _trivial(), total)
    drive(server.port, load, WARM_UP)
    measured, cpu_ms = benchmark.pedantic(  # type: ignore[no-untyped-call]
        _timed, args=(server, load, total), rounds=1
    )
    info = {
        **measured.figures(),
        "server_cpu_ms_per_request": round(cpu_ms, 2),
        **{f"baseline_{key}": value for key, value in baseline.figures().items()},
        "baseline_server_cpu_ms_per_request": round(baseline_cpu_ms, 2),
        "baseline_over_load": round(baseline.per_second / measured.per_second, 2),
        "concurrency": CONCURRENCY,
        "register": server.register,
    }
    benchmark.extra_info.update(info)
    print(f"\n{load.name} on {server.register}: {json.dumps(info)}")
    return measured, baseline


def test_dashboard_summary_reads_against_a_trivial_endpoint(
    benchmark: BenchmarkFixture, server: Server
) -> None:
    measured, baseline = _measure(benchmark, server, _summary(server), READS)
    assert measured.errors == baseline.errors == 0
    assert measured.requests == READS


def test_open311_posts_against_a_trivial_endpoint(
    benchmark: BenchmarkFixture, server: Server
) -> None:
    measured, baseline = _measure(benchmark, server, _open311_post(server), POSTS)
    assert measured.errors == baseline.errors == 0
    assert measured.requests == POSTS
