"""Memory: a file of more rows than a part holds is ingested part by part, with the
same lake as in one batch; running out of memory all the same is a clear error."""

from pathlib import Path

import duckdb
import pytest
from ingest_workspace import make_workspace, write_text

from cityops.errors import PipelineError
from cityops.ingestion import batch as batch_module
from cityops.ingestion.batch import ingest_file
from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.services.unit_of_work import open_analytics
from cityops.workspace.workspace import Workspace

EVENTS = (
    "event_id,ts,user_id,event_type,service_id,channel,success\n"
    + "\n".join(
        f"e{i},2025-01-0{1 + i % 3} {8 + i % 10:02d}:00:00,u{i % 7 if i < 150 else i % 11},"
        + (
            "login,,app,"
            if i % 4 == 0
            else f"service_call,s{1 + i % 2},app,{str(i % 3 > 0).lower()}"
        )
        for i in range(300)
    )
    # line 302 repeats e5 (line 7), line 303 fails a check
    + "\ne5,2025-01-03 13:00:00,u5,login,,app,\nbad,2025-01-01 08:00:00,u1,logout,,app,\n"
)

# What the lake says, with users by user_id: their numbers depend on the order in
# which batches met them, which parts change.
LAKE_FIGURES = {
    "events": "SELECT * FROM portal_events",
    "activity": "SELECT u.user_id, a.day, a.events, a.service_calls, a.successful_calls "
    "FROM user_day_activity a JOIN user_index u USING (user_ix)",
    "services": "SELECT u.user_id, s.day, s.service_id, s.calls, s.successes "
    "FROM user_day_services s JOIN user_index u USING (user_ix)",
    "user numbers": "SELECT count(*), count(DISTINCT user_ix), min(user_ix), max(user_ix) "
    "FROM user_index",
}


def lake_figures(ws: Workspace) -> dict[str, list[tuple[object, ...]]]:
    con = open_analytics(ws)
    try:
        figures = {name: sorted(con.execute(sql).fetchall(), key=repr)
                   for name, sql in LAKE_FIGURES.items()}  # fmt: skip
    finally:
        con.close()
    with duckdb.connect() as plain:
        figures["quarantine"] = plain.execute(
            "SELECT file, line, field, reason, row FROM read_parquet(?)",
            [str(ws.lake / "_quarantine" / "portal_events" / "*.parquet")],
        ).fetchall()
    return figures


def test_a_file_ingested_in_parts_gives_the_lake_of_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_text(tmp_path / "e.csv", EVENTS)
    whole = make_workspace(tmp_path / "whole")
    one = ingest_file(whole, "portal_events", source)

    monkeypatch.setattr(batch_module, "PART_ROWS", 100)
    parted = make_workspace(tmp_path / "parted")
    progress: list[tuple[int, int]] = []
    summed = ingest_file(
        parted, "portal_events", source, on_part=lambda done, total: progress.append((done, total))
    )

    accounts = (302, 300, 1, 1)
    assert (one.received, one.stored, one.quarantined, one.duplicates) == accounts
    assert (summed.received, summed.stored, summed.quarantined, summed.duplicates) == accounts
    assert summed.batch_id == one.batch_id
    assert progress == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    figures = lake_figures(parted)
    assert figures == lake_figures(whole)
    assert figures["user numbers"] == [(11, 11, 0, 10)]  # dense across parts
    # Four batches of lines 2–101, 102–201, 202–301 and 302–303, each balanced.
    parts = [b for b in list_batches(make_engine(parted.register_url))
             if b.table_name == "portal_events"]  # fmt: skip
    assert [b.batch_id for b in parts] == [f"{one.batch_id}-{k}" for k in (1, 2, 3, 4)]
    assert [(b.received, b.stored, b.quarantined, b.duplicates) for b in parts] == [
        (100, 100, 0, 0), (100, 100, 0, 0), (100, 100, 0, 0), (2, 0, 1, 1),
    ]  # fmt: skip


def test_a_file_ingested_in_parts_again_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_module, "PART_ROWS", 100)
    ws = make_workspace(tmp_path)
    source = write_text(tmp_path / "e.csv", EVENTS)
    ingest_file(ws, "portal_events", source)
    files = sorted(p.relative_to(ws.lake) for p in ws.lake.rglob("*.parquet"))
    again = ingest_file(ws, "portal_events", source)
    assert (again.received, again.stored, again.quarantined, again.duplicates) == (302, 0, 1, 301)
    assert sorted(p.relative_to(ws.lake) for p in ws.lake.rglob("*.parquet")) == files


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
