"""The evaluation framework (评价框架): a tree direction → content → indicator.

Loaded in two stages like the catalogue: the YAML file is validated into
frozen pydantic models (``FrameworkFile``, whose JSON Schema is
``docs/schemas/framework.schema.json``), then resolved against the catalogue
into a ``Framework`` (codes known, each code once, AHP matrices of the right
order and consistent, goalposts from the catalogue unless overridden).  Any
failure is a ``ConfigError`` naming the file and the node.

Each inner node (the root, a direction, a content) says how its children are
weighed (``weighting``) and combined (``aggregation``); each child carries
its own ``weight`` (used by ``expert``).  Leaves may override the defaults of
normalisation, imputation and outlier treatment, and the goalposts or target.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cityops.definitions import read_definition
from cityops.errors import ConfigError
from cityops.evaluation.aggregation import Aggregation
from cityops.evaluation.ahp import RandomIndexTable, ahp_weights
from cityops.evaluation.entropy import EntropyVariant
from cityops.evaluation.imputation import Imputation
from cityops.evaluation.normalisation import FloatArray, Normalisation
from cityops.indicators.catalogue import Catalogue, Direction, Goalposts, load_catalogue
from cityops.types import Polarity

__all__ = [
    "DEFAULT_FRAMEWORK",
    "Framework",
    "FrameworkFile",
    "FrameworkIndicator",
    "FrameworkNode",
    "OutlierTreatment",
    "UncertaintySettings",
    "WeightMethod",
    "Weighting",
    "framework_json_schema",
    "load_framework",
    "parse_framework",
    "resolve_framework",
]

DEFAULT_FRAMEWORK = "framework.yaml"
_FROZEN = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class WeightMethod(StrEnum):
    EXPERT = "expert"  # 专家赋权: the children's own ``weight``
    EQUAL = "equal"  # 等权
    AHP = "ahp"  # 层次分析法
    ENTROPY = "entropy"  # 熵权法
    CRITIC = "critic"


class OutlierTreatment(StrEnum):
    NONE = "none"
    COINR = "coinr"


class Weighting(BaseModel):
    """How a node weighs its children."""

    model_config = _FROZEN

    method: WeightMethod = WeightMethod.EQUAL
    comparisons: tuple[tuple[float, ...], ...] | None = None
    """AHP: the pairwise comparison matrix, children in the order listed."""
    entropy_variant: EntropyVariant = EntropyVariant.MINMAX


class Defaults(BaseModel):
    model_config = _FROZEN

    normalisation: Normalisation = Normalisation.GOALPOSTS
    aggregation: Aggregation = Aggregation.ARITHMETIC
    imputation: Imputation = Imputation.RENORMALISE
    outliers: OutlierTreatment = OutlierTreatment.NONE


class UncertaintySettings(BaseModel):
    """The assumptions a Monte Carlo run varies, and how."""

    model_config = _FROZEN

    seed: int = 20_250_101
    weight_noise: float = Field(default=0.25, ge=0, lt=1)
    """Each weight is multiplied by U(1 − noise, 1 + noise), then renormalised."""
    normalisations: tuple[Normalisation, ...] = Field(
        default=(Normalisation.GOALPOSTS, Normalisation.DISTANCE_TO_TARGET), min_length=1
    )
    aggregations: tuple[Aggregation, ...] = Field(
        default=(Aggregation.ARITHMETIC, Aggregation.GEOMETRIC), min_length=1
    )
    imputations: tuple[Imputation, ...] = Field(
        default=(Imputation.RENORMALISE, Imputation.MEAN, Imputation.MEDIAN), min_length=1
    )
    sobol_samples: int = Field(default=256, ge=16)
    """Base sample size N of the Sobol design (N · (D + 2) model runs; a power of 2)."""


class IndicatorSpec(BaseModel):
    model_config = _FROZEN

    code: str
    weight: float = Field(default=1.0, ge=0)
    normalisation: Normalisation | None = None
    goalposts: Goalposts | None = None
    target: float | None = None
    """For ``distance_to_target`` (default: the good goalpost ``hi``)."""
    imputation: Imputation | None = None
    outliers: OutlierTreatment | None = None


class ContentSpec(BaseModel):
    model_config = _FROZEN

    name: str
    weight: float = Field(default=1.0, ge=0)
    weighting: Weighting = Weighting()
    aggregation: Aggregation | None = None
    indicators: tuple[IndicatorSpec, ...] = Field(min_length=1)


class DirectionSpec(BaseModel):
    model_config = _FROZEN

    code: Direction
    weight: float = Field(default=1.0, ge=0)
    weighting: Weighting = Weighting()
    aggregation: Aggregation | None = None
    contents: tuple[ContentSpec, ...] = Field(min_length=1)


class FrameworkFile(BaseModel):
    """A cityops evaluation framework (评价框架): direction → content → indicator, with
    weights, normalisation, imputation, outlier treatment and aggregation."""

    model_config = _FROZEN

    name: str
    version: int
    random_index: RandomIndexTable = RandomIndexTable.SAATY_1980
    coverage_threshold: float = Field(default=0.5, ge=0, le=1)
    """A region with a smaller share of the measured indicators is not scored."""
    weighting: Weighting = Weighting()
    aggregation: Aggregation | None = None
    defaults: Defaults = Defaults()
    uncertainty: UncertaintySettings = UncertaintySettings()
    directions: tuple[DirectionSpec, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class FrameworkIndicator:
    """A leaf: an indicator with its weight within its content and its treatment."""

    code: str
    direction: Direction
    content: str
    weight: float
    polarity: Polarity
    goalposts: Goalposts
    normalisation: Normalisation
    target: float | None
    imputation: Imputation
    outliers: OutlierTreatment


@dataclass(frozen=True, slots=True)
class FrameworkNode:
    """An inner node: the root (path ``""``), a direction (``content``) or a content
    (``content/基础设施``).  ``children`` are node paths, or indicator codes for a content."""

    path: str
    weight: float
    weighting: Weighting
    aggregation: Aggregation
    children: tuple[str, ...]
    static_weights: tuple[float, ...] | None
    """The children's weights when they do not depend on data (expert, equal, AHP)."""


@dataclass(frozen=True, slots=True)
class Framework:
    name: str
    version: int
    source: str
    hash: str
    """sha256 of the resolved tree (settings, weights, methods, goalposts)."""
    random_index: RandomIndexTable
    coverage_threshold: float
    uncertainty: UncertaintySettings
    nodes: tuple[FrameworkNode, ...]
    """Inner nodes bottom-up: contents, then directions, then the root last."""
    indicators: tuple[FrameworkIndicator, ...]

    @property
    def root(self) -> FrameworkNode:
        return self.nodes[-1]

    @property
    def direction_weights(self) -> dict[Direction, float]:
        """The directions' weights as configured (data-driven methods: the expert weights)."""
        root = self.root
        weights = root.static_weights or tuple(self.node(p).weight for p in root.children)
        return {Direction(p): w for p, w in zip(root.children, weights, strict=True)}

    def node(self, path: str) -> FrameworkNode:
        for node in self.nodes:
            if node.path == path:
                return node
        raise KeyError(path)


def framework_json_schema() -> dict[str, Any]:
    """The JSON Schema of a framework file (``docs/schemas/framework.schema.json``)."""
    schema = FrameworkFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def load_framework(path: Path | None = None, catalogue: Catalogue | None = None) -> Framework:
    """Load a framework file (default: the shipped ``framework.yaml``) against ``catalogue``."""
    text, source = read_definition(
        path, package="cityops.evaluation", default=DEFAULT_FRAMEWORK, what="evaluation framework"
    )
    return resolve_framework(parse_framework(text, source), catalogue or load_catalogue(), source)


def parse_framework(text: str, source: str) -> FrameworkFile:
    """Stage 1: YAML text → the validated file model."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML: {error}") from error
    try:
        return FrameworkFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(
            f"{source}: {where}: {first['msg']}; see docs/evaluation.md for the format"
        ) from error


def resolve_framework(parsed: FrameworkFile, catalogue: Catalogue, source: str) -> Framework:
    """Stage 2: check the tree against the catalogue and resolve every default."""
    codes = [i.code for d in parsed.directions for c in d.contents for i in c.indicators]
    unknown = sorted(set(codes) - set(catalogue.codes))
    if unknown:
        raise ConfigError(f"{source}: indicators not in the catalogue: {unknown}")
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        raise ConfigError(f"{source}: indicators listed more than once: {twice}")
    directions = [d.code for d in parsed.directions]
    if sorted(directions) != sorted(Direction):
        raise ConfigError(
            f"{source}: directions must be each of {', '.join(Direction)} exactly once"
        )
    defaults = parsed.defaults
    leaves: list[FrameworkIndicator] = []
    nodes: list[FrameworkNode] = []
    direction_nodes: list[FrameworkNode] = []
    for direction in parsed.directions:
        content_nodes: list[FrameworkNode] = []
        for content in direction.contents:
            path = f"{direction.code}/{content.name}"
            for spec in content.indicators:
                meta = catalogue.get(spec.code)
                if meta.direction is not direction.code:
                    raise ConfigError(
                        f"{source}: {spec.code} belongs to direction {meta.direction}, "
                        f"not {direction.code}"
                    )
                leaves.append(
                    FrameworkIndicator(
                        spec.code,
                        direction.code,
                        content.name,
                        spec.weight,
                        meta.polarity,
                        spec.goalposts or meta.goalposts,
                        spec.normalisation or defaults.normalisation,
                        spec.target,
                        spec.imputation or defaults.imputation,
                        spec.outliers or defaults.outliers,
                    )
                )
            children = [(i.code, i.weight) for i in content.indicators]
            content_nodes.append(_node(path, content, children, parsed))
        nodes.extend(content_nodes)
        children = [(n.path, n.weight) for n in content_nodes]
        direction_nodes.append(_node(str(direction.code), direction, children, parsed))
    nodes.extend(direction_nodes)
    nodes.append(_node("", parsed, [(n.path, n.weight) for n in direction_nodes], parsed))
    payload = {
        "file": parsed.model_dump(mode="json"),
        "goalposts": {leaf.code: leaf.goalposts.model_dump(mode="json") for leaf in leaves},
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return Framework(
        parsed.name,
        parsed.version,
        source,
        digest,
        parsed.random_index,
        parsed.coverage_threshold,
        parsed.uncertainty,
        tuple(nodes),
        tuple(leaves),
    )


def _node(
    path: str,
    spec: ContentSpec | DirectionSpec | FrameworkFile,
    named_children: list[tuple[str, float]],
    parsed: FrameworkFile,
) -> FrameworkNode:
    """Resolve an inner node: its children (name, expert weight) and, when they do not
    depend on data, their weights."""
    where = path or "(root)"
    weighting, random_index = spec.weighting, parsed.random_index
    children = tuple(name for name, _ in named_children)
    expert = tuple(weight for _, weight in named_children)
    static: tuple[float, ...] | None = None
    if weighting.method is WeightMethod.EXPERT:
        if sum(expert) <= 0:
            raise ConfigError(f"framework node {where}: expert weights must have a positive sum")
        static = tuple(w / sum(expert) for w in expert)
    elif weighting.method is WeightMethod.EQUAL:
        static = tuple(1.0 / len(children) for _ in children)
    elif weighting.method is WeightMethod.AHP:
        matrix = weighting.comparisons
        if matrix is None or len(matrix) != len(children):
            raise ConfigError(
                f"framework node {where}: AHP needs a {len(children)}×{len(children)} "
                f"comparisons matrix, children in order: {', '.join(children)}"
            )
        result = ahp_weights(_as_array(matrix), name=where, random_index=random_index)
        static = tuple(float(w) for w in result.weights)
    if weighting.comparisons is not None and weighting.method is not WeightMethod.AHP:
        raise ConfigError(f"framework node {where}: comparisons are only for method ahp")
    weight = 1.0 if isinstance(spec, FrameworkFile) else spec.weight
    aggregation = spec.aggregation or parsed.defaults.aggregation
    return FrameworkNode(path, weight, weighting, aggregation, children, static)


def _as_array(matrix: tuple[tuple[float, ...], ...]) -> FloatArray:
    try:
        return np.array(matrix, dtype=np.float64)
    except ValueError as error:  # ragged rows
        raise ConfigError(f"AHP comparisons are not a square matrix: {error}") from error
