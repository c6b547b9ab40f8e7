"""A city's own indicator catalogue, as a city writes it: a copy of the shipped file
with entries of its own appended, some carrying their computation as SQL."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import tomli_w

__all__ = ["EXAMPLE_CATALOGUE", "sql_indicator", "write_city_catalogue"]

EXAMPLE_CATALOGUE = Path(__file__).parents[2] / "examples" / "catalogue" / "city-indicator.toml"
"""The shipped example: the default catalogue plus ``data.sharing_call_success_rate``."""


def sql_indicator(
    code: str, table: str, numerator: str, **computation: str | list[str]
) -> dict[str, Any]:
    """A catalogue entry whose computation is SQL over ``table``; ``computation`` adds
    ``denominator``, ``where`` and ``period``, and ``sources`` (default: the table)."""
    sources = computation.pop("sources", [table])
    unit = "ratio" if "denominator" in computation else "count"
    return {
        "code": code,
        "name_zh": "城市自定指标",
        "name_en": "A city's own indicator",
        "direction": "content",
        "content": "基础设施",
        "formula": f"{numerator} over {table}",
        "unit": unit,
        "polarity": "higher",
        "sources": sources,
        "goalposts": {"lo": 0, "hi": 1},
        "computation": {"table": table, "numerator": numerator, **computation},
    }


def write_city_catalogue(path: Path, *entries: dict[str, Any]) -> Path:
    """The shipped catalogue with ``entries`` appended, written to ``path``."""
    shipped = files("cityops.indicators").joinpath("catalogue.toml").read_text("utf-8")
    added = tomli_w.dumps({"indicator": list(entries)})
    path.write_text(f"{shipped}\n# ---- the city's own\n\n{added}", encoding="utf-8")
    return path
