"""The SparkSession the Spark engine runs on, configured so that it computes what DuckDB does.

The master URL comes from the caller, else ``$CITYOPS_SPARK_MASTER``, else
``local[2]`` (Spark inside this process's JVM, two cores).  In production it
is a cluster URL (``spark://host:7077``, ``yarn``, ``k8s://…``); every executor
must then see the workspace's lake directory at the same path.  Tuning
(memory, executors, shuffle partitions) belongs to the cluster's
``spark-defaults.conf``; a local run gets a few shuffle partitions and no web
UI.  Otherwise this module sets only what the results depend on:

- ``spark.sql.session.timeZone = Asia/Shanghai``: days, hours and months are
  cut in the city's time zone, as DuckDB's ``SET TimeZone`` does;
- ``spark.sql.timestampType = TIMESTAMP_LTZ``: ``TIMESTAMP`` is an instant
  (DuckDB's TIMESTAMPTZ), whatever a cluster's defaults say;
- ``spark.sql.ansi.enabled = true``: an overflow or a bad cast fails the query
  instead of giving NULL or a wrapped number, as in DuckDB.

PySpark is an optional extra (``pip install 'cityops[spark]'``), imported only
here and only when a session is asked for.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from cityops.domain.period import CITY_TZ
from cityops.errors import PipelineError
from cityops.settings import ProcessSettings, process_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "missing_extra",
    "spark_master",
    "spark_session",
]

_SQL_SETTINGS = {
    "spark.sql.session.timeZone": CITY_TZ.key,
    "spark.sql.timestampType": "TIMESTAMP_LTZ",
    "spark.sql.ansi.enabled": "true",
}
"""Per-session settings the results depend on (set again on a reused session)."""

_QUIET = {"spark.ui.showConsoleProgress": "false"}
"""No progress bars on the terminal (a cluster keeps its web UI; a local run has none)."""

_LOCAL = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"}
"""A local run has no web UI, and a few cores: a shuffle into Spark's default 200
partitions is mostly empty tasks there (a cluster's own defaults apply otherwise)."""


def missing_extra(package: str) -> PipelineError:
    """The error for a package of the ``spark`` extra that is not installed."""
    return PipelineError(
        f"the Spark engine needs {package}, which is not installed; "
        "install the extra with `pip install 'cityops[spark]'` or use --engine duckdb"
    )


def spark_master(master: str | None = None, settings: ProcessSettings | None = None) -> str:
    """``master``, else ``$CITYOPS_SPARK_MASTER`` (of ``settings``, default the
    process's), else ``local[2]``."""
    return master or (settings or process_settings()).spark_master


def spark_session(master: str | None = None) -> SparkSession:
    """The process's SparkSession (created on first use) with the settings above.

    A session already running in the process is reused, with the settings
    applied to it; its master stays what it was.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise missing_extra("PySpark") from error
    url = spark_master(master)
    builder = SparkSession.builder.master(url).appName("cityops")
    local = _LOCAL if url.startswith("local") else {}
    for key, value in (local | _QUIET | _SQL_SETTINGS).items():
        builder = builder.config(key, value)
    with warnings.catch_warnings():
        # PySpark warns, once per process, that it does not support pandas 3 yet;
        # the engine exchanges data as Arrow and never goes through pandas.
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        for key, value in _SQL_SETTINGS.items():
            session.conf.set(key, value)
    return session
