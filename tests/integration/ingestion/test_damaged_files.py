"""Damaged files: cut short, malformed, or one row in ten bad.

A file whose rows cannot be read at all is refused whole, with the line at
fault, and leaves no trace in the lake or the register; a file whose rows read
but fail checks has exactly those rows quarantined and the others stored.
"""

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_workspace import make_workspace, write_text

from cityops.errors import ContractError
from cityops.ingestion.batch import ingest_file
from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.workspace.workspace import Workspace

HEADER = "event_id,ts,user_id,service_id,rating\n"
GOOD = HEADER + "".join(f"r{i},2025-01-01 10:{i:02d}:00,u{i},s1,4\n" for i in range(50))


def damaged(directory: Path, name: str) -> Path:
    """Each damaged file of the kinds an operator sends, with the line at fault."""
    if name == "cut-mid-row.csv":
        return write_text(directory / name, GOOD[: GOOD.index("r49,") + 6])
    if name == "unterminated-quote.csv":
        return write_text(directory / name, GOOD + 'r99,"2025-01-01 10:00:00,u1,s1,4\n')
    if name == "extra-field.csv":
        return write_text(directory / name, GOOD + "r98,2025-01-01 10:00:00,u1,s1,4,x\n")
    if name == "binary.csv":
        (path := directory / name).write_bytes(GOOD.encode()[:120] + b"\x00\x01\x02\n")
        return path
    if name == "cut.jsonl":
        line = '{"event_id": "r%d", "ts": "2025-01-01 10:00:00", "user_id": "u1", '
        lines = [line % i + '"service_id": "s1", "rating": 4}\n' for i in range(5)]
        return write_text(directory / name, "".join(lines)[:-20])
    table = pa.table({"event_id": ["r1"], "ts": ["2025-01-01 10:00:00"], "user_id": ["u1"],
                      "service_id": ["s1"], "rating": [4]})  # fmt: skip
    pq.write_table(table, whole := directory / "whole.parquet")
    data = whole.read_bytes()
    (path := directory / name).write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("name", "where"),
    [("cut-mid-row.csv", "Line: 51"), ("unterminated-quote.csv", "Line: 52"),
     ("extra-field.csv", "Line: 52"), ("binary.csv", "Line: 4"),
     ("cut.jsonl", "Malformed JSON .* at byte"), ("cut.parquet", "magic bytes")],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_whole_with_the_place_at_fault(
    tmp_path: Path, name: str, where: str
) -> None:
    ws = make_workspace(tmp_path)
    batches_before = len(list_batches(make_engine(ws.register_url)))
    with pytest.raises(ContractError, match=where) as refused:
        ingest_file(ws, "portal_ratings", damaged(tmp_path, name))
    assert str(refused.value).startswith(str(tmp_path / name))
    assert "Possible fixes" not in str(refused.value)
    assert not (ws.lake / "portal_ratings").exists()
    assert not (ws.lake / "_quarantine").exists()
    assert len(list_batches(make_engine(ws.register_url))) == batches_before


def ten_percent_bad(directory: Path) -> tuple[Path, dict[int, str], set[str]]:
    """1,000 rows; every tenth row (lines 11, 21, …) broken in one of five ways.
    Returns the file, the expected field at fault by line, and the good event ids."""
    defects: list[tuple[str, Callable[[int], str]]] = [
        ("rating", lambda i: f"e{i},2025-01-02 08:00:00,u{i},s1,6"),
        ("ts", lambda i: f"e{i},not a time,u{i},s1,3"),
        ("service_id", lambda i: f"e{i},2025-01-02 08:00:00,u{i},s9,3"),
        ("user_id", lambda i: f"e{i},2025-01-02 08:00:00,13812345678,s1,3"),
        ("event_id", lambda i: f",2025-01-02 08:00:00,u{i},s2,3"),
    ]
    lines: list[str] = []
    faults: dict[int, str] = {}
    good: set[str] = set()
    for i in range(1000):
        line_number = i + 2  # the header is line 1
        if line_number % 10 == 1:
            field, make = defects[(line_number // 10) % len(defects)]
            lines.append(make(i))
            faults[line_number] = field
        else:
            lines.append(f"e{i},2025-01-02 08:{i % 60:02d}:00,u{i % 37},s{1 + i % 2},{1 + i % 5}")
            good.add(f"e{i}")
    return write_text(directory / "ratings.csv", HEADER + "\n".join(lines) + "\n"), faults, good


def test_a_file_with_one_row_in_ten_bad_stores_the_rest_and_quarantines_those(
    tmp_path: Path,
) -> None:
    ws: Workspace = make_workspace(tmp_path)
    source, faults, good = ten_percent_bad(tmp_path)
    batch = ingest_file(ws, "portal_ratings", source)
    assert len(faults) == 100
    assert (batch.received, batch.stored, batch.quarantined, batch.duplicates) == (
        1000, 900, 100, 0,
    )  # fmt: skip
    with duckdb.connect() as con:
        quarantined = con.execute(
            "SELECT line, field FROM read_parquet(?)",
            [str(ws.lake / "_quarantine" / "portal_ratings" / "*.parquet")],
        ).fetchall()
        stored = con.execute(
            "SELECT event_id FROM read_parquet(?)",
            [str(ws.lake / "portal_ratings" / "**" / "*.parquet")],
        ).fetchall()
    assert dict(quarantined) == faults
    assert {event_id for (event_id,) in stored} == good


@pytest.mark.parametrize(
    ("text", "why"),
    [("", "the file is empty"),
     ("event_id,ts,user_id,ts,rating\nr1,2025-01-01,u1,2025-01-01,4\n", "repeats column.*ts")],
)  # fmt: skip
def test_a_csv_without_a_usable_header_is_refused(tmp_path: Path, text: str, why: str) -> None:
    ws = make_workspace(tmp_path)
    with pytest.raises(ContractError, match=why):
        ingest_file(ws, "portal_ratings", write_text(tmp_path / "r.csv", text))
    assert not (ws.lake / "portal_ratings").exists()
