"""The administrative tree of the synthetic city: 示范市 in 东海省.

Codes follow GB/T 2260: a province ``970000`` (97 is not a real province
code), its city ``970100``, districts ``9701NN`` and streets given the
nine-digit statistical prefix ``9701NNSSS``.  Names are fictional.
Resident populations add up: streets sum to their district, districts to the
city; the province is larger than the city (it has other cities).

Regions are indexed 0 … R−1 in the order province, city, districts, streets;
``parent_index`` lets counts be rolled up level by level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .columns import contract_table
from .scales import Scale

__all__ = ["RegionTree", "build_regions"]

PROVINCE_CODE = "970000"
CITY_CODE = "970100"
_DISTRICT_NAMES = (
    "东湖区", "西山区", "南江区", "北塘区", "中心区", "新城区", "滨海区", "高新区",
    "临江区", "云台区", "青石区", "金沙区", "翠屏区", "白鹭区", "龙泉区", "凤鸣区",
)  # fmt: skip
_STREET_FIRST = (
    "长安", "和平", "永宁", "兴华", "福源", "锦绣", "太平", "光明", "春晖", "清河",
    "望湖", "桂花", "秀水", "丰乐", "朝阳", "东风", "文昌", "南湖", "建新", "红星",
)  # fmt: skip
_STREET_SECOND = "里坊桥湾塘苑园庄岭口"


@dataclass(frozen=True, slots=True)
class RegionTree:
    """Every region of the city, as parallel arrays indexed by region."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    levels: tuple[str, ...]
    parent_index: npt.NDArray[np.int64]  # −1 for the province
    population: npt.NDArray[np.int64]
    district_index: npt.NDArray[np.int64]  # region index of each district
    street_index: npt.NDArray[np.int64]  # region index of each street
    street_district: npt.NDArray[np.int64]  # district number (0…D−1) of each street

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def city_index(self) -> int:
        return 1

    def rollup(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Add each region's value into all its ancestors (last axis = regions).

        Children always come after their parent in the index order, so one
        backward pass over the regions (not over data rows) suffices.
        """
        total = values.astype(np.float64, copy=True)
        for child in range(self.size - 1, 0, -1):
            total[..., self.parent_index[child]] += total[..., child]
        return total

    def to_table(self) -> pa.Table:
        parents = [None if p < 0 else self.codes[p] for p in self.parent_index]
        return contract_table(
            "regions",
            {
                "region_code": pa.array(self.codes),
                "name": pa.array(self.names),
                "level": pa.array(self.levels),
                "parent_code": pa.array(parents, type=pa.string()),
                "resident_population": self.population,
            },
        )


def _street_name(number: int) -> str:
    """A distinct name for street ``number``: first × second syllables, then the same
    with 新 in front once those run out."""
    first = _STREET_FIRST[number % len(_STREET_FIRST)]
    second = _STREET_SECOND[(number // len(_STREET_FIRST)) % len(_STREET_SECOND)]
    kind = "镇" if number % 4 == 3 else "街道"
    renewed = "新" if number >= len(_STREET_FIRST) * len(_STREET_SECOND) else ""
    return f"{renewed}{first}{second}{kind}"


def build_regions(scale: Scale, rng: np.random.Generator) -> RegionTree:
    """The tree for ``scale``: districts of unequal size, streets of unequal size."""
    district_share = rng.dirichlet(np.full(scale.districts, 6.0))
    district_pop = _apportion(scale.residents, district_share)
    codes = [PROVINCE_CODE, CITY_CODE]
    names = ["东海省", "示范市"]
    levels = ["province", "city"]
    parents = [-1, 0]
    populations = [0, scale.residents]
    district_index: list[int] = []
    for number in range(scale.districts):
        district_index.append(len(codes))
        codes.append(f"9701{number + 2:02d}")
        names.append(_DISTRICT_NAMES[number])
        levels.append("district")
        parents.append(1)
        populations.append(int(district_pop[number]))
    street_index: list[int] = []
    street_district: list[int] = []
    for number in range(scale.districts):
        shares = rng.dirichlet(np.full(scale.streets_per_district, 4.0))
        street_pop = _apportion(int(district_pop[number]), shares)
        for position in range(scale.streets_per_district):
            street_index.append(len(codes))
            street_district.append(number)
            codes.append(f"{codes[district_index[number]]}{position + 1:03d}")
            names.append(_street_name(len(street_index) - 1))
            levels.append("street")
            parents.append(district_index[number])
            populations.append(int(street_pop[position]))
    populations[0] = scale.residents * 12  # the province has other cities too
    return RegionTree(
        codes=tuple(codes),
        names=tuple(names),
        levels=tuple(levels),
        parent_index=np.array(parents, dtype=np.int64),
        population=np.array(populations, dtype=np.int64),
        district_index=np.array(district_index, dtype=np.int64),
        street_index=np.array(street_index, dtype=np.int64),
        street_district=np.array(street_district, dtype=np.int64),
    )


def _apportion(total: int, shares: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Integers proportional to ``shares`` that add up to exactly ``total``."""
    counts = np.floor(shares * total).astype(np.int64)
    counts[: total - int(counts.sum())] += 1
    return counts
