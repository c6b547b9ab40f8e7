"""Memory: a source too large to work on in memory is worked on in a database file,
with the same result; running out of memory all the same is a clear error."""

from pathlib import Path

import duckdb
import pytest
from ingest_workspace import make_workspace, write_text

from cityops.errors import PipelineError
from cityops.ingestion import batch as batch_module
from cityops.ingestion.batch import ingest_file
from cityops.lake.layout import LakeLayout
from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.workspace.workspace import Workspace

EVENTS = (
    "event_id,ts,user_id,event_type,service_id,channel,success\n"
    + "\n".join(
        f"e{i},2025-01-0{1 + i % 3} {8 + i % 10:02d}:00:00,u{i % 7},"
        + (
            "login,,app,"
            if i % 4 == 0
            else f"service_call,s{1 + i % 2},app,{str(i % 3 > 0).lower()}"
        )
        for i in range(300)
    )
    + "\ne5,2025-01-03 13:00:00,u5,login,,app,\nbad,2025-01-01 08:00:00,u1,logout,,app,\n"
)


def lake_contents(ws: Workspace) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every file the lake holds, by directory (batch ids differ not)."""
    contents: dict[str, list[tuple[object, ...]]] = {}
    with duckdb.connect() as con:
        for directory in sorted({f.parent for f in ws.lake.rglob("*.parquet")}):
            rows = con.execute(
                "SELECT * EXCLUDE (batch_id) FROM read_parquet(?, union_by_name = true)"
                if "_quarantine" in directory.parts
                else "SELECT * FROM read_parquet(?)",
                [str(directory / "*.parquet")],
            ).fetchall()
            contents[str(directory.relative_to(ws.lake))] = sorted(rows, key=repr)
    return contents


def test_a_source_over_the_in_memory_limit_gives_the_same_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_memory = make_workspace(tmp_path / "memory")
    first = ingest_file(in_memory, "portal_events", write_text(tmp_path / "e.csv", EVENTS))

    monkeypatch.setattr(batch_module, "IN_MEMORY_ROWS", 100)
    on_file = make_workspace(tmp_path / "file")
    work_files: list[str] = []
    drop = batch_module._drop_work_databases

    def listing_then_dropping(layout: LakeLayout) -> None:
        work_files.extend(f.name for f in (layout.root / "_staging").rglob("work-*.duckdb"))
        drop(layout)

    monkeypatch.setattr(batch_module, "_drop_work_databases", listing_then_dropping)
    second = ingest_file(on_file, "portal_events", tmp_path / "e.csv")

    assert (first.received, first.stored, first.quarantined, first.duplicates) == (302, 300, 1, 1)
    assert (second.received, second.stored, second.quarantined, second.duplicates) == (
        302, 300, 1, 1,
    )  # fmt: skip
    assert lake_contents(on_file) == lake_contents(in_memory)
    assert work_files == [f"work-{second.batch_id}.duckdb"]  # worked on file, then deleted
    assert not list((on_file.lake / "_staging").rglob("work-*"))


def test_running_out_of_memory_is_a_clear_error_that_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path)
    batches_before = len(list_batches(make_engine(ws.register_url)))
    monkeypatch.setattr(batch_module, "MEMORY_LIMIT", "1MB")
    with pytest.raises(PipelineError, match="ran out of its 1MB of working memory") as refused:
        ingest_file(ws, "portal_events", write_text(tmp_path / "e.csv", EVENTS))
    assert "Possible solutions" not in str(refused.value)
    assert not (ws.lake / "portal_events").exists()
    assert len(list_batches(make_engine(ws.register_url))) == batches_before
