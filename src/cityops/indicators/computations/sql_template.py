"""Indicators as data: a computation written in the catalogue entry, as SQL over one
contract table, so that a city adds an indicator by editing its catalogue file alone.

::

    [indicator.computation]
    table = "data_sharing_calls"
    numerator = "count(*) FILTER (WHERE success)"
    denominator = "count(*)"
    # where = "rows > 0"       a condition on the rows (optional)
    # period = "ts"            the column that places a row in a month (optional)

The city writes *what* to count; the engine adds *when* and *where*, as for the
computations registered in Python:

- the month: only rows whose time column is in P (the table's ``time_field``,
  else its ``period`` column; a register table is read as it stands);
- each row's finest region: the table's ``region_code``, else the
  ``region_code`` of the register row that one of its columns references (a
  sharing call belongs to its data resource's region, a probe to its
  system's); rows whose reference is unknown count nowhere;
- the roll-up to every region at every level, from the rows themselves:
  ``rolled_up`` (figures per finest region, added up under each ancestor) when
  both measures add up over regions, ``rolled_up_rows`` (every row joined to
  every ancestor) when one is a ``count(DISTINCT …)``.

value = numerator ÷ denominator, missing (NULL) when the denominator is 0; with
no denominator the value is the numerator, a count (0 for a region without
rows).  ``rows_read`` counts the rows that passed ``where``.  Every ``sum`` runs
in exact fixed point (``exact_total``, ``exact_sum``), so a re-run gives the same
digits.

Safe by construction: each text is parsed with SQLGlot (DuckDB's dialect), and
every node of its tree must be on the short lists below: columns of the named
table, literals, arithmetic, comparisons, AND/OR/NOT, IS, IN and BETWEEN over
values, LIKE, CASE, CAST to a plain type, intervals and ``FUNCTIONS``.  A
statement, subquery, other table, parameter, window, unknown function or
column, comment or ``;`` is refused with a message saying what is allowed.  The
query is then written from the checked trees and the contract's names, never
pasted from the file.  Each construct allowed here is run on DuckDB and Spark
by the tests (``tests/unit/indicators/test_catalogue_computations.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from cityops.domain.contract import FieldType, Table
from cityops.domain.contract import table as contract_table
from cityops.errors import ConfigError, ContractError
from cityops.indicators.computations.base import Computation, ValueKind
from cityops.indicators.computations.common import (
    IN_PERIOD,
    Additive,
    exact_sum,
    exact_total,
    rolled_up,
    rolled_up_rows,
)

if TYPE_CHECKING:
    from cityops.indicators.computations.written import ComputationMeta

__all__ = ["CAST_TYPES", "FUNCTIONS", "INTERVAL_UNITS", "template_computation", "template_tables"]

FUNCTIONS: Mapping[type[exp.Expr], str] = {
    exp.Abs: "abs",
    exp.Coalesce: "coalesce",
    exp.Greatest: "greatest",
    exp.Hour: "hour",
    exp.Least: "least",
    exp.Lower: "lower",
    exp.Nullif: "nullif",
    exp.Upper: "upper",
}
"""The scalar functions a row expression may call (``hour`` of an instant is the
local hour, Asia/Shanghai, on both engines)."""

CAST_TYPES = {exp.DataType.Type.DATE: "DATE", exp.DataType.Type.DOUBLE: "DOUBLE"}
"""The types a ``CAST`` may name (an instant cast to DATE is its local day).  Not
integers: DuckDB rounds ``CAST(55.5 AS BIGINT)`` to 56 and Spark truncates it to 55;
not text: the engines write instants and doubles differently."""

INTERVAL_UNITS = ("SECOND", "MINUTE", "HOUR", "DAY")
"""``INTERVAL n <unit>`` (or the plural), with a number n."""

_ROW_NODES: frozenset[type[exp.Expr]] = frozenset(
    {
        *(exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren),
        *(exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg),
        *(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE),
        *(exp.And, exp.Or, exp.Not, exp.Is, exp.In, exp.Between, exp.Like),
        *(exp.Case, exp.If, exp.Cast, exp.DataType, exp.Interval, exp.Var),
        *FUNCTIONS,
    }
)
"""Every node a row expression (``where``, an aggregate's argument or filter) may
hold; ``DataType``, ``Interval`` and ``Var`` are checked further where they stand.
Exact types, not subclasses: ``TRY_CAST`` is a kind of ``CAST`` to SQLGlot."""

_ALLOWED = (
    "write one expression over the columns of {table}: column names, literals, + - * /, "
    "comparisons, AND, OR, NOT, IS [NOT] NULL, IN (values), BETWEEN, LIKE, CASE, "
    "CAST(… AS DOUBLE|DATE), INTERVAL n " + "|".join(INTERVAL_UNITS) + " "
    "and the functions " + ", ".join(sorted(FUNCTIONS.values()))
)

_AGGREGATES = (
    "one aggregate: count(*), count(expression), count(DISTINCT expression) or "
    "sum(expression), optionally followed by FILTER (WHERE condition)"
)

_AGGREGATE_FUNCTIONS: Mapping[type[exp.Expr], str] = {exp.Count: "count", exp.Sum: "sum"}

_REFUSED_NAMES = {
    "select": "a query (SELECT)",
    "subquery": "a subquery",
    "table": "a table",
    "placeholder": "a parameter",
    "window": "a window function (OVER)",
    "star": "*",
    "distinct": "DISTINCT",
}


def template_computation(code: str, spec: ComputationMeta) -> Computation:
    """The computation of ``code`` that ``spec`` describes, checked; a ``ConfigError``
    says which part is refused and what is allowed."""
    return _expanded(code, spec)


def template_tables(spec: ComputationMeta) -> tuple[str, ...]:
    """The contract tables the computation reads: its table, and the register table
    that places its rows when it has no ``region_code`` of its own."""
    table = _table(spec.table)
    placed_by = _placement(table).register
    return (table.name,) if placed_by is None else (table.name, placed_by.name)


@cache
def _expanded(code: str, spec: ComputationMeta) -> Computation:
    table = _table(spec.table)
    placement = _placement(table)
    numerator = _measure(spec.numerator, "numerator", table)
    denominator = (
        None if spec.denominator is None else _measure(spec.denominator, "denominator", table)
    )
    conditions = [_window(table, spec.period)]
    if spec.where is not None:
        row_filter = _parsed(spec.where, "where")
        _check_row(row_filter, "where", table)
        conditions.append(f"({_written(row_filter)})")
    measured = numerator.columns | (denominator.columns if denominator else frozenset())
    rows = placement.rows(table, measured, [c for c in conditions if c])
    if numerator.distinct or (denominator is not None and denominator.distinct):
        body = rolled_up_rows(
            rows, numerator.over_rows(), denominator.over_rows() if denominator else "NULL"
        )
    else:
        body = rolled_up(
            rows, numerator.per_region(), denominator.per_region() if denominator else None
        )
    return Computation(code, body, ValueKind.COUNT if denominator is None else ValueKind.RATIO)


def _table(name: str) -> Table:
    try:
        return contract_table(name)
    except ContractError as error:
        raise ConfigError(f"table {name!r} is not a contract table: {error}") from error


@dataclass(frozen=True, slots=True)
class _Placement:
    """How a row of the table reaches its finest region: its own ``region_code``
    (``register`` None), or that of the ``register`` row its ``column`` references."""

    column: str
    register: Table | None

    def rows(self, table: Table, columns: frozenset[str], conditions: list[str]) -> str:
        """The rows to aggregate: ``region_code`` (the finest region) and ``columns``."""
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        picked = "".join(f", t.{name}" for name in sorted(columns - {"region_code"}))
        source = f"(SELECT * FROM {table.name}{where}) AS t"
        if self.register is None:
            return f"SELECT t.region_code{picked} FROM {source}"
        key = self.register.identity[0]
        return (
            f"SELECT p.region_code{picked} FROM {source} "
            f"JOIN {self.register.name} AS p ON p.{key} = t.{self.column}"
        )


def _placement(table: Table) -> _Placement:
    if "region_code" in table.field_names:
        return _Placement("region_code", None)
    if "user_id" in table.field_names:
        raise ConfigError(
            f"rows of {table.name} belong to the user's residence (their latest "
            "portal_users row), which a catalogue computation cannot place; such an "
            "indicator needs a computation registered in cityops.indicators.computations"
        )
    for field in table.fields:
        register = _table(field.references) if field.references else None
        if register is not None and "region_code" in register.field_names:
            return _Placement(field.name, register)
    raise ConfigError(f"rows of {table.name} have no region (no region_code, no reference)")


def _window(table: Table, column: str | None) -> str | None:
    """The condition that keeps the rows of the month (None: no window)."""
    periods = {
        f.name: f.type
        for f in table.fields
        if f.type in (FieldType.TIMESTAMP, FieldType.DATE, FieldType.PERIOD)
    }
    default = table.time_field or next(
        (name for name, kind in periods.items() if kind is FieldType.PERIOD), None
    )
    name = column or default
    if name is None:
        return None
    if name not in periods:
        raise ConfigError(
            f"period {name!r} is not a timestamp, date or period column of {table.name}; "
            f"use one of {', '.join(periods) or '(none: the table is read as it stands)'}"
        )
    if periods[name] is FieldType.TIMESTAMP:
        return IN_PERIOD.format(ts=name)
    if periods[name] is FieldType.DATE:
        return f"{name} >= $first_day AND {name} <= $last_day"
    return f"{name} = $period"


@dataclass(frozen=True, slots=True)
class _Measure:
    """One aggregate of the city's: ``count`` (of ``argument``, ``*`` when None) or
    ``sum``, with its FILTER ``condition``; SQL over the rows ``x``."""

    function: str
    argument: str | None
    distinct: bool
    condition: str | None
    columns: frozenset[str]

    @property
    def _filter(self) -> str:
        return f" FILTER (WHERE {self.condition})" if self.condition else ""

    def per_region(self) -> Additive:
        """For ``rolled_up``: per finest region, then added up under each ancestor."""
        if self.function == "sum":
            exact = exact_total(str(self.argument))
            return Additive(exact.per_leaf + self._filter, exact.total)
        return Additive(f"count({self.argument or '*'}){self._filter}")

    def over_rows(self) -> str:
        """For ``rolled_up_rows``: over every row under the region."""
        if self.function == "sum":
            return exact_sum(str(self.argument), self.condition)
        distinct = "DISTINCT " if self.distinct else ""
        return f"count({distinct}{self.argument or '*'}){self._filter}"


def _measure(text: str, part: str, table: Table) -> _Measure:
    tree = _parsed(text, part).unnest()
    condition = None
    if type(tree) is exp.Filter:
        tree, condition = tree.this, tree.expression.this
    argument, distinct = tree.this, False
    if type(argument) is exp.Distinct and len(argument.expressions) == 1:
        argument, distinct = argument.expressions[0], not argument.args.get("on")
    function = _AGGREGATE_FUNCTIONS.get(type(tree))
    if function is None or argument is None or tree.expressions or (distinct and function == "sum"):
        raise ConfigError(f"{part}: {text!r} is not {_AGGREGATES}")
    counts_rows = function == "count" and not distinct and type(argument) is exp.Star
    columns = frozenset() if counts_rows else _check_row(argument, part, table)
    if condition is not None:
        columns |= _check_row(condition, part, table)
    return _Measure(
        function,
        None if counts_rows else _written(argument, "x"),
        distinct,
        None if condition is None else _written(condition, "x"),
        columns,
    )


def _parsed(text: str, part: str) -> exp.Expr:
    """``text`` as one SQLGlot tree (DuckDB's dialect), without comments."""
    if ";" in text:
        raise ConfigError(f"{part}: ';' is not allowed, even in a string (write one expression)")
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except SqlglotError as error:
        detail = str(error).splitlines()[0]  # the rest underlines the place in the text
        raise ConfigError(f"{part}: {text!r} is not SQL: {detail}") from error
    if any(node.comments for node in tree.walk()):
        raise ConfigError(f"{part}: comments are not allowed in SQL (write them in TOML, after #)")
    return tree


def _check_row(tree: exp.Expr, part: str, table: Table) -> frozenset[str]:
    """Check a row expression (no aggregate) over ``table``; return the columns it reads."""
    for node in tree.walk():
        problem = _problem(node, table)
        if problem is not None:
            raise ConfigError(f"{part}: {problem}")
    return frozenset(column.name for column in tree.find_all(exp.Column))


def _problem(node: exp.Expr, table: Table) -> str | None:
    """What is wrong with one node of a row expression; None when it is allowed."""
    if type(node) not in _ROW_NODES:
        return f"{_refused(node)} is not allowed; {_ALLOWED.format(table=table.name)}"
    if isinstance(node, exp.Column) and (node.table or node.name not in table.field_names):
        return (
            f"{node.sql(dialect='duckdb')} is not a column of {table.name} "
            f"(write one of {', '.join(table.field_names)}, without a table name)"
        )
    if isinstance(node, exp.DataType) and (
        node.this not in CAST_TYPES or node.expressions or type(node.parent) is not exp.Cast
    ):
        types = ", ".join(sorted(set(CAST_TYPES.values())))
        return f"the type {node.this.value} is not allowed; CAST to one of {types}"
    if (isinstance(node, exp.Interval) and type(node.this) is not exp.Literal) or (
        isinstance(node, exp.Var)
        and not (
            type(node.parent) is exp.Interval
            and node.name.upper().removesuffix("S") in INTERVAL_UNITS
        )
    ):
        units = ", ".join(INTERVAL_UNITS)
        return f"write an interval as INTERVAL n <unit>, with a number n and a unit among {units}"
    return None


def _refused(node: exp.Expr) -> str:
    """A name for a node that is not allowed, as a city wrote it."""
    if isinstance(node, exp.AggFunc):
        name = node.sql_name().lower()
        return f"the aggregate {name}() (aggregates go in numerator and denominator only)"
    if isinstance(node, exp.Func):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        return f"the function {name.lower()}()"
    return _REFUSED_NAMES.get(node.key, node.key.upper())


def _written(tree: exp.Expr, rows: str | None = None) -> str:
    """``tree`` as DuckDB SQL, its columns read from the rows ``rows`` when given.

    A division by zero is NULL: ``a / b`` is written ``a / nullif(b, 0)`` (unless b
    is a number other than 0), since DuckDB gives infinity and Spark (ANSI) fails,
    and a missing figure is what the platform makes of a zero denominator."""
    written = tree.copy()
    for division in list(written.find_all(exp.Div)):
        divisor = division.expression
        if not (isinstance(divisor, exp.Literal) and divisor.is_number and float(divisor.this)):
            division.set("expression", exp.Nullif(this=divisor, expression=exp.Literal.number(0)))
    if rows is not None:
        for column in written.find_all(exp.Column):
            column.set("table", exp.to_identifier(rows))
    return written.sql(dialect="duckdb")
