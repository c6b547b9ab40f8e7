"""The true values the generator built in, counted from the generated rows.

Every count is added from the very arrays that are written (after truncation
at the window's end), keyed by month and by the finest region of the row, and
finally rolled up so that a district's figure includes its streets and the
city's includes everything.  ``truth.json`` is what later tests compare the
indicator engine with (format: ``docs/synth.md``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cityops.domain.period import Period

from .regions import RegionTree
from .window import Window

__all__ = ["TruthRecorder"]

IntArray = npt.NDArray[np.int64]


class TruthRecorder:
    """Accumulates ``metric × month × region`` sums while the tables are generated."""

    def __init__(self, window: Window, regions: RegionTree) -> None:
        self._window = window
        self._regions = regions
        self._sums: dict[str, npt.NDArray[np.float64]] = {}
        self._is_count: dict[str, bool] = {}
        self._mechanism: dict[Period, dict[str, dict[str, float]]] = {}
        self.facts: dict[str, Any] = {}

    def add(
        self,
        metric: str,
        month: IntArray | int,
        region: IntArray,
        weights: npt.NDArray[np.floating] | npt.NDArray[np.integer] | None = None,
    ) -> None:
        """Add one per row (or ``weights``) into ``metric`` at each row's month and region.

        Rows whose month lies outside the window are ignored.
        """
        months, size = self._window.months, self._regions.size
        month_array = np.broadcast_to(np.asarray(month, dtype=np.int64), region.shape)
        inside = (month_array >= 0) & (month_array < months)
        cells = month_array[inside] * size + region[inside]
        w = None if weights is None else np.asarray(weights, dtype=np.float64)[inside]
        counts = np.bincount(cells, weights=w, minlength=months * size).reshape(months, size)
        if metric not in self._sums:
            self._sums[metric] = np.zeros((months, size))
            self._is_count[metric] = True
        self._sums[metric] += counts
        if weights is not None and not np.issubdtype(np.asarray(weights).dtype, np.integer):
            self._is_count[metric] = False

    def add_every_month(
        self,
        metric: str,
        region: IntArray,
        active: npt.NDArray[np.bool_] | None = None,
        weights: npt.NDArray[np.integer] | None = None,
    ) -> None:
        """Add a register count in every month; ``active[month, row]`` selects rows per month."""
        for month in range(self._window.months):
            keep = np.ones(region.shape, bool) if active is None else active[month]
            self.add(metric, month, region[keep], None if weights is None else weights[keep])

    def mechanism_score(self, period: Period, region_code: str, item: str, score: float) -> None:
        """Mechanism evidence is per region, never rolled up (INDICATORS.md)."""
        self._mechanism.setdefault(period, {}).setdefault(region_code, {})[item] = score

    def to_json(self) -> dict[str, Any]:
        regions = self._regions
        months_data: dict[str, dict[str, Any]] = {}
        rolled = {metric: regions.rollup(sums) for metric, sums in sorted(self._sums.items())}
        for index, period in enumerate(self._window.periods):
            data: dict[str, Any] = {}
            for metric, sums in rolled.items():
                values = sums[index]
                data[metric] = {
                    code: round(value) if self._is_count[metric] else float(value)
                    for code, value in zip(regions.codes, values, strict=True)
                }
            data["mechanism_evidence"] = self._mechanism.get(period, {})
            months_data[str(period)] = data
        return {
            **self.facts,
            "regions": {
                code: {
                    "name": regions.names[i],
                    "level": regions.levels[i],
                    "parent_code": None
                    if regions.parent_index[i] < 0
                    else regions.codes[regions.parent_index[i]],
                    "resident_population": int(regions.population[i]),
                }
                for i, code in enumerate(regions.codes)
            },
            "months_data": months_data,
        }

    def write(self, path: Path) -> None:
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")
