"""The core vocabulary shared by every layer: type aliases, and the one enum that an
indicator definition and a contract's KPI clause both speak (``Polarity``)."""

from enum import StrEnum
from typing import NewType

__all__ = ["IndicatorCode", "Polarity", "RegionCode", "TableName"]

RegionCode = NewType("RegionCode", str)
"""An administrative code: 6 digits (GB/T 2260) for province, city and district,
9 digits for a street (街道/乡镇)."""

IndicatorCode = NewType("IndicatorCode", str)
"""A code of the indicator catalogue, such as ``effect.mau_rate``."""

TableName = NewType("TableName", str)
"""A table of the canonical data contract, such as ``portal_events``."""


class Polarity(StrEnum):
    """Which way a value is good: an indicator's (catalogue) or a KPI's (contract)."""

    HIGHER = "higher"  # higher is better (越高越好)
    LOWER = "lower"  # lower is better (越低越好)
