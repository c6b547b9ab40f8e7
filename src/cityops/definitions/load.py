"""Read, parse and validate a definition file; errors that name its file and line.

See the package's docstring for the stages; this module is the first one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path, PurePath
from typing import Any, Generic, Literal, TypeVar

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cityops.definitions.lines import DocPath, Lines, parse_yaml, toml_lines
from cityops.errors import ConfigError, DefinitionError

__all__ = [
    "Definition",
    "DefinitionKind",
    "Format",
    "Parsed",
    "Place",
    "describe_path",
    "parse_text",
]

Format = Literal["yaml", "toml"]
_SUFFIXES: Mapping[str, Format] = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$")
_ENTRY_NAMES = ("code", "id", "name")
"""Keys whose value names a list entry in messages (``indicator 'infra.test'``)."""

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Place:
    """A place in a definition file: the file, the path of an entry in it, and so the
    entry's line.  The second stage of loading reports through it, so that its errors
    have the same shape as the first's."""

    source: str
    """The file as messages name it."""
    path: DocPath = ()
    lines: Lines = field(default_factory=Lines)
    docs: str | None = None
    """Where the format is described, the advice when no better one is given."""

    @property
    def line(self) -> int | None:
        return self.lines.of(self.path)

    def at(self, *path: str | int) -> Place:
        """The place of ``path`` below this one."""
        return replace(self, path=(*self.path, *path))

    def error(self, what: str, fix: str | None = None) -> DefinitionError:
        """``what`` is wrong here; ``fix`` says what to do (default: read the docs)."""
        return DefinitionError(self.source, [(self.line, what)], fix or self._see_docs)

    def invalid(self, error: ValidationError, data: object) -> DefinitionError:
        """Each problem pydantic found in ``data`` (the value validated, written at this
        place), with its line."""
        problems = [self._problem(details, data) for details in error.errors()]
        return DefinitionError(self.source, problems, self._see_docs)

    def _problem(self, details: ErrorDetails, data: object) -> tuple[int | None, str]:
        path = (*self.path, *details["loc"])
        return self.lines.of(path), f"{describe_path(details['loc'], data)}: {details['msg']}"

    @property
    def _see_docs(self) -> str:
        return f"see {self.docs} for the format" if self.docs else "correct the file"


@dataclass(frozen=True, slots=True)
class Definition(Generic[ModelT]):
    """A validated definition file: its model, and its place for the checks that follow."""

    model: ModelT
    place: Place

    @property
    def source(self) -> str:
        return self.place.source

    def at(self, *path: str | int) -> Place:
        return self.place.at(*path)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed document, before validation: its data and the line of each part."""

    data: object
    lines: Lines


@dataclass(frozen=True, slots=True)
class DefinitionKind(Generic[ModelT]):
    """One kind of definition file: what people call it, the pydantic model its
    document must fit, where its format is described, and the default shipped in the
    package (if any).  YAML or TOML is told by the file's suffix, else ``format``."""

    what: str
    model: type[ModelT]
    docs: str
    format: Format = "yaml"
    package: str | None = None
    default: str | None = None

    def load(self, path: Path | None = None) -> Definition[ModelT]:
        """Read, parse and validate ``path`` (``None``: the shipped default)."""
        text, source = self.read(path)
        return self.parse(text, source)

    def read(self, path: Path | None = None) -> tuple[str, str]:
        """``(text, source)`` of ``path``, or of the default shipped in ``package``;
        ``source`` names the file in messages."""
        if path is None:
            if self.package is None or self.default is None:
                raise ConfigError(f"there is no default {self.what}; give a file")
            text = resources.files(self.package).joinpath(self.default).read_text("utf-8")
            return text, f"{self.package.replace('.', '/')}/{self.default}"
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as error:
            raise ConfigError(f"cannot read {self.what} {path}: {error.strerror}") from error

    def parse(self, text: str, source: str) -> Definition[ModelT]:
        """Parse ``text`` (YAML or TOML by the suffix of ``source``) and validate it."""
        return self.validate(self.parse_document(text, source), source)

    def parse_document(self, text: str, source: str) -> Parsed:
        """The document in ``text``, YAML or TOML by the suffix of ``source``."""
        suffix = PurePath(source).suffix.lower()
        return parse_text(text, source, _SUFFIXES.get(suffix, self.format))

    def validate(self, parsed: Parsed, source: str) -> Definition[ModelT]:
        """The document as the kind's model; every problem named with its line."""
        place = Place(source, (), parsed.lines, self.docs)
        try:
            return Definition(self.model.model_validate(parsed.data), place)
        except ValidationError as error:
            raise place.invalid(error, parsed.data) from error

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the kind's files (published in ``docs/schemas``)."""
        schema = self.model.model_json_schema()
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def parse_text(text: str, source: str, format: Format) -> Parsed:
    """The document in ``text`` with the line of each part; a syntax error names its line."""
    if format == "toml":
        try:
            return Parsed(tomllib.loads(text), toml_lines(text))
        except tomllib.TOMLDecodeError as error:
            position = _TOML_POSITION.search(str(error))
            line = int(position.group(1)) if position and position.group(1) else None
            what = _TOML_POSITION.sub("", str(error))
            raise DefinitionError(source, [(line, f"not valid TOML: {what}")], _SYNTAX) from error
    try:
        data, lines = parse_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(error, "problem", None) or str(error)
        raise DefinitionError(source, [(line, f"not valid YAML: {what}")], _SYNTAX) from error
    return Parsed(data, lines)


_SYNTAX = "correct the syntax there (a quote, bracket or indentation is usually amiss)"


def describe_path(path: Sequence[str | int], data: object) -> str:
    """A path in the document in words: a list's entry by its code, id or name
    (``indicator 'infra.test'``) else its number (``rules #3``), then the field
    (``indicator 'infra.test', field goalposts.hi``).

    Parts that name nothing in ``data`` are left out, but for the last (a missing or
    unknown field): they are pydantic's names of the union members it tried.
    """
    words: list[str] = []
    keys: list[str] = []
    node: object = data
    for position, part in enumerate(path):
        child, found = _child(node, part)
        if found and isinstance(part, int) and isinstance(node, list):
            named = _entry_name(child)
            label = repr(named) if named is not None else f"#{part + 1}"
            words.append(" ".join([".".join(keys), label]).strip())
            keys = []
        elif found or position == len(path) - 1:
            keys.append(str(part))
        node = child
    if keys:
        words.append(("field " if words else "") + ".".join(keys))
    return ", ".join(words) or "the file"


def _child(node: object, part: str | int) -> tuple[object, bool]:
    if isinstance(node, list) and isinstance(part, int):
        return (node[part], True) if 0 <= part < len(node) else (None, False)
    if isinstance(node, dict):
        for key in (part, str(part)):
            if key in node:
                return node[key], True
    return None, False


def _entry_name(entry: object) -> str | None:
    if isinstance(entry, dict):
        for key in _ENTRY_NAMES:
            value = entry.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)
    return None
