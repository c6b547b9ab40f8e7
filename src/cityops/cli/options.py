"""Options every command shares, and how a command reports its result."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from cityops.domain.period import Period
from cityops.errors import ConfigError

if TYPE_CHECKING:
    from cityops.services.unit_of_work import UnitOfWork

__all__ = [
    "FIRST_MONTH",
    "JsonOption",
    "StartOption",
    "WorkspaceOption",
    "emit",
    "period_option",
    "stderr",
    "unit_of_work",
    "workspace_dir",
]

stderr = Console(stderr=True)
"""Human output goes to stderr when --json owns stdout, and progress bars always do."""

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace directory (default: $CITYOPS_WORKSPACE, else ./cityops-workspace).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable result on stdout.")
]


def _period(text: str | Period) -> Period:
    """A month option's ``YYYY-MM`` as a ``Period`` (its default is one already);
    anything else is a usage error that names the option and shows the form."""
    if isinstance(text, Period):
        return text
    try:
        return Period.parse(text)
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None


def period_option(description: str, name: str = "--period") -> Any:
    """The option ``name`` of a month, ``YYYY-MM``, given to the command as a ``Period``
    (``description`` is its help)."""
    return typer.Option(name, help=description, parser=_period, metavar="YYYY-MM")


StartOption = Annotated[Period, period_option("First month, YYYY-MM.", "--start")]
"""The first month of a synthetic city (``cityops synth``, ``cityops demo``)."""
FIRST_MONTH = Period(2025, 1)


def workspace_dir(option: Path | None) -> Path:
    from cityops.workspace.config import find_workspace_dir  # pydantic: not at start-up

    return find_workspace_dir(option)


@contextmanager
def unit_of_work(option: Path | None) -> Iterator[UnitOfWork]:
    """A unit of work on the workspace the ``--workspace`` option names, for one command
    (the services and storage load only when a command runs)."""
    from cityops.services.unit_of_work import unit_of_work as open_unit_of_work
    from cityops.workspace.workspace import open_workspace

    with open_unit_of_work(open_workspace(workspace_dir(option))) as uow:
        yield uow


def emit(result: Mapping[str, Any], as_json: bool, human: Callable[[Console], None]) -> None:
    """Print ``result`` as one JSON object on stdout, or call ``human`` to describe it."""
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, default=str))
    else:
        human(Console())
