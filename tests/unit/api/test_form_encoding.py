"""Form bodies: raw UTF-8 bytes are escaped so that any form parser reads them as UTF-8, and
an already escaped body is left as it was."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_from_bytes, urlencode

from hypothesis import given
from hypothesis import strategies as st

from cityops.api.form_encoding import escape_form_body, undecodable_field

# Characters a raw body cannot carry without escaping them: the form's own separators.
text = st.text(st.characters(exclude_characters="&=+%", exclude_categories=["Cs"]), max_size=12)
pairs = st.lists(st.tuples(text.filter(bool), text), max_size=5)


@given(pairs)
def test_a_raw_utf8_body_parses_to_the_pairs_it_was_written_from(
    fields: list[tuple[str, str]],
) -> None:
    raw = "&".join(f"{name}={value}" for name, value in fields).encode()
    escaped = escape_form_body(raw).decode("ascii")
    assert parse_qsl(escaped, keep_blank_values=True) == fields


@given(pairs)
def test_an_escaped_body_is_left_unchanged(fields: list[tuple[str, str]]) -> None:
    escaped = urlencode(fields).encode("ascii")
    assert escape_form_body(escaped) == escaped


@given(pairs)
def test_a_utf8_body_has_no_undecodable_field(fields: list[tuple[str, str]]) -> None:
    raw = "&".join(f"{name}={value}" for name, value in fields).encode()
    assert undecodable_field(escape_form_body(raw)) is None


def test_a_gbk_value_is_named_raw_or_escaped() -> None:
    gbk = "路灯不亮".encode("gbk")
    for body in (b"a=1&description=" + gbk, b"a=1&description=" + quote_from_bytes(gbk).encode()):
        assert undecodable_field(escape_form_body(body)) == "description"
