"""A computation written in the catalogue is refused unless it is safe SQL over the
contract: the error names the file and the indicator and says what is allowed."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import tomli_w
from city_catalogue import sql_indicator, write_city_catalogue
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from cityops.errors import ConfigError
from cityops.indicators.catalogue import load_catalogue
from cityops.indicators.computations.sql_template import template_computation
from cityops.indicators.computations.written import ComputationMeta

CODE = "city.sharing_calls"
GOOD: dict[str, str] = {
    "numerator": "count(*) FILTER (WHERE success)",
    "denominator": "count(*)",
}


def _refusal(tmp_path: Path, table: str = "data_sharing_calls", **computation: Any) -> str:
    """The error of loading a city catalogue whose own entry has ``computation``."""
    fields = GOOD | {"sources": ["data_sharing_calls", "data_resources"]} | computation
    numerator = fields.pop("numerator")
    path = write_city_catalogue(
        tmp_path / "catalogue.toml", sql_indicator(CODE, table, numerator, **fields)
    )
    with pytest.raises(ConfigError) as raised:
        load_catalogue(path)
    message = str(raised.value)
    assert re.search(rf"{re.escape(str(path))}:\d+: indicator {CODE!r}", message), message
    return message


UNSAFE: tuple[tuple[dict[str, Any], str], ...] = (
    # another table, through a subquery, EXISTS or a qualified column
    (
        {"where": "resource_id IN (SELECT resource_id FROM data_resources)"},
        "where: a subquery is not allowed; write one expression over the columns of "
        "data_sharing_calls",
    ),
    ({"where": "EXISTS (SELECT 1 FROM portal_users)"}, "where: the function exists() is not"),
    (
        {"numerator": "count(*) FILTER (WHERE data_resources.share_type = 'none')"},
        "numerator: data_resources.share_type is not a column of data_sharing_calls",
    ),
    (
        {"table": "users"},
        "table 'users' is not a contract table: unknown table 'users'; the contract has: ",
    ),
    ({"table": "region_closure"}, "table 'region_closure' is not a contract table"),
    # statements, DDL and DML
    ({"where": "success; DROP TABLE regions"}, "where: ';' is not allowed"),
    ({"where": "provider_department = 'a;b'"}, "where: ';' is not allowed, even in a string"),
    ({"where": "DROP TABLE regions"}, "where: DROP is not allowed"),
    ({"where": "DELETE FROM regions"}, "where: DELETE is not allowed"),
    ({"where": "CREATE TABLE x AS SELECT 1"}, "where: CREATE is not allowed"),
    ({"where": "INSERT INTO regions VALUES (1)"}, "where: INSERT is not allowed"),
    ({"where": "SELECT 1"}, "where: a query (SELECT) is not allowed"),
    ({"numerator": "DROP TABLE regions"}, "numerator: 'DROP TABLE regions' is not one aggregate"),
    # unknown columns
    (
        {"numerator": "count(*) FILTER (WHERE password = 'x')"},
        "numerator: password is not a column of data_sharing_calls (write one of event_id, "
        "ts, resource_id, provider_department, consumer_department, rows, success",
    ),
    ({"denominator": "sum(region_code)"}, "denominator: region_code is not a column"),
    ({"where": "SUCCESS"}, "where: SUCCESS is not a column"),
    # unknown functions, and functions the engines read differently
    ({"where": "getenv('HOME') IS NOT NULL"}, "where: the function getenv() is not allowed"),
    ({"numerator": "sum(read_csv('/etc/passwd'))"}, "the function read_csv() is not allowed"),
    ({"where": "ts < now()"}, "is not allowed"),
    ({"where": "TRY_CAST(rows AS DOUBLE) > 1"}, "where: the function try_cast() is not allowed"),
    ({"where": "CAST(rows AS BIGINT) > 1"}, "where: the type BIGINT is not allowed"),
    ({"where": "CAST(ts AS VARCHAR) LIKE '2025%'"}, "the type TEXT is not allowed"),
    ({"where": "rows % 2 = 0"}, "where: MOD is not allowed"),
    ({"where": "ts + INTERVAL 1 MONTH > ts"}, "where: write an interval as INTERVAL n <unit>"),
    ({"where": "ts + INTERVAL (rows) MINUTE > ts"}, "write an interval as INTERVAL n <unit>"),
    # parameters, comments, windows
    ({"where": "ts < $period_end"}, "where: a parameter is not allowed"),
    ({"where": "success -- every call"}, "where: comments are not allowed"),
    ({"where": "success /* every call */"}, "where: comments are not allowed"),
    ({"numerator": "count(*) OVER ()"}, "numerator: 'count(*) OVER ()' is not one aggregate"),
    # aggregates: one count or sum per measure, none in a row expression
    ({"numerator": "avg(rows)"}, "numerator: 'avg(rows)' is not one aggregate: count(*), "),
    ({"numerator": "sum(rows) + 1"}, "is not one aggregate"),
    ({"numerator": "sum(DISTINCT rows)"}, "is not one aggregate"),
    ({"numerator": "count(DISTINCT rows, success)"}, "numerator: DISTINCT is not allowed"),
    ({"numerator": "rows"}, "numerator: 'rows' is not one aggregate"),
    (
        {"numerator": "count(*) FILTER (WHERE count(*) > 1)"},
        "numerator: the aggregate count() (aggregates go in numerator and denominator only)",
    ),
    ({"where": "sum(rows) > 0"}, "where: the aggregate sum()"),
    ({"numerator": "count("}, "numerator: 'count(' is not SQL: "),
    # where the rows lie, and when
    ({"table": "portal_events"}, "rows of portal_events belong to the user's residence"),
    (
        {"period": "rows"},
        "period 'rows' is not a timestamp, date or period column of data_sharing_calls; "
        "use one of ts",
    ),
    (
        {"table": "systems", "period": "name", "numerator": "count(*)"},
        "use one of (none: the table is read as it stands)",
    ),
)


@pytest.mark.parametrize(("computation", "message"), UNSAFE)
def test_an_unsafe_computation_is_refused_saying_what_is_allowed(
    tmp_path: Path, computation: dict[str, Any], message: str
) -> None:
    assert message in _refusal(tmp_path, **computation)


def test_the_computation_must_read_only_tables_listed_in_sources(tmp_path: Path) -> None:
    message = _refusal(tmp_path, sources=["data_sharing_calls"])
    # a call's region is its data resource's: the computation reads data_resources too
    assert message.endswith("the computation reads data_resources; list it in sources")


def test_a_code_computed_in_python_cannot_also_carry_sql(tmp_path: Path) -> None:
    shipped = tomllib.loads(files("cityops.indicators").joinpath("catalogue.toml").read_text())
    entry = next(e for e in shipped["indicator"] if e["code"] == "data.sharing_rate")
    entry["computation"] = {"table": "data_resources", "numerator": "count(*)"}
    path = tmp_path / "catalogue.toml"
    path.write_text(tomli_w.dumps(shipped), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_catalogue(path)
    shown = str(raised.value)
    assert re.search(
        rf"{re.escape(str(path))}:\d+: indicator 'data.sharing_rate' is computed by", shown
    )
    assert "remove the [indicator.computation] table" in str(raised.value)


@pytest.mark.parametrize(
    ("computation", "message"),
    [
        ({"table": "data_sharing_calls"}, "field computation.numerator: Field required"),
        (
            {"table": "data_sharing_calls", "numerator": "count(*)", "sql": "SELECT 1"},
            "field computation.sql: Extra inputs are not permitted",
        ),
        ({"table": "data_sharing_calls", "numerator": ""}, "field computation.numerator"),
    ],
)
def test_a_computation_of_the_wrong_shape_fails_when_parsed(
    tmp_path: Path, computation: dict[str, Any], message: str
) -> None:
    entry = sql_indicator(CODE, "data_sharing_calls", "count(*)") | {"computation": computation}
    path = write_city_catalogue(tmp_path / "catalogue.toml", entry)
    with pytest.raises(ConfigError) as raised:
        load_catalogue(path)
    assert re.search(rf"{re.escape(str(path))}:\d+: ", str(raised.value)), str(raised.value)
    assert message in str(raised.value)


_TOKENS = (
    *("count(", "sum(", "avg(", "getenv(", "read_csv(", "(", ")", ",", "*", "DISTINCT"),
    *("FILTER", "(WHERE", "WHERE", "SELECT", "FROM", "regions", "portal_users", "JOIN"),
    *("success", "rows", "ts", "resource_id", "x.rows", "'a'", "'", "1", "0.5", "$period"),
    *("+", "/", "=", "<>", "AND", "OR", "NOT", "IS", "NULL", "IN", ";", "--", "/*", "*/"),
    *("INTERVAL", "DAY", "CAST", "AS", "DOUBLE", "DROP", "TABLE", "UNION", "OVER", "hour("),
)
"""Pieces of SQL, good and bad, that random texts are made of."""

_LEAVES = (
    *("success", "rows", "ts", "resource_id", "provider_department", "1", "0.5", "'a'"),
    *("NULL", "TRUE", "INTERVAL 2 HOUR", "x.rows", "password", "$period_end", "*"),
    *("(SELECT rows FROM regions)", "getenv('HOME')", "regions.region_code", "now()"),
)
_OPERATORS = ("+", "-", "*", "/", "%", "=", "<>", "<", ">=", "AND", "OR", "IS", "LIKE", "||")
_FUNCTIONS = ("abs", "coalesce", "hour", "lower", "nullif", "read_csv", "getenv", "sum", "count")

_expressions = st.recursive(
    st.sampled_from(_LEAVES),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(_OPERATORS), inner).map(lambda t: f"({' '.join(t)})"),
        st.tuples(st.sampled_from(("NOT", "-")), inner).map(" ".join),
        st.tuples(st.sampled_from(_FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        st.tuples(inner, st.sampled_from(("DOUBLE", "DATE", "BIGINT"))).map(
            lambda t: f"CAST({t[0]} AS {t[1]})"
        ),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} IN ({t[1]})"),
    ),
    max_leaves=6,
)
"""Row expressions made of good and bad parts."""

_aggregates = st.tuples(
    st.sampled_from(("count(*)", "count({})", "count(DISTINCT {})", "sum({})", "avg({})", "{}")),
    _expressions,
    st.one_of(st.none(), _expressions),
).map(lambda t: t[0].format(t[1]) + ("" if t[2] is None else f" FILTER (WHERE {t[2]})"))
"""Measures made of good and bad parts: most are refused, many are accepted."""

_soup = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=12).map(" ".join)

_READABLE = {"data_sharing_calls", "data_resources", "regions", "region_closure"}
"""The tables a computation over data_sharing_calls may read (the last two: the roll-up)."""


@settings(max_examples=400, deadline=None)
@given(
    numerator=st.one_of(_aggregates, _soup),
    where=st.one_of(st.none(), _expressions, _soup),
)
def test_any_expression_is_refused_or_reads_only_the_contract(
    numerator: str, where: str | None
) -> None:
    """Whatever a catalogue holds, the only failure is a ConfigError, and what is
    accepted is one read-only query over the named table, the register table that
    places its rows and the region tree, calling only allowed functions."""
    spec = ComputationMeta(table="data_sharing_calls", numerator=numerator, where=where)
    try:
        computation = template_computation("city.fuzz", spec)
    except ConfigError:
        return
    query = sqlglot.parse_one(computation.sql, read="duckdb")
    assert type(query) is exp.Select
    assert {t.name for t in query.find_all(exp.Table)} - {"body", "leaf"} <= _READABLE
    functions = {type(f).__name__ for f in query.find_all(exp.Func)}
    assert functions <= {
        *("Abs", "Coalesce", "Greatest", "Hour", "Least", "Lower", "Nullif", "Upper"),
        *("Count", "Sum", "Cast", "If", "Case", "And", "Or"),  # SQLGlot's functions
    }
    parameters = {p.name for p in query.find_all(exp.Placeholder)}
    assert parameters <= {"period_start", "period_end"}
