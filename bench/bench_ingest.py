"""How fast a month of portal events is ingested, against a plain DuckDB copy of the same file.

Run with ``make bench`` (``pytest bench --benchmark-only``).  A county month
always runs; set ``CITYOPS_BENCH_SCALE=city`` to add a city month.  The
synthetic city is generated once per scale; then, each in a child process so
that peak resident memory (``ru_maxrss``) is its own:

- the baseline: a plain copy of the file into Parquet,
  ``COPY (SELECT * FROM read_parquet(f)) TO … (FORMAT parquet)`` (``read_csv``
  with DuckDB's own type detection for the CSV file);
- ``cityops`` ingestion of the same file into a workspace whose regions and
  services are loaded (validation, dedupe within the file and against the
  lake, accounting, quarantine, derived tables, commit);
- the same ingestion with the derived tables left out (the user index and the
  user × day tables are replaced by no-ops in that child process only): what
  validation, dedupe and accounting cost by themselves, the issue's target;

once for the month's Parquet file and once for the same rows as UTF-8 CSV.

Each prints rows, seconds, rows/s, peak RSS and the ratios ingest ÷ baseline
(whole, and without the derived tables) of wall time and of CPU time (user +
system; steadier on a shared machine).
The plain copy's CPU time includes interpreter start and import of DuckDB
(≈ 0.2 s), so the CPU ratio slightly flatters ingestion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

GENERATE = """
import sys
from pathlib import Path
from cityops.domain.period import Period
from cityops.synth import generate_city
generate_city(Path(sys.argv[1]), scale=sys.argv[2], months=1, start=Period(2025, 1))
"""

TO_CSV = """
import sys, duckdb
con = duckdb.connect()
con.execute("SET TimeZone = 'Asia/Shanghai'")
con.execute(f"COPY (SELECT * REPLACE (strftime(ts, '%Y-%m-%dT%H:%M:%S.%f%z') AS ts) "
            f"FROM read_parquet('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT csv, HEADER)")
"""

PLAIN_COPY = """
import json, resource, sys, time, duckdb
con = duckdb.connect()
reader = "read_csv" if sys.argv[1].endswith(".csv") else "read_parquet"
started = time.perf_counter()
[(rows,)] = con.execute(f"COPY (SELECT * FROM {reader}('{sys.argv[1]}')) "
                        f"TO '{sys.argv[2]}' (FORMAT parquet)").fetchall()
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_kb": usage.ru_maxrss,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""

INGEST = """
import json, resource, sys, time
from pathlib import Path
from cityops.ingestion.batch import ingest_file
from cityops.workspace.create import create_workspace
sources, source, root = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
if sys.argv[4:] == ["without-derived"]:
    import cityops.ingestion.batch
    cityops.ingestion.batch.stage_user_index = lambda *args, **kwargs: []
    cityops.ingestion.batch.stage_day_derived = lambda *args, **kwargs: []
ws = create_workspace(root, name="bench")
for name in ("regions", "services"):
    ingest_file(ws, name, sources / f"{name}.parquet")
before = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
batch = ingest_file(ws, "portal_events", source)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
print(json.dumps({"rows": batch.received, "stored": batch.stored, "seconds": seconds,
                  "peak_rss_kb": usage.ru_maxrss, "cpu_seconds": cpu}))
"""

SCALES = ["county"] + [
    s for s in os.environ.get("CITYOPS_BENCH_SCALE", "").split(",") if s and s != "county"
]


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def _child(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter and return the JSON it prints last."""
    result: dict[str, Any] = json.loads(_run(script, *args).strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module", params=SCALES)
def month(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic month (all tables) of the scale, plus portal_events as CSV."""
    sources = tmp_path_factory.mktemp(f"ingest-{request.param}")
    _run(GENERATE, str(sources), str(request.param))
    _run(TO_CSV, str(sources / "portal_events.parquet"), str(sources / "portal_events.csv"))
    return sources


def _summary(
    result: dict[str, Any], without_derived: dict[str, Any], baseline: dict[str, Any]
) -> dict[str, Any]:
    return {
        "rows": result["rows"],
        "seconds": round(result["seconds"], 2),
        "rows_per_s": round(result["rows"] / result["seconds"]),
        "peak_rss_mb": round(result["peak_rss_kb"] / 1024),
        "plain_copy_seconds": round(baseline["seconds"], 2),
        "plain_copy_peak_rss_mb": round(baseline["peak_rss_kb"] / 1024),
        "ratio_to_plain_copy": round(result["seconds"] / baseline["seconds"], 2),
        # CPU time is less disturbed by other work on a shared machine than wall time.
        "cpu_seconds": round(result["cpu_seconds"], 2),
        "plain_copy_cpu_seconds": round(baseline["cpu_seconds"], 2),
        "cpu_ratio_to_plain_copy": round(result["cpu_seconds"] / baseline["cpu_seconds"], 2),
        # Validation + dedupe + accounting alone: the same ingest, derived tables left out.
        "without_derived_seconds": round(without_derived["seconds"], 2),
        "without_derived_ratio_to_plain_copy": round(
            without_derived["seconds"] / baseline["seconds"], 2
        ),
        "without_derived_cpu_ratio_to_plain_copy": round(
            without_derived["cpu_seconds"] / baseline["cpu_seconds"], 2
        ),
    }


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_ingest_a_month_of_portal_events_against_a_plain_copy(
    benchmark: BenchmarkFixture, month: Path, tmp_path: Path, fmt: str
) -> None:
    source = month / f"portal_events.{fmt}"
    baseline = _child(PLAIN_COPY, str(source), str(tmp_path / "plain.parquet"))
    result: dict[str, Any] = benchmark.pedantic(  # type: ignore[no-untyped-call]
        _child, args=(INGEST, str(month), str(source), str(tmp_path / "ws")), rounds=1
    )
    without_derived = _child(
        INGEST, str(month), str(source), str(tmp_path / "ws-plain"), "without-derived"
    )
    info = _summary(result, without_derived, baseline)
    benchmark.extra_info.update(info)
    print(f"\ningest {month.name} portal_events from {fmt}: {json.dumps(info)}")
    assert result["rows"] == baseline["rows"] == result["stored"] == without_derived["stored"]
