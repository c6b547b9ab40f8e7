"""Arrow columns built from NumPy arrays without Python loops over rows.

String ids are made by Arrow compute (integer → string, left-pad, prefix),
categorical strings by taking from a small array of categories, instants from
integer epoch seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cityops.domain.contract import table
from cityops.lake.schema import TIMESTAMP_TYPE, arrow_schema

__all__ = [
    "categorical",
    "contract_table",
    "daily_ids",
    "dates",
    "prefixed_ids",
    "timestamps",
]

_EPOCH_DAYS_TYPE = pa.date32()


def prefixed_ids(prefix: str, numbers: npt.NDArray[np.integer], width: int) -> pa.Array:
    """``prefix`` followed by each number left-padded with zeros to ``width`` digits."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def daily_ids(prefix: str, day: date, n: int, first: int = 0, width: int = 9) -> pa.Array:
    """Ids ``<prefix><YYYYMMDD><sequence within the day>``, numbered from ``first + 1``."""
    return prefixed_ids(f"{prefix}{day:%Y%m%d}", np.arange(first + 1, first + n + 1), width)


def categorical(categories: Sequence[str], codes: npt.NDArray[np.integer]) -> pa.Array:
    """The category named by each code (an index into ``categories``)."""
    return pa.array(categories, type=pa.string()).take(pa.array(codes))


def timestamps(
    epoch_s: npt.NDArray[np.int64], missing: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """Instants (epoch seconds) as Asia/Shanghai microsecond timestamps; ``missing`` → null."""
    micros = epoch_s.astype(np.int64) * 1_000_000
    return pa.array(micros, type=pa.int64(), mask=missing).cast(TIMESTAMP_TYPE)


def dates(
    epoch_days: npt.NDArray[np.integer], missing: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """Calendar dates given as days since 1970-01-01; ``missing`` → null."""
    values = pa.array(epoch_days.astype(np.int32), type=pa.int32(), mask=missing)
    return values.cast(_EPOCH_DAYS_TYPE)


def contract_table(
    name: str, columns: Mapping[str, pa.Array | npt.NDArray[np.generic]]
) -> pa.Table:
    """A table with exactly the contract schema of ``name`` (field order, types, nullability)."""
    schema = arrow_schema(table(name))
    return pa.Table.from_arrays([_as_arrow(columns[f.name], f.type) for f in schema], schema=schema)


def _as_arrow(values: pa.Array | npt.NDArray[np.generic], type_: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array):
        return values if values.type == type_ else values.cast(type_)
    return pa.array(values, type=type_)
