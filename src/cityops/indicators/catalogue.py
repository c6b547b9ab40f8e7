"""The indicator catalogue (指标目录): definitions as data, loaded in two stages.

1. *parse*: ``catalogue.toml`` → frozen pydantic metas (``IndicatorMeta``), which
   check the shape of each entry (types, enums, unknown keys);
2. *expand*: the metas → a checked ``Catalogue`` (unique codes, known
   contract tables, goalposts that agree with the polarity, a computation
   written in the entry that reads only the contract and is not also
   registered in Python).  Any failure is a ``DefinitionError`` naming the
   file, the line and the indicator (``cityops.definitions``).

Each indicator names the direction and content of 表8 it measures; the
directions themselves, their names and contents, are listed once, in the
evaluation framework file (``cityops.evaluation.framework``), which checks
each indicator against its direction.

The shipped default lives next to this module; a city may point at its own
file with the same format (``docs/indicators.md``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from cityops.definitions import Definition, DefinitionKind, Place
from cityops.domain.contract import TABLES
from cityops.errors import ConfigError
from cityops.indicators.computations import COMPUTATIONS
from cityops.indicators.computations.written import ComputationMeta
from cityops.types import Polarity

__all__ = [
    "CATALOGUE_FILE",
    "DEFAULT_CATALOGUE",
    "Catalogue",
    "CatalogueFile",
    "Goalposts",
    "IndicatorMeta",
    "ScaledGoalpost",
    "Unit",
    "expand_catalogue",
    "load_catalogue",
    "parse_catalogue",
    "shipped_catalogue",
]

DEFAULT_CATALOGUE = "catalogue.toml"
_EVIDENCE_FAMILY = "mechanism."
"""Codes of this family are scored from assessed evidence (``computations/mechanism.py``)."""


class Unit(StrEnum):
    RATIO = "ratio"  # a share in [0, 1]
    COUNT = "count"
    MS = "ms"
    PERCENT = "percent"  # 0–100
    POINTS = "points"  # a 0–100 score


_FROZEN = ConfigDict(extra="forbid", frozen=True)


class ScaledGoalpost(BaseModel):
    """A goalpost that grows with the region: ``per_million_residents × pop ÷ 1e6``,
    capped at ``at_most`` when given (a county should not need a megacity's count)."""

    model_config = _FROZEN

    per_million_residents: float = Field(gt=0)
    at_most: float | None = Field(default=None, gt=0)

    def resolve(self, resident_population: int) -> float:
        scaled = self.per_million_residents * resident_population / 1_000_000
        return scaled if self.at_most is None else min(self.at_most, scaled)


class Goalposts(BaseModel):
    """``lo`` maps to score 0, ``hi`` to 100 (for lower-is-better, ``lo > hi``)."""

    model_config = _FROZEN

    lo: float
    hi: float | ScaledGoalpost

    def resolve(self, resident_population: int) -> tuple[float, float]:
        """The numeric (lo, hi) for a region with this resident population."""
        if isinstance(self.hi, ScaledGoalpost):
            return self.lo, self.hi.resolve(resident_population)
        return self.lo, self.hi


class IndicatorMeta(BaseModel):
    """One indicator definition as written in the catalogue file."""

    model_config = _FROZEN

    code: str = Field(pattern=r"^[a-z]+\.[a-z0-9_]+$")
    name_zh: str
    name_en: str
    direction: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """The code of the framework direction it measures (``content``, ``mechanism`` …)."""
    content: str
    """The content of that direction, by its Chinese name (``基础设施``)."""
    formula: str
    unit: Unit
    polarity: Polarity
    sources: tuple[str, ...] = Field(min_length=1)
    goalposts: Goalposts
    evidence_items: tuple[str, ...] = ()
    """For ``mechanism.*``: the evidence ``item_code``s whose mean is the score."""
    computation: ComputationMeta | None = None
    """The computation as data; None when it is registered in Python (or not yet written)."""

    def canonical_json(self) -> str:
        """A stable text of the definition, for hashing (an entry without a computation
        hashes as it did before entries could carry one)."""
        without = {"computation"} if self.computation is None else None
        dumped = self.model_dump(mode="json", exclude=without)
        return json.dumps(dumped, sort_keys=True, ensure_ascii=False)


class CatalogueFile(BaseModel):
    model_config = _FROZEN

    version: int
    indicator: tuple[IndicatorMeta, ...]


CATALOGUE_FILE = DefinitionKind(
    "indicator catalogue",
    CatalogueFile,
    "docs/indicators.md",
    format="toml",
    package="cityops.indicators",
    default=DEFAULT_CATALOGUE,
)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A checked catalogue: indicators in file order, looked up by code."""

    source: str
    version: int
    indicators: tuple[IndicatorMeta, ...]

    def get(self, code: str) -> IndicatorMeta:
        for meta in self.indicators:
            if meta.code == code:
                return meta
        raise ConfigError(f"{self.source}: no indicator {code!r} in the catalogue")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(meta.code for meta in self.indicators)

    @property
    def directions(self) -> tuple[str, ...]:
        """The direction codes its indicators name, in file order."""
        return tuple(dict.fromkeys(meta.direction for meta in self.indicators))


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load and check a catalogue file (default: the shipped ``catalogue.toml``)."""
    return expand_catalogue(CATALOGUE_FILE.load(path))


@cache
def shipped_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process: the one facts are computed with
    unless a city names its own, so the API and the pages name the same indicators."""
    return load_catalogue()


def parse_catalogue(text: str, source: str) -> Definition[CatalogueFile]:
    """Stage 1: TOML text → frozen metas; errors name the file, the line and the indicator."""
    return CATALOGUE_FILE.parse(text, source)


def expand_catalogue(parsed: Definition[CatalogueFile]) -> Catalogue:
    """Stage 2: check references across entries and return the catalogue."""
    file = parsed.model
    known_tables = {t.name for t in TABLES}
    seen: set[str] = set()
    for index, meta in enumerate(file.indicator):
        entry = parsed.at("indicator", index)
        where = f"indicator {meta.code!r}"
        if meta.code in seen:
            raise entry.at("code").error(f"{where} is defined twice", "codes must be unique")
        seen.add(meta.code)
        unknown = [name for name in meta.sources if name not in known_tables]
        if unknown:
            raise entry.at("sources").error(f"{where}: sources {unknown} are not contract tables")
        _check_goalposts(meta, entry.at("goalposts"), where)
        if len(set(meta.evidence_items)) != len(meta.evidence_items):
            raise entry.at("evidence_items").error(f"{where}: evidence_items lists an item twice")
        if meta.code.startswith(_EVIDENCE_FAMILY) and not meta.evidence_items:
            raise entry.error(f"{where}: a mechanism indicator needs evidence_items")
        if meta.computation is not None:
            _check_computation(meta, meta.computation, entry.at("computation"), where)
    return Catalogue(parsed.source, file.version, file.indicator)


def _check_computation(
    meta: IndicatorMeta, computation: ComputationMeta, place: Place, where: str
) -> None:
    """A computation written in the entry must be safe SQL over the contract
    (``sql_template``), read only tables the entry lists in ``sources``, and be the
    indicator's only computation."""
    if meta.code in COMPUTATIONS:
        raise place.error(
            f"{where} is computed by cityops.indicators.computations and also carries "
            "[indicator.computation]",
            "remove the [indicator.computation] table (a code has one computation)",
        )
    # imported here: SQLGlot takes a while to import, and most catalogues carry no SQL
    from cityops.indicators.computations.sql_template import (
        template_computation,
        template_tables,
    )

    try:
        template_computation(meta.code, computation)
        tables = template_tables(computation)
    except ConfigError as error:
        raise place.error(f"{where}: [indicator.computation] {error}") from error
    unread = [name for name in tables if name not in meta.sources]
    if unread:
        raise place.error(
            f"{where}: the computation reads {', '.join(unread)}", "list it in sources"
        )


def _check_goalposts(meta: IndicatorMeta, place: Place, where: str) -> None:
    """Fixed goalposts must point the way the polarity says; a scaled upper
    goalpost only makes sense when higher is better."""
    lo, hi = meta.goalposts.lo, meta.goalposts.hi
    if isinstance(hi, ScaledGoalpost):
        if meta.polarity is Polarity.LOWER:
            raise place.error(f"{where}: a population-scaled hi needs polarity = higher")
        return
    good_direction = hi > lo if meta.polarity is Polarity.HIGHER else hi < lo
    if not good_direction:
        raise place.error(
            f"{where}: goalposts lo={lo} → hi={hi} contradict polarity {meta.polarity}",
            "lo is the bad end, hi the good end",
        )
