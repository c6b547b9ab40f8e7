"""The lake's commit protocol: pending batches are invisible, recovery finishes them."""

from pathlib import Path

from cityops.lake.layout import LakeLayout
from cityops.lake.publish import BatchManifest, commit, pending_targets, recover, staging_dir


def stage(lake: Path, batch_id: str, names: list[str]) -> BatchManifest:
    moves = []
    for name in names:
        staged = staging_dir(lake, batch_id) / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(b"parquet bytes")
        moves.append((str(staged.relative_to(lake)), name))
    return BatchManifest(batch_id, "portal_events", tuple(moves), {"batch_id": batch_id})


def write_pending(lake: Path, manifest: BatchManifest) -> None:
    pending = lake / "_batches" / "pending" / f"{manifest.batch_id}.json"
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.write_text(manifest.to_json(), "utf-8")


NAMES = [
    "portal_events/day=2025-01-01/part-b1.parquet",
    "portal_events/day=2025-01-02/part-b1.parquet",
]


def test_a_committed_batch_moves_every_file_into_place(tmp_path: Path) -> None:
    commit(tmp_path, stage(tmp_path, "b1", NAMES))
    files = LakeLayout(tmp_path).files(tmp_path)
    assert [str(p.relative_to(tmp_path)) for p in files] == NAMES
    assert not staging_dir(tmp_path, "b1").exists()
    assert (tmp_path / "_batches" / "committed" / "b1.json").is_file()


def test_files_of_a_pending_batch_are_hidden_from_readers(tmp_path: Path) -> None:
    manifest = stage(tmp_path, "b1", NAMES)
    write_pending(tmp_path, manifest)
    # The process died after moving the first file only.
    (tmp_path / NAMES[0]).parent.mkdir(parents=True)
    (tmp_path / manifest.moves[0][0]).replace(tmp_path / NAMES[0])
    assert pending_targets(tmp_path) == {tmp_path / n for n in NAMES}
    assert LakeLayout(tmp_path).files(tmp_path / "portal_events") == []


def test_recovery_finishes_a_half_moved_batch_and_drops_unmanifested_staging(
    tmp_path: Path,
) -> None:
    manifest = stage(tmp_path, "b1", NAMES)
    write_pending(tmp_path, manifest)
    (tmp_path / NAMES[0]).parent.mkdir(parents=True)
    (tmp_path / manifest.moves[0][0]).replace(tmp_path / NAMES[0])
    stage(tmp_path, "b2", ["portal_events/day=2025-01-03/part-b2.parquet"])  # no manifest
    finished = recover(tmp_path)
    assert [m.batch_id for m in finished] == ["b1"]
    assert len(LakeLayout(tmp_path).files(tmp_path / "portal_events")) == 2
    assert not staging_dir(tmp_path, "b2").exists()
    assert recover(tmp_path) == []
