"""The installed ``cityops`` command, run as a user runs it."""

import subprocess
import sys
from pathlib import Path

from cityops import __version__


def cityops(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityops", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_version_is_printed() -> None:
    done = cityops("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"cityops {__version__}"


def test_a_directory_that_is_not_a_workspace_is_one_clear_error(tmp_path: Path) -> None:
    done = cityops("ingest", "-w", str(tmp_path / "nowhere"), "regions", "x.csv")
    assert done.returncode == 1
    assert "is not a cityops workspace" in done.stderr
    assert "cityops init" in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors_keep_the_parsers_status(tmp_path: Path) -> None:
    done = cityops("ingest", "--no-such-option")
    assert done.returncode == 2
