"""``cityops demo``: the main job end to end, on a synthetic city.

synthetic city → workspace → ingest → indicators → evaluation → HTML report.
Every number comes from the generated rows through the same steps a real
city's data takes; nothing is hard-coded.  The demo's workspace carries a
marker file, so running the demo again replaces its own earlier workspace but
never a directory it did not make.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cityops.domain.period import Period
from cityops.errors import WorkspaceError
from cityops.evaluation.model import EvaluationRun
from cityops.ingestion.directory import ingest_directory
from cityops.pipeline import compute_period, evaluate_period, write_report
from cityops.register.batches import IngestBatch
from cityops.synth import generate_city
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

__all__ = ["DEMO_MARKER", "DemoResult", "run_demo"]

DEMO_MARKER = ".cityops-demo"
"""A file in the workspace's root that says the demo made it."""

SOURCES_DIR = "sources"


@dataclass(frozen=True, slots=True)
class DemoResult:
    workspace: Workspace
    sources: Path
    batches: tuple[IngestBatch, ...]
    runs: tuple[EvaluationRun, ...]
    """One evaluation run per month, oldest first."""
    report: Path

    @property
    def latest_run(self) -> EvaluationRun:
        return self.runs[-1]


def run_demo(
    root: Path,
    *,
    scale: str = "county",
    months: int = 1,
    start: Period,
    seed: int = 1,
    progress: bool = False,
    on_step: Callable[[str], None] | None = None,
    on_batch: Callable[[IngestBatch], None] | None = None,
) -> DemoResult:
    """Run the whole pipeline into a new workspace at ``root``.

    ``on_step`` hears the name of each step as it starts, ``on_batch`` each
    ingested file, so a caller can show progress.
    """
    step = on_step or (lambda _: None)
    _clear_previous_demo(root)
    root.parent.mkdir(parents=True, exist_ok=True)

    step("synth")
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        generate_city(
            staging, scale=scale, months=months, start=start, seed=seed, progress=progress
        )
        step("init")
        workspace = create_workspace(root, name=_city_name(staging / "truth.json"))
        (root / DEMO_MARKER).write_text("made by cityops demo; safe to delete\n", "utf-8")
        sources = root / SOURCES_DIR
        shutil.move(staging, sources)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    step("ingest")
    batches = ingest_directory(workspace, sources, on_batch)
    runs: list[EvaluationRun] = []
    for offset in range(months):
        period = start.plus(offset)
        step(f"indicators {period}")
        compute_period(workspace, period)
        step(f"evaluate {period}")
        runs.append(evaluate_period(workspace, period)[0])
    step("report")
    report = write_report(workspace, runs[-1])
    return DemoResult(workspace, sources, tuple(batches), tuple(runs), report)


def _clear_previous_demo(root: Path) -> None:
    if not root.exists():
        return
    if (root / DEMO_MARKER).is_file():
        shutil.rmtree(root)
    elif any(root.iterdir()):
        raise WorkspaceError(
            f"{root} exists and was not made by `cityops demo`; "
            "choose another directory with --workspace"
        )


def _city_name(truth_file: Path) -> str:
    """The name of the synthetic city (the region at level ``city``)."""
    truth = json.loads(truth_file.read_text("utf-8"))
    names = [r["name"] for r in truth["regions"].values() if r["level"] == "city"]
    return str(names[0]) if names else "synthetic city"
