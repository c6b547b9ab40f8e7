"""Where each key and entry of a definition file was written: its line.

A validation error says *what* is wrong at a path of the document
(``("indicator", 3, "goalposts")``); :class:`Lines` maps such a path to the
line a person should look at.

- YAML: the nodes of ``yaml.compose`` carry their position, so
  :func:`parse_yaml` composes the document once, notes the line of every key
  and list entry, and constructs the data from the same nodes.
- TOML: :mod:`tomllib` keeps no positions, so :func:`toml_lines` scans the
  text for table headers (``[directions.content]``, ``[[indicator]]``, the
  n-th header of an array of tables being its entry n) and ``key =`` lines,
  passing over multi-line arrays and strings.  Entries of inline arrays and
  keys of inline tables are not told apart: they get the line of their key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml  # type: ignore[import-untyped]

__all__ = ["DocPath", "Lines", "parse_yaml", "toml_lines"]

DocPath = tuple[str | int, ...]
"""Keys (text) and list positions (from 0) from the document's root to a value."""


@dataclass(frozen=True, slots=True)
class Lines:
    """Line numbers (from 1) of the keys and entries of one document."""

    at: Mapping[DocPath, int] = field(default_factory=dict)

    def of(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest part of ``path`` written in the file.

        Parts that name nothing there are passed over: pydantic puts the member
        of a union it tried (``float``, ``ScaledGoalpost``) between a field and
        its own fields, and a missing field was written nowhere (its entry's
        line is the place to add it).
        """
        found = self.at.get(())
        current: DocPath = ()
        for part in path:
            for key in (part, str(part)) if isinstance(part, int) else (part,):
                if (*current, key) in self.at:
                    current = (*current, key)
                    found = self.at[current]
                    break
        return found


def parse_yaml(text: str) -> tuple[object, Lines]:
    """The YAML document and the line of each of its keys and entries; a syntax error
    raises ``yaml.YAMLError`` (with its ``problem_mark``)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    at: dict[DocPath, int] = {}
    if node is not None:
        _note_yaml(node, (), at)
    return data, Lines(at)


def _note_yaml(node: yaml.Node, path: DocPath, at: dict[DocPath, int]) -> None:
    at.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                at.setdefault((*path, str(key.value)), key.start_mark.line + 1)
                _note_yaml(value, (*path, str(key.value)), at)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _note_yaml(item, (*path, index), at)


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"' + r"|'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(rf"\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def toml_lines(text: str) -> Lines:
    """The line of each table, entry of an array of tables, and key of a TOML text
    (which ``tomllib`` has already accepted)."""
    at: dict[DocPath, int] = {(): 1}
    entries: dict[DocPath, int] = {}  # array of tables → entries so far
    table: DocPath = ()
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        header = _HEADER.match(line)
        assignment = None if header else _ASSIGNMENT.match(line)
        if header:
            table = _resolve(_parts(header.group(2)), entries)
            if header.group(1) == "[[":
                at.setdefault(table, number)
                entries[table] = entries.get(table, 0) + 1
                table = (*table, entries[table] - 1)
            at.setdefault(table, number)
        elif assignment:
            key = _parts(assignment.group(1))
            for depth in range(1, len(key) + 1):
                at.setdefault((*table, *key[:depth]), number)
            index = _after_value(lines, index, assignment.end())
            continue
        index += 1
    return Lines(at)


def _parts(dotted: str) -> DocPath:
    """``a."b.c".d`` → ``("a", "b.c", "d")``."""
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


def _resolve(header: DocPath, entries: Mapping[DocPath, int]) -> DocPath:
    """A header's path, where a part naming an array of tables means its latest entry."""
    path: DocPath = ()
    for part in header:
        path = (*path, part)
        if path in entries and len(path) < len(header):
            path = (*path, entries[path] - 1)
    return path


def _after_value(lines: Sequence[str], index: int, column: int) -> int:
    """The index of the first line after the value that starts at ``column`` of line
    ``index``: an array or a multi-line string may go on over further lines."""
    depth, quote = 0, ""
    while index < len(lines):
        line, position = lines[index], column
        while position < len(line):
            if quote:
                if line.startswith(quote, position):
                    position, quote = position + len(quote), ""
                else:
                    position += 2 if line[position] == "\\" and quote[0] == '"' else 1
                continue
            if line[position] == "#":
                break
            triple = line[position : position + 3]
            quote = triple if triple in ('"""', "'''") else ""
            if not quote and line[position] in "\"'":
                quote = line[position]
            depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(line[position], 0)
            position += len(quote) or 1
        index, column = index + 1, 0
        if len(quote) == 1:  # a one-line string cannot go on to the next line
            quote = ""
        if depth <= 0 and not quote:
            return index
    return index
