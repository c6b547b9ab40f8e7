"""Which Spark the engine asks for, and what a user without PySpark is told."""

from __future__ import annotations

import sys

import pytest

from cityops.errors import PipelineError
from cityops.indicators.spark.session import SPARK_MASTER_ENV, spark_master, spark_session


def test_the_master_is_the_callers_then_the_environments_then_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SPARK_MASTER_ENV, raising=False)
    assert spark_master() == "local[2]"
    monkeypatch.setenv(SPARK_MASTER_ENV, "spark://cluster:7077")
    assert spark_master() == "spark://cluster:7077"
    assert spark_master("local[1]") == "local[1]"


def test_without_pyspark_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if it were not installed
    with pytest.raises(PipelineError, match=r"needs PySpark.*cityops\[spark\].*--engine duckdb"):
        spark_session()
