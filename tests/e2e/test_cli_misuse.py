"""Every command, misused as a newcomer would misuse it, answers with one line.

Each row of ``MISUSES`` runs a command with a bad argument (a missing file, a
directory, a file of the wrong kind, an unknown name, a bad format) and asserts
that it exits non-zero with no traceback and exactly one line on stderr that
names the problem.  ``{ws}`` is a real workspace, ``{tmp}`` a scratch directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from ingest_workspace import make_workspace
from typer.testing import CliRunner

from cityops.cli.app import app

FILES = {
    "empty.csv": b"",
    "header-only.csv": b"region_code,name\n",
    "garbage.parquet": b"this is not parquet",
    "garbage.xlsx": b"PK\x03\x04 not a workbook",
    "bad.yaml": b"contracts: [unclosed\n  - : :\n",
    "profile.txt": b"just words, no mapping",
    "a-file": b"x",
}

MISUSES: list[tuple[str, str, str]] = [
    # (case, command line, a word the error line must contain)
    ("ingest a missing file", "ingest -w {ws} portal_events {tmp}/missing.csv", "missing.csv"),
    ("ingest a directory", "ingest -w {ws} surveys {tmp}/folder", "is a directory"),
    ("ingest an empty csv", "ingest -w {ws} regions {tmp}/empty.csv", "empty.csv"),
    ("ingest a header only csv", "ingest -w {ws} regions {tmp}/header-only.csv", "region"),
    (
        "ingest a file that is not parquet",
        "ingest -w {ws} surveys {tmp}/garbage.parquet",
        "garbage.parquet",
    ),
    (
        "ingest a file that is not a workbook",
        "ingest -w {ws} surveys {tmp}/garbage.xlsx",
        "garbage.xlsx",
    ),
    ("ingest an unknown table", "ingest -w {ws} no_such_table {tmp}/empty.csv", "no_such_table"),
    (
        "ingest into a missing workspace",
        "ingest -w {tmp}/nowhere regions {tmp}/empty.csv",
        "nowhere",
    ),
    (
        "ingest with an unknown encoding",
        "ingest -w {ws} regions {tmp}/empty.csv --encoding klingon",
        "klingon",
    ),
    ("init over a file", "init {tmp}/a-file", "a-file"),
    ("init over a workspace", "init {ws}", "already"),
    ("init with an unsupported register", "init {tmp}/new --register-url mysql://x@y/z", "mysql"),
    ("migrate a missing workspace", "migrate -w {tmp}/nowhere", "nowhere"),
    ("quarantine of an unknown table", "quarantine -w {ws} --table no_such_table", "no_such_table"),
    ("indicators for a bad period", "indicators -w {ws} --period 2025-13", "2025-13"),
    (
        "explain an unknown indicator",
        "indicators explain no.such --region 330102 --period 2025-01 -w {ws}",
        "2025-01",
    ),
    ("evaluate a bad period", "evaluate -w {ws} --period 25-1", "25-1"),
    (
        "evaluate with a missing framework",
        "evaluate -w {ws} --period 2025-01 --framework {tmp}/missing.yaml",
        "missing.yaml",
    ),
    (
        "evaluate with a directory as framework",
        "evaluate -w {ws} --period 2025-01 --framework {tmp}/folder",
        "folder",
    ),
    (
        "evaluate with a broken framework",
        "evaluate -w {ws} --period 2025-01 --framework {tmp}/bad.yaml",
        "bad.yaml",
    ),
    ("report of an unknown run", "report -w {ws} --run no-such-run", "no-such-run"),
    ("report in an unknown format", "report -w {ws} --format docx", "docx"),
    ("report in an unknown language", "report -w {ws} --lang fr", "fr"),
    ("load missing contracts", "contracts load {tmp}/missing.yaml -w {ws}", "missing.yaml"),
    ("load a directory of contracts", "contracts load {tmp}/folder -w {ws}", "folder"),
    ("load broken contracts", "contracts load {tmp}/bad.yaml -w {ws}", "bad.yaml"),
    ("settle an unknown contract", "settle -w {ws} --contract NO-SUCH --period 2025-01", "NO-SUCH"),
    ("settle a bad period", "settle -w {ws} --contract C1 --period 2025/01", "2025/01"),
    ("show an unknown statement", "settle show NO-SUCH@2025-01#v1 -w {ws}", "NO-SUCH"),
    (
        "approve an unknown statement",
        "settle approve NO-SUCH@2025-01#v1 --by ann -w {ws}",
        "NO-SUCH",
    ),
    ("advise on a missing profile", "advise {tmp}/missing.yaml", "missing.yaml"),
    ("advise on a directory", "advise {tmp}/folder", "folder"),
    ("advise on a profile that is not yaml", "advise {tmp}/profile.txt", "profile.txt"),
    (
        "compliance with missing rules",
        "compliance -w {ws} --rules {tmp}/missing.yaml",
        "missing.yaml",
    ),
    ("schemas into a file", "schemas --out {tmp}/a-file", "a-file"),
    ("synth of an unknown scale", "synth --out {tmp}/synth --scale galaxy", "galaxy"),
    ("synth in an unknown format", "synth --out {tmp}/synth --scale tiny --format xml", "xml"),
    ("synth into a file", "synth --out {tmp}/a-file --scale tiny", "a-file"),
    ("demo of an unknown scale", "demo -w {tmp}/demo --scale galaxy", "galaxy"),
    ("listen to a bad broker address", "listen -w {ws} --mqtt http://broker", "http://broker"),
    ("serve a missing workspace", "serve -w {tmp}/nowhere", "nowhere"),
    ("create a user of an unknown role", "user create ann --role emperor -w {ws}", "emperor"),
    ("list users of a missing workspace", "user list -w {tmp}/nowhere", "nowhere"),
    ("verify the audit of a missing workspace", "audit verify -w {tmp}/nowhere", "nowhere"),
    ("flush tickets of a missing workspace", "tickets flush -w {tmp}/nowhere", "nowhere"),
    ("status of a missing workspace", "status -w {tmp}/nowhere", "nowhere"),
    ("status while PostgreSQL is down", "status -w {down}", "register_url"),
    ("settle while PostgreSQL is down", "settle list -w {down}", "database server runs"),
    ("an unknown command", "no-such-command", "no-such-command"),
]


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("misuse")
    workspace = make_workspace(tmp)
    (tmp / "folder").mkdir()
    (tmp / "folder" / "inside.csv").write_text("x\n", encoding="utf-8")
    for name, content in FILES.items():
        (tmp / name).write_bytes(content)
    down = make_workspace(tmp / "down").root  # its register moved to a server that is down
    config = down / "cityops.toml"
    lines = config.read_text("utf-8").splitlines()
    url = 'register_url = "postgresql+psycopg://cityops@127.0.0.1:1/cityops"'
    config.write_text("\n".join(url if n.startswith("register_url") else n for n in lines), "utf-8")
    computed = CliRunner().invoke(
        app, ["indicators", "-w", str(workspace.root), "--period", "2025-01"]
    )
    assert computed.exit_code == 0, computed.output
    return {"ws": str(workspace.root), "tmp": str(tmp), "down": str(down)}


def assert_one_clear_line(status: int, output: str, stderr: str, word: str) -> None:
    assert status != 0, output
    assert "Traceback" not in output + stderr
    # progress lines may come first, and a usage error (status 2) keeps the
    # parser's usage line above its message: the error itself is one line
    message = [line for line in stderr.splitlines() if line.lower().startswith("error")]
    assert len(message) == 1, stderr
    assert word.lower() in message[0].lower(), stderr
    assert "bug in cityops" not in message[0], stderr


@pytest.mark.parametrize(
    ("command", "word"), [pytest.param(c, w, id=case) for case, c, w in MISUSES]
)
def test_a_misused_command_exits_with_one_line_naming_the_problem(
    scene: dict[str, str], command: str, word: str
) -> None:
    done = CliRunner().invoke(app, command.format(**scene).split())
    assert_one_clear_line(done.exit_code, done.output, done.stderr, word.format(**scene))


def cityops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityops", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_serving_on_a_busy_port_is_one_line_and_no_console_address(
    scene: dict[str, str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = cityops("serve", "-w", scene["ws"], "--port", str(port))
    assert_one_clear_line(done.returncode, done.stdout, done.stderr, f"port {port}")
    assert "already in use" in done.stderr
    assert "/console" not in done.stderr


def _without_file_capabilities() -> list[str]:
    """A command prefix under which even root obeys file modes: ``setpriv`` drops the
    capabilities that let root read any file (none needed for another user)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root reads every file, and setpriv (util-linux) is not here to stop it")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_an_unreadable_file_is_one_line(scene: dict[str, str], tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("region_code,name\n", encoding="utf-8")
    secret.chmod(0)
    command = ["ingest", "-w", scene["ws"], "regions", str(secret)]
    done = subprocess.run(
        [*_without_file_capabilities(), sys.executable, "-m", "cityops", *command],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert_one_clear_line(done.returncode, done.stdout, done.stderr, "not readable")


@pytest.fixture
def without_extras(tmp_path: Path) -> dict[str, str]:
    """An environment where the optional extras are not installed: their modules
    shadowed by ones that fail to import as a missing package does."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    for module in ("psycopg", "pyspark"):
        (shadow / f"{module}.py").write_text(
            f'raise ModuleNotFoundError("No module named {module!r}", name={module!r})\n',
            encoding="utf-8",
        )
    path = os.pathsep.join([str(shadow), *sys.path])
    return {"PYTHONPATH": path}


def test_a_missing_postgres_extra_says_which_extra_to_install(
    tmp_path: Path, without_extras: dict[str, str]
) -> None:
    done = cityops(
        "init",
        str(tmp_path / "pg"),
        "--register-url",
        "postgresql://cityops@127.0.0.1/cityops",
        env=without_extras,
    )
    assert_one_clear_line(done.returncode, done.stdout, done.stderr, "psycopg")
    assert "pip install 'cityops[postgres]'" in done.stderr


def test_bracketed_text_in_an_error_reaches_the_terminal_unchanged(
    scene: dict[str, str], without_extras: dict[str, str]
) -> None:
    done = cityops(
        "indicators", "-w", scene["ws"], "--period", "2025-01", "--engine", "spark",
        env=without_extras,
    )  # fmt: skip
    assert_one_clear_line(done.returncode, done.stdout, done.stderr, "PySpark")
    assert "`pip install 'cityops[spark]'`" in done.stderr


def test_debug_shows_the_traceback(scene: dict[str, str]) -> None:
    done = cityops("--debug", "ingest", "-w", scene["ws"], "surveys", scene["tmp"] + "/folder")
    assert done.returncode != 0
    assert "Traceback" in done.stderr
    assert "IsADirectoryError" in done.stderr


def test_bracketed_text_from_a_file_is_shown_as_written(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    source = tmp_path / "regions[v2].csv"
    source.write_text(
        "region_code,name,level,resident_population\n330199,[/]新区,[red]planet,5\n", "utf-8"
    )
    ws = str(workspace.root)
    wide = {"COLUMNS": "400"}  # a whole path on one line
    ingested = CliRunner().invoke(app, ["ingest", "-w", ws, "regions", str(source)], env=wide)
    assert ingested.exit_code == 0, ingested.output
    assert "regions[v2].csv" in ingested.stdout
    listed = CliRunner().invoke(app, ["quarantine", "-w", ws, "--table", "regions"], env=wide)
    assert listed.exit_code == 0, listed.output
    assert "[red]planet" in listed.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_one_line(scene: dict[str, str]) -> None:
    with Path("/dev/full").open("w") as full:  # every write fails with ENOSPC
        done = subprocess.run(
            [sys.executable, "-m", "cityops", "status", "-w", scene["ws"], "--json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=120,
        )
    assert_one_clear_line(done.returncode, "", done.stderr, "no space left on the device")


@pytest.mark.slow
def test_ctrl_c_is_one_line_and_status_130(tmp_path: Path) -> None:
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cityops",
            "synth",
            "--out",
            str(tmp_path / "c"),
            "--scale",
            "county",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stderr is not None
    first = run.stderr.read(5)  # the command runs: its progress has begun
    run.send_signal(signal.SIGINT)
    out, rest = run.communicate(timeout=120)
    assert run.returncode == 130
    assert "Traceback" not in out + first + rest
    # the progress line it interrupted may not have ended: the error follows it
    said = [line for line in (first + rest).splitlines() if "error:" in line]
    assert len(said) == 1
    assert said[0].endswith("error: interrupted (Ctrl-C); run the command again to finish its work")


def test_the_advisor_prints_profile_text_as_written(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "examples" / "advisor" / "xiangtan.yaml"
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        example.read_text("utf-8").replace(
            "name: 湘潭市新型智慧城市PPP项目", "name: '[bold]湘潭[/bold] [v2]'"
        ),
        "utf-8",
    )
    done = CliRunner().invoke(app, ["advise", str(profile)], env={"COLUMNS": "400"})
    assert done.exit_code == 0, done.output
    assert "[bold]湘潭[/bold] [v2]" in done.stdout
