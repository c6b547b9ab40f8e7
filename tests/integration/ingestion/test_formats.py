"""The same rows in every supported format and encoding store the same lake rows."""

import codecs
import json
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_workspace import make_workspace

from cityops.errors import ContractError
from cityops.ingestion.batch import ingest_file
from cityops.workspace.workspace import Workspace

HEADER = ["event_id", "ts", "user_id", "service_id", "rating"]
ROWS = [
    ["r1", "2025-01-01 23:30:00", "王䶮", "s1", "5"],
    ["r2", "2025-01-01T23:30:00+00:00", "𠮷野家", "s2", "3"],
    ["r3", "2025-01-02 09:00:00", "张三", "s1", "1"],
]
# Read back in local time: r2 is 23:30 UTC = 07:30 on 2 January in Shanghai.
EXPECTED = [
    ("r1", "2025-01-01 23:30:00", "王䶮", "s1", 5),
    ("r2", "2025-01-02 07:30:00", "𠮷野家", "s2", 3),
    ("r3", "2025-01-02 09:00:00", "张三", "s1", 1),
]


def csv_text() -> str:
    return "\n".join(",".join(row) for row in [HEADER, *ROWS]) + "\n"


def write_source(directory: Path, kind: str) -> Path:
    if kind == "utf-8":
        (path := directory / "r.csv").write_bytes(csv_text().encode("utf-8"))
    elif kind == "utf-8-bom":
        (path := directory / "r.csv").write_bytes(codecs.BOM_UTF8 + csv_text().encode("utf-8"))
    elif kind == "gb18030":
        (path := directory / "r.csv").write_bytes(csv_text().encode("gb18030"))
    elif kind == "jsonl":
        lines = [
            json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False) for row in ROWS
        ]
        (path := directory / "r.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif kind == "parquet":
        columns = {name: [row[i] for row in ROWS] for i, name in enumerate(HEADER)}
        table = pa.table(columns).set_column(4, "rating", pa.array([5, 3, 1], pa.int64()))
        pq.write_table(table, path := directory / "r.parquet")
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADER)
        for row in ROWS:
            sheet.append([*row[:4], int(row[4])])
        workbook.save(path := directory / "r.xlsx")
    return path


def stored_ratings(ws: Workspace) -> list[tuple[object, ...]]:
    glob = str(ws.lake / "portal_ratings" / "**" / "*.parquet")
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        return con.execute(
            "SELECT event_id, strftime(ts, '%Y-%m-%d %H:%M:%S'), user_id, service_id, rating "
            f"FROM read_parquet('{glob}') ORDER BY event_id"
        ).fetchall()


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-bom", "gb18030", "jsonl", "parquet", "xlsx"])
def test_every_format_stores_the_same_rows(tmp_path: Path, kind: str) -> None:
    ws = make_workspace(tmp_path)
    batch = ingest_file(ws, "portal_ratings", write_source(tmp_path, kind))
    assert (batch.received, batch.stored, batch.quarantined) == (3, 3, 0)
    assert stored_ratings(ws) == EXPECTED


def test_an_excel_row_reports_the_line_excel_shows(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["r1", "2025-01-01 10:00", "u1", "s1", 9])
    workbook.save(tmp_path / "bad.xlsx")
    ingest_file(ws, "portal_ratings", tmp_path / "bad.xlsx")
    with duckdb.connect() as con:
        glob = str(ws.lake / "_quarantine" / "portal_ratings" / "*.parquet")
        assert con.execute(f"SELECT line, field FROM '{glob}'").fetchall() == [(2, "rating")]


def test_a_wrongly_declared_encoding_stores_nothing(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    source = write_source(tmp_path, "utf-8")
    with pytest.raises(ContractError, match="--encoding utf-8"):
        ingest_file(ws, "portal_ratings", source, encoding="gbk")
    assert not (ws.lake / "portal_ratings").exists()
    assert {p.name for p in (ws.lake / "_staging").iterdir()} <= {"spill"}
