"""Quarantined rows are listed with where and why, fixed rows go in on re-ingest,
and personal data never reaches the lake in clear."""

import hashlib
import hmac
import json
from pathlib import Path

import duckdb
import typer
from ingest_workspace import make_workspace, write_text
from typer.testing import CliRunner

from cityops.cli.ingest import ingest
from cityops.cli.quarantine import quarantine
from cityops.ingestion.batch import ingest_file
from cityops.ingestion.quarantine import list_quarantined
from cityops.register.batches import list_batches
from cityops.register.engine import make_engine
from cityops.workspace.workspace import Workspace

RATINGS = """event_id,ts,user_id,service_id,rating
r1,2025-01-01 10:00:00,u1,s1,5
r2,2025-01-01 11:00:00,u2,s2,7
r3,2025-01-01 12:00:00,u3,s1,4.5
r4,2025-01-01 13:00:00,u4,s1,2
"""


def stored_ids(ws: Workspace, table: str) -> list[str]:
    glob = str(ws.lake / table / "**" / "*.parquet")
    with duckdb.connect() as con:
        rows = con.execute(f"SELECT event_id FROM read_parquet('{glob}') ORDER BY 1").fetchall()
    return [str(row[0]) for row in rows]


def test_quarantined_rows_are_listed_with_file_line_field_and_reason(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    source = write_text(tmp_path / "ratings.csv", RATINGS)
    ingest_file(ws, "portal_ratings", source)
    listed = list_quarantined(ws.lake, "portal_ratings").to_pylist()
    assert [(r["table_name"], r["file"], r["line"], r["field"], r["reason"]) for r in listed] == [
        ("portal_ratings", str(source), 3, "rating", "value 7 is above the maximum 5"),
        ("portal_ratings", str(source), 4, "rating", "value 4.5 is not a valid int"),
    ]


def test_the_quarantine_command_prints_json(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    ingest_file(ws, "portal_ratings", write_text(tmp_path / "ratings.csv", RATINGS))
    app = typer.Typer()
    app.command()(quarantine)
    result = CliRunner().invoke(app, ["-w", str(ws.root), "--table", "portal_ratings", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["count"] == 2
    assert [row["line"] for row in printed["rows"]] == [3, 4]


def test_a_corrected_file_stores_the_fixed_rows_and_counts_the_rest_as_duplicates(
    tmp_path: Path,
) -> None:
    ws = make_workspace(tmp_path)
    ingest_file(ws, "portal_ratings", write_text(tmp_path / "ratings.csv", RATINGS))
    fixed = RATINGS.replace(",7\n", ",3\n").replace(",4.5\n", ",4\n")
    batch = ingest_file(ws, "portal_ratings", write_text(tmp_path / "fixed.csv", fixed))
    # r1 and r4 were stored the first time; r2 and r3 are new now.
    assert (batch.received, batch.stored, batch.quarantined, batch.duplicates) == (4, 2, 0, 2)
    assert stored_ids(ws, "portal_ratings") == ["r1", "r2", "r3", "r4"]
    recorded = list_batches(make_engine(ws.register_url), table_name="portal_ratings")
    assert sum(b.stored for b in recorded) == 4


EVENTS = """event_id,ts,user_id,event_type,service_id,channel,success
e1,2025-01-01 10:00:00,u1,login,,app,
e2,2025-01-01 10:05:00,13812345678,login,,app,
e3,2025-01-01 10:06:00,11010519491231002X,login,,pc,
e4,2025-01-01 10:07:00,u1,service_call,s1,app,true
"""


def test_phone_and_id_card_numbers_are_quarantined_and_masked(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    batch = ingest_file(ws, "portal_events", write_text(tmp_path / "events.csv", EVENTS))
    assert (batch.stored, batch.quarantined) == (2, 2)
    listed = list_quarantined(ws.lake, "portal_events").to_pylist()
    assert [(r["line"], r["field"]) for r in listed] == [(3, "user_id"), (4, "user_id")]
    assert listed[0]["reason"].startswith("value is a mobile phone number")
    assert listed[1]["reason"].startswith("value is an ID-card number")
    everything = "".join(str(r) for r in listed)
    assert "13812345678" not in everything
    assert "11010519491231002X" not in everything
    assert json.loads(listed[0]["row"])["user_id"] == "***"


def test_pseudonymised_user_ids_are_keyed_hashes_under_the_workspace_key(
    tmp_path: Path,
) -> None:
    ws = make_workspace(tmp_path)
    source = write_text(tmp_path / "events.csv", EVENTS)
    batch = ingest_file(ws, "portal_events", source, pseudonymise_users=True)
    assert (batch.stored, batch.quarantined) == (4, 0)
    key = bytes.fromhex(ws.secret_path.read_text().strip())

    def pseudonym(clear: str) -> str:
        return "p_" + hmac.new(key, clear.encode(), hashlib.sha256).hexdigest()

    glob = str(ws.lake / "portal_events" / "**" / "*.parquet")
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT event_id, user_id FROM read_parquet('{glob}') ORDER BY 1"
        ).fetchall()
    assert rows == [
        ("e1", pseudonym("u1")),
        ("e2", pseudonym("13812345678")),
        ("e3", pseudonym("11010519491231002X")),
        ("e4", pseudonym("u1")),
    ]


def test_ingest_exits_0_with_quarantined_rows_and_sums_several_files(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    first = write_text(tmp_path / "ratings.csv", RATINGS)
    more = RATINGS.replace("\nr2,", "\nq2,").replace("\nr3,", "\nq3,").replace("\nr4,", "\nq4,")
    second = write_text(tmp_path / "more.csv", more)
    app = typer.Typer()
    app.command()(ingest)
    result = CliRunner().invoke(
        app, ["portal_ratings", str(first), str(second), "-w", str(ws.root), "--json"]
    )
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)
    # Each file: 4 rows, 2 quarantined; the second's r1 repeats the first's, q4 is new.
    assert {k: totals[k] for k in ("received", "stored", "quarantined", "duplicates")} == {
        "received": 8,
        "stored": 3,
        "quarantined": 4,
        "duplicates": 1,
    }


SPELLINGS = [
    "138 1234 1234",
    "138-1234-1234",
    "１３８１２３４１２３４",
    "008613812341234",
    "+86 138 1234 1234",
    "电话13812341234",
    "138\u00a01234\u00a01234",
    "138\u200b1234\u200b1234",
    "110105491231002",
    "110105-19491231-002X",
    "1101 0519 4912 3100 2X",
    "身份证１１０１０５１９４９１２３１００２Ｘ",
]
"""Spellings the lake filter let through when it tested whole canonical values only."""


def test_every_spelling_of_a_phone_or_id_card_number_is_quarantined(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    lines = [f'e{i},2025-01-01 10:00:00,"{v}",login,,app,' for i, v in enumerate(SPELLINGS)]
    source = write_text(tmp_path / "events.csv", "\n".join([EVENTS.splitlines()[0], *lines]))
    batch = ingest_file(ws, "portal_events", source)
    assert (batch.stored, batch.quarantined) == (0, len(SPELLINGS))
    rows = [json.loads(r["row"]) for r in list_quarantined(ws.lake, "portal_events").to_pylist()]
    assert {row["user_id"] for row in rows} == {"***"}
