"""Quarantine use cases (隔离区): the rows ingestion refused, with where and why
(:func:`cityops.ingestion.quarantine.list_quarantined`), whole or as a caller may
see them.

A scoped caller sees the quarantined rows that lie in their scope by the rule
the HTTP ingest applies (``placement``), read from each row's raw values;
rows with no readable region are for unscoped callers only.  Every caller of
the API sees the source file by its name alone, never the server path it was
read from.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cityops.access.scope import Principal, RegionTree
from cityops.domain.contract import table as contract_table
from cityops.ingestion.checks import quote_literal
from cityops.ingestion.quarantine import list_quarantined
from cityops.services.placement import scope_sql
from cityops.services.unit_of_work import UnitOfWork
from cityops.workspace.workspace import Workspace

__all__ = ["quarantined_rows", "scoped_quarantine"]

_COLUMNS = (
    r"raw.batch_id, raw.table_name, regexp_extract(raw.file, '[^/\\]*$') AS file, "
    'raw.line, raw.field, raw.reason, raw."row"'
)


def quarantined_rows(workspace: Workspace, table_name: str | None) -> pa.Table:
    """Every quarantined row of ``workspace`` (of ``table_name``, or all), by table, file
    and line, each with the source file as it was given to ingestion."""
    return list_quarantined(workspace.lake, table_name)


def scoped_quarantine(
    uow: UnitOfWork,
    principal: Principal,
    tree: RegionTree,
    table_name: str | None,
) -> pa.Table:
    """The quarantined rows (of ``table_name``, or all) that ``principal`` may see, by
    table, file, batch and line."""
    rows = list_quarantined(uow.workspace.lake, table_name)
    con = duckdb.connect()
    try:
        con.register("quarantined", rows)
        if principal.region_code is None:
            selects = [f"SELECT {_COLUMNS} FROM quarantined AS raw"]
        else:
            visible = tree.descendants(principal.region_code)
            names = sorted(pc.unique(rows["table_name"]).to_pylist())
            selects = []
            for name in names:
                test = scope_sql(con, uow.register, contract_table(name), _raw_value, visible)
                selects.append(
                    f"SELECT {_COLUMNS} FROM quarantined AS raw {test.joins} "
                    f"WHERE raw.table_name = {quote_literal(name)} AND NOT ({test.outside})"
                )
        if not selects:
            return rows
        return con.sql(
            f"SELECT * FROM ({' UNION ALL '.join(selects)}) "
            "ORDER BY table_name, file, batch_id, line"
        ).to_arrow_table()
    finally:
        con.close()


def _raw_value(field: str) -> str:
    """A field's text in the quarantined row's raw JSON, trimmed, blank as NULL."""
    return f"NULLIF(trim(json_extract_string(raw.\"row\", {quote_literal('$.' + field)})), '')"
