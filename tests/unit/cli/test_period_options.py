"""A month option (``--period``, ``--start``) reaches a command as a ``Period``; text that
is not a month is refused before the command runs, naming the option and the form."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cityops.cli.app import app


@pytest.mark.parametrize(
    "arguments",
    [
        ["evaluate", "--period", "2025-13"],
        ["indicators", "--period", "2025-3"],
        ["indicators", "explain", "effect.mau_rate", "--region", "330100", "--period", "March"],
        ["settle", "--contract", "C1", "--period", "25-03"],
        ["synth", "--out", "city", "--start", "2025-00"],
        ["demo", "--start", "next month"],
    ],
)
def test_a_month_not_written_yyyy_mm_is_a_usage_error_naming_the_option(
    arguments: list[str],
) -> None:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2, result.output
    option = arguments[arguments.index("--period" if "--period" in arguments else "--start")]
    assert f"Invalid value for '{option}'" in result.output
    assert "is not a month written YYYY-MM (e.g. 2025-03)" in result.output


def test_the_help_shows_a_month_option_as_yyyy_mm_with_its_default() -> None:
    result = CliRunner().invoke(app, ["synth", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "--start YYYY-MM" in result.output
    assert "[default: 2025-01]" in result.output
