"""The evaluation page against the runs the pipeline made: the framework tree with the
region's scores, the uncertainty of a Monte Carlo run, and two runs compared."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from console_site import CITY, ConsolePage, OpenConsole

from cityops.access.roles import Role
from cityops.evaluation.model import EvaluationRun
from cityops.messages import Lang, label

pytestmark = pytest.mark.slow

FRAMEWORK = Path(__file__).parents[3] / "src" / "cityops" / "evaluation" / "framework.yaml"


def shown_number(text: str) -> float:
    return float(text.replace("+", "").replace(",", ""))


def rows_by_key(console_page: ConsolePage, table: str) -> dict[str, list[str]]:
    """Each body row of the table in ``#table``: its key → the texts of its cells."""
    rows = console_page.page.locator(f"#{table} tbody tr")
    return {
        str(row.get_attribute("data-key")): [
            cell.inner_text() for cell in row.locator("th, td").all()
        ]
        for row in rows.all()
    }


def framework_indicators() -> list[str]:
    framework: dict[str, Any] = yaml.safe_load(FRAMEWORK.read_text("utf-8"))
    return [
        indicator["code"]
        for direction in framework["directions"]
        for content in direction["contents"]
        for indicator in content["indicators"]
    ]


def difference(now: float | None, before: float | None) -> float:
    assert now is not None, "scored in the later run"
    assert before is not None, "scored in the earlier run"
    return now - before


def focus(run: EvaluationRun) -> list[str]:
    """The city and its scored districts: what the page's comparison shows."""
    return [
        r.region_code
        for r in run.regions
        if (r.region_code == CITY or r.parent_code == CITY) and r.score is not None
    ]


def test_the_framework_tree_shows_every_indicator_and_the_city_scores(
    console: OpenConsole,
) -> None:
    supervisor = console(Role.SUPERVISOR)
    run = supervisor.site.monthly_runs[-1]
    supervisor.open(f"/console/evaluation?run={run.run_id}")
    rows = rows_by_key(supervisor, "framework-table")
    result = run.region(CITY)
    assert shown_number(rows["total"][2]) == pytest.approx(result.score, abs=0.051)
    for direction, score in result.directions.items():
        assert score is not None
        assert shown_number(rows[direction][2]) == pytest.approx(score, abs=0.051)
    buttons = supervisor.page.locator("#framework-table button[data-indicator]")
    codes = [button.get_attribute("data-indicator") for button in buttons.all()]
    assert codes == framework_indicators()
    assert shown_number(supervisor.page.locator("#score").inner_text()) == pytest.approx(
        result.score, abs=0.051
    )


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
def test_the_framework_tree_names_its_contents_in_the_page_language(
    console: OpenConsole, lang: Lang
) -> None:
    reader = console(Role.SUPERVISOR, lang=lang.value)
    reader.open("/console/evaluation")
    names = reader.page.locator("#framework-table tbody").inner_text()
    framework: dict[str, Any] = yaml.safe_load(FRAMEWORK.read_text("utf-8"))
    for direction in framework["directions"]:
        for content in direction["contents"]:
            assert content["name" if lang is Lang.ZH else "name_en"] in names
    assert reader.log.problems() == []


def test_a_monte_carlo_run_shows_rank_intervals_and_stage_probabilities(
    console: OpenConsole,
) -> None:
    supervisor = console(Role.SUPERVISOR)
    run = supervisor.site.uncertainty_run
    supervisor.open(f"/console/evaluation?run={run.run_id}")
    page = supervisor.page
    assert not page.locator("#no-uncertainty").is_visible()
    assert page.locator("#rank-intervals canvas").count() > 0
    assert page.locator("#stage-probability canvas").count() > 0
    rows = rows_by_key(supervisor, "uncertainty-table")
    assert sorted(rows) == sorted(focus(run))
    for code, cells in rows.items():
        uncertainty = run.region(code).uncertainty
        assert uncertainty is not None
        assert cells[4] == f"{uncertainty.rank_best} – {uncertainty.rank_worst}"
        for stage, probability in uncertainty.stage_probability.items():
            shown = re.search(rf"{label(f'stage.{stage}', Lang.ZH)} (\d+)%", cells[5])
            if probability == 0:
                assert shown is None, f"{stage} is never reached in {code}"
            else:
                assert shown is not None, f"{stage} is reached in {code}"
                assert int(shown.group(1)) == pytest.approx(probability * 100, abs=0.5 + 1e-9)
    assert page.locator("#replications").inner_text().endswith(str(run.replications))


def test_a_run_without_replications_says_it_has_no_uncertainty(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR)
    supervisor.open(f"/console/evaluation?run={supervisor.site.monthly_runs[0].run_id}")
    assert supervisor.page.locator("#no-uncertainty").is_visible()
    assert not supervisor.page.locator("#uncertainty-charts").is_visible()


def test_comparing_two_runs_shows_each_region_score_difference(console: OpenConsole) -> None:
    supervisor = console(Role.SUPERVISOR)
    earlier, later = supervisor.site.monthly_runs
    supervisor.open(f"/console/evaluation?run={later.run_id}&compare={earlier.run_id}")
    assert supervisor.page.locator("#compare-chart canvas").count() > 0
    rows = rows_by_key(supervisor, "compare-table")
    assert sorted(rows) == sorted(focus(later))
    for code, cells in rows.items():
        change = difference(later.region(code).score, earlier.region(code).score)
        assert shown_number(cells[3]) == pytest.approx(change, abs=0.051)
    directions = rows_by_key(supervisor, "compare-directions")
    for direction, cells in directions.items():
        change = difference(
            later.region(CITY).directions[direction], earlier.region(CITY).directions[direction]
        )
        assert shown_number(cells[3]) == pytest.approx(change, abs=0.051)
    assert supervisor.log.problems() == []
