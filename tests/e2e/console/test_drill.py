"""From the overview's key figures down to an indicator: its definition, the numbers
behind the stored fact and its history, as the facts files hold them."""

from __future__ import annotations

import pytest
from console_site import CITY, MONTHS, OpenConsole

from cityops.access.roles import Role
from cityops.domain.period import Period
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.facts import read_facts
from cityops.workspace.workspace import Workspace

pytestmark = pytest.mark.slow

INDICATOR = "capability.response_30min_rate"


def stored_fact(workspace: Workspace, month: Period, indicator: str) -> tuple[float, float, float]:
    """(value, numerator, denominator) of the city's fact, read from the facts file."""
    for fact in read_facts(workspace.facts_path(month)):
        if fact.indicator == indicator and fact.region_code == CITY:
            assert fact.value is not None
            assert fact.numerator is not None
            assert fact.denominator is not None
            return fact.value, fact.numerator, fact.denominator
    raise AssertionError(f"no {indicator} fact for {CITY} in {month}")


def test_a_key_figure_opens_its_indicator_with_formula_numbers_and_history(
    console: OpenConsole,
) -> None:
    supervisor = console(Role.SUPERVISOR)
    supervisor.open("/console/overview")
    page = supervisor.page
    page.click("#figures a[data-figure='response_30min_rate']")
    page.wait_for_url("**/console/evaluation?**")
    page.wait_for_function("() => document.body.dataset.ready !== undefined")
    panel = page.locator("#indicator")
    assert panel.is_visible()
    assert panel.get_attribute("data-indicator") == INDICATOR

    meta = next(m for m in load_catalogue().indicators if m.code == INDICATOR)
    assert page.locator("#indicator-title").inner_text() == f"{meta.name_zh} ({INDICATOR})"
    assert page.locator("#indicator-formula").inner_text() == meta.formula

    workspace = supervisor.site.workspace
    value, numerator, denominator = stored_fact(workspace, MONTHS[-1], INDICATOR)
    explain = page.locator("#indicator-explain")
    assert explain.locator("[data-field=value]").inner_text() == f"{value * 100:.1f}%"
    assert explain.locator("[data-field=numerator]").inner_text() == f"{numerator:.2f}"
    assert explain.locator("[data-field=denominator]").inner_text() == f"{denominator:.2f}"
    assert numerator / denominator == pytest.approx(value)

    rows = page.locator("#history-table tbody tr").all()
    # The table sits in a closed <details>: its text is there but not rendered.
    shown = {row.get_attribute("data-key"): row.locator("td").first.text_content() for row in rows}
    expected = {
        str(month): f"{stored_fact(workspace, month, INDICATOR)[0] * 100:.1f}%" for month in MONTHS
    }
    assert shown == expected
    assert page.locator("#history canvas").count() > 0
    assert supervisor.log.problems() == []


def test_clicking_an_indicator_in_the_framework_tree_opens_it(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR, "en")
    supervisor.open("/console/evaluation")
    page = supervisor.page
    assert not page.locator("#indicator").is_visible()
    page.click("#framework-table button[data-indicator='infra.camera_intact_rate']")
    page.wait_for_selector("#indicator[data-indicator='infra.camera_intact_rate']")
    meta = next(m for m in load_catalogue().indicators if m.code == "infra.camera_intact_rate")
    assert page.locator("#indicator-title").inner_text() == f"{meta.name_en} ({meta.code})"
    assert "indicator=infra.camera_intact_rate" in page.url
    assert supervisor.log.problems() == []
