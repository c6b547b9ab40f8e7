"""A batch killed at any point (SIGKILL) and run again leaves exactly the lake an
uninterrupted run leaves; before the re-run, readers see none of it."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_workspace import make_workspace

from cityops.lake.publish import KILL_POINT_ENV
from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.services.unit_of_work import open_analytics
from cityops.workspace.workspace import open_workspace

pytestmark = pytest.mark.slow

INGEST = """
import sys
from pathlib import Path
from cityops.ingestion.batch import ingest_file
from cityops.workspace.workspace import open_workspace
ingest_file(open_workspace(Path(sys.argv[1])), "portal_events", Path(sys.argv[2]))
"""

KILL_POINTS = [
    "after-checks",
    "after-staging",
    "after-manifest",
    "after-record",
    "between-renames",
    "before-commit-mark",
]
ROWS = 150_000


def write_events(path: Path) -> Path:
    """A month of events over 31 days and 50 k users, with a few bad rows."""
    rng = np.random.default_rng(7)
    seconds = rng.integers(1_735_660_800, 1_738_339_200, ROWS) * 1_000_000
    users = rng.integers(0, 50_000, ROWS)
    channel = np.where(rng.random(ROWS) < 0.01, "fax", "app")  # 1 % quarantined
    pq.write_table(
        pa.table(
            {
                "event_id": pa.array([f"e{i}" for i in range(ROWS)]),
                "ts": pa.array(seconds).cast(pa.timestamp("us", tz="Asia/Shanghai")),
                "user_id": pa.array([f"u{u}" for u in users]),
                "event_type": pa.array(["login"] * ROWS),
                "channel": pa.array(channel),
            }
        ),
        path,
    )
    return path


def run_ingest(root: Path, source: Path, kill_at: str | None = None) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop(KILL_POINT_ENV, None)
    if kill_at is not None:
        env[KILL_POINT_ENV] = kill_at
    return subprocess.Popen([sys.executable, "-c", INGEST, str(root), str(source)], env=env)


Content = dict[str, object]


def lake_content(root: Path) -> Content:
    """The batch's accounting, and every published Parquet file of the lake: its row
    count and a digest of its rows sorted (row order inside a file does not matter)."""
    lake = open_workspace(root).lake
    content: Content = {"accounting": accounting(root)}
    with duckdb.connect() as con:
        for path in sorted(lake.rglob("*.parquet")):
            relative = path.relative_to(lake)
            if relative.parts[0] == "_staging":
                continue
            [(count, digest)] = con.execute(
                "SELECT count(*), md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY "
                f"CAST(t AS VARCHAR))) FROM read_parquet('{path}') t"
            ).fetchall()
            content[str(relative)] = (int(count), str(digest))
    return content


def accounting(root: Path) -> list[tuple[int, int, int, int]]:
    """The register's record of the portal_events batch(es)."""
    engine = make_engine(open_workspace(root).register_url)
    try:
        batches = list_batches(engine, table_name="portal_events")
    finally:
        engine.dispose()
    return [(b.received, b.stored, b.quarantined, b.duplicates) for b in batches]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Content]:
    """A template workspace, the source file and the lake of an uninterrupted run."""
    directory = tmp_path_factory.mktemp("crash")
    template = make_workspace(directory).root
    source = write_events(directory / "events.parquet")
    reference = directory / "reference"
    shutil.copytree(template, reference)
    assert run_ingest(reference, source).wait() == 0
    assert len(accounting(reference)) == 1
    return template, source, lake_content(reference)


def visible_events(root: Path) -> int:
    con = open_analytics(open_workspace(root))
    try:
        [(count,)] = con.execute("SELECT count(*) FROM portal_events").fetchall()
        return int(count)
    finally:
        con.close()


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_a_killed_batch_run_again_gives_the_same_lake(
    setup: tuple[Path, Path, Content], tmp_path: Path, kill_at: str
) -> None:
    template, source, expected = setup
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    assert run_ingest(root, source, kill_at).wait() == -signal.SIGKILL
    assert visible_events(root) == 0  # the batch is not visible before the re-run
    assert run_ingest(root, source).wait() == 0
    assert lake_content(root) == expected


def test_a_batch_killed_at_a_random_moment_run_again_gives_the_same_lake(
    setup: tuple[Path, Path, Content], tmp_path: Path
) -> None:
    template, source, expected = setup
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    delay = random.Random().uniform(0.3, 2.5)
    process = run_ingest(root, source)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    recorded = expected["accounting"]
    assert isinstance(recorded, list)
    stored = recorded[0][1]
    # Whole or not at all, whenever the kill came (it may come after the commit).
    assert visible_events(root) in (0, stored), f"killed after {delay:.2f} s"
    assert run_ingest(root, source).wait() == 0
    assert lake_content(root) == expected, f"killed after {delay:.2f} s"
