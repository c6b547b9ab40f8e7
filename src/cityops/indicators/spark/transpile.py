"""DuckDB SQL of a computation → Spark SQL, with the parameters written in as literals.

The computations are written once, in DuckDB SQL (``Computation.sql``).  SQLGlot
translates most of it to Spark SQL; this module adds what it gets wrong or
does not know, each rule checked by running every indicator on both engines
(``tests/integration/indicators/test_engines_agree.py``):

- ``quantile_cont(x, p)`` → ``percentile(x, p)``: SQLGlot writes
  ``PERCENTILE_CONT(x, p)`` (not Spark syntax), and for the standard
  ``WITHIN GROUP`` form ``PERCENTILE_APPROX``, an approximation.  Spark's
  ``percentile`` interpolates linearly between the closest ranks, as
  ``quantile_cont`` does.
- ``epoch_us(ts)`` → ``unix_micros(ts)`` (unknown to SQLGlot).
- A decimal literal (``1.0``, ``0.95``) becomes a DOUBLE.  Both engines read it
  as a DECIMAL, but DuckDB divides decimals in floating point while Spark keeps
  a decimal of limited scale (``1.0 * 1 / 3`` is 0.333333 on Spark), so
  ``scale × numerator ÷ denominator`` would lose digits.  Exact sums cast to
  ``DECIMAL(38, 12)`` explicitly and are not literals, so they stay exact.
- ``$name`` parameters become typed literals: instants as
  ``CAST('…+08:00' AS TIMESTAMP)`` (an instant whatever the session zone),
  dates, strings, integers, and lists as ``ARRAY(…)``; ``len`` of a list is its
  ``size`` (SQLGlot cannot tell DuckDB's ``len(list)`` from a string length).

Spark must run with the session time zone Asia/Shanghai and TIMESTAMP meaning
TIMESTAMP_LTZ (``cityops.indicators.spark.session``), so that ``CAST(... AS
TIMESTAMP)``, ``hour`` and casts to DATE cut days as DuckDB's TIMESTAMPTZ do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlglot
from sqlglot import exp

from cityops.errors import PipelineError

__all__ = ["spark_sql"]


def spark_sql(duckdb_sql: str, parameters: Mapping[str, Any], *, pretty: bool = False) -> str:
    """The Spark SQL for ``duckdb_sql`` with its ``$name`` parameters set to ``parameters``;
    ``pretty`` lays it out on indented lines, for people to read."""
    tree = _parsed(duckdb_sql).copy()
    # One pass per rule, in this order: a function is rewritten once its arguments
    # are literals (``len`` of a list), and a literal is typed wherever it ended up.
    tree = tree.transform(lambda node: _parameter(node, parameters))
    tree = tree.transform(_function)
    tree = tree.transform(_double_literal)
    return tree.sql(dialect="spark", pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)


@cache
def _parsed(duckdb_sql: str) -> exp.Expr:
    return sqlglot.parse_one(duckdb_sql, read="duckdb")


def _parameter(node: exp.Expr, parameters: Mapping[str, Any]) -> exp.Expr:
    return _literal(node.name, parameters) if isinstance(node, exp.Placeholder) else node


def _function(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.PercentileCont):
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us":
        return exp.UnixMicros(this=node.expressions[0])
    if isinstance(node, exp.Length) and isinstance(node.this, exp.Array):
        return exp.ArraySize(this=node.this)
    return node


def _double_literal(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Literal) and not node.is_string and not node.is_int:
        return exp.cast(node.copy(), exp.DataType.Type.DOUBLE)
    return node


def _literal(name: str, parameters: Mapping[str, Any]) -> exp.Expr:
    if name not in parameters:
        raise PipelineError(
            f"the query uses ${name}, which has no value; known: {sorted(parameters)}"
        )
    return _typed(parameters[name])


def _typed(value: Any) -> exp.Expr:
    # datetime before date: a datetime is a date too.
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise PipelineError(f"parameter instant {value} has no time zone")
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.TIMESTAMPTZ)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, bool | int):
        return exp.convert(value)
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[_typed(item) for item in value])
    raise PipelineError(f"no Spark literal for a parameter of type {type(value).__name__}")
