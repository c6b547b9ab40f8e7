"""How fast the whole indicator catalogue runs on a month, and DAU/MAU from the compact
tables against two same-run baselines that must agree with it.

Run with ``make bench``.  A county month always runs; ``CITYOPS_BENCH_SCALE=city``
adds a city month (~120 M portal events).  The month is synthesised and ingested
once per scale; then each measurement runs in a fresh interpreter (this file run
as a script), so its peak resident memory (``ru_maxrss``) is its own:

- ``catalogue``: every computable indicator for the month on DuckDB
  (``open_analytics`` + ``compute_indicators``, one code at a time so the
  slowest are named);
- ``compact``: ``effect.dau_mau`` and ``effect.mau_rate`` as shipped, from the
  compact tables built at ingest (``user_registrations``, ``user_day_activity``);
- ``distinct``: the same two indicators the plain way, ``count(DISTINCT user_id)``
  over ``portal_events`` with residence from ``portal_users``, every event row
  joined to every level (the bodies they had before the compact tables);
- ``pandas``: the same two in straightforward pandas, from the lake's Parquet
  files and the register's regions.

Each reports seconds (wall, median of the rounds), CPU seconds (user + system,
steadier when other work shares the machine) and peak RSS; the bench asserts the
three give the same facts (value, numerator, denominator, rows read) for every
region, since a fast figure that is wrong is worthless.  Timings are reported,
never asserted.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from cityops.domain.contract import table
from cityops.domain.period import CITY_TZ, Period
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.computations.base import CLOSURE_SQL, Computation
from cityops.indicators.computations.common import IN_PERIOD, RESIDENCE_CTE, rolled_up_rows
from cityops.indicators.engine import computable_codes, compute_indicators, query_parameters
from cityops.lake.layout import LakeLayout
from cityops.register.engine import make_engine
from cityops.register.store import read_current
from cityops.services.unit_of_work import open_analytics
from cityops.workspace.workspace import open_workspace

PERIOD = Period(2025, 1)
CODES = ("effect.dau_mau", "effect.mau_rate")
SCALES = ["county"] + [
    s for s in os.environ.get("CITYOPS_BENCH_SCALE", "").split(",") if s and s != "county"
]

Facts = dict[str, dict[str, list[Any]]]
"""code → region → [value, numerator, denominator, rows_read]."""

PREPARE = """
import sys
from pathlib import Path
from cityops.domain.period import Period
from cityops.ingestion.directory import ingest_directory
from cityops.synth import generate_city
from cityops.workspace.create import create_workspace
root, scale = Path(sys.argv[1]), sys.argv[2]
generate_city(root / "month", scale=scale, months=1, start=Period(2025, 1), progress=False)
ingest_directory(create_workspace(root / "ws", name="bench"), root / "month")
"""

PLAIN_DISTINCT = (
    Computation(
        "effect.dau_mau",
        rolled_up_rows(
            "SELECT r.region_code, d.user_id FROM ("
            "SELECT DISTINCT user_id, CAST(ts AS DATE) AS day FROM portal_events "
            f"WHERE {IN_PERIOD.format(ts='ts')}) AS d JOIN residence AS r USING (user_id)",
            "count(*) / $days",
            "count(DISTINCT x.user_id)",
            ctes=RESIDENCE_CTE,
        ),
    ),
    Computation(
        "effect.mau_rate",
        rolled_up_rows(
            "SELECT r.region_code, a.user_id IS NOT NULL AS hit "
            "FROM residence AS r LEFT JOIN active AS a USING (user_id)",
            "count(*) FILTER (WHERE x.hit)",
            "count(*)",
            ctes=f"{RESIDENCE_CTE},\nactive AS (SELECT DISTINCT user_id FROM portal_events "
            f"WHERE {IN_PERIOD.format(ts='ts')})",
        ),
    ),
)
"""The baseline: both indicators as plain SQL over the raw events, distinct user ids
counted per region at every level."""


def _compact(workspace: Path) -> Callable[[], Facts]:
    con = open_analytics(open_workspace(workspace))

    def run() -> Facts:
        facts: Facts = {}
        for f in compute_indicators(con, PERIOD, CODES):
            facts.setdefault(f.indicator, {})[f.region_code] = [
                f.value, f.numerator, f.denominator, f.rows_read
            ]  # fmt: skip
        return facts

    return run


def _distinct(workspace: Path) -> Callable[[], Facts]:
    con = open_analytics(open_workspace(workspace))
    catalogue = load_catalogue()

    def run() -> Facts:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        con.execute(CLOSURE_SQL)
        facts: Facts = {}
        for computation in PLAIN_DISTINCT:
            meta = catalogue.get(computation.code)
            parameters = query_parameters(computation.sql, PERIOD, meta)
            rows = con.execute(computation.sql, parameters).fetchall()
            facts[computation.code] = {region: list(rest) for region, *rest in rows}
        return facts

    return run


def _pandas(workspace: Path) -> Callable[[], Facts]:
    import pandas as pd  # type: ignore[import-untyped]
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    ws = open_workspace(workspace)
    layout = LakeLayout(ws.lake)

    def files(name: str) -> list[str]:
        return [str(f) for f in layout.files(layout.table_dir(table(name)))]

    def run() -> Facts:
        engine = make_engine(ws.register_url)
        with engine.connect() as connection:
            regions = read_current(connection, table("regions")).to_pandas()
        engine.dispose()
        parent = dict(zip(regions["region_code"], regions["parent_code"], strict=True))
        closure_rows = []
        for code in parent:  # one walk up the tree per region, not per data row
            ancestor = code
            while isinstance(ancestor, str):
                closure_rows.append((ancestor, code))
                ancestor = parent.get(ancestor)
        closure = pd.DataFrame(closure_rows, columns=["ancestor", "descendant"])

        # A month of a city does not fit in memory as a DataFrame of events: read it
        # a batch at a time and keep each batch's distinct (user, local day) pairs.
        batches = ds.dataset(files("portal_events")).to_batches(
            columns=["user_id", "ts"],
            filter=(ds.field("ts") >= PERIOD.start) & (ds.field("ts") < PERIOD.end),
        )
        chunks = []
        for batch in batches:
            events = batch.to_pandas()
            events["day"] = events["ts"].dt.tz_convert(CITY_TZ.key).dt.normalize()
            chunks.append(events[["user_id", "day"]].drop_duplicates())
        pairs = pd.concat(chunks, ignore_index=True).drop_duplicates()
        users = pq.read_table(
            files("portal_users"),
            columns=["event_id", "user_id", "region_code", "registered_at"],
            filters=[("registered_at", "<", PERIOD.end)],
        ).to_pandas()
        residence = users.sort_values(["registered_at", "event_id"]).drop_duplicates(
            "user_id", keep="last"
        )[["user_id", "region_code"]]

        located = pairs.merge(residence, on="user_id").merge(
            closure, left_on="region_code", right_on="descendant"
        )
        daily = located.groupby("ancestor")["user_id"].agg(["size", "nunique"])
        residence["hit"] = residence["user_id"].isin(pairs["user_id"].unique())
        under = residence.merge(closure, left_on="region_code", right_on="descendant")
        rate = under.groupby("ancestor")["hit"].agg(["sum", "size"])

        dau_mau: dict[str, list[Any]] = {}
        mau_rate: dict[str, list[Any]] = {}
        for code in sorted(parent):
            days, users_active = (
                (int(daily.at[code, "size"]), int(daily.at[code, "nunique"]))
                if code in daily.index
                else (0, 0)
            )
            mean_dau = days / PERIOD.days
            dau_mau[code] = [mean_dau / users_active if users_active else None,
                             mean_dau, float(users_active), days]  # fmt: skip
            hits, residents = (
                (int(rate.at[code, "sum"]), int(rate.at[code, "size"]))
                if code in rate.index
                else (0, 0)
            )
            mau_rate[code] = [hits / residents if residents else None,
                              float(hits), float(residents), residents]  # fmt: skip
        return {"effect.dau_mau": dau_mau, "effect.mau_rate": mau_rate}

    return run


def _catalogue(workspace: Path) -> Callable[[], dict[str, float]]:
    """Every computable indicator, one code at a time; the seconds of each."""
    opened = time.perf_counter()
    con = open_analytics(open_workspace(workspace))
    open_seconds = time.perf_counter() - opened
    codes = computable_codes(load_catalogue())

    def run() -> dict[str, float]:
        seconds = {"open_analytics": open_seconds}
        for code in codes:
            started = time.perf_counter()
            compute_indicators(con, PERIOD, [code])
            seconds[code] = time.perf_counter() - started
        return seconds

    return run


METHODS: dict[str, Callable[[Path], Callable[[], Any]]] = {
    "catalogue": _catalogue,
    "compact": _compact,
    "distinct": _distinct,
    "pandas": _pandas,
}


def measure(method: str, workspace: Path, rounds: int) -> dict[str, Any]:
    """Run ``method`` ``rounds`` times in this process: its last result, the median
    wall and CPU seconds of a round, and the process's peak RSS."""
    run = METHODS[method](workspace)
    walls, cpus, result = [], [], None
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        result = run()
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        "result": result,
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def _child(method: str, workspace: Path, rounds: int) -> dict[str, Any]:
    """``measure`` in a fresh interpreter (this file as a script)."""
    done = subprocess.run(
        [sys.executable, __file__, method, str(workspace), str(rounds)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module", params=SCALES)
def workspace(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic month of the scale, ingested into a workspace."""
    root = tmp_path_factory.mktemp(f"indicators-{request.param}")
    done = subprocess.run(
        [sys.executable, "-c", PREPARE, str(root), str(request.param)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        pytest.fail(f"preparing the {request.param} month failed:\n{done.stderr[-3000:]}")
    return root / "ws"


def _rounds(workspace: Path) -> int:
    """Three rounds on a county (seconds each), one on anything larger."""
    return 3 if "county" in workspace.parent.name else 1


def _figures(result: dict[str, Any]) -> dict[str, float]:
    return {
        "seconds": round(result["seconds"], 3),
        "cpu_seconds": round(result["cpu_seconds"], 3),
        "peak_rss_mb": result["peak_rss_mb"],
    }


def test_whole_catalogue_for_a_month(benchmark: BenchmarkFixture, workspace: Path) -> None:
    result: dict[str, Any] = benchmark.pedantic(  # type: ignore[no-untyped-call]
        _child, args=("catalogue", workspace, 1), rounds=1
    )
    seconds: dict[str, float] = result["result"]
    slowest = sorted(seconds.items(), key=lambda item: -item[1])[:6]
    info = {
        "indicators": len(seconds) - 1,
        **_figures(result),
        "open_analytics_seconds": round(seconds["open_analytics"], 2),
        "slowest": {code: round(s, 2) for code, s in slowest},
    }
    benchmark.extra_info.update(info)
    print(f"\nwhole catalogue, {workspace.parent.name}: {json.dumps(info)}")
    assert len(seconds) - 1 == len(computable_codes(load_catalogue()))


def test_dau_mau_from_compact_tables_against_count_distinct_and_pandas(
    benchmark: BenchmarkFixture, workspace: Path
) -> None:
    rounds = _rounds(workspace)
    compact: dict[str, Any] = benchmark.pedantic(  # type: ignore[no-untyped-call]
        _child, args=("compact", workspace, rounds), rounds=1
    )
    distinct = _child("distinct", workspace, rounds)
    pandas = _child("pandas", workspace, rounds)
    info = {
        "rounds": rounds,
        "compact": _figures(compact),
        "count_distinct": _figures(distinct),
        "pandas": _figures(pandas),
        "speedup_over_count_distinct": round(distinct["seconds"] / compact["seconds"], 1),
        "cpu_speedup_over_count_distinct": round(
            distinct["cpu_seconds"] / compact["cpu_seconds"], 1
        ),
        "speedup_over_pandas": round(pandas["seconds"] / compact["seconds"], 1),
    }
    benchmark.extra_info.update(info)
    print(f"\nDAU/MAU, {workspace.parent.name}: {json.dumps(info)}")
    facts: Facts = compact["result"]
    assert facts == distinct["result"]
    assert facts == pandas["result"]
    assert len(facts["effect.dau_mau"]) == len(facts["effect.mau_rate"]) > 1


if __name__ == "__main__":
    method, directory, repeat = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(measure(method, directory, repeat)))
