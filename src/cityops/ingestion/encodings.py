"""Text encodings of CSV files: detect them, refuse wrong ones, transcode to UTF-8.

DuckDB reads UTF-8 (with or without BOM) itself; Chinese government systems
often export GB18030/GBK (GB18030 is a superset of GBK and GB2312, so one
decoder serves all three).  Decoding is always strict: a byte sequence that
is not valid in the encoding is an error naming the file and the offset, never
mojibake.

Detection: a UTF-8 BOM means ``utf-8-sig``; otherwise a file that decodes as
strict UTF-8 is UTF-8; otherwise one that decodes as strict GB18030 is
GB18030; otherwise it is refused.  A declared ``gbk``/``gb18030`` on a file
that is valid UTF-8 with non-ASCII text is refused too: GB18030 decodes most
UTF-8 byte sequences into wrong characters without an error, so the
declaration is almost surely a mistake.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from cityops.errors import ContractError

__all__ = [
    "BLOCK_BYTES",
    "UTF8",
    "UTF8_BOM",
    "detect_encoding",
    "is_utf8_readable",
    "normalise_encoding",
    "transcode_to_utf8",
]

BLOCK_BYTES = 16 << 20
"""Files are decoded in blocks of 16 MiB, so memory stays flat whatever their size."""

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
GB18030 = "gb18030"

_ALIASES = {
    "utf8": UTF8,
    "utf-8": UTF8,
    "utf-8-sig": UTF8_BOM,
    "utf8-sig": UTF8_BOM,
    "utf-8-bom": UTF8_BOM,
    "gb18030": GB18030,
    "gbk": GB18030,
    "gb2312": GB18030,
    "cp936": GB18030,
}


def normalise_encoding(name: str) -> str:
    """The canonical name of a supported encoding (``gbk`` reads as GB18030, its superset)."""
    try:
        return _ALIASES[name.strip().lower().replace("_", "-")]
    except KeyError:
        supported = ", ".join(sorted(_ALIASES))
        raise ContractError(
            f"encoding {name!r} is not supported; use one of: {supported}"
        ) from None


def _decode_error(encoding: str, error: UnicodeDecodeError, offset: int) -> str:
    return f"byte {offset + error.start} is not valid {encoding} ({error.reason})"


def _check_decodes(path: Path, encoding: str) -> tuple[bool, str]:
    """Decode the whole file strictly in blocks; (decodes, why not).

    The second value of a successful decode is ``"ascii"`` when every byte was
    ASCII, else ``""``.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    ascii_only = True
    with path.open("rb") as stream:
        while block := stream.read(BLOCK_BYTES):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return False, _decode_error(encoding, error, offset)
            ascii_only = ascii_only and block.isascii()
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return False, _decode_error(encoding, error, offset)
    return True, "ascii" if ascii_only else ""


def _has_bom(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(3) == codecs.BOM_UTF8


def detect_encoding(path: Path, declared: str | None = None) -> str:
    """The encoding to read ``path`` with: ``utf-8``, ``utf-8-sig`` or ``gb18030``.

    With ``declared``, the file must decode strictly in it (and a GBK/GB18030
    declaration on valid non-ASCII UTF-8 is refused); without, it is detected.
    """
    if declared is not None:
        return _check_declared(path, normalise_encoding(declared))
    if _has_bom(path):
        return _check_declared(path, UTF8_BOM)
    utf8_ok, _ = _check_decodes(path, UTF8)
    if utf8_ok:
        return UTF8
    gb_ok, why = _check_decodes(path, GB18030)
    if gb_ok:
        return GB18030
    raise ContractError(
        f"{path}: not UTF-8 and not GB18030/GBK ({why}); "
        "save it as UTF-8, or give the right encoding with --encoding"
    )


def _check_declared(path: Path, encoding: str) -> str:
    if encoding == GB18030 and not _has_bom(path):
        utf8_ok, kind = _check_decodes(path, UTF8)
        if utf8_ok and kind != "ascii":
            raise ContractError(
                f"{path}: declared {encoding} (GBK) but the file is valid UTF-8 with "
                "non-ASCII text; reading it as GBK would garble it — use --encoding utf-8"
            )
    ok, why = _check_decodes(path, encoding)
    if not ok:
        raise ContractError(
            f"{path}: cannot be read as {encoding}: {why}; check the file's encoding "
            "(or leave out --encoding to detect it)"
        )
    return encoding


def is_utf8_readable(encoding: str) -> bool:
    """DuckDB reads UTF-8 with or without BOM itself; other encodings need transcoding."""
    return encoding in (UTF8, UTF8_BOM)


def transcode_to_utf8(path: Path, encoding: str, target: Path) -> Path:
    """Write ``path`` decoded from ``encoding`` (strictly) to ``target`` as UTF-8."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    target.parent.mkdir(parents=True, exist_ok=True)
    offset = 0
    with path.open("rb") as source, target.open("w", encoding=UTF8, newline="") as sink:
        try:
            while block := source.read(BLOCK_BYTES):
                sink.write(decoder.decode(block))
                offset += len(block)
            sink.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as error:
            raise ContractError(
                f"{path}: cannot be read as {encoding}: {_decode_error(encoding, error, offset)}"
            ) from error
    return target
