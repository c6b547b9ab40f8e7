"""Masking of personal data (脱敏): what stays visible, and that the middle never does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.access.masking import mask_email, mask_id_card, mask_name, mask_phone

DIGITS = "0123456789"
phones = st.text(DIGITS, min_size=8, max_size=20)
id_cards = st.text(DIGITS + "X", min_size=11, max_size=24)


@pytest.mark.parametrize(
    ("given_value", "masked"),
    [
        ("13812341234", "138****1234"),
        (" 13812341234 ", "138****1234"),
        ("02188886666", "021****6666"),
        ("12345678", "123*5678"),
        ("1234567", "*****67"),
        ("12", "12"),
        ("", ""),
    ],
)
def test_phone_numbers_are_masked_as_written_in_the_examples(given_value: str, masked: str) -> None:
    assert mask_phone(given_value) == masked


@given(phones)
def test_a_phone_number_keeps_its_first_three_and_last_four_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[:3] == phone[:3]
    assert masked[-4:] == phone[-4:]
    assert set(masked[3:-4]) <= {"*"}


@given(phones, st.data())
def test_phone_numbers_differing_only_in_the_middle_mask_alike(
    phone: str, data: st.DataObject
) -> None:
    middle = data.draw(st.text(DIGITS, min_size=len(phone) - 7, max_size=len(phone) - 7))
    other = phone[:3] + middle + phone[-4:]
    assert mask_phone(other) == mask_phone(phone)


@given(st.text(DIGITS, max_size=7))
def test_a_short_number_shows_at_most_its_last_two_digits(number: str) -> None:
    masked = mask_phone(number)
    assert masked.lstrip("*") == number[-2:]


@pytest.mark.parametrize(
    ("given_value", "masked"),
    [
        ("110105199001010023", "110105********0023"),
        ("11010519900101002X", "110105********002X"),
        ("110105900101002", "110105*****1002"),
        ("1101059001", "**********"),
    ],
)
def test_id_card_numbers_are_masked_as_written_in_the_examples(
    given_value: str, masked: str
) -> None:
    assert mask_id_card(given_value) == masked


@given(id_cards)
def test_an_id_card_number_keeps_its_area_code_and_last_four_characters(number: str) -> None:
    masked = mask_id_card(number)
    assert len(masked) == len(number)
    assert masked[:6] == number[:6]
    assert masked[-4:] == number[-4:]
    assert set(masked[6:-4]) == {"*"}


@given(id_cards, st.data())
def test_id_card_numbers_differing_only_in_the_middle_mask_alike(
    number: str, data: st.DataObject
) -> None:
    size = len(number) - 10
    middle = data.draw(st.text(DIGITS, min_size=size, max_size=size))
    assert mask_id_card(number[:6] + middle + number[-4:]) == mask_id_card(number)


@given(st.text(DIGITS + "X", max_size=10))
def test_an_id_number_of_ten_characters_or_fewer_is_hidden_entirely(number: str) -> None:
    assert mask_id_card(number) == "*" * len(number)


@pytest.mark.parametrize(
    ("given_value", "masked"),
    [("张三丰", "张**"), ("李四", "李*"), ("欧阳修", "欧**"), ("王", "王"), ("", "")],
)
def test_a_name_keeps_only_its_first_character(given_value: str, masked: str) -> None:
    assert mask_name(given_value) == masked


@pytest.mark.parametrize(
    ("given_value", "masked"),
    [
        ("zhang@example.cn", "z***@example.cn"),
        ("a@b.cn", "a***@b.cn"),
        ("not-an-address", "n*************"),
    ],
)
def test_an_email_keeps_its_first_character_and_its_domain(given_value: str, masked: str) -> None:
    assert mask_email(given_value) == masked
