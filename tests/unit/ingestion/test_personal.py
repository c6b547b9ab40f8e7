"""Personal-data rules: GB 11643 ID-card numbers, mobile numbers, pseudonyms.

The Python rules are checked against worked examples and generated cases;
the SQL that ingestion runs is checked against the Python rules.
"""

import hashlib
import hmac

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from id_card_numbers import id_card_numbers

from cityops.ingestion.personal import (
    is_id_card_number,
    is_mobile_number,
    personal_kind,
    personal_kind_sql,
    pseudonymise,
    register_personal_functions,
)

# The example of GB 11643-1999 itself and one worked by hand:
# 11010519491231002: Σ digit × weight = 167, 167 mod 11 = 2 → check "X".
WORKED_ID = "11010519491231002X"


def test_the_worked_example_is_an_id_card_number() -> None:
    assert is_id_card_number(WORKED_ID)
    assert is_id_card_number(WORKED_ID.lower())


@given(id_card_numbers())
def test_generated_id_card_numbers_are_recognised(number: str) -> None:
    assert is_id_card_number(number)


@given(id_card_numbers(), st.sampled_from("0123456789X"))
def test_a_wrong_check_character_is_not_an_id_card_number(number: str, wrong: str) -> None:
    if wrong != number[-1]:
        assert not is_id_card_number(number[:-1] + wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("13812345678", True), ("+8613812345678", True), ("8619912345678", True),
     ("12812345678", False), ("1381234567", False), ("138123456789", False),
     ("+86 13812345678", True), ("138 1234 5678", True), ("u13812345678", False)],
)  # fmt: skip
def test_mobile_numbers_follow_the_mainland_pattern(text: str, expected: bool) -> None:
    assert is_mobile_number(text) is expected


def sql_kinds(values: list[str]) -> list[str | None]:
    with duckdb.connect() as con:
        register_personal_functions(con)
        con.register("v", pa.table({"x": pa.array(values, pa.string())}))
        rows = con.execute(f"SELECT {personal_kind_sql('x')} FROM v").fetchall()
    return [row[0] for row in rows]


def python_kind(text: str) -> str | None:
    return personal_kind(text)


mobiles = st.builds(
    lambda prefix, second, rest: f"{prefix}1{second}{rest:09d}",
    st.sampled_from(["", "86", "+86"]),
    st.integers(0, 9),
    st.integers(0, 999_999_999),
)
texts = st.one_of(
    id_card_numbers(),
    mobiles,
    st.text(alphabet="0123456789Xx+ -\u200b\uff11\uff13\uff18", min_size=10, max_size=24),
    st.text(max_size=20),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=30))
def test_the_sql_rules_agree_with_the_python_rules(values: list[str]) -> None:
    assert sql_kinds(values) == [python_kind(v) for v in values]


# Spreadsheet cells arrive padded: spaces, tabs, line breaks, no-break and ideographic spaces.
padding = st.text(alphabet=" \t\n\r\u00a0\u3000\u2003", max_size=3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(padding, st.one_of(id_card_numbers(), mobiles), padding), min_size=1))
def test_padded_personal_values_are_recognised_by_sql_and_python_alike(
    padded: list[tuple[str, str, str]],
) -> None:
    values = [before + value + after for before, value, after in padded]
    assert sql_kinds(values) == [python_kind(v) for v in values]


def test_pseudonyms_are_keyed_hashes_with_a_prefix() -> None:
    key = bytes(range(32))
    result = pseudonymise(pa.array(["13812345678", None, "张三"]), key).to_pylist()
    expected = "p_" + hmac.new(key, "张三".encode(), hashlib.sha256).hexdigest()
    assert result[1] is None
    assert result[2] == expected
    assert result[0] != result[2]
    assert len(result[0]) == 2 + 64


def test_another_key_gives_other_pseudonyms() -> None:
    values = pa.array(["u1"])
    assert pseudonymise(values, b"a" * 32) != pseudonymise(values, b"b" * 32)
