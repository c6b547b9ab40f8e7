"""Fixtures of the console's browser tests (``tests/support/console_site``).

- ``console_site``: the demo-like workspace served by ``cityops serve`` on a free
  loopback port, built once per session;
- ``browser``: Debian's headless Chromium (Playwright downloads no browser);
- ``console``: ``console(role, lang="zh")`` opens a page logged in as ``role``
  (logged in once per role through the login form), collecting console errors, page
  errors and off-machine requests;
- ``load_report``: page name → load timings; the report is written to
  ``test-artifacts/console/`` and printed at the end of the run (never asserted).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from console_site import (
    ARTEFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ConsolePage,
    ConsoleSite,
    LoadTimes,
    OpenConsole,
    build_console_site,
    log_in,
    new_console_page,
    serve,
)
from playwright.sync_api import Browser, StorageState, sync_playwright

from cityops.access.roles import Role

_LOAD_TIMES = pytest.StashKey[LoadTimes]()
_COLUMNS = ("first_byte_ms", "dom_ready_ms", "load_ms", "data_drawn_ms")


@pytest.fixture(scope="session")
def console_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleSite]:
    directory = tmp_path_factory.mktemp("console")
    with serve(build_console_site(directory), directory / "serve.log") as site:
        yield site


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def _logged_in() -> dict[Role, StorageState]:
    """Each role's session, made on first use and kept for the test session."""
    return {}


@pytest.fixture
def console(
    browser: Browser, console_site: ConsoleSite, _logged_in: dict[Role, StorageState]
) -> Iterator[OpenConsole]:
    pages: list[ConsolePage] = []

    def open_console(role: Role, lang: str = "zh") -> ConsolePage:
        if role not in _logged_in:
            _logged_in[role] = log_in(browser, console_site, role)
        page = new_console_page(browser, console_site, _logged_in[role], lang)
        pages.append(page)
        return page

    yield open_console
    for page in pages:
        page.page.context.close()


@pytest.fixture(scope="session")
def load_report(pytestconfig: pytest.Config) -> LoadTimes:
    return pytestconfig.stash.setdefault(_LOAD_TIMES, {})


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Write the page-load report (JSON and a text table) and print the table."""
    measured = config.stash.get(_LOAD_TIMES, {})
    if not measured:
        return
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "load-times.json").write_text(json.dumps(measured, indent=2) + "\n", "utf-8")
    lines = [f"{'page':<28}" + "".join(f"{column:>16}" for column in _COLUMNS)]
    for name, timings in sorted(measured.items()):
        cells = (timings.get(column) for column in _COLUMNS)
        lines.append(
            f"{name:<28}" + "".join(f"{'—' if v is None else f'{v:.0f}':>16}" for v in cells)
        )
    (ARTEFACTS / "load-times.txt").write_text("\n".join(lines) + "\n", "utf-8")
    terminalreporter.write_sep("-", "console page load times in ms (measured, not asserted)")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"report: {ARTEFACTS / 'load-times.txt'}")
