"""Which Spark the engine asks for, and what a user without PySpark is told."""

from __future__ import annotations

import sys

import pytest

from cityops.errors import PipelineError
from cityops.indicators.spark.session import spark_master, spark_session
from cityops.settings import ProcessSettings


def test_the_master_is_the_callers_then_the_environments_then_local() -> None:
    unset = ProcessSettings.from_environ({})
    assert spark_master(settings=unset) == "local[2]"
    cluster = ProcessSettings.from_environ({"CITYOPS_SPARK_MASTER": "spark://cluster:7077"})
    assert spark_master(settings=cluster) == "spark://cluster:7077"
    assert spark_master("local[1]", settings=cluster) == "local[1]"


def test_without_pyspark_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if it were not installed
    with pytest.raises(PipelineError, match=r"needs PySpark.*cityops\[spark\].*--engine duckdb"):
        spark_session()
