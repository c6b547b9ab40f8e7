"""Definition files, and the one way they are loaded.

The indicator catalogue, the evaluation framework, contract registers, the
compliance and advisor rules, project profiles and the workspace's
``cityops.toml`` are configuration as data.  Each is loaded in the same two
stages (SQLMesh's *meta*, then *expand*):

1. :meth:`DefinitionKind.load` *reads* the file (a city's own, or the default
   shipped in the package), *parses* it as YAML or TOML by its suffix while
   noting the line of every key and entry (:mod:`cityops.definitions.lines`),
   and *validates* it into the kind's frozen pydantic model;
2. the kind's own module then *expands and checks* what spans entries
   (references, sums, orders), reporting through the :class:`Place` of the
   entry at fault (``definition.at("indicator", 3)``), so that its errors have
   the shape of the first stage's.

Every failure is a :class:`~cityops.errors.DefinitionError` naming the file,
the line, what is wrong and what to do::

    catalogue.toml:57: indicator 'infra.test', field direction: Input should be
    'content', 'mechanism', 'capability' or 'effectiveness'; see docs/indicators.md
    for the format
"""

from cityops.definitions.lines import DocPath, Lines
from cityops.definitions.load import (
    Definition,
    DefinitionKind,
    Format,
    Parsed,
    Place,
    describe_path,
    parse_text,
)

__all__ = [
    "Definition",
    "DefinitionKind",
    "DocPath",
    "Format",
    "Lines",
    "Parsed",
    "Place",
    "describe_path",
    "parse_text",
]
