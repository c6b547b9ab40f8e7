"""`cityops demo` end to end, as `make demo` runs it, on the small test scale."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from cityops.domain.contract import TABLES
from cityops.domain.period import Period
from cityops.indicators.engine import compute_indicators
from cityops.indicators.facts import read_facts
from cityops.services.unit_of_work import open_analytics
from cityops.workspace.workspace import open_workspace


def demo(workspace: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityops", "demo", "-w", str(workspace), "--scale", "tiny", *extra],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    workspace = tmp_path_factory.mktemp("demo") / "ws"
    done = demo(workspace, "--json")
    assert done.returncode == 0, done.stderr
    return workspace, json.loads(done.stdout)


def test_every_generated_row_is_accounted_for(finished: tuple[Path, dict[str, Any]]) -> None:
    workspace, summary = finished
    sources = workspace / "sources"
    generated = sum(pq.ParquetFile(sources / f"{t.name}.parquet").metadata.num_rows for t in TABLES)
    ingest = summary["ingest"]
    assert ingest["received"] == generated
    assert ingest["received"] == ingest["stored"] + ingest["quarantined"] + ingest["duplicates"]
    assert ingest["quarantined"] == 0  # the synthetic city keeps the contract


def test_the_summary_is_the_saved_evaluation_run(finished: tuple[Path, dict[str, Any]]) -> None:
    workspace, summary = finished
    saved = json.loads((workspace / "runs" / f"{summary['run_id']}.json").read_text("utf-8"))
    saved_scores = {r["region_code"]: r["score"] for r in saved["regions"]}
    districts = [r for r in summary["regions"] if r["level"] == "district"]
    assert len(districts) == 3  # the tiny scale has three districts
    for region in summary["regions"]:
        assert region["score"] == saved_scores[region["region_code"]]
        assert set(region["directions"]) == {"content", "mechanism", "capability", "effectiveness"}


def test_the_strong_district_outranks_the_weak_one(finished: tuple[Path, dict[str, Any]]) -> None:
    workspace, summary = finished
    truth = json.loads((workspace / "sources" / "truth.json").read_text("utf-8"))
    rank = {r["region_code"]: r["rank"] for r in summary["regions"]}
    assert rank[truth["strong_district"]] < rank[truth["weak_district"]]


def test_the_report_shows_every_district_score(finished: tuple[Path, dict[str, Any]]) -> None:
    _, summary = finished
    html = Path(summary["report"]).read_text("utf-8")
    for region in summary["regions"]:
        assert region["name"] in html
        assert f"{region['score']:.1f}" in html


def test_a_second_demo_replaces_its_own_workspace_only(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert demo(workspace).returncode == 0
    again = demo(workspace)
    assert again.returncode == 0, again.stderr
    stranger = tmp_path / "mine"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("keep me")
    refused = demo(stranger)
    assert refused.returncode == 1
    assert "was not made by `cityops demo`" in refused.stderr
    assert (stranger / "notes.txt").read_text() == "keep me"


# indicator → (truth metric of its numerator, truth metric of its denominator)
TRUTH_OF = {
    "capability.response_30min_rate": ("tickets_responded_30min", "tickets_created"),
    "capability.night_response_rate": ("night_tickets_responded_30min", "night_tickets_created"),
    "capability.on_time_closure_rate": ("tickets_closed_on_time", "tickets_due"),
    "capability.service_success_rate": ("service_calls_ok", "service_calls"),
    "capability.portal_service_coverage": ("services_on_portal", "services_active"),
    "capability.online_availability": ("system_probes_up", "system_probes"),
    "capability.team_staffing_rate": ("staff_required_certified", "staff_required"),
    "infra.camera_sharing_rate": ("shared_cameras", "active_cameras"),
    "infra.camera_intact_rate": ("intact_cameras", "active_cameras"),
    "effect.mau_rate": ("active_users", "registered_users"),
    "effect.rating_good_rate": ("ratings_good", "ratings"),
    "effect.hotline_satisfaction": ("callbacks_satisfied", "callbacks"),
    "data.sharing_rate": ("data_resources_shared", "data_resources"),
    "data.open_rate": ("data_resources_open", "data_resources"),
}


def test_indicator_counts_equal_the_generators_truth(
    finished: tuple[Path, dict[str, Any]],
) -> None:
    """The generator counted what it wrote; the indicators counted what was ingested.
    Every numerator and denominator must agree at every region of every level."""
    workspace, summary = finished
    truth = json.loads((workspace / "sources" / "truth.json").read_text("utf-8"))
    known = truth["months_data"][summary["period"]]
    facts = pq.read_table(workspace / "facts" / f"{summary['period']}.parquet").to_pylist()
    checked = 0
    for fact in facts:
        if fact["indicator"] not in TRUTH_OF:
            continue
        numerator_metric, denominator_metric = TRUTH_OF[fact["indicator"]]
        expected = (
            known[numerator_metric].get(fact["region_code"], 0),
            known[denominator_metric].get(fact["region_code"], 0),
        )
        assert (fact["numerator"] or 0, fact["denominator"] or 0) == expected, fact
        checked += 1
    assert checked == len(TRUTH_OF) * len(truth["regions"])


def test_recomputing_a_period_gives_bit_identical_facts(
    finished: tuple[Path, dict[str, Any]],
) -> None:
    """DuckDB aggregates in parallel; sums of floats must still not depend on the order."""
    workspace_dir, summary = finished
    workspace = open_workspace(workspace_dir)
    period = Period.parse(summary["period"])
    stored = read_facts(workspace.facts_path(period))
    for _ in range(3):
        con = open_analytics(workspace)
        try:
            assert compute_indicators(con, period) == stored
        finally:
            con.close()
