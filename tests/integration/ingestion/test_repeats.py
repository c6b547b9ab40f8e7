"""Repeats within a file, in any order and across days: the first line of each
identity is stored, every later one is a duplicate — checked against Python."""

import random
from datetime import datetime, timedelta

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_workspace import make_workspace, write_text

from cityops.ingestion.batch import ingest_file

START = datetime(2025, 3, 1)

# (device, minutes after START, status): the identity is (device_id, ts); three
# days' worth of minutes, so repeats fall on several days.
heartbeats = st.tuples(
    st.sampled_from(["d1", "d2", "d3"]),
    st.integers(0, 3 * 24 * 60),
    st.sampled_from(["ok", "fault"]),
)


@settings(max_examples=10, deadline=None)
@given(
    distinct=st.lists(heartbeats, min_size=1, max_size=40, unique_by=lambda h: h[:2]),
    repeats=st.lists(st.tuples(st.integers(0, 39), st.sampled_from(["ok", "fault"]))),
    order=st.randoms(use_true_random=False),
)
def test_the_first_line_of_each_identity_is_stored_and_the_rest_are_duplicates(
    tmp_path_factory: pytest.TempPathFactory,
    distinct: list[tuple[str, int, str]],
    repeats: list[tuple[int, str]],
    order: random.Random,
) -> None:
    # A repeat has the identity of an earlier row and may differ in status.
    rows = distinct + [
        (distinct[i % len(distinct)][0], distinct[i % len(distinct)][1], status)
        for i, status in repeats
    ]
    order.shuffle(rows)
    first_by_identity: dict[tuple[str, int], str] = {}
    for device, minute, status in rows:
        first_by_identity.setdefault((device, minute), status)

    folder = tmp_path_factory.mktemp("repeats")
    ws = make_workspace(folder)
    lines = [
        f"{device},{(START + timedelta(minutes=minute)).isoformat()},{status}"
        for device, minute, status in rows
    ]
    source = write_text(folder / "heartbeats.csv", "device_id,ts,status\n" + "\n".join(lines))
    batch = ingest_file(ws, "device_heartbeats", source)

    assert (batch.received, batch.stored, batch.duplicates) == (
        len(rows), len(first_by_identity), len(rows) - len(first_by_identity),
    )  # fmt: skip
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        stored = con.execute(
            "SELECT device_id, CAST(ts AS TIMESTAMP), status FROM read_parquet(?)",
            [str(ws.lake / "device_heartbeats" / "**" / "*.parquet")],
        ).fetchall()
    expected = {
        (device, START + timedelta(minutes=minute), status)
        for (device, minute), status in first_by_identity.items()
    }
    assert sorted(stored) == sorted(expected)
