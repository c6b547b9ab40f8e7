"""How fast the synthetic city is written, against plain random rows as a same-run baseline.

Run with ``make bench`` (``pytest bench --benchmark-only``).  A county month
always runs; set ``CITYOPS_BENCH_SCALE=city`` (or ``megacity``) to add that
scale.  Each generation runs in a child process so its peak resident memory
(``ru_maxrss``) is its own; the baseline writes the same number of rows of
uniform random data (a string id, a timestamp, a float, a small integer)
with the same Parquet settings, so the ratio shows what realism costs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

GENERATE = """
import json, resource, sys
from pathlib import Path
from cityops.domain.period import Period
from cityops.synth import generate_city
summary = generate_city(Path(sys.argv[1]), scale=sys.argv[2], months=1, start=Period(2025, 1))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": sum(summary.tables.values()), "peak_rss_kb": peak}))
"""

UNIFORM_ROWS = """
import json, resource, sys
import numpy as np, pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
rows, chunk = int(sys.argv[2]), 1 << 20
rng = np.random.default_rng(1)
schema = pa.schema([("id", pa.string()), ("ts", pa.timestamp("us", tz="Asia/Shanghai")),
                    ("value", pa.float64()), ("code", pa.int64())])
with pq.ParquetWriter(sys.argv[1], schema, compression="zstd", compression_level=3) as writer:
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        ids = pc.cast(pa.array(np.arange(start, start + n)), pa.string())
        seconds = rng.integers(1_735_660_800, 1_738_339_200, n)
        ts = pa.array(seconds * 1_000_000).cast(schema[1].type)
        writer.write_table(pa.table([ids, ts, rng.random(n), rng.integers(0, 8, n)], schema=schema),
                           row_group_size=chunk)
print(json.dumps({"rows": rows, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

SCALES = ["county"] + [
    s for s in os.environ.get("CITYOPS_BENCH_SCALE", "").split(",") if s and s != "county"
]


def _child(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter and return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("scale", SCALES)
def test_synth_month_against_uniform_rows(
    benchmark: BenchmarkFixture, tmp_path: Path, scale: str
) -> None:
    started = time.perf_counter()
    generated: dict[str, Any] = benchmark.pedantic(  # type: ignore[no-untyped-call]
        _child, args=(GENERATE, str(tmp_path / "city"), scale), rounds=1, iterations=1
    )
    synth_seconds = time.perf_counter() - started
    started = time.perf_counter()
    baseline = _child(UNIFORM_ROWS, str(tmp_path / "uniform.parquet"), str(generated["rows"]))
    baseline_seconds = time.perf_counter() - started
    info = {
        "rows": generated["rows"],
        "synth_seconds": round(synth_seconds, 2),
        "synth_peak_rss_mb": round(generated["peak_rss_kb"] / 1024),
        "uniform_seconds": round(baseline_seconds, 2),
        "uniform_peak_rss_mb": round(baseline["peak_rss_kb"] / 1024),
        "ratio_synth_to_uniform": round(synth_seconds / baseline_seconds, 2),
    }
    benchmark.extra_info.update(info)
    print(f"\nsynth {scale} month: {json.dumps(info)}")
    assert generated["rows"] == baseline["rows"]
