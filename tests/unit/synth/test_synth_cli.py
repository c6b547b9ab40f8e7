"""``cityops synth`` prints one JSON summary with --json and writes the files it names."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cityops.cli.synth import synth
from cityops.domain.contract import TABLES


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("synth")(synth)
    app.command("noop")(lambda: None)  # a second command keeps "synth" as a sub-command
    return app


def test_json_summary_lists_every_table_and_its_rows(tmp_path: Path) -> None:
    out = tmp_path / "city"
    result = CliRunner().invoke(
        _app(),
        ["synth", "--out", str(out), "--scale", "tiny", "--start", "2024-11", "--seed", "4",
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["scale"] == "tiny"
    assert summary["start"] == "2024-11"
    assert summary["months"] == 1
    assert summary["seed"] == 4
    assert summary["format"] == "parquet"
    assert set(summary["tables"]) == {t.name for t in TABLES}
    assert all((out / f"{name}.parquet").exists() for name in summary["tables"])
    assert (out / "truth.json").exists()


def test_human_summary_is_a_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(), ["synth", "--out", str(tmp_path), "--scale", "tiny", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert "portal_events" in result.stdout
    assert (tmp_path / "portal_events.csv").exists()
