"""Publishing a batch's files into the lake atomically: whole or not at all.

A batch writes every file it will add (event partitions, quarantine, derived
tables) under ``_staging/<batch>/`` first.  Then the commit protocol runs:

1. write the batch's *manifest* ``_batches/pending/<batch>.json`` (the files
   to move into place), atomically (write to a temporary name, fsync, rename);
2. move each staged file to its place (``os.replace``);
3. *commit*: rename the manifest to ``_batches/committed/<batch>.json`` —
   one atomic rename.

A process killed at any point leaves either no manifest (nothing published;
the staging directory is garbage) or a pending one, which :func:`recover`
rolls forward: every step above is idempotent, so finishing it gives exactly
the lake an uninterrupted run would have made.  Until then, readers exclude
the targets of pending manifests (:func:`pending_targets`), so nobody reads,
or deduplicates against, half a batch.  One writer per lake at a time.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cityops.errors import PipelineError

__all__ = [
    "BATCHES_DIR",
    "STAGING_DIR",
    "BatchManifest",
    "commit",
    "committed_manifest",
    "kill_point",
    "pending_targets",
    "recover",
    "staging_dir",
]

STAGING_DIR = "_staging"
BATCHES_DIR = "_batches"
KILL_POINT_ENV = "CITYOPS_TEST_KILL_AT"
"""Tests set this to a step name to have the process SIGKILL itself there.  A hook of the
crash tests, not a process setting (``cityops.settings``, ``docs/settings.md``): it is
read at each step, where it acts, and never set outside those tests."""


@dataclass(frozen=True, slots=True)
class BatchManifest:
    """What one batch publishes: staged→target moves (a batch only adds files).

    Paths are relative to the lake root, so a lake can be moved whole.
    ``accounting`` is the batch's record (JSON values), so that recovery can
    record a batch whose process died before it did.
    """

    batch_id: str
    table_name: str
    moves: tuple[tuple[str, str], ...]
    accounting: dict[str, str | int]

    def to_json(self) -> str:
        return json.dumps(
            {
                "batch_id": self.batch_id,
                "table_name": self.table_name,
                "moves": [list(m) for m in self.moves],
                "accounting": self.accounting,
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> BatchManifest:
        data = json.loads(text)
        return cls(
            batch_id=data["batch_id"],
            table_name=data["table_name"],
            moves=tuple((str(a), str(b)) for a, b in data["moves"]),
            accounting=dict(data["accounting"]),
        )


def staging_dir(lake: Path, batch_id: str) -> Path:
    return lake / STAGING_DIR / batch_id


def _pending_dir(lake: Path) -> Path:
    return lake / BATCHES_DIR / "pending"


def _committed_dir(lake: Path) -> Path:
    return lake / BATCHES_DIR / "committed"


def kill_point(step: str) -> None:
    """Crash tests: SIGKILL this process at ``step`` when ``CITYOPS_TEST_KILL_AT`` names it."""
    if os.environ.get(KILL_POINT_ENV) == step:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _apply(lake: Path, manifest: BatchManifest) -> None:
    """Move staged files into place; safe to repeat."""
    for staged_name, target_name in manifest.moves:
        staged, target = lake / staged_name, lake / target_name
        if staged.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.replace(target)
            kill_point("between-renames")
        elif not target.exists():
            raise PipelineError(
                f"batch {manifest.batch_id}: {staged} and {target} are both missing; the "
                "lake was changed by hand during a commit — restore it from a backup"
            )


def commit(
    lake: Path, manifest: BatchManifest, *, before_publish: Callable[[], None] | None = None
) -> None:
    """Publish ``manifest``'s files atomically (see the module's protocol).

    ``before_publish`` runs once the manifest is durable and before any file
    moves (the caller records the batch's accounting there: if the process
    dies after it, recovery publishes exactly what was recorded).
    """
    pending = _pending_dir(lake) / f"{manifest.batch_id}.json"
    _write_atomically(pending, manifest.to_json())
    kill_point("after-manifest")
    if before_publish is not None:
        before_publish()
    kill_point("after-record")
    _finish(lake, manifest, pending)


def _finish(lake: Path, manifest: BatchManifest, pending: Path) -> None:
    _apply(lake, manifest)
    kill_point("before-commit-mark")
    committed = _committed_dir(lake) / pending.name
    committed.parent.mkdir(parents=True, exist_ok=True)
    pending.replace(committed)
    _fsync_dir(committed.parent)
    shutil.rmtree(staging_dir(lake, manifest.batch_id), ignore_errors=True)


def recover(lake: Path) -> list[BatchManifest]:
    """Roll forward every batch with a pending manifest, drop unmanifested staging;
    return the batches finished.  Run by the writer before it writes."""
    finished: list[BatchManifest] = []
    pending_dir = _pending_dir(lake)
    for pending in sorted(pending_dir.glob("*.json")) if pending_dir.is_dir() else []:
        manifest = BatchManifest.from_json(pending.read_text("utf-8"))
        _finish(lake, manifest, pending)
        finished.append(manifest)
    staging = lake / STAGING_DIR
    if staging.is_dir():
        for leftover in staging.iterdir():
            if leftover.is_dir() and leftover.name != "spill":
                shutil.rmtree(leftover, ignore_errors=True)
    return finished


def pending_targets(lake: Path) -> frozenset[Path]:
    """Files of batches not yet committed: readers must not see them."""
    pending_dir = _pending_dir(lake)
    if not pending_dir.is_dir():
        return frozenset()
    targets: set[Path] = set()
    for pending in pending_dir.glob("*.json"):
        manifest = BatchManifest.from_json(pending.read_text("utf-8"))
        targets.update(lake / target for _, target in manifest.moves)
    return frozenset(targets)


def committed_manifest(lake: Path, batch_id: str) -> BatchManifest | None:
    """The committed manifest of ``batch_id``, if that batch was ever published."""
    path = _committed_dir(lake) / f"{batch_id}.json"
    return BatchManifest.from_json(path.read_text("utf-8")) if path.is_file() else None
