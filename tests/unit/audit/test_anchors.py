"""The anchors file: anchors read back as written, and anything else refused with a
``WorkspaceError`` naming the line, never another exception."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.audit.anchors import Anchor, append_anchor, read_anchors
from cityops.errors import WorkspaceError

KEY = b"k" * 32
AT = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)


def test_anchors_read_back_as_written_and_the_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "anchors.jsonl"
    written = [Anchor(3, "a" * 64, AT, rekeyed=True), Anchor(100, "b" * 64, AT)]
    for anchor in written:
        append_anchor(path, anchor, KEY)
    assert read_anchors(path, KEY) == written
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_anchors(tmp_path / "absent.jsonl", KEY) == []


def test_an_anchor_under_another_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "anchors.jsonl"
    append_anchor(path, Anchor(1, "c" * 64, AT), KEY)
    with pytest.raises(WorkspaceError, match=r"anchors.jsonl:1: .*HMAC"):
        read_anchors(path, b"x" * 32)


@settings(deadline=None)  # each example writes and fsyncs a file
@given(st.text(max_size=300))
def test_any_other_line_is_refused_with_its_line_number(line: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "anchors.jsonl"
        append_anchor(path, Anchor(1, "d" * 64, AT), KEY)
        with path.open("a", encoding="utf-8") as file:
            file.write(line.replace("\n", " ").replace("\r", " ") + "\n")
        if not line.strip():
            assert len(read_anchors(path, KEY)) == 1  # a blank line is skipped
            return
        with pytest.raises(WorkspaceError, match=":2: "):
            read_anchors(path, KEY)
