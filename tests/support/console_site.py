"""A served demo-like workspace and a browser page on it, for the console's browser tests
(``tests/e2e/console``; its ``conftest.py`` turns these into fixtures).

The workspace is made by the project's own pipeline: ``cityops.demo.run_demo`` on the
tiny synthetic city for two months (so trends and run comparisons have something to
show), plus a run of the last month with a Monte Carlo uncertainty analysis, the
shipped purchase-of-service example and ``tests/e2e/console/contracts.yaml`` (a PPP
that breaks the 10-year rule and a district's platform-company contract), a draft
statement of every contract for each month, and one user per role the tests log in
as.  ``serve`` runs ``cityops serve`` on it, on a free loopback port.

``ConsolePage`` wraps a Playwright page that collects console errors, page errors and
requests to anything but the served address (those are aborted: the console must
work offline).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, Route, StorageState, ViewportSize

from cityops.access.roles import Role
from cityops.accounts.store import create_user
from cityops.demo import run_demo
from cityops.domain.period import Period
from cityops.evaluation.model import EvaluationRun
from cityops.register.engine import make_engine
from cityops.services.evaluation import evaluate_period
from cityops.services.settlement import load_contracts, settle_period
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.workspace import Workspace

__all__ = [
    "ARTEFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "CITY",
    "CONTRACT_FILES",
    "MONTHS",
    "USERS",
    "BrowserLog",
    "ConsolePage",
    "ConsoleSite",
    "LoadTimes",
    "OpenConsole",
    "build_console_site",
    "log_in",
    "new_console_page",
    "serve",
]

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "test-artifacts" / "console"
"""Screenshots and the page-load report (ignored by git)."""
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CONTRACT_FILES = (
    REPO / "examples" / "contracts" / "demo-purchase-of-service.yaml",
    REPO / "tests" / "e2e" / "console" / "contracts.yaml",
)
CITY = "970100"
"""The synthetic city; every test user is bound to it."""
MONTHS = (Period(2025, 1), Period(2025, 2))
REPLICATIONS = 40
PASSWORD = "Console-e2e-password-1"
USERS: dict[Role, str] = {
    Role.SUPERVISOR: "console-supervisor",
    Role.EVALUATOR: "console-evaluator",
    Role.OPERATOR: "console-operator",
    Role.DEPARTMENT: "console-department",
}
OPERATOR_ID = "OP-DEMO-CITIZEN-CLOUD"
"""The operator of the shipped purchase-of-service example."""
DEPARTMENT = "城管局"
VIEWPORT = ViewportSize(width=1400, height=900)
TIMEOUT_MS = 30_000


SCALE_ENV = "CITYOPS_CONSOLE_SCALE"
"""The synthetic city's scale (default ``tiny``); ``county`` measures the page load times on
the county of ``make demo`` (building it takes a few minutes)."""


@dataclass(frozen=True, slots=True)
class ConsoleSite:
    """The built workspace and what the tests need to find their way in it."""

    workspace: Workspace
    monthly_runs: tuple[EvaluationRun, ...]
    """One plain run per month of ``MONTHS``, oldest first."""
    uncertainty_run: EvaluationRun
    """A run of the last month with ``REPLICATIONS`` Monte Carlo replications."""
    contract_ids: tuple[str, ...]
    base_url: str = ""

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def build_console_site(directory: Path) -> ConsoleSite:
    """Build the workspace in ``directory/ws`` (about a minute on two cores)."""
    scale = os.environ.get(SCALE_ENV, "tiny")
    demo = run_demo(directory / "ws", scale=scale, months=len(MONTHS), start=MONTHS[0], seed=3)
    workspace = demo.workspace
    contract_ids: list[str] = []
    with unit_of_work(workspace) as uow:
        uncertainty_run, _ = evaluate_period(uow, MONTHS[-1], replications=REPLICATIONS)
        for path in CONTRACT_FILES:
            contract_ids += [c.contract_id for c in load_contracts(uow, path).contracts]
        for contract_id in contract_ids:
            for month in MONTHS:
                settle_period(uow, contract_id, month, by="console-fixture")
    _create_users(workspace)
    return ConsoleSite(workspace, demo.runs, uncertainty_run, tuple(contract_ids))


def _create_users(workspace: Workspace) -> None:
    engine = make_engine(workspace.register_url)
    try:
        for role, username in USERS.items():
            with engine.begin() as connection:
                create_user(
                    connection,
                    username=username,
                    password=PASSWORD,
                    role=role,
                    region_code=CITY,
                    operator_id=OPERATOR_ID if role is Role.OPERATOR else None,
                    department=DEPARTMENT if role is Role.DEPARTMENT else None,
                )
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"cityops serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"cityops serve did not answer {url} within {timeout_s} s")


@contextmanager
def serve(site: ConsoleSite, log_path: Path) -> Iterator[ConsoleSite]:
    """Run ``cityops serve`` over the site's workspace on a free loopback port until the
    block ends; its output goes to ``log_path``."""
    port = _free_port()
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cityops",
                "serve",
                "-w",
                str(site.workspace.root),
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            served = ConsoleSite(
                site.workspace,
                site.monthly_runs,
                site.uncertainty_run,
                site.contract_ids,
                base_url=f"http://127.0.0.1:{port}",
            )
            _wait_until_serving(served.url("/console/login"), server, timeout_s=60)
            yield served
        finally:
            server.terminate()
            server.wait(timeout=20)


def log_in(browser: Browser, site: ConsoleSite, role: Role) -> StorageState:
    """The browser storage (session cookie) after logging in as ``role`` through the form."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site.url("/console/login"))
        page.fill("input[name=username]", USERS[role])
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url("**/console/overview")
        return context.storage_state()
    finally:
        context.close()


@dataclass
class BrowserLog:
    """What a page did that a test should see."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*self.console_errors, *self.page_errors, *self.blocked_requests]


@dataclass(frozen=True, slots=True)
class ConsolePage:
    page: Page
    log: BrowserLog
    site: ConsoleSite

    def open(self, path: str) -> None:
        """Go to ``path`` and wait until it has drawn: the network is idle and, on a
        page that says when it is done (``body[data-ready]``, set by ``cityops.ready``),
        it has said so."""
        self.page.goto(self.site.url(path))
        self.page.wait_for_load_state("networkidle")
        if self.page.evaluate("typeof window.cityops?.ready === 'function'"):
            self.page.wait_for_function("() => document.body.dataset.ready !== undefined")

    def load_times(self) -> dict[str, float | None]:
        """Milliseconds from the start of navigation (Navigation Timing): first byte,
        DOM ready, load event, and the ``cityops-ready`` mark (data fetched and charts
        drawn) when the page sets it."""
        timings: dict[str, float | None] = self.page.evaluate(
            """() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const ready = performance.getEntriesByName("cityops-ready")[0];
              return { first_byte_ms: nav.responseStart,
                       dom_ready_ms: nav.domContentLoadedEventEnd,
                       load_ms: nav.loadEventEnd,
                       data_drawn_ms: ready ? ready.startTime : null };
            }"""
        )
        return timings

    def screenshot(self, name: str) -> Path:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTEFACTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


OpenConsole = Callable[..., ConsolePage]
"""The ``console`` fixture: ``console(role, lang="zh")`` → a logged-in page."""
LoadTimes = dict[str, dict[str, float | None]]
"""Page name → its load timings (``ConsolePage.load_times``)."""


def new_console_page(
    browser: Browser, site: ConsoleSite, storage: StorageState, lang: str
) -> ConsolePage:
    """A page in a new browser context with ``storage`` (a logged-in user) and the
    console language ``lang``, collecting errors and refusing off-machine requests."""
    context = browser.new_context(storage_state=storage, viewport=VIEWPORT)
    context.add_cookies([{"name": "cityops_lang", "value": lang, "url": site.base_url}])
    context.set_default_timeout(TIMEOUT_MS)
    log = BrowserLog()
    served = urlsplit(site.base_url).netloc

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).netloc == served:
            route.continue_()
        else:
            log.blocked_requests.append(f"request off the machine: {route.request.url}")
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.console_errors.append(f"console error: {message.text} @ {message.location}")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(f"page error: {error}"))
    return ConsolePage(page, log, site)
