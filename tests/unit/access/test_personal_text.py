"""Personal data in free text: every common spelling of a phone or ID-card number is
found, at its place in the original text, and masking never leaves it whole."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from id_card_numbers import id_card_numbers

from cityops.access.personal_text import PersonalKind, find_personal, mask_personal

MOBILE = "13812341234"
ID_18 = "11010519491231002X"  # GB 11643's own example: Σ digit × weight = 167 → "X"
ID_15 = "110105491231002"

# The seventeen spellings tried against the lake filter: five canonical ones it caught,
# twelve it let through.
VARIANTS = [
    ("13812341234", MOBILE),
    ("+8613812341234", MOBILE),
    ("8613812341234", MOBILE),
    (ID_18, ID_18),
    (ID_18.lower(), ID_18),
    ("138 1234 1234", MOBILE),
    ("138-1234-1234", MOBILE),
    ("１３８１２３４１２３４", MOBILE),
    ("008613812341234", MOBILE),
    ("+86 138 1234 1234", MOBILE),
    ("电话13812341234", MOBILE),
    ("138\u00a01234\u00a01234", MOBILE),
    ("138\u200b1234\u200b1234", MOBILE),
    (ID_15, ID_15),
    ("110105-19491231-002X", ID_18),
    ("1101 0519 4912 3100 2X", ID_18),
    ("身份证１１０１０５１９４９１２３１００２Ｘ", ID_18),
]


@pytest.mark.parametrize(("text", "value"), VARIANTS)
def test_each_spelling_of_the_issue_is_found(text: str, value: str) -> None:
    found = find_personal(text)
    assert [span.value for span in found] == [value]


@pytest.mark.parametrize(("text", "value"), VARIANTS)
def test_each_spelling_is_masked(text: str, value: str) -> None:
    masked = mask_personal(text)
    assert value not in digits_of(masked)
    assert "*" in masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("路灯坏了，电话138 1234 1234，谢谢", "路灯坏了，电话138****1234，谢谢"),
        ("身份证110105-19491231-002X", "身份证110105********002X"),
        ("请联系 zhang.san@example.com", "请联系 z***@example.com"),
        ("座机 (010) 6512-3456", "座机 (010****3456"),
    ],
)
def test_masking_keeps_the_rest_of_the_text(text: str, masked: str) -> None:
    assert mask_personal(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "订单号 20251201123456789012",  # a long number holds no phone number
        "1101051949123100",  # 16 digits
        "11010519491231002Y",
        "110105194913310021",  # month 13
        "12812341234",  # no mobile network 12x
        "2025-01-01 路灯不亮",
        "",
    ],
)
def test_what_is_not_personal_is_left_alone(text: str) -> None:
    assert find_personal(text) == []
    assert mask_personal(text) == text


def test_spans_point_into_the_original_text() -> None:
    text = "电话\u200b１３８ 1234\u00a01234。"
    (span,) = find_personal(text)
    assert text[span.start : span.end] == "１３８ 1234\u00a01234"
    assert span.kind is PersonalKind.MOBILE


def test_an_id_card_number_is_found_before_a_phone_inside_it() -> None:
    assert [s.kind for s in find_personal(ID_18)] == [PersonalKind.ID_CARD]


def digits_of(text: str) -> str:
    """The ASCII digits of ``text`` after NFKC: what a reader could piece together."""
    return re.sub(r"[^0-9Xx]", "", unicodedata.normalize("NFKC", text)).upper()


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 10**9 - 1),
)
chinese = st.text(alphabet="路灯不亮请尽快处理电话身份证号谢谢，。：", max_size=12)
separators = st.sampled_from(["", " ", "-", ".", "\u00a0", "\u3000", "\u200b", " - "])
full_width = st.booleans()


def spelled(number: str, draw: st.DrawFn) -> str:
    """``number`` with separators between random digits, maybe in full-width digits."""
    out = []
    for i, char in enumerate(number):
        if i and draw(st.integers(0, 3)) == 0:
            out.append(draw(separators))
        out.append(chr(ord(char) + 0xFEE0) if draw(full_width) and char.isdigit() else char)
    return "".join(out)


@st.composite
def embedded(draw: st.DrawFn) -> tuple[str, str]:
    number = draw(st.one_of(mobiles, id_card_numbers()))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "86"])) if len(number) == 11 else ""
    return draw(chinese) + prefix + spelled(number, draw) + draw(chinese), number


@settings(max_examples=300, deadline=None)
@given(embedded())
def test_any_number_embedded_in_chinese_text_is_found_and_masked(case: tuple[str, str]) -> None:
    text, number = case
    assert number in [span.value for span in find_personal(text)]
    assert number not in digits_of(mask_personal(text))


def test_a_check_character_written_apart_still_belongs_to_the_number() -> None:
    assert [s.value for s in find_personal("身份证 110105 19491231 002 X 号")] == [ID_18]
