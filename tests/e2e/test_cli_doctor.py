"""``cityops doctor`` on a healthy workspace (every check ok) and on workspaces
broken on purpose, one way each: each is reported, with its fix."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from postgres_database import temporary_postgres_database
from typer.testing import CliRunner

from cityops.audit.log import AuditEntry
from cityops.cli.app import app
from cityops.services.audit import record
from cityops.services.unit_of_work import unit_of_work
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import open_workspace

MQTT = "mqtt://127.0.0.1:1883"


def doctor(*args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    done = CliRunner().invoke(app, ["doctor", *args, "--json"])
    assert "Traceback" not in done.output
    checks = {check["name"]: check for check in json.loads(done.stdout)["checks"]}
    return done.exit_code, checks


def doctor_process(ws: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "cityops", "doctor", "-w", str(ws), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **env},
    )
    assert "Traceback" not in done.stderr
    return {check["name"]: check for check in json.loads(done.stdout)["checks"]}


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return create_workspace(tmp_path / "ws", name="示范市").root


@pytest.mark.mqtt
def test_a_new_workspace_is_healthy_in_every_check(ws: Path) -> None:
    status, checks = doctor("-w", str(ws), "--mqtt", MQTT)
    every = [
        "python",
        "packages",
        "workspace",
        "permissions",
        "register",
        "mqtt",
        "spark",
        "disk",
        "pdf",
        "audit",
    ]
    assert {name: c["level"] for name, c in checks.items()} == dict.fromkeys(every, "ok")
    assert status == 0


def set_register(ws: Path, url: str) -> None:
    config = ws / "cityops.toml"
    lines = config.read_text("utf-8").splitlines()
    lines = [f'register_url = "{url}"' if n.startswith("register_url") else n for n in lines]
    config.write_text("\n".join(lines) + "\n", "utf-8")


def sql(ws: Path, statement: str) -> None:
    with sqlite3.connect(ws / "register.sqlite") as con:
        con.execute(statement)


def tamper_with_the_audit_log(ws: Path) -> None:
    workspace = open_workspace(ws)
    with unit_of_work(workspace) as uow:
        for action in ("login", "export"):
            record(uow, AuditEntry(action=action, object="/api/v1/x", result="ok", username="ann"))
    with sqlite3.connect(ws / "register.sqlite") as con:  # as someone with the file would
        guards = con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (guard,) in guards:
            con.execute(f'DROP TRIGGER "{guard}"')
        con.execute("UPDATE audit_log SET result = 'refused' WHERE seq = 1")


def a_lake_that_grows_faster_than_the_disk(ws: Path) -> None:
    part = ws / "lake" / "portal_events" / "day=2025-01-01"
    part.mkdir(parents=True)
    with (part / "part-huge.parquet").open("wb") as sparse:
        sparse.truncate(2 * shutil.disk_usage(ws).free)  # a size, not blocks


BROKEN: list[tuple[str, Callable[[Path], None], tuple[str, ...], str, str, str]] = [
    # (case, how it is broken, extra arguments, check, level, a word of the fix)
    (
        "secret key readable by others",
        lambda ws: (ws / "secret.key").chmod(0o644),
        (),
        "permissions",
        "fail",
        "chmod 600",
    ),
    (
        "register readable by others",
        lambda ws: (ws / "register.sqlite").chmod(0o640),
        (),
        "permissions",
        "fail",
        "chmod 600",
    ),
    ("lake missing", lambda ws: shutil.rmtree(ws / "lake"), (), "workspace", "fail", "mkdir"),
    (
        "secret key missing",
        lambda ws: (ws / "secret.key").unlink(),
        (),
        "workspace",
        "fail",
        "backup",
    ),
    (
        "register behind",
        lambda ws: sql(ws, "DELETE FROM alembic_version"),
        (),
        "register",
        "fail",
        "cityops migrate",
    ),
    (
        "register from a newer cityops",
        lambda ws: sql(ws, "UPDATE alembic_version SET version_num = 'ffffffffffff'"),
        (),
        "register",
        "fail",
        "newer",
    ),
    (
        "postgresql down",
        lambda ws: set_register(ws, "postgresql+psycopg://cityops@127.0.0.1:1/cityops"),
        (),
        "register",
        "fail",
        "PostgreSQL runs",
    ),
    (
        "mqtt broker down",
        lambda ws: None,
        ("--mqtt", "mqtt://127.0.0.1:1"),
        "mqtt",
        "fail",
        "start the broker",
    ),
    (
        "mqtt address wrong",
        lambda ws: None,
        ("--mqtt", "http://broker"),
        "mqtt",
        "fail",
        "mqtt://host",
    ),
    (
        "disk smaller than a month of the lake",
        a_lake_that_grows_faster_than_the_disk,
        (),
        "disk",
        "fail",
        "free space",
    ),
    ("audit log altered", tamper_with_the_audit_log, (), "audit", "fail", "backup"),
]


@pytest.mark.parametrize(
    ("breaking", "extra", "name", "level", "fix"),
    [pytest.param(*row[1:], id=row[0]) for row in BROKEN],
)
def test_a_workspace_broken_on_purpose_is_reported_with_its_fix(
    ws: Path,
    breaking: Callable[[Path], None],
    extra: tuple[str, ...],
    name: str,
    level: str,
    fix: str,
) -> None:
    breaking(ws)
    status, checks = doctor("-w", str(ws), *extra)
    assert checks[name]["level"] == level, checks[name]
    assert fix in (checks[name]["fix"] or ""), checks[name]
    assert status == (1 if level == "fail" else 0)
    others = {n: c["level"] for n, c in checks.items() if n != name and c["level"] != "ok"}
    if name == "workspace":  # the audit chain's key derives from the secret key
        others.pop("audit", None)
    if name != "register":  # a register that cannot be read also has no audit check
        assert others == {}, others


def test_a_directory_that_is_no_workspace_fails_with_the_init_command(tmp_path: Path) -> None:
    status, checks = doctor("-w", str(tmp_path / "nowhere"))
    assert checks["workspace"]["level"] == "fail"
    assert "cityops init" in checks["workspace"]["fix"]
    assert status == 1


def test_spark_configured_without_pyspark_says_which_extra(ws: Path, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "pyspark.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'pyspark'\", name='pyspark')\n", "utf-8"
    )
    checks = doctor_process(
        ws,
        {
            "CITYOPS_SPARK_MASTER": "local[1]",
            "PYTHONPATH": os.pathsep.join([str(shadow), *sys.path]),
        },
    )
    assert checks["spark"]["level"] == "fail"
    assert "pip install 'cityops[spark]'" in checks["spark"]["fix"]


def test_without_a_chinese_font_pdf_reports_are_a_warning(ws: Path, tmp_path: Path) -> None:
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir></fontconfig>\n')
    checks = doctor_process(ws, {"FONTCONFIG_FILE": str(empty)})
    assert checks["pdf"]["level"] == "warn"
    assert "fonts-noto-cjk" in checks["pdf"]["fix"]


def test_the_human_view_shows_each_failure_with_its_fix(ws: Path) -> None:
    (ws / "secret.key").chmod(0o644)
    done = CliRunner().invoke(app, ["doctor", "-w", str(ws)])
    assert done.exit_code == 1
    assert "故障 fail  permissions" in done.stdout
    assert f"→ chmod 600 {ws / 'secret.key'}" in done.stdout
    assert "正常 ok    register" in done.stdout


@pytest.mark.postgres
def test_a_workspace_on_postgresql_is_healthy(tmp_path: Path) -> None:
    with temporary_postgres_database() as url:
        ws = create_workspace(tmp_path / "pg", name="示范市", register_url=url).root
        status, checks = doctor("-w", str(ws))
    assert checks["register"]["level"] == "ok", checks["register"]
    assert checks["register"]["detail"].startswith("PostgreSQL")
    assert checks["permissions"]["level"] == "ok"
    assert status == 0
