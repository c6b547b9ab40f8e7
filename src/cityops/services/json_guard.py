"""What a JSON body must be before any parser sees it: UTF-8 text, nested at most
``MAX_DEPTH`` levels deep.

Python's ``json`` recurses once per level and fails with ``RecursionError`` near
1,000 levels; DuckDB refuses 128 levels with its own message.  A body of 990
nested brackets reached both (a 500, then DuckDB's text in a 422).  Rows of the
data contract are flat objects — one level, two inside an array — so 32 levels
leave room for any nested value a sender might add, and a deeper body is refused
here, with where it goes too deep, before anything parses it.

The depth is counted on the bytes, outside strings, with regular expressions and
``bytes`` methods (C loops): strings are blanked, everything but brackets dropped,
and innermost pairs removed one level at a time.  Only a body that fails that test
is walked bracket by bracket, to name the line.  Undecodable bytes are found by an
incremental UTF-8 decoder, a megabyte at a time, so neither check holds more than
the body itself.
"""

from __future__ import annotations

import codecs
import re

from cityops.errors import CityopsError, ContractError

__all__ = [
    "MAX_DEPTH",
    "BodyNotUtf8Error",
    "TooDeepError",
    "nesting_depth",
    "require_json_text",
    "require_shallow",
    "require_utf8",
]

MAX_DEPTH = 32
"""The deepest nesting of arrays and objects an ingest body may have."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")
_CHUNK = 1 << 20


class BodyNotUtf8Error(CityopsError):
    """The body is not UTF-8 text (a 400: the request, not the rows, is at fault)."""


class TooDeepError(ContractError):
    """The body nests arrays and objects deeper than :data:`MAX_DEPTH`."""


def require_json_text(data: bytes, limit: int = MAX_DEPTH) -> None:
    """Both checks of the module, UTF-8 first."""
    require_utf8(data)
    require_shallow(data, limit)


def require_utf8(data: bytes) -> None:
    """Raise :class:`BodyNotUtf8Error` naming the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), _CHUNK):
        end = min(start + _CHUNK, len(data))
        try:
            decoder.decode(view[start:end], final=end == len(data))
        except UnicodeDecodeError:
            offset = _first_bad_byte(data, start, end)
            line, column = _line_and_column(data, offset)
            raise BodyNotUtf8Error(
                f"the body is not UTF-8 text: byte 0x{data[offset]:02x} at line {line}, "
                f"column {column} cannot be decoded; send the rows in UTF-8"
            ) from None


def _first_bad_byte(data: bytes, start: int, end: int) -> int:
    """The offset of the first undecodable byte of ``data[:end]``, known to lie at or
    after the character that was being decoded at ``start``."""
    boundary = start
    while boundary > 0 and start - boundary < 3 and 0x80 <= data[boundary] <= 0xBF:
        boundary -= 1  # back to the first byte of a character cut by the chunk
    try:
        data[boundary:end].decode("utf-8")
    except UnicodeDecodeError as error:
        return boundary + error.start
    return start


def nesting_depth(data: bytes) -> int:
    """How deep arrays and objects nest in the JSON text ``data`` (``{}`` is 1,
    ``[{}]`` is 2, a scalar 0), brackets inside strings not counted; a closing
    bracket with none open is ignored."""
    depth = deepest = 0
    for token in _TOKEN.finditer(data):
        depth, deepest = _step(token.group(), depth, deepest)
    return deepest


def require_shallow(data: bytes, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeepError` when ``data`` nests deeper than ``limit``, naming
    the line where it first does."""
    brackets = _STRING.sub(b'""', data).translate(None, _NOT_BRACKETS).translate(_SQUARE)
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets = shorter
    if not brackets:
        return  # balanced, and no deeper than the passes that emptied it
    depth = 0
    for token in _TOKEN.finditer(data):
        depth, _ = _step(token.group(), depth, 0)
        if depth > limit:
            line, column = _line_and_column(data, token.start())
            raise TooDeepError(
                f"the body nests arrays and objects more than {limit} levels deep "
                f"(line {line}, column {column}); each row is one flat JSON object"
            )


def _step(token: bytes, depth: int, deepest: int) -> tuple[int, int]:
    if token in (b"[", b"{"):
        depth += 1
        return depth, max(depth, deepest)
    if token in (b"]", b"}"):
        return max(depth - 1, 0), deepest
    return depth, deepest  # a string


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in bytes) of ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1
