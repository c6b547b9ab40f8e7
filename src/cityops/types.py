"""The core vocabulary as type aliases, shared by every layer."""

from typing import NewType

__all__ = ["IndicatorCode", "RegionCode", "TableName"]

RegionCode = NewType("RegionCode", str)
"""An administrative code: 6 digits (GB/T 2260) for province, city and district,
9 digits for a street (街道/乡镇)."""

IndicatorCode = NewType("IndicatorCode", str)
"""A code of the indicator catalogue, such as ``effect.mau_rate``."""

TableName = NewType("TableName", str)
"""A table of the canonical data contract, such as ``portal_events``."""
