"""The same arguments and seed give byte-identical files; another seed gives other data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityops.domain.period import Period
from cityops.synth import generate_city


def _generate(out: Path, scale: str, seed: int, fmt: str = "parquet") -> dict[str, bytes]:
    generate_city(out, scale=scale, months=1, start=Period(2025, 3), seed=seed, fmt=fmt)
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_same_seed_gives_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    first = _generate(tmp_path / "a", "tiny", 11, fmt)
    second = _generate(tmp_path / "b", "tiny", 11, fmt)
    assert len(first) == 22  # 21 tables and truth.json
    assert first == second


def test_another_seed_gives_different_data(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", "tiny", 11)
    second = _generate(tmp_path / "b", "tiny", 12)
    assert first["portal_events.parquet"] != second["portal_events.parquet"]
    assert first["truth.json"] != second["truth.json"]


@pytest.mark.slow
def test_a_county_month_is_byte_identical_across_runs(tmp_path: Path) -> None:
    assert _generate(tmp_path / "a", "county", 5) == _generate(tmp_path / "b", "county", 5)
