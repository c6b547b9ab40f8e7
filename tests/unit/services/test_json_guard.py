"""The checks every JSON ingest body passes before a parser sees it (``json_guard``).

Depth is compared with an independent count on the Python value the text was
made from; the UTF-8 check with Python's own decoder.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.services.json_guard import (
    MAX_DEPTH,
    BodyNotUtf8Error,
    TooDeepError,
    nesting_depth,
    require_shallow,
    require_utf8,
)

# Strings full of brackets, quotes and backslashes: they must never count as nesting.
tricky_text = st.text(alphabet=st.sampled_from('[]{}"\\\\/ a字\n\t\u2028'), max_size=12)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=40,
)


def depth_of(value: Any) -> int:
    """How deep ``value`` nests: the reference the byte count must agree with."""
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


def nested(depth: int) -> Any:
    value: Any = "[{leaf}]"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@given(json_values, st.booleans())
def test_the_depth_counted_on_the_bytes_is_the_depth_of_the_value(
    value: Any, ascii_only: bool
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert nesting_depth(text) == depth_of(value)


@given(st.lists(json_values, min_size=1, max_size=4), st.integers(min_value=1, max_value=6))
def test_a_body_is_refused_exactly_when_it_nests_deeper_than_the_limit(
    rows: list[Any], limit: int
) -> None:
    body = b"\n".join(json.dumps(row).encode() for row in rows)
    deepest = max(depth_of(row) for row in rows)
    if deepest > limit:
        with pytest.raises(TooDeepError, match=f"more than {limit} levels"):
            require_shallow(body, limit)
    else:
        require_shallow(body, limit)


@given(st.binary(max_size=200))
def test_any_bytes_are_accepted_or_refused_with_a_reason_never_a_crash(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        with pytest.raises(BodyNotUtf8Error, match="not UTF-8 text"):
            require_utf8(data)
    else:
        require_utf8(data)
    try:
        require_shallow(data, 3)
    except TooDeepError:
        assert nesting_depth(data) > 3


@given(st.text(max_size=50), st.binary(min_size=1, max_size=3), st.text(max_size=50))
def test_the_first_undecodable_byte_is_named_by_line_and_column(
    before: str, bad: bytes, after: str
) -> None:
    data = before.encode() + b"\xff" + bad + after.encode()
    prefix = before.encode()
    line = prefix.count(b"\n") + 1
    column = len(prefix) - (prefix.rfind(b"\n") + 1) + 1
    with pytest.raises(BodyNotUtf8Error, match=f"byte 0xff at line {line}, column {column} "):
        require_utf8(data)


def test_a_bad_byte_past_the_first_megabyte_is_found_where_it_is() -> None:
    data = ("字" * 700_000).encode() + b"\n" + b"ab\xfe"
    with pytest.raises(BodyNotUtf8Error, match="byte 0xfe at line 2, column 3 "):
        require_utf8(data)


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"[" * 990 + b"]" * 990, 990),
        (b'{"a":' * 990 + b"1" + b"}" * 990, 990),
        (b"[" * 100_000, 100_000),  # never closed
        (b'["[[[[", "]]]"]', 1),
        (b'{"k": "\\"[[[["}', 1),
        (json.dumps(nested(MAX_DEPTH - 1)).encode(), MAX_DEPTH - 1),
    ],
)
def test_deep_bodies_are_counted_without_recursion(body: bytes, depth: int) -> None:
    assert nesting_depth(body) == depth
    if depth > MAX_DEPTH:
        with pytest.raises(TooDeepError, match="line 1, column"):
            require_shallow(body)
    else:
        require_shallow(body)
