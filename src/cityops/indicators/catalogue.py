"""The indicator catalogue (指标目录): definitions as data, loaded in two stages.

1. *parse*: ``catalogue.toml`` → frozen pydantic metas (``IndicatorMeta``), which
   check the shape of each entry (types, enums, unknown keys);
2. *expand*: the metas → a checked ``Catalogue`` (unique codes, known
   contract tables, goalposts that agree with the polarity).  Any failure is a
   ``ConfigError`` naming the file and code.

Each indicator names the direction and content of 表8 it measures; the
directions themselves, their names and contents, are listed once, in the
evaluation framework file (``cityops.evaluation.framework``), which checks
each indicator against its direction.

The shipped default lives next to this module; a city may point at its own
file with the same format (``docs/indicators.md``).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cityops.definitions import read_definition
from cityops.domain.contract import TABLES
from cityops.errors import ConfigError
from cityops.types import Polarity

__all__ = [
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

    def canonical_json(self) -> str:
        """A stable text of the definition, for hashing."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


class CatalogueFile(BaseModel):
    model_config = _FROZEN

    version: int
    indicator: tuple[IndicatorMeta, ...]


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
    text, source = read_definition(
        path, package="cityops.indicators", default=DEFAULT_CATALOGUE, what="indicator catalogue"
    )
    return expand_catalogue(parse_catalogue(text, source), source)


def parse_catalogue(text: str, source: str) -> CatalogueFile:
    """Stage 1: TOML text → frozen metas; errors name the file and the indicator."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from error
    try:
        return CatalogueFile.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(f"{source}: {_describe(error, raw)}") from error


def _describe(error: ValidationError, raw: Mapping[str, Any]) -> str:
    """The first validation problem, with the indicator code when there is one."""
    first = error.errors()[0]
    location = first["loc"]
    where = ".".join(str(part) for part in location)
    if len(location) >= 2 and location[0] == "indicator" and isinstance(location[1], int):
        entries = raw.get("indicator", [])
        entry = entries[location[1]] if location[1] < len(entries) else {}
        code = entry.get("code", f"#{location[1] + 1}") if isinstance(entry, dict) else "?"
        where = f"indicator {code!r}, field {'.'.join(str(p) for p in location[2:])}"
    return f"{where}: {first['msg']}; fix the catalogue entry (see docs/indicators.md)"


def expand_catalogue(parsed: CatalogueFile, source: str) -> Catalogue:
    """Stage 2: check references across entries and return the catalogue."""
    known_tables = {t.name for t in TABLES}
    seen: set[str] = set()
    for meta in parsed.indicator:
        where = f"{source}: indicator {meta.code!r}"
        if meta.code in seen:
            raise ConfigError(f"{where} is defined twice; codes must be unique")
        seen.add(meta.code)
        unknown = [name for name in meta.sources if name not in known_tables]
        if unknown:
            raise ConfigError(f"{where}: sources {unknown} are not contract tables")
        _check_goalposts(meta, where)
        if len(set(meta.evidence_items)) != len(meta.evidence_items):
            raise ConfigError(f"{where}: evidence_items lists an item twice")
        if meta.code.startswith(_EVIDENCE_FAMILY) and not meta.evidence_items:
            raise ConfigError(f"{where}: a mechanism indicator needs evidence_items")
    return Catalogue(source, parsed.version, parsed.indicator)


def _check_goalposts(meta: IndicatorMeta, where: str) -> None:
    """Fixed goalposts must point the way the polarity says; a scaled upper
    goalpost only makes sense when higher is better."""
    lo, hi = meta.goalposts.lo, meta.goalposts.hi
    if isinstance(hi, ScaledGoalpost):
        if meta.polarity is Polarity.LOWER:
            raise ConfigError(f"{where}: a population-scaled hi needs polarity = higher")
        return
    good_direction = hi > lo if meta.polarity is Polarity.HIGHER else hi < lo
    if not good_direction:
        raise ConfigError(
            f"{where}: goalposts lo={lo} → hi={hi} contradict polarity {meta.polarity} "
            "(lo is the bad end, hi the good end)"
        )
