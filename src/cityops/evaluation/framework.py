"""The evaluation framework: direction weights, and for every catalogue indicator its
weight within its direction and its goalposts, resolved into one hashable tree.

Loaded like the catalogue, in two stages: the TOML file is parsed into a frozen
pydantic model, then resolved against the catalogue (unknown codes, weights
that do not sum to a positive total) with ``ConfigError`` naming the file.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cityops.definitions import read_definition
from cityops.errors import ConfigError
from cityops.indicators.catalogue import Catalogue, Direction, Goalposts, Polarity, load_catalogue

__all__ = ["DEFAULT_FRAMEWORK", "Framework", "FrameworkIndicator", "load_framework"]

DEFAULT_FRAMEWORK = "framework.toml"
_FROZEN = ConfigDict(extra="forbid", frozen=True)


class _IndicatorOverride(BaseModel):
    model_config = _FROZEN

    weight: float = Field(default=1.0, ge=0)
    goalposts: Goalposts | None = None


class _FrameworkFile(BaseModel):
    model_config = _FROZEN

    name: str
    version: int
    directions: dict[Direction, float]
    indicators: dict[str, _IndicatorOverride] = {}


@dataclass(frozen=True, slots=True)
class FrameworkIndicator:
    """A leaf of the framework: an indicator with its weight within its direction."""

    code: str
    direction: Direction
    weight: float
    polarity: Polarity
    goalposts: Goalposts


@dataclass(frozen=True, slots=True)
class Framework:
    name: str
    version: int
    direction_weights: Mapping[Direction, float]
    indicators: tuple[FrameworkIndicator, ...]

    @property
    def hash(self) -> str:
        """sha256 of the resolved tree: names, weights, polarities and goalposts."""
        payload: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "directions": {str(d): w for d, w in sorted(self.direction_weights.items())},
            "indicators": [
                asdict(i) | {"goalposts": i.goalposts.model_dump(mode="json")}
                for i in self.indicators
            ],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def load_framework(path: Path | None = None, catalogue: Catalogue | None = None) -> Framework:
    """Load a framework file (default: the shipped one) against ``catalogue``."""
    catalogue = catalogue or load_catalogue()
    text, source = read_definition(
        path, package="cityops.evaluation", default=DEFAULT_FRAMEWORK, what="evaluation framework"
    )
    try:
        parsed = _FrameworkFile.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise ConfigError(f"{source}: not a valid framework: {error}") from error
    return _resolve(parsed, catalogue, source)


def _resolve(parsed: _FrameworkFile, catalogue: Catalogue, source: str) -> Framework:
    unknown = sorted(set(parsed.indicators) - set(catalogue.codes))
    if unknown:
        raise ConfigError(f"{source}: [indicators] names codes not in the catalogue: {unknown}")
    if set(parsed.directions) != set(Direction) or sum(parsed.directions.values()) <= 0:
        raise ConfigError(
            f"{source}: [directions] must weigh all four directions "
            f"({', '.join(Direction)}) with a positive total"
        )
    leaves = []
    for meta in catalogue.indicators:
        override = parsed.indicators.get(meta.code, _IndicatorOverride())
        goalposts = override.goalposts or meta.goalposts
        leaves.append(
            FrameworkIndicator(meta.code, meta.direction, override.weight, meta.polarity, goalposts)
        )
    return Framework(parsed.name, parsed.version, dict(parsed.directions), tuple(leaves))
