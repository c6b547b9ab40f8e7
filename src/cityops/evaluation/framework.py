"""The evaluation framework (评价框架): a tree direction → content → indicator.

Loaded in two stages like the catalogue: the YAML file is validated into
frozen pydantic models (``FrameworkFile``, whose JSON Schema is
``docs/schemas/framework.schema.json``), then resolved against the catalogue
into a ``Framework`` (codes known, each code once, AHP matrices of the right
order and consistent, goalposts from the catalogue unless overridden).  Any
failure is a ``DefinitionError`` naming the file, the line and the node
(``cityops.definitions``).

Each inner node (the root, a direction, a content) says how its children are
weighed (``weighting``) and combined (``aggregation``); each child carries
its own ``weight`` (used by ``expert``).  Leaves may override the defaults of
normalisation, imputation and outlier treatment, and the goalposts or target.

The file is the one place where the tree's directions and contents are listed
and named in Chinese and English: the engine, reports, console and CLI take
them from the loaded framework, in file order, so a city adds a direction by
adding it to its framework file.  An indicator stays under the direction its
catalogue entry names, unless the framework lists it under a direction of its
own (one no catalogue indicator names).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from cityops.definitions import Definition, DefinitionKind, Place
from cityops.errors import ConfigError
from cityops.evaluation.aggregation import Aggregation
from cityops.evaluation.ahp import RandomIndexTable, ahp_weights
from cityops.evaluation.entropy import EntropyVariant
from cityops.evaluation.imputation import Imputation
from cityops.evaluation.normalisation import FloatArray, Normalisation
from cityops.indicators.catalogue import Catalogue, Goalposts, load_catalogue, shipped_catalogue
from cityops.types import IndicatorCode, Polarity

__all__ = [
    "DEFAULT_FRAMEWORK",
    "FRAMEWORK_FILE",
    "Framework",
    "FrameworkContent",
    "FrameworkDirection",
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
    "shipped_framework",
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
    """The content's name in Chinese; also its node path ``direction/name``."""
    name_en: str | None = None
    """Its English name (default: ``name``)."""
    weight: float = Field(default=1.0, ge=0)
    weighting: Weighting = Weighting()
    aggregation: Aggregation | None = None
    indicators: tuple[IndicatorSpec, ...] = Field(min_length=1)


class DirectionSpec(BaseModel):
    model_config = _FROZEN

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """The direction's code: its node path and the key of its score in a run."""
    name_zh: str | None = None
    """Its name in Chinese (default: the code)."""
    name_en: str | None = None
    """Its name in English (default: the code)."""
    short_zh: str | None = None
    """A short Chinese name for narrow table columns (default: ``name_zh``)."""
    short_en: str | None = None
    """A short English name for narrow table columns (default: ``name_en``)."""
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


FRAMEWORK_FILE = DefinitionKind(
    "evaluation framework",
    FrameworkFile,
    "docs/evaluation.md",
    package="cityops.evaluation",
    default=DEFAULT_FRAMEWORK,
)

_NAMES: dict[str, Any] = dict.fromkeys(("name_zh", "name_en", "short_zh", "short_en"), True)
_NOT_HASHED = {"directions": {"__all__": _NAMES | {"contents": {"__all__": {"name_en"}}}}}
"""Names are labels: renaming a node does not make another framework (hash)."""


@dataclass(frozen=True, slots=True)
class FrameworkContent:
    """A content of a direction, as the framework names it."""

    path: str
    """``direction/name``: the node path and the key of its score in a run."""
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class FrameworkDirection:
    """A direction of the framework with its names and its contents, in file order."""

    code: str
    name_zh: str
    name_en: str
    short_zh: str
    short_en: str
    contents: tuple[FrameworkContent, ...]


@dataclass(frozen=True, slots=True)
class FrameworkIndicator:
    """A leaf: an indicator with its weight within its content and its treatment."""

    code: IndicatorCode
    direction: str
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
    directions: tuple[FrameworkDirection, ...]
    """The directions with their names and contents, in file order."""

    @property
    def root(self) -> FrameworkNode:
        return self.nodes[-1]

    @property
    def direction_weights(self) -> dict[str, float]:
        """The directions' weights as configured (data-driven methods: the expert weights)."""
        root = self.root
        weights = root.static_weights or tuple(self.node(p).weight for p in root.children)
        return dict(zip(root.children, weights, strict=True))

    def direction(self, code: str) -> FrameworkDirection:
        for direction in self.directions:
            if direction.code == code:
                return direction
        raise KeyError(code)

    def node(self, path: str) -> FrameworkNode:
        for node in self.nodes:
            if node.path == path:
                return node
        raise KeyError(path)


def framework_json_schema() -> dict[str, Any]:
    """The JSON Schema of a framework file (``docs/schemas/framework.schema.json``)."""
    return FRAMEWORK_FILE.json_schema()


def load_framework(path: Path | None = None, catalogue: Catalogue | None = None) -> Framework:
    """Load a framework file (default: the shipped ``framework.yaml``) against ``catalogue``."""
    return resolve_framework(FRAMEWORK_FILE.load(path), catalogue or load_catalogue())


@cache
def shipped_framework() -> Framework:
    """The shipped framework over the shipped catalogue, loaded once per process: the
    one runs are made with unless a city names its own, so the API and the console
    name the same directions and contents."""
    return load_framework(catalogue=shipped_catalogue())


def parse_framework(text: str, source: str) -> Definition[FrameworkFile]:
    """Stage 1: YAML text → the validated file model; errors name the file and the line."""
    return FRAMEWORK_FILE.parse(text, source)


def resolve_framework(parsed: Definition[FrameworkFile], catalogue: Catalogue) -> Framework:
    """Stage 2: check the tree against the catalogue and resolve every default."""
    file = parsed.model
    _check_codes(parsed, catalogue)
    directions = [d.code for d in file.directions]
    repeated = sorted({code for code in directions if directions.count(code) > 1})
    if repeated:
        raise parsed.at("directions").error(
            f"each direction must appear exactly once: {repeated}", "list each direction once"
        )
    homes = set(catalogue.directions)
    defaults = file.defaults
    leaves: list[FrameworkIndicator] = []
    nodes: list[FrameworkNode] = []
    direction_nodes: list[FrameworkNode] = []
    for d, direction in enumerate(file.directions):
        direction_place = parsed.at("directions", d)
        content_nodes: list[FrameworkNode] = []
        for c, content in enumerate(direction.contents):
            path = f"{direction.code}/{content.name}"
            content_place = direction_place.at("contents", c)
            for k, spec in enumerate(content.indicators):
                meta = catalogue.get(spec.code)
                if direction.code in homes and meta.direction != direction.code:
                    raise content_place.at("indicators", k, "code").error(
                        f"{spec.code} belongs to direction {meta.direction}, not "
                        f"{direction.code} (only a direction of the framework's own, which "
                        "no catalogue indicator names, may take it)"
                    )
                leaves.append(
                    FrameworkIndicator(
                        IndicatorCode(spec.code),
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
            content_nodes.append(_node(path, content, children, file, content_place))
        nodes.extend(content_nodes)
        children = [(n.path, n.weight) for n in content_nodes]
        direction_nodes.append(_node(direction.code, direction, children, file, direction_place))
    nodes.extend(direction_nodes)
    root_children = [(n.path, n.weight) for n in direction_nodes]
    nodes.append(_node("", file, root_children, file, parsed.place))
    payload = {
        "file": file.model_dump(mode="json", exclude=_NOT_HASHED),
        "goalposts": {leaf.code: leaf.goalposts.model_dump(mode="json") for leaf in leaves},
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return Framework(
        file.name,
        file.version,
        parsed.source,
        digest,
        file.random_index,
        file.coverage_threshold,
        file.uncertainty,
        tuple(nodes),
        tuple(leaves),
        tuple(_named(direction) for direction in file.directions),
    )


def _named(spec: DirectionSpec) -> FrameworkDirection:
    """A direction with its names resolved: a missing name is the code, a missing short
    name the name, a content's missing English name its Chinese one."""
    name_zh, name_en = spec.name_zh or spec.code, spec.name_en or spec.code
    return FrameworkDirection(
        spec.code,
        name_zh,
        name_en,
        spec.short_zh or name_zh,
        spec.short_en or name_en,
        tuple(
            FrameworkContent(f"{spec.code}/{c.name}", c.name, c.name_en or c.name)
            for c in spec.contents
        ),
    )


def _check_codes(parsed: Definition[FrameworkFile], catalogue: Catalogue) -> None:
    """Every indicator of the tree is in the catalogue, and listed once."""
    listed = [
        (spec.code, parsed.at("directions", d, "contents", c, "indicators", k, "code"))
        for d, direction in enumerate(parsed.model.directions)
        for c, content in enumerate(direction.contents)
        for k, spec in enumerate(content.indicators)
    ]
    codes = [code for code, _ in listed]
    unknown = sorted(set(codes) - set(catalogue.codes))
    if unknown:
        first = next(place for code, place in listed if code in unknown)
        raise first.error(
            f"indicators not in the catalogue: {unknown}",
            "use codes of the indicator catalogue (docs/indicators.md)",
        )
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        second = next(place for k, (code, place) in enumerate(listed) if code in codes[:k])
        raise second.error(f"indicators listed more than once: {twice}", "list each indicator once")


def _node(
    path: str,
    spec: ContentSpec | DirectionSpec | FrameworkFile,
    named_children: list[tuple[str, float]],
    file: FrameworkFile,
    place: Place,
) -> FrameworkNode:
    """Resolve an inner node (written at ``place``): its children (name, expert weight)
    and, when they do not depend on data, their weights."""
    where = path or "(root)"
    weighting, random_index = spec.weighting, file.random_index
    comparisons = place.at("weighting", "comparisons")
    children = tuple(name for name, _ in named_children)
    expert = tuple(weight for _, weight in named_children)
    static: tuple[float, ...] | None = None
    if weighting.method is WeightMethod.EXPERT:
        if sum(expert) <= 0:
            raise place.error(f"framework node {where}: expert weights must have a positive sum")
        static = tuple(w / sum(expert) for w in expert)
    elif weighting.method is WeightMethod.EQUAL:
        static = tuple(1.0 / len(children) for _ in children)
    elif weighting.method is WeightMethod.AHP:
        matrix = weighting.comparisons
        if matrix is None or len(matrix) != len(children):
            raise comparisons.error(
                f"framework node {where}: AHP needs a {len(children)}×{len(children)} "
                f"comparisons matrix, children in order: {', '.join(children)}"
            )
        try:
            result = ahp_weights(_as_array(matrix), name=where, random_index=random_index)
        except ConfigError as error:
            raise comparisons.error(str(error)) from error
        static = tuple(float(w) for w in result.weights)
    if weighting.comparisons is not None and weighting.method is not WeightMethod.AHP:
        raise comparisons.error(f"framework node {where}: comparisons are only for method ahp")
    weight = 1.0 if isinstance(spec, FrameworkFile) else spec.weight
    aggregation = spec.aggregation or file.defaults.aggregation
    return FrameworkNode(path, weight, weighting, aggregation, children, static)


def _as_array(matrix: tuple[tuple[float, ...], ...]) -> FloatArray:
    try:
        return np.array(matrix, dtype=np.float64)
    except ValueError as error:  # ragged rows
        raise ConfigError(f"AHP comparisons are not a square matrix: {error}") from error
