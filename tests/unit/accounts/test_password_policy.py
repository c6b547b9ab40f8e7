"""The password policy: length, kinds of characters, well-known passwords, the user name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityops.accounts.passwords import check_password
from cityops.errors import ConfigError


@pytest.mark.parametrize(
    ("password", "broken"),
    [
        ("aaaaaaaaaa", "at least 12 characters"),
        ("1234567890", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "kinds"),
        ("123456789012", "well-known"),
        ("qwertyuiop[]", "well-known"),
        ("Password123!", "well-known"),
        ("P@SSW0RD2024", "well-known"),
        ("Short1!", "at least 12 characters"),
        ("only lower and spaces", "kinds"),
        ("Zhang-San-2026", "user name"),
    ],
)
def test_a_weak_password_is_refused_naming_the_rule(password: str, broken: str) -> None:
    with pytest.raises(ConfigError, match=broken) as refused:
        check_password(password, "zhang-san")
    assert password not in str(refused.value)


@pytest.mark.parametrize(
    "password",
    ["Harbour-lights-7", "correct Horse battery", "9 Lantern-Street", "小桥流水人家Ab-1234"],
)
def test_a_strong_password_is_accepted(password: str) -> None:
    check_password(password, "zhang-san")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=0, max_size=40))
def test_two_kinds_of_characters_never_suffice(password: str) -> None:
    with pytest.raises(ConfigError):
        check_password(password, "someone")
