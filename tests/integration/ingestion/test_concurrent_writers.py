"""Two processes writing one workspace take turns (``cityops.workspace.writer_lock``).

Before the lock, a second ingest's start-up recovery deleted the first one's
staging and both died.  Here ingests run as ``cityops ingest`` in child
processes, and a holder of the lock is a child that holds it until told to let
go (or is killed), with a batch's staging directory of its own in the lake.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from api_writable import writable
from ingest_workspace import make_workspace

from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.settings import ProcessSettings
from cityops.workspace.workspace import Workspace

pytestmark = pytest.mark.slow

ROWS = 40_000
HOLD = """
import sys
from pathlib import Path
from cityops.workspace.writer_lock import writer_lock

root, staging = Path(sys.argv[1]), Path(sys.argv[2])
with writer_lock(root, "a live batch of the test"):
    staging.mkdir(parents=True)
    (staging / "part-live.parquet").write_bytes(b"being written")
    print("held", flush=True)
    sys.stdin.readline()
"""


def write_tickets(path: Path, prefix: str, shared: int = 500, bad: int = 30) -> Path:
    """``ROWS`` ticket events: ``shared`` of them also in every other file written here
    (duplicates across files), ``bad`` with an unknown channel (quarantined)."""
    lines = []
    for n in range(ROWS):
        event = f"S{n}" if n < shared else f"{prefix}{n}"
        lines.append(
            json.dumps(
                {
                    "event_id": f"{event}-1",
                    "ticket_id": event,
                    "ts": "2025-01-06T09:00:00+08:00",
                    "status": "created",
                    "region_code": "330102" if n % 2 else "330103",
                    "category": "城市管理",
                    "department": "城管局",
                    "channel": "fax" if shared <= n < shared + bad else "phone",
                },
                ensure_ascii=False,
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_ingest(workspace: Workspace, path: Path, wait_s: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cityops", "ingest", "-w", str(workspace.root),
         "ticket_events", str(path), "--json"],
        env=os.environ | {"CITYOPS_WRITER_WAIT_S": str(wait_s)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


@contextmanager
def holding(workspace: Workspace) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A child process holding the writer lock, with a live batch's staging directory."""
    staging = workspace.lake / "_staging" / "live-batch"
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(workspace.root), str(staging)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            yield holder, staging
        finally:
            holder.kill()


def stored_events(workspace: Workspace) -> int:
    files = list((workspace.lake / "ticket_events").rglob("*.parquet"))
    return sum(pq.read_metadata(f).num_rows for f in files)


def recorded(workspace: Workspace) -> list[tuple[int, int, int, int]]:
    engine = make_engine(workspace.register_url)
    try:
        batches = list_batches(engine, table_name="ticket_events")
    finally:
        engine.dispose()
    return [(b.received, b.stored, b.quarantined, b.duplicates) for b in batches]


def test_two_ingests_started_together_both_complete_and_lose_nothing(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    files = [write_tickets(tmp_path / f"{p}.jsonl", p) for p in ("A", "B")]
    runs = [start_ingest(workspace, path, wait_s=300) for path in files]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    totals = [json.loads(out) for out, _ in outputs]
    for total in totals:
        assert total["received"] == ROWS
        assert total["received"] == total["stored"] + total["quarantined"] + total["duplicates"]
    # The shared rows are stored once, by whichever ran first; the other has them as
    # duplicates.  Everything stored is in the lake, and both batches are recorded.
    assert sum(t["duplicates"] for t in totals) == 500
    assert stored_events(workspace) == sum(t["stored"] for t in totals) == 2 * (ROWS - 30) - 500
    assert sorted(recorded(workspace)) == sorted(
        (t["received"], t["stored"], t["quarantined"], t["duplicates"]) for t in totals
    )


def test_a_second_writer_says_whom_it_waits_for_then_completes(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    path = write_tickets(tmp_path / "A.jsonl", "A")
    with holding(workspace) as (holder, staging):
        ingest = start_ingest(workspace, path, wait_s=300)
        assert ingest.stderr is not None
        said = ingest.stderr.readline()
        assert "waiting up to 300 s" in said
        assert f"pid {holder.pid} on " in said
        assert "a live batch of the test" in said
        assert (staging / "part-live.parquet").exists()  # the waiting writer left it alone
        assert ingest.poll() is None
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()  # the holder lets go (and exits, leaving its staging behind)
        out, err = ingest.communicate(timeout=600)
    assert ingest.returncode == 0, err
    total = json.loads(out)
    assert total["stored"] + total["quarantined"] + total["duplicates"] == ROWS
    assert stored_events(workspace) == total["stored"] == ROWS - 30
    assert not staging.exists()  # its writer has gone: recovery removed what it left


def test_a_writer_that_waits_too_long_refuses_naming_the_holder_and_touches_nothing(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path)
    path = write_tickets(tmp_path / "A.jsonl", "A")
    with holding(workspace) as (holder, staging):
        started = time.monotonic()
        ingest = start_ingest(workspace, path, wait_s=1)
        _, err = ingest.communicate(timeout=600)
        assert ingest.returncode != 0
        assert f"being written by pid {holder.pid} on " in err
        assert "(started 20" in err
        assert "CITYOPS_WRITER_WAIT_S" in err
        assert "Traceback" not in err
        assert (staging / "part-live.parquet").read_bytes() == b"being written"
        assert recorded(workspace) == []
        assert stored_events(workspace) == 0
        assert time.monotonic() - started > 1  # it did wait
        holder.send_signal(signal.SIGKILL)  # the holder dies mid-batch
        holder.wait()
        again = start_ingest(workspace, path, wait_s=1)
        out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert json.loads(out)["stored"] == ROWS - 30
    assert not staging.exists()  # a dead writer's staging is recovered (removed)


def test_an_http_ingest_behind_another_writer_is_refused_naming_it_then_accepted(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path)
    rows = write_tickets(tmp_path / "A.jsonl", "A").read_bytes().splitlines(keepends=True)
    body = b"".join(rows[:3])
    settings = ProcessSettings.from_environ({"CITYOPS_WRITER_WAIT_S": "1"})
    with writable(workspace, settings) as api, holding(workspace) as (holder, staging):
        headers = api.headers("admin", "application/x-ndjson")
        refused = api.client.post("/api/v1/ingest/ticket_events", content=body, headers=headers)
        assert refused.status_code == 409
        assert f"being written by pid {holder.pid} on " in refused.json()["detail"]
        assert staging.exists()
        assert recorded(workspace) == []
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        accepted = api.client.post("/api/v1/ingest/ticket_events", content=body, headers=headers)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["stored"] == 3
    assert not staging.exists()
