"""The exception hierarchy of cityops.

::

    CityopsError                  every error cityops raises on purpose
    ├── ConfigError               a configuration or definition file is wrong
    │   └── DefinitionError       … at this line of this file (``cityops.definitions``)
    ├── WorkspaceError            a workspace is missing, incomplete or already exists
    ├── ContractError             data does not fit the canonical data contract
    │   └── UnreadableDataError   … the query engine could not read it (its words kept apart)
    └── PipelineError             a pipeline step cannot run with what it was given

Messages say what was wrong, where (file, line, field) and what to do about it;
the CLI prints them without a traceback.
"""

from collections.abc import Sequence

__all__ = [
    "CityopsError",
    "ConfigError",
    "ContractError",
    "DefinitionError",
    "PipelineError",
    "UnreadableDataError",
    "WorkspaceError",
]


class CityopsError(Exception):
    """Base class of every error that cityops raises on purpose."""


class ConfigError(CityopsError):
    """A configuration or definition file is wrong."""


class DefinitionError(ConfigError):
    """A definition file is wrong: which file, which line, what, and how to fix it.

    ``problems`` are ``(line, what)`` pairs, the line ``None`` when it cannot be
    told; the message shows the first few as ``file:line: what`` and ends with
    ``fix``.
    """

    SHOWN = 5
    """Problems spelt out in the message; the rest are counted."""

    def __init__(self, source: str, problems: Sequence[tuple[int | None, str]], fix: str) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.fix = fix
        shown = [
            f"{source}:{line}: {what}" if line is not None else f"{source}: {what}"
            for line, what in self.problems[: self.SHOWN]
        ]
        if len(self.problems) > self.SHOWN:
            shown.append(f"and {len(self.problems) - self.SHOWN} more problems")
        super().__init__("; ".join(shown) + f"; {fix}")

    @property
    def line(self) -> int | None:
        """The line of the first problem."""
        return self.problems[0][0] if self.problems else None


class WorkspaceError(CityopsError):
    """A workspace is missing, incomplete, or already exists."""


class ContractError(CityopsError):
    """Data does not fit the canonical data contract."""


class UnreadableDataError(ContractError):
    """The query engine could not read the data.  The message adds the engine's own
    account to ``summary`` (for a person at the command line, or the log); an answer
    to a remote caller gives ``summary`` alone, never the engine's words."""

    def __init__(self, summary: str, engine_text: str = "") -> None:
        super().__init__(f"{summary}: {engine_text}" if engine_text else summary)
        self.summary = summary


class PipelineError(CityopsError):
    """A pipeline step cannot run with the inputs it was given."""
