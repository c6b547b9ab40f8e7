"""Files into a real workspace (SQLite register, Parquet lake), counted row by row."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_workspace import SERVICES_CSV, make_workspace, write_text

from cityops.domain.contract import table
from cityops.errors import ContractError
from cityops.ingestion.batch import ingest_file
from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.register.store import read_current
from cityops.workspace.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path)


RATINGS = """event_id,ts,user_id,service_id,rating
r1,2025-01-01 23:30:00,u1,s1,5
r2,2025-01-01T23:30:00+00:00,u2,s2,3
r3,2025-01-02 09:00:00,u1,s1,9
r4,2025-01-02 09:05:00,u3,s7,4
r1,2025-01-01 23:30:00,u1,s1,5
r5,2025-01-02 10:00:00,u4,s2,1
"""


def lake_rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    glob = str(ws.lake / "portal_ratings" / "**" / "*.parquet")
    con.execute(f"CREATE VIEW r AS SELECT * FROM read_parquet('{glob}', hive_partitioning = 1)")
    return con.execute(sql).fetchall()


def test_every_row_is_stored_quarantined_or_a_duplicate(
    workspace: Workspace, tmp_path: Path
) -> None:
    batch = ingest_file(workspace, "portal_ratings", write_text(tmp_path / "ratings.csv", RATINGS))
    # 6 rows: r3 has rating 9 and r4 an unknown service (quarantined), the second r1
    # repeats the first (duplicate), r1 r2 r5 are stored.
    assert (batch.received, batch.stored, batch.quarantined, batch.duplicates) == (6, 3, 2, 1)
    assert lake_rows(workspace, "SELECT event_id FROM r ORDER BY event_id") == [
        ("r1",),
        ("r2",),
        ("r5",),
    ]


def test_a_clean_file_into_an_empty_lake_is_stored_whole(
    workspace: Workspace, tmp_path: Path
) -> None:
    clean = "\n".join(line for line in RATINGS.splitlines() if not line.startswith(("r3", "r4")))
    batch = ingest_file(
        workspace, "portal_ratings", write_text(tmp_path / "clean.csv", clean + "\n")
    )
    assert (batch.received, batch.stored, batch.quarantined, batch.duplicates) == (4, 3, 0, 1)
    assert not (workspace.lake / "_quarantine").exists()


def test_events_are_partitioned_by_shanghai_day(workspace: Workspace, tmp_path: Path) -> None:
    ingest_file(workspace, "portal_ratings", write_text(tmp_path / "ratings.csv", RATINGS))
    # r1 is 23:30 local on 1 January; r2 is 23:30 UTC, i.e. 07:30 local on 2 January.
    assert lake_rows(workspace, "SELECT event_id, day FROM r ORDER BY event_id") == [
        ("r1", date(2025, 1, 1)),
        ("r2", date(2025, 1, 2)),
        ("r5", date(2025, 1, 2)),
    ]


def test_ingesting_the_same_file_twice_changes_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    source = write_text(tmp_path / "ratings.csv", RATINGS)
    ingest_file(workspace, "portal_ratings", source)
    files_before = sorted(p.relative_to(workspace.lake) for p in workspace.lake.rglob("*.parquet"))
    again = ingest_file(workspace, "portal_ratings", source)
    files_after = sorted(p.relative_to(workspace.lake) for p in workspace.lake.rglob("*.parquet"))
    assert (again.stored, again.quarantined, again.duplicates) == (0, 2, 4)
    assert files_after == files_before


UNKNOWN_S7 = "unknown service_id s7 (not in services; load services first)"


def test_quarantine_keeps_file_line_field_and_reason(workspace: Workspace, tmp_path: Path) -> None:
    source = write_text(tmp_path / "ratings.csv", RATINGS)
    ingest_file(workspace, "portal_ratings", source)
    glob = str(workspace.lake / "_quarantine" / "portal_ratings" / "*.parquet")
    rows = (
        duckdb.connect()
        .execute(f"SELECT file, line, field, reason FROM read_parquet('{glob}') ORDER BY line")
        .fetchall()
    )
    # The header is line 1, so r3 is on line 4 and r4 on line 5.
    assert rows == [
        (str(source), 4, "rating", "value 9 is above the maximum 5"),
        (str(source), 5, "service_id", UNKNOWN_S7),
    ]


def test_batches_are_recorded_in_the_register(workspace: Workspace, tmp_path: Path) -> None:
    ingest_file(workspace, "portal_ratings", write_text(tmp_path / "ratings.csv", RATINGS))
    recorded = list_batches(make_engine(workspace.register_url), table_name="portal_ratings")
    assert [(b.received, b.stored, b.quarantined, b.duplicates) for b in recorded] == [(6, 3, 2, 1)]


def test_a_later_register_load_wins_per_key(workspace: Workspace, tmp_path: Path) -> None:
    update = (
        SERVICES_CSV.splitlines()[0]
        + "\ns1,出生一件事,公安局,户籍,330102,false,,2024-01-01,2025-01-31\n"
    )
    batch = ingest_file(workspace, "services", write_text(tmp_path / "services-2.csv", update))
    assert batch.stored == 1
    engine = make_engine(workspace.register_url)
    with engine.connect() as connection:
        current = read_current(connection, table("services")).to_pylist()
    engine.dispose()
    by_id = {row["service_id"]: row for row in current}
    assert by_id["s1"]["name"] == "出生一件事"
    assert by_id["s1"]["on_portal"] is False
    assert by_id["s2"]["on_portal"] is True


def test_a_file_without_a_required_column_is_refused_whole(
    workspace: Workspace, tmp_path: Path
) -> None:
    source = write_text(
        tmp_path / "bad.csv", "event_id,ts,user_id,service_id\nr1,2025-01-01,u1,s1\n"
    )
    with pytest.raises(ContractError, match=r"missing required column.*rating"):
        ingest_file(workspace, "portal_ratings", source)


SHANGHAI = ZoneInfo("Asia/Shanghai")


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.datetimes(datetime(1950, 1, 1), datetime(2060, 12, 31), timezones=st.just(UTC)),
        min_size=1,
        max_size=12,
    )
)
def test_every_event_lands_in_the_partition_of_its_shanghai_day(
    tmp_path_factory: pytest.TempPathFactory, instants: list[datetime]
) -> None:
    """Whatever the instant (before 1970, in the summer time of 1986–91, either side
    of local midnight), its partition is its local date, computed here by zoneinfo."""
    folder = tmp_path_factory.mktemp("days")
    ws = make_workspace(folder)
    lines = [f"r{i},{ts.isoformat()},u1,s1,4" for i, ts in enumerate(instants)]
    header = "event_id,ts,user_id,service_id,rating\n"
    source = write_text(folder / "ratings.csv", header + "\n".join(lines))
    batch = ingest_file(ws, "portal_ratings", source)
    assert batch.stored == len(instants)
    expected = sorted((f"r{i}", ts.astimezone(SHANGHAI).date()) for i, ts in enumerate(instants))
    assert sorted(lake_rows(ws, "SELECT event_id, day FROM r")) == expected
