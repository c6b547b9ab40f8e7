"""The definitions a workspace works with: its indicator catalogue and evaluation
framework — the city's own when ``cityops.toml`` names them (``[definitions]``),
else the ones shipped with cityops — each read once per file version.

Every step takes them from here, so a city that edits its catalogue or framework
sees the change in the next computation, evaluation, report, API answer and
console page, without restarting anything and without Python.
"""

from __future__ import annotations

from pathlib import Path

from cityops.evaluation.framework import Framework, load_framework, shipped_framework
from cityops.indicators.catalogue import Catalogue, load_catalogue, shipped_catalogue
from cityops.services.file_cache import VersionedCache, file_version
from cityops.workspace.workspace import Workspace

__all__ = ["definitions_stamp", "workspace_catalogue", "workspace_framework"]

_CATALOGUES: VersionedCache[Path, Catalogue] = VersionedCache(capacity=16)
_FRAMEWORKS: VersionedCache[tuple[Path, Path | None], Framework] = VersionedCache(capacity=16)


def workspace_catalogue(workspace: Workspace) -> Catalogue:
    """The workspace's indicator catalogue."""
    path = workspace.catalogue_path
    if path is None:
        return shipped_catalogue()
    return _CATALOGUES.get(path, _version(path), lambda: load_catalogue(path))


def workspace_framework(workspace: Workspace, path: Path | None = None) -> Framework:
    """The framework at ``path`` (a run's own, from a command's ``--framework``), else
    the workspace's, checked against the workspace's catalogue."""
    chosen = path or workspace.framework_path
    catalogue_path = workspace.catalogue_path
    if chosen is None and catalogue_path is None:
        return shipped_framework()
    catalogue = workspace_catalogue(workspace)
    key = (chosen or Path("<shipped>"), catalogue_path)
    version = (_version(chosen) if chosen else None, _version(catalogue_path))
    return _FRAMEWORKS.get(key, version, lambda: load_framework(chosen, catalogue=catalogue))


def definitions_stamp(workspace: Workspace) -> tuple[object, ...]:
    """The version of the workspace's catalogue and framework files: what an answer
    computed with them is kept with."""
    return (_version(workspace.catalogue_path), _version(workspace.framework_path))


def _version(path: Path | None) -> tuple[int, int] | None:
    """A file's version; None for the shipped file (or a missing one, which the loader
    then names)."""
    if path is None:
        return None
    try:
        return file_version(path)
    except FileNotFoundError:
        return None
