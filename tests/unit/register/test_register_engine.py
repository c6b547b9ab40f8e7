"""Register URLs: psycopg 3 by default for PostgreSQL, passwords never printed."""

from __future__ import annotations

import pytest

from cityops.register.engine import masked_url, normalized_url


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///register.sqlite", "sqlite"),
    ],
)
def test_postgresql_urls_without_a_driver_use_psycopg_3(given: str, driver: str) -> None:
    assert normalized_url(given).drivername == driver


def test_a_password_is_masked_and_the_rest_kept() -> None:
    url = "postgresql+psycopg://ops:s3cr%40t@db.example:5432/register"
    assert masked_url(url) == "postgresql+psycopg://ops:***@db.example:5432/register"


def test_a_url_without_password_is_unchanged_when_masked() -> None:
    assert masked_url("sqlite:////srv/ws/register.sqlite") == "sqlite:////srv/ws/register.sqlite"


def test_a_sqlite_path_with_chinese_characters_is_printed_as_written() -> None:
    url = "sqlite:////srv/示范县/register.sqlite"
    assert masked_url(url) == url
