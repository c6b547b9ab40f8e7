"""Values kept per key while their version stays the same, and files while they do."""

from __future__ import annotations

from pathlib import Path

from cityops.services.file_cache import FileCache, VersionedCache


def test_a_value_is_computed_again_only_when_its_version_changes() -> None:
    cache: VersionedCache[str, int] = VersionedCache()
    computed: list[str] = []

    def compute(label: str) -> int:
        computed.append(label)
        return len(computed)

    assert cache.get("portal", 1, lambda: compute("first")) == 1
    assert cache.get("portal", 1, lambda: compute("same version")) == 1
    assert cache.get("portal", 2, lambda: compute("new version")) == 2
    assert computed == ["first", "new version"]


def test_the_least_recently_used_key_goes_first() -> None:
    cache: VersionedCache[str, str] = VersionedCache(capacity=2)
    cache.get("a", 0, lambda: "A")
    cache.get("b", 0, lambda: "B")
    cache.get("a", 0, lambda: "not computed")  # a is used again: b is now the oldest
    cache.get("c", 0, lambda: "C")
    assert cache.kept() == ["a", "c"]


def test_a_file_replaced_in_place_is_read_again(tmp_path: Path) -> None:
    reads: list[str] = []

    def load(path: Path) -> str:
        reads.append(path.read_text("utf-8"))
        return reads[-1]

    files = FileCache(load)
    path = tmp_path / "facts.txt"
    path.write_text("one", "utf-8")
    assert files.get(path) == "one"
    assert files.get(path) == "one"
    replacement = tmp_path / "facts.tmp"
    replacement.write_text("two!", "utf-8")
    replacement.replace(path)  # a new computation renamed into place
    assert files.get(path) == "two!"
    assert reads == ["one", "two!"]
