"""``cityops status`` on the demo workspace matches counts taken independently:
DuckDB straight over the lake's Parquet files and SQL straight on the register."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from cityops.cli.app import app
from cityops.demo import DEMO_PASSWORD, run_demo
from cityops.domain.contract import EVENT_TABLES, REGISTER_TABLES
from cityops.domain.period import Period
from cityops.settings import ProcessSettings

pytestmark = pytest.mark.slow

CONTRACTS = Path(__file__).parents[2] / "examples" / "contracts" / "demo-purchase-of-service.yaml"
STATEMENT = "DEMO-970100-2025-PORTAL@2025-01#v1"


def cli(*args: str) -> str:
    """Run a command as the demo users (their password is the demo's)."""
    ProcessSettings.settings_clear_cache()  # read the environment given here afresh
    done = CliRunner().invoke(app, list(args), env={"CITYOPS_PASSWORD": DEMO_PASSWORD})
    ProcessSettings.settings_clear_cache()
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny demo, with a statement settled and reviewed, one region quarantined and
    the audit chain anchored."""
    root = tmp_path_factory.mktemp("status") / "demo"
    run_demo(root, scale="tiny", start=Period.parse("2025-01"))
    ws = str(root)
    cli("contracts", "load", str(CONTRACTS), "-w", ws)
    cli("settle", "-w", ws, "--contract", "DEMO-970100-2025-PORTAL", "--period", "2025-01",
        "--by", "supervisor")  # fmt: skip
    cli("settle", "review", STATEMENT, "--by", "evaluator", "-w", ws)
    bad = root.parent / "bad-regions.csv"
    bad.write_text("region_code,name,level,resident_population\n1,x,planet,5\n", "utf-8")
    cli("ingest", "-w", ws, "regions", str(bad))
    cli("audit", "anchor", "-w", ws)
    return root


@pytest.fixture(scope="module")
def status(demo: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(cli("status", "-w", str(demo), "--json"))
    return found


def register(demo: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(demo / "register.sqlite") as con:
        return con.execute(sql).fetchall()


def lake(sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect() as con:
        return con.execute(sql).fetchall()


def test_event_rows_per_month_match_the_lake(demo: Path, status: dict[str, Any]) -> None:
    shown = {t["table"]: t for t in status["tables"]}
    for table in EVENT_TABLES:
        files = demo / "lake" / table.name / "*" / "*.parquet"
        expected: dict[str, int] = {}
        if list((demo / "lake" / table.name).glob("*/*.parquet")):
            counted = lake(
                f"SELECT substr(split_part(parse_dirpath(filename), '/', -1), "
                f"strpos(split_part(parse_dirpath(filename), '/', -1), '=') + 1, 7), count(*) "
                f"FROM read_parquet('{files}', filename = true) GROUP BY 1"
            )
            expected = dict(counted)
        assert shown[table.name]["periods"] == dict(sorted(expected.items())), table.name
        assert shown[table.name]["rows"] == sum(expected.values()), table.name
    assert shown["portal_events"]["periods"] == {"2025-01": shown["portal_events"]["rows"]}
    assert shown["portal_events"]["rows"] > 0


def test_register_rows_and_last_ingests_match_the_register(
    demo: Path, status: dict[str, Any]
) -> None:
    shown = {t["table"]: t for t in status["tables"]}
    last = dict(
        register(demo, "SELECT table_name, max(finished_at) FROM ingest_batches GROUP BY 1")
    )
    for table in REGISTER_TABLES:
        ((rows,),) = register(demo, f'SELECT count(*) FROM "{table.name}"')
        assert shown[table.name]["rows"] == rows, table.name
        at = shown[table.name]["last_ingest"]
        expected = last.get(table.name)
        assert (at and datetime.fromisoformat(at).replace(tzinfo=None)) == (
            expected and datetime.fromisoformat(expected)
        ), table.name
    assert shown["regions"]["rows"] > 0


def test_quarantined_rows_match_the_lake(demo: Path, status: dict[str, Any]) -> None:
    counted = dict(
        lake(
            f"SELECT split_part(parse_dirpath(filename), '/', -1), count(*) FROM read_parquet("
            f"'{demo / 'lake' / '_quarantine' / '*' / '*.parquet'}', filename = true) GROUP BY 1"
        )
    )
    shown = {t["table"]: t["quarantined"] for t in status["tables"] if t["quarantined"]}
    assert shown == counted == {"regions": 1}


def test_facts_and_runs_per_month_match_their_files(demo: Path, status: dict[str, Any]) -> None:
    facts = {
        path.stem: lake(f"SELECT count(*) FROM '{path}'")[0][0]
        for path in (demo / "facts").glob("*.parquet")
    }
    assert status["facts"] == facts
    assert facts["2025-01"] > 0
    periods = [json.loads(p.read_text("utf-8"))["period"] for p in (demo / "runs").glob("*.json")]
    assert status["runs"] == {p: periods.count(p) for p in set(periods)} == {"2025-01": 1}


def test_statements_and_users_match_the_register(demo: Path, status: dict[str, Any]) -> None:
    statements = register(demo, "SELECT status, count(*) FROM settlement_statements GROUP BY 1")
    assert status["statements"] == dict(statements) == {"reviewed": 1}
    users = register(demo, "SELECT role, count(*) FROM users WHERE active GROUP BY 1")
    assert status["users"] == dict(users)
    assert sum(status["users"].values()) == 6


def test_the_last_audit_anchor_is_the_last_line_of_the_anchors_file(
    demo: Path, status: dict[str, Any]
) -> None:
    lines = (demo / "audit-anchors.jsonl").read_text("utf-8").splitlines()
    last = json.loads(lines[-1])
    at = datetime.fromisoformat(last["at"]).isoformat(timespec="seconds")
    assert status["audit_anchor"] == f"#{last['seq']} at {at}"


def test_the_human_view_names_each_part(demo: Path) -> None:
    shown = cli("status", "-w", str(demo))
    for part in (
        "portal_events",
        "指标事实",
        "评估",
        "结算单 statements: reviewed 1",
        "用户",
        "审计锚点",
    ):
        assert part in shown
