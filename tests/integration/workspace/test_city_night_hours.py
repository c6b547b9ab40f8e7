"""A city moves the hotline's night by editing ``[hotline]`` in ``cityops.toml`` alone:
the night response rate and the hotline page's night figures follow.

Six tickets of March 2025 in district 330102 (local time), counted by hand:

======  =======  ==============  =====================  ==================
ticket  created  first response  22:00–06:00 (default)  23:00–07:00 (city)
======  =======  ==============  =====================  ==================
T1      22:30    after 20 min    night, in time         day
T2      06:30    after 60 min    day                    night, late
T3      05:00    after 10 min    night, in time         night, in time
T4      23:15    never           night, late            night, late
T5      12:00    after 5 min     day                    day
T6      06:45    never           day                    night, late
======  =======  ==============  =====================  ==================

Default: 3 tickets at night, 2 answered within 30 minutes; the city's: 4 and 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_workspace import make_workspace, write_text

from cityops.domain.night import NightHours
from cityops.domain.period import Period
from cityops.ingestion.batch import ingest_file
from cityops.services.indicators import compute_period, explain_stored_fact
from cityops.services.operations import HOTLINE
from cityops.services.unit_of_work import unit_of_work
from cityops.types import IndicatorCode, RegionCode
from cityops.workspace.config import CONFIG_FILE, HotlineConfig
from cityops.workspace.workspace import Workspace, open_workspace

DISTRICT = RegionCode("330102")
MARCH = Period(2025, 3)
CODE = IndicatorCode("capability.night_response_rate")

TICKET_EVENTS = "event_id,ticket_id,ts,status,region_code,category,department,channel\n" + "".join(
    f"{ticket}-{status},{ticket},2025-03-{ts},{status},{DISTRICT},路灯,城管局,phone\n"
    for ticket, status, ts in (
        ("T1", "created", "10 22:30:00"),
        ("T1", "responded", "10 22:50:00"),
        ("T2", "created", "11 06:30:00"),
        ("T2", "responded", "11 07:30:00"),
        ("T3", "created", "12 05:00:00"),
        ("T3", "responded", "12 05:10:00"),
        ("T4", "created", "13 23:15:00"),
        ("T5", "created", "14 12:00:00"),
        ("T5", "responded", "14 12:05:00"),
        ("T6", "created", "15 06:45:00"),
    )
)


def _night_figures(workspace: Workspace) -> tuple[tuple[float | None, float | None], int]:
    """The district's stored night response (numerator, denominator), computed as
    ``cityops indicators`` does, and the hotline page's tickets created at night."""
    with unit_of_work(workspace) as uow:
        facts, _ = compute_period(uow, MARCH)
        page = HOTLINE.answer(uow, DISTRICT, MARCH)
    [fact] = [f for f in facts if f.indicator == CODE and f.region_code == DISTRICT]
    assert (page.night_response.numerator, page.night_response.stored) == (fact.numerator, True)
    return (fact.numerator, fact.denominator), page.night_created


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = make_workspace(tmp_path)
    ingest_file(ws, "ticket_events", write_text(tmp_path / "tickets.csv", TICKET_EVENTS))
    return ws


def test_a_city_that_moves_its_night_hours_moves_the_night_figures(
    workspace: Workspace,
) -> None:
    assert workspace.config.hotline.night == NightHours(22, 6)
    assert _night_figures(workspace) == ((2, 3), 3)  # T1 ✓ T3 ✓ T4 ✗

    config = workspace.root / CONFIG_FILE
    text = config.read_text("utf-8")
    assert "night_start = 22\nnight_end = 6\n" in text, "cityops init writes the night"
    config.write_text(
        text.replace("night_start = 22\nnight_end = 6\n", "night_start = 23\nnight_end = 7\n"),
        "utf-8",
    )

    moved = open_workspace(workspace.root)
    assert moved.config.hotline.night == NightHours(23, 7)
    assert _night_figures(moved) == ((1, 4), 4)  # T2 ✗ T3 ✓ T4 ✗ T6 ✗
    with unit_of_work(moved) as uow:
        page = HOTLINE.answer(uow, DISTRICT, MARCH)
    assert (page.night_start, page.night_end) == (23, 7)  # for the console to shade


def test_a_fact_computed_before_the_night_moved_is_explained_as_of_another_definition(
    workspace: Workspace,
) -> None:
    with unit_of_work(workspace) as uow:
        compute_period(uow, MARCH)
    explained = explain_stored_fact(workspace, CODE, DISTRICT, MARCH)
    assert explained is not None
    assert explained.definition_current
    assert (explained.parameters["night_start"], explained.parameters["night_end"]) == (22, 6)

    moved = workspace.config.model_copy(
        update={"hotline": HotlineConfig(night_start=23, night_end=7)}
    )
    later = explain_stored_fact(Workspace(workspace.root, moved), CODE, DISTRICT, MARCH)
    assert later is not None
    assert not later.definition_current
    assert (later.parameters["night_start"], later.parameters["night_end"]) == (23, 7)
