"""Where a row of a contract table lies in the region tree, as SQL: the one rule that the
HTTP ingest's scope check (``ingestion``) and the scoped quarantine listing
(``quarantine``) share.

A row is *placed* by its own fields:

* a ``regions`` row under its ``parent_code`` and, when the region exists
  already, at its own ``region_code``: a scoped caller may add or change
  regions below their own, but not their own region nor one outside it, and
  cannot move a region into or out of their scope;
* a row of a table with ``region_code`` at that region;
* a row referring to a register table that has a region (a heartbeat's
  device, a rating's service, a usage sample's cloud resource) at that
  register row's region;
* any other row (a portal login, say) nowhere: it lies in the scope of
  unscoped callers only, as does a row whose region is missing or unknown.

Everything runs in one DuckDB query per table, over values typed the way
ingestion types them, so the check sees the region that would be stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from cityops.domain.contract import Table
from cityops.domain.contract import table as contract_table
from cityops.register.store import read_current

__all__ = ["Placement", "ScopeSql", "placements", "scope_sql"]

_REGION = "region_code"
_VISIBLE = "_visible_regions"


@dataclass(frozen=True, slots=True)
class Placement:
    """One region a row lies in: the value of ``field``, or with ``via`` the region of
    the ``via`` register row that ``field`` names; a row lacking a ``required``
    placement lies nowhere."""

    field: str
    via: Table | None
    required: bool


@dataclass(frozen=True, slots=True)
class ScopeSql:
    """SQL over a relation aliased ``raw``: ``joins`` to add after it, ``outside`` true
    for a row outside the scope, ``region`` the offending region (NULL: none)."""

    joins: str
    outside: str
    region: str


def placements(table: Table) -> tuple[Placement, ...]:
    """The regions a row of ``table`` lies in (empty: rows of it lie nowhere)."""
    if table.name == "regions":
        return (Placement("parent_code", None, True), Placement(_REGION, table, False))
    if _REGION in table.field_names:
        return (Placement(_REGION, None, True),)
    for field in table.fields:
        if field.references and _REGION in contract_table(field.references).field_names:
            return (Placement(field.name, contract_table(field.references), True),)
    return ()


def scope_sql(
    con: duckdb.DuckDBPyConnection,
    register: sa.Connection,
    table: Table,
    value: Callable[[str], str],
    visible: Iterable[str],
) -> ScopeSql:
    """Build the scope test of ``table``'s rows for the regions ``visible``.

    ``value(field)`` is the SQL of a field's text value in the relation; the
    visible regions and the regions of referenced register rows (read through
    ``register``) are loaded into ``con`` as temporary tables.
    """
    _load(con, _VISIBLE, pa.table({"code": pa.array(sorted(visible), pa.string())}))
    joins: list[str] = []
    tests: list[str] = []
    regions: list[str] = []
    for index, placement in enumerate(placements(table)):
        code = value(placement.field)
        if placement.via is not None:
            places = _load_places(con, register, placement.via)
            joins.append(f"LEFT JOIN {places} AS _place{index} ON _place{index}.key = {code}")
            code = f"_place{index}.region"
        seen = f"_seen{index}"
        joins.append(f"LEFT JOIN {_VISIBLE} AS {seen} ON {seen}.code = {code}")
        missing = f"{seen}.code IS NULL"
        test = missing if placement.required else f"({code} IS NOT NULL AND {missing})"
        tests.append(test)
        regions.append(f"CASE WHEN {test} THEN {code} END")
    return ScopeSql(
        joins=" ".join(joins),
        outside=" OR ".join(tests) if tests else "TRUE",
        region=f"COALESCE({', '.join(regions)})" if regions else "CAST(NULL AS VARCHAR)",
    )


def _load_places(con: duckdb.DuckDBPyConnection, register: sa.Connection, table: Table) -> str:
    """``_places_<table>(key, region)``: each key of a register table and its region."""
    rows = read_current(register, table)
    name = f"_places_{table.name}"
    key = rows.column(table.identity[0]).cast(pa.string())
    _load(con, name, pa.table({"key": key, "region": rows.column(_REGION)}))
    return name


def _load(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> None:
    con.register(f"{name}_arrow", rows)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    finally:
        con.unregister(f"{name}_arrow")
