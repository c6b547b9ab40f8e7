"""Register use cases (登记库): the rows of a register table as a caller may see them.

The current version of each key (:func:`cityops.register.store.read_current`),
filtered in Arrow to the caller's region scope and, for a department (委办局),
to its own department's rows.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cityops.access.roles import Role
from cityops.access.scope import Principal, RegionTree
from cityops.domain.contract import Table
from cityops.register.store import read_current
from cityops.services.unit_of_work import UnitOfWork

__all__ = ["scoped_register_rows"]


def scoped_register_rows(
    uow: UnitOfWork, table: Table, principal: Principal, tree: RegionTree
) -> pa.Table:
    """The rows of register ``table`` that ``principal`` may see, sorted by key."""
    rows = read_current(uow.register, table)
    keep: pa.ChunkedArray | None = None
    if principal.region_code is not None and "region_code" in rows.column_names:
        visible = pa.array(sorted(tree.descendants(principal.region_code)), pa.string())
        keep = pc.is_in(rows["region_code"], value_set=visible)
    if principal.role is Role.DEPARTMENT and "department" in rows.column_names:
        own = pc.fill_null(pc.equal(rows["department"], principal.department or ""), False)
        keep = own if keep is None else pc.and_(keep, own)
    return rows if keep is None else rows.filter(keep)
