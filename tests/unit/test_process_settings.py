"""Process settings: every ``CITYOPS_…`` variable read once, in one class, with errors
that name the variable; and ``docs/settings.md`` lists exactly those variables."""

from __future__ import annotations

import re
from ipaddress import ip_network
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.errors import ConfigError
from cityops.settings import ProcessSettings, process_settings, variable

SETTINGS_DOC = Path(__file__).parents[2] / "docs" / "settings.md"


def test_without_variables_the_settings_are_the_documented_defaults() -> None:
    settings = ProcessSettings.from_environ({})
    assert settings.workspace == Path("cityops-workspace")
    assert settings.password is None
    assert settings.spark_master == "local[2]"
    assert settings.api_ingest_max_bytes == 16 * 1024 * 1024
    assert settings.outbox_flush_s == 30.0
    assert settings.trusted_proxies == ()


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("CITYOPS_WORKSPACE", "/srv/hz", "workspace", Path("/srv/hz")),
        ("CITYOPS_SPARK_MASTER", "spark://m:7077", "spark_master", "spark://m:7077"),
        ("CITYOPS_API_INGEST_MAX_BYTES", "1024", "api_ingest_max_bytes", 1024),
        ("CITYOPS_OUTBOX_FLUSH_S", "0", "outbox_flush_s", 0.0),
        ("CITYOPS_OUTBOX_FLUSH_S", " 2.5 ", "outbox_flush_s", 2.5),
        (
            "CITYOPS_TRUSTED_PROXIES",
            "127.0.0.1, 10.0.0.0/8,::1",
            "trusted_proxies",
            (ip_network("127.0.0.1"), ip_network("10.0.0.0/8"), ip_network("::1")),
        ),
    ],
)
def test_each_variable_sets_its_field(name: str, value: str, field: str, expected: object) -> None:
    assert variable(field) == name
    assert getattr(ProcessSettings.from_environ({name: value}), field) == expected


def test_the_password_is_kept_secret_in_the_settings_text() -> None:
    settings = ProcessSettings.from_environ({"CITYOPS_PASSWORD": "chosen-by-me-1"})
    assert settings.password is not None
    assert settings.password.get_secret_value() == "chosen-by-me-1"
    assert "chosen-by-me-1" not in repr(settings)


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_variable_counts_as_unset(blank: str) -> None:
    environ = {variable(field): blank for field in ProcessSettings.model_fields}
    assert ProcessSettings.from_environ(environ) == ProcessSettings.from_environ({})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CITYOPS_API_INGEST_MAX_BYTES", "0"),
        ("CITYOPS_API_INGEST_MAX_BYTES", "16M"),
        ("CITYOPS_OUTBOX_FLUSH_S", "-1"),
        ("CITYOPS_OUTBOX_FLUSH_S", "nan"),
        ("CITYOPS_OUTBOX_FLUSH_S", "inf"),
        ("CITYOPS_TRUSTED_PROXIES", "proxy.example"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_the_value(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        ProcessSettings.from_environ({name: value})
    assert str(raised.value).startswith(f"{name}={value!r}: ")
    assert "unset it for the default" in str(raised.value)


@given(
    st.text(st.characters(categories=["L", "P", "S"], exclude_characters="+"), min_size=1),
    st.integers(0, 99),
)
def test_a_body_limit_with_words_in_it_is_refused_by_name(words: str, number: int) -> None:
    for text in (words, f"{number}{words}", f"{words}{number}"):
        with pytest.raises(ConfigError, match=r"^CITYOPS_API_INGEST_MAX_BYTES="):
            ProcessSettings.from_environ({"CITYOPS_API_INGEST_MAX_BYTES": text})


@given(st.integers(min_value=1, max_value=2**62))
def test_any_positive_body_limit_is_read_as_written(limit: int) -> None:
    environ = {"CITYOPS_API_INGEST_MAX_BYTES": str(limit)}
    assert ProcessSettings.from_environ(environ).api_ingest_max_bytes == limit


def test_a_given_environment_ignores_the_process_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYOPS_SPARK_MASTER", "spark://from-the-process:7077")
    assert ProcessSettings.from_environ({}).spark_master == "local[2]"


def test_the_process_settings_are_read_once_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    ProcessSettings.settings_clear_cache()
    try:
        monkeypatch.setenv("CITYOPS_SPARK_MASTER", "spark://first:7077")
        first = process_settings()
        monkeypatch.setenv("CITYOPS_SPARK_MASTER", "spark://second:7077")
        assert process_settings() is first
        assert first.spark_master == "spark://first:7077"
    finally:
        ProcessSettings.settings_clear_cache()


def test_the_documentation_lists_every_variable_and_no_other() -> None:
    documented = re.findall(r"^\| `(CITYOPS_[A-Z_]+)` \|", SETTINGS_DOC.read_text("utf-8"), re.M)
    assert sorted(documented) == sorted(variable(f) for f in ProcessSettings.model_fields)


def test_the_retired_ticket_deadline_variable_is_refused_saying_where_it_went() -> None:
    with pytest.raises(ConfigError) as raised:
        ProcessSettings.from_environ({"CITYOPS_TICKET_SLA_H": "48"})
    assert str(raised.value).startswith("CITYOPS_TICKET_SLA_H is no longer read: ")
    assert "[tickets] in the workspace's cityops.toml" in str(raised.value)
