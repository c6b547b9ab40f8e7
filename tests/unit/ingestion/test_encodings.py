"""Detecting and converting CSV encodings: strict, never mojibake."""

import codecs
from pathlib import Path

import pytest

from cityops.errors import ContractError
from cityops.ingestion.encodings import detect_encoding, transcode_to_utf8

# 䶮 (U+4DAE) is outside GBK but inside GB18030 (four bytes); 𠮷 (U+20BB7) is outside
# the BMP.  Both are real characters of Chinese names.
TEXT = "user_id,name\nu1,王䶮\nu2,𠮷野家\nu3,张三\n"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        ("user_id,name\nu1,张三\n".encode("gbk"), "gb18030"),
        (b"user_id,name\nu1,zhang\n", "utf-8"),
    ],
)
def test_the_encoding_is_detected(tmp_path: Path, data: bytes, expected: str) -> None:
    assert detect_encoding(write(tmp_path / "f.csv", data)) == expected


def test_names_outside_gbk_survive_gb18030_transcoding(tmp_path: Path) -> None:
    source = write(tmp_path / "f.csv", TEXT.encode("gb18030"))
    target = transcode_to_utf8(source, detect_encoding(source), tmp_path / "out.csv")
    assert target.read_text("utf-8") == TEXT


def test_a_utf8_file_declared_gbk_is_refused_with_a_hint(tmp_path: Path) -> None:
    source = write(tmp_path / "f.csv", TEXT.encode("utf-8"))
    with pytest.raises(ContractError, match=r"valid UTF-8.*--encoding utf-8"):
        detect_encoding(source, "gbk")


def test_a_gb18030_file_declared_utf8_is_refused(tmp_path: Path) -> None:
    source = write(tmp_path / "f.csv", TEXT.encode("gb18030"))
    with pytest.raises(ContractError, match="cannot be read as utf-8"):
        detect_encoding(source, "utf-8")


def test_an_ascii_file_may_be_declared_gbk(tmp_path: Path) -> None:
    source = write(tmp_path / "f.csv", b"user_id\nu1\n")
    assert detect_encoding(source, "GBK") == "gb18030"


def test_bytes_valid_in_neither_encoding_are_refused(tmp_path: Path) -> None:
    # 0xFF is never valid in UTF-8 nor a GB18030 lead byte.
    source = write(tmp_path / "f.csv", b"user_id\nu1\xff\xff\n")
    with pytest.raises(ContractError, match="not UTF-8 and not GB18030"):
        detect_encoding(source)


def test_an_unknown_encoding_name_is_refused(tmp_path: Path) -> None:
    source = write(tmp_path / "f.csv", b"a\n1\n")
    with pytest.raises(ContractError, match="not supported"):
        detect_encoding(source, "big5")


def test_a_character_split_across_blocks_decodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cityops.ingestion.encodings.BLOCK_BYTES", 5)
    source = write(tmp_path / "f.csv", TEXT.encode("gb18030"))
    assert detect_encoding(source) == "gb18030"
    assert transcode_to_utf8(source, "gb18030", tmp_path / "o.csv").read_text("utf-8") == TEXT
