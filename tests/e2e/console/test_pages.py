"""Every console page opens, draws its charts and logs no error, in both languages and
for the roles that see less; nothing is fetched from off the machine."""

from __future__ import annotations

import re
import urllib.request

import pytest
from console_site import ConsolePage, ConsoleSite, LoadTimes, OpenConsole

from cityops.access.roles import Role
from cityops.console.routes import CONSOLE_PAGES
from cityops.messages import Lang, label, messages

pytestmark = pytest.mark.slow

PAGES = [name for name, _ in CONSOLE_PAGES]
OWN_PAGES = ("overview", "evaluation", "contracts")


def assert_charts_drawn(console_page: ConsolePage) -> None:
    """Every visible chart container holds what ECharts draws (a canvas or an SVG),
    and the page shows at least one chart."""
    page = console_page.page
    charts = page.locator("main .chart:visible")
    assert charts.count() > 0, "the page shows no chart"
    for index in range(charts.count()):
        chart = charts.nth(index)
        drawn = chart.locator("canvas, svg")
        assert drawn.count() > 0, f"chart #{chart.get_attribute('id')} was not drawn"


def assert_clean(console_page: ConsolePage) -> None:
    """No error logged or thrown, nothing fetched from off the machine, the page's data
    loaded, and no label key shown in place of its text."""
    assert console_page.log.problems() == []
    assert console_page.page.evaluate("document.body.dataset.ready") != "error"
    text = console_page.page.locator("body").inner_text()
    shown_keys = [
        key for key in messages() if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text)
    ]
    assert shown_keys == []


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_draws_its_charts_without_errors(
    console: OpenConsole, load_report: LoadTimes, name: str, lang: Lang
) -> None:
    supervisor = console(Role.SUPERVISOR, lang)
    supervisor.open(f"/console/{name}")
    assert_clean(supervisor)
    assert_charts_drawn(supervisor)
    nav_label = label(dict(CONSOLE_PAGES)[name], lang)
    current = supervisor.page.locator("header nav a[aria-current=page]")
    assert current.inner_text() == nav_label
    supervisor.screenshot(f"{name}-{lang}")
    load_report[f"{name} ({lang})"] = supervisor.load_times()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_names_itself_in_the_title(console: OpenConsole, name: str) -> None:
    supervisor = console(Role.SUPERVISOR)
    supervisor.open(f"/console/{name}")
    title = label(dict(CONSOLE_PAGES)[name], Lang.ZH)
    assert supervisor.page.title().startswith(title)


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.OPERATOR, Role.DEPARTMENT])
@pytest.mark.parametrize("name", OWN_PAGES)
def test_pages_open_cleanly_for_roles_that_see_less(
    console: OpenConsole, role: Role, name: str
) -> None:
    user = console(role)
    user.open(f"/console/{name}")
    assert_clean(user)


@pytest.mark.parametrize("name", ["evaluation", "contracts"])
def test_a_department_is_told_it_may_not_see_evaluations_or_contracts(
    console: OpenConsole, name: str
) -> None:
    department = console(Role.DEPARTMENT)
    department.open(f"/console/{name}")
    notice = department.page.locator("#not-allowed")
    assert notice.is_visible()
    assert notice.inner_text() == label("common.not_allowed", Lang.ZH)


def test_a_department_sees_the_key_figures_but_no_evaluation(console: OpenConsole) -> None:
    department = console(Role.DEPARTMENT)
    department.open("/console/overview")
    assert department.page.locator("#no-run").is_visible()
    assert department.page.locator("#figures dd").count() == 5
    assert not department.page.locator("#directions-card").is_visible()


def test_an_operator_sees_only_the_contract_it_holds(console: OpenConsole) -> None:
    operator = console(Role.OPERATOR)
    operator.open("/console/contracts")
    shown = operator.page.locator("#contracts-by-model tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.key)"
    )
    assert shown == ["DEMO-970100-2025-PORTAL"]
    assert operator.page.locator("#compliance-table").inner_text() == (
        label("common.not_allowed", Lang.ZH)
    )


@pytest.mark.parametrize("name", PAGES)
def test_a_visitor_without_a_session_is_sent_to_the_login_page(
    console_site: ConsoleSite, name: str
) -> None:
    with urllib.request.urlopen(console_site.url(f"/console/{name}")) as response:
        assert response.url == console_site.url("/console/login")


@pytest.mark.parametrize("name", ["overview", "evaluation"])
def test_pages_and_chart_tooltips_work_under_the_content_security_policy(
    console: OpenConsole, name: str
) -> None:
    """The served policy forbids inline scripts and styles; Chromium logs every
    violation as a console error, which ``assert_clean`` refuses."""
    supervisor = console(Role.SUPERVISOR)
    page = supervisor.page
    served = page.request.get(supervisor.site.url(f"/console/{name}"))
    assert "script-src 'self';" in served.headers["content-security-policy"]
    supervisor.open(f"/console/{name}")
    chart = page.locator("main .chart:visible canvas").first
    box = chart.bounding_box()
    assert box is not None
    for fraction in (0.3, 0.5, 0.7):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.5)
        page.wait_for_timeout(200)
    assert_clean(supervisor)
