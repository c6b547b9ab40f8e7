"""``cityops.toml``: the city's own settings, with today's behaviour as their defaults,
and a wrong value refused naming the key and the file."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from cityops.domain.night import NightHours
from cityops.errors import CityopsError
from cityops.workspace.config import WorkspaceConfig, read_config, write_config


def _write(root: Path, text: str) -> Path:
    path = root / "cityops.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_without_a_tickets_table_keeps_the_five_day_deadline(tmp_path: Path) -> None:
    _write(tmp_path, 'name = "示范县"\n')
    assert read_config(tmp_path).tickets.deadline == timedelta(hours=120)


def test_a_city_sets_its_own_ticket_deadline(tmp_path: Path) -> None:
    _write(tmp_path, 'name = "示范县"\n\n[tickets]\ndeadline_h = 72\n')
    assert read_config(tmp_path).tickets.deadline == timedelta(hours=72)


def test_the_written_file_shows_every_city_setting_and_reads_back_the_same(
    tmp_path: Path,
) -> None:
    config = WorkspaceConfig(name="示范县")
    path = write_config(tmp_path, config)
    assert tomllib.loads(path.read_text("utf-8"))["tickets"] == {"deadline_h": 120.0}
    assert read_config(tmp_path) == config


@pytest.mark.parametrize(
    ("tickets", "problem"),
    [
        ("deadline_h = 0", "greater than 0"),
        ("deadline_h = -24", "greater than 0"),
        ('deadline_h = "five days"', "valid number"),
        ("deadline_h = nan", "finite number"),
        ("deadline_hours = 24", "deadline_hours"),
    ],
)
def test_a_wrong_ticket_setting_is_refused_naming_the_key_and_the_file(
    tmp_path: Path, tickets: str, problem: str
) -> None:
    path = _write(tmp_path, f'name = "示范县"\n\n[tickets]\n{tickets}\n')
    with pytest.raises(CityopsError) as raised:
        read_config(tmp_path)
    message = str(raised.value)
    assert str(path) in message
    assert "tickets" in message
    assert problem in message


def test_a_file_without_a_hotline_table_keeps_the_night_from_22_to_6(tmp_path: Path) -> None:
    _write(tmp_path, 'name = "示范县"\n')
    assert read_config(tmp_path).hotline.night == NightHours(22, 6)


def test_a_city_sets_its_own_night_hours(tmp_path: Path) -> None:
    _write(tmp_path, 'name = "示范县"\n\n[hotline]\nnight_start = 23\nnight_end = 7\n')
    assert read_config(tmp_path).hotline.night == NightHours(23, 7)


def test_the_written_file_shows_the_night_hours(tmp_path: Path) -> None:
    path = write_config(tmp_path, WorkspaceConfig(name="示范县"))
    assert tomllib.loads(path.read_text("utf-8"))["hotline"] == {"night_start": 22, "night_end": 6}


@pytest.mark.parametrize(
    ("hotline", "key", "problem"),
    [
        ("night_start = 22\nnight_end = 22", "night_end", "have no hours"),
        ("night_end = 22", "night_end", "have no hours"),  # the start left at 22
        ("night_start = 24", "night_start", "less than or equal to 23"),
        ("night_end = -1", "night_end", "greater than or equal to 0"),
        ('night_start = "22"', "night_start", "valid integer"),
        ("night_start = 21.5", "night_start", "valid integer"),
        ("night_starts = 23", "night_starts", "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_night_setting_is_refused_naming_the_key_and_the_file(
    tmp_path: Path, hotline: str, key: str, problem: str
) -> None:
    path = _write(tmp_path, f'name = "示范县"\n\n[hotline]\n{hotline}\n')
    with pytest.raises(CityopsError) as raised:
        read_config(tmp_path)
    message = str(raised.value)
    assert str(path) in message
    assert f"hotline.{key}" in message
    assert problem in message
