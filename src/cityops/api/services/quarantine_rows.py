"""Quarantined rows (:func:`cityops.ingestion.quarantine.list_quarantined`) as a
caller may see them.

A scoped caller sees the quarantined rows that lie in their scope by the rule
the HTTP ingest applies (``placement``), read from each row's raw values;
rows with no readable region are for unscoped callers only.  Every caller sees
the source file by its name alone, never the server path it was read from.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from cityops.access.scope import Principal, RegionTree
from cityops.api.services.placement import scope_sql
from cityops.domain.contract import table as contract_table
from cityops.ingestion.checks import quote_literal
from cityops.ingestion.quarantine import list_quarantined
from cityops.workspace.workspace import Workspace

__all__ = ["scoped_quarantine"]

_COLUMNS = (
    r"raw.batch_id, raw.table_name, regexp_extract(raw.file, '[^/\\]*$') AS file, "
    'raw.line, raw.field, raw.reason, raw."row"'
)


def scoped_quarantine(
    workspace: Workspace,
    engine: sa.Engine,
    principal: Principal,
    tree: RegionTree,
    table_name: str | None,
) -> pa.Table:
    """The quarantined rows (of ``table_name``, or all) that ``principal`` may see, by
    table, file, batch and line."""
    rows = list_quarantined(workspace.lake, table_name)
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
                test = scope_sql(con, engine, contract_table(name), _raw_value, visible)
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
